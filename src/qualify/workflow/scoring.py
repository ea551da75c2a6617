"""Aggregating interview scorecards: means, disagreement flags, minimums, pass, ranking.

A pure function of its inputs: the same scorecards in any order give the same results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import gcd

from qualify.workflow.spec import RubricSpec, Workflow


def barred_reason(
    spec: Workflow, supervisor: str, panelist: str, conflict: str | None
) -> str | None:
    """Why a panelist may not score this candidate, or None."""
    if "candidate_supervisor" in spec.panel.excluded and panelist == supervisor:
        return "is the candidate's supervisor"
    if conflict is not None:
        return f"declared a conflict of interest: {conflict}"
    return None


# How `sitting` names the alternates tried for a barred holder. Stored results keep this text
# with user names (`audit verify` recomputes and compares it, and a full name may change):
# `barred_words` and `missing_words` name the people when a reader sees it.
NO_ALTERNATE = "; no eligible alternate ("
MAY_NOT_SIT = " may not sit)"


def barred_words(why: str, names: Mapping[str, str]) -> str:
    """Why a holder may not score, as `sitting` wrote it, with the alternates tried by their
    names in `names` (user name -> name; a user name not in it stays as it is)."""
    reason, found, tried = why.rpartition(NO_ALTERNATE)
    if not found or not tried.endswith(MAY_NOT_SIT):
        return why
    logins = tried.removesuffix(MAY_NOT_SIT).split(", ")
    return f"{reason}{NO_ALTERNATE}{', '.join(names.get(x, x) for x in logins)}{MAY_NOT_SIT}"


def missing_words(line: str, spec: Workflow, names: Mapping[str, str]) -> str:
    """A line of a result's `missing` as `score_candidate` wrote it ("school_rep rep.chen: no
    submitted scorecard") with the panelist by name and the seat by its label: "Rosa Diaz
    (Milford School System representative seat): no submitted scorecard". Reads results stored
    by any version; a line of another shape stays as it is."""
    head, found, why = line.partition(": ")
    seat, space, login = head.partition(" ")
    if not found or not space or seat not in spec.panel.seats:
        return line
    label = spec.panel.seats[seat].label or seat.replace("_", " ")
    return f"{names.get(login, login)} ({label} seat): {barred_words(why, names)}"


def tie_rule_words(rule: str, labels: Mapping[str, str] | None = None) -> str:
    """A rubric's tie-break rule in a reader's words (`criterion:role_model` -> `higher mean on
    ` and the criterion's label in `labels`, else its id in words), not the workflow file's
    key."""
    if rule.startswith("criterion:"):
        criterion = rule.removeprefix("criterion:")
        return "higher mean on " + ((labels or {}).get(criterion) or criterion.replace("_", " "))
    return {"fewest_flags": "fewer disagreement flags", "employee_id": "lower employee id"}.get(
        rule, rule.replace("_", " ")
    )


@dataclass(frozen=True)
class Substitution:
    """An alternate who sits in a seat for one candidate, and why the holder does not (the
    holder "is the candidate's supervisor", or "declared a conflict of interest: ...")."""

    seat: str
    holder: str
    sat: str
    why: str


def sitting(
    spec: Workflow,
    supervisor: str,
    seats: tuple[tuple[str, str], ...],
    alternates: tuple[tuple[str, str], ...],
    conflicts: dict[str, str | None],
) -> tuple[tuple[tuple[str, str], ...], dict[str, str], tuple[Substitution, ...]]:
    """Who sits in each seat for one candidate: the holder, or when the holder may not score
    (barred) the first eligible alternate of that seat not already sitting. Returns the seats
    as (seat, panelist) in the panel's order, the barred panelists still in a seat (no eligible
    alternate) with why, and the substitutions. The same records always give the same answer,
    so an alternate sits for the whole interview."""
    taken: set[str] = set()
    sat: list[tuple[str, str]] = []
    barred: dict[str, str] = {}
    swaps: list[Substitution] = []
    for seat, holder in seats:
        why = barred_reason(spec, supervisor, holder, conflicts.get(holder))
        if why is None:
            sat.append((seat, holder))
            continue
        alternate = next(
            (
                alt
                for alt_seat, alt in alternates
                if alt_seat == seat
                and alt not in taken
                and barred_reason(spec, supervisor, alt, conflicts.get(alt)) is None
            ),
            None,
        )
        if alternate is None:
            sat.append((seat, holder))
            tried = [alt for alt_seat, alt in alternates if alt_seat == seat]
            # (Without alternates the reason stays as results stored it before they existed.)
            barred[holder] = why + (
                f"{NO_ALTERNATE}{', '.join(tried)}{MAY_NOT_SIT}" if tried else ""
            )
            continue
        taken.add(alternate)
        sat.append((seat, alternate))
        swaps.append(Substitution(seat, holder, alternate, why))
    return tuple(sat), barred, tuple(swaps)


@dataclass(frozen=True)
class Card:
    """One panelist's submitted scorecard (its newest version)."""

    panelist: str
    seat: str
    scores: dict[str, int]
    comments: dict[str, str] = field(default_factory=dict)
    version: int = 1
    reason: str | None = None
    previous: dict[str, int] | None = None  # the values a correction replaced


@dataclass(frozen=True)
class PanelInput:
    """Everything scoring needs about one candidate."""

    candidate_id: int
    employee_id: str
    seats: tuple[tuple[str, str], ...]  # (seat, panelist) for every seat of the panel
    barred: dict[str, str] = field(default_factory=dict)  # panelist -> why they may not score
    cards: dict[str, Card] = field(default_factory=dict)  # panelist -> submitted card
    substitutions: tuple[Substitution, ...] = ()  # alternates sitting for barred holders


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    scores: dict[str, int]
    mean: float
    spread: int
    flagged: bool
    minimum_met: bool


@dataclass(frozen=True)
class CandidateResult:
    candidate_id: int
    employee_id: str
    complete: bool
    missing: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    total: float | None
    passed: bool
    failures: tuple[str, ...]
    flags: int
    corrections: tuple[Card, ...]
    rank: int | None = None
    tie_break: str | None = None
    substitutions: tuple[Substitution, ...] = ()


@dataclass(frozen=True)
class Exact:
    """The rubric's numbers as integers over common denominators, computed once per rubric, so
    that comparisons with pass marks and minimums are exact and cheap."""

    weights: tuple[int, ...]  # weight_i * denominator
    pass_mark: Fraction
    minimums: tuple[tuple[Fraction | None, bool], ...]  # (value, strictly above?) per criterion

    @classmethod
    def of(cls, rubric: RubricSpec) -> Exact:
        fractions = [Fraction(str(c.weight)) for c in rubric.criteria]
        denominator = 1
        for f in fractions:
            denominator = denominator * f.denominator // gcd(denominator, f.denominator)
        minimums: list[tuple[Fraction | None, bool]] = []
        for c in rubric.criteria:
            if c.minimum_mean_above is not None:
                minimums.append((Fraction(str(c.minimum_mean_above)), True))
            elif c.minimum_mean is not None:
                minimums.append((Fraction(str(c.minimum_mean)), False))
            else:
                minimums.append((None, False))
        return cls(
            tuple(int(f * denominator) for f in fractions),
            Fraction(str(rubric.pass_mark)),
            tuple(minimums),
        )


def _meets(total: int, count: int, minimum: Fraction, strictly: bool) -> bool:
    """total/count > minimum (or >=), in integers."""
    left, right = total * minimum.denominator, minimum.numerator * count
    return left > right if strictly else left >= right


def score_candidate(
    rubric: RubricSpec, panel: PanelInput, exact: Exact | None = None
) -> CandidateResult:
    """The result for one candidate. With a seat barred or not yet submitted it is incomplete:
    the submitted scores are summarised, but there is no total, no pass and no rank."""
    exact = exact or Exact.of(rubric)
    missing = []
    for seat, panelist in panel.seats:
        if panelist in panel.barred:
            missing.append(f"{seat} {panelist}: {panel.barred[panelist]}")
        elif panelist not in panel.cards:
            missing.append(f"{seat} {panelist}: no submitted scorecard")
    if not panel.seats:
        missing.append("no panel is assigned")
    cards = [panel.cards[p] for _, p in panel.seats if p in panel.cards and p not in panel.barred]
    count = len(cards)
    criteria, failures = [], []
    weighted = 0  # sum of weight_i * (sum of scores on criterion i), in weight units
    for i, c in enumerate(rubric.criteria if cards else ()):
        scores = {card.panelist: card.scores[c.id] for card in cards}
        total = sum(scores.values())
        spread = max(scores.values()) - min(scores.values())
        minimum, strictly = exact.minimums[i]
        met = minimum is None or _meets(total, count, minimum, strictly)
        if not met:
            word = "is not above" if strictly else "is below"
            failures.append(f"{c.id} mean {total / count:.2f} {word} {float(minimum or 0):g}")
        flagged = spread >= rubric.disagreement_threshold
        criteria.append(CriterionResult(c.id, scores, total / count, spread, flagged, met))
        weighted += exact.weights[i] * total
    overall = None
    if missing:
        failures = ["panel incomplete"]
    else:
        scale = count * sum(exact.weights)
        overall = weighted / scale
        if not _meets(weighted, scale, exact.pass_mark, strictly=False):
            failures.append(
                f"weighted total {overall:.2f} is below the pass mark {rubric.pass_mark:g}"
            )
    return CandidateResult(
        panel.candidate_id,
        panel.employee_id,
        complete=not missing,
        missing=tuple(missing),
        criteria=tuple(criteria),
        total=overall,
        passed=not missing and not failures,
        failures=tuple(failures),
        flags=sum(1 for c in criteria if c.flagged),
        corrections=tuple(c for c in cards if c.version > 1),
        substitutions=panel.substitutions,
    )


def sort_key(rubric: RubricSpec, result: CandidateResult) -> tuple[object, ...]:
    """Where a complete result ranks: highest total first, then the rubric's tie-break rules,
    then employee id; the candidate id comes last, so any two keys differ."""
    means = {c.criterion: c.mean for c in result.criteria}
    parts: list[object] = [-(result.total or 0.0)]
    for rule in rubric.tie_breaks:
        if rule.startswith("criterion:"):
            parts.append(-means[rule.split(":", 1)[1]])
        elif rule == "fewest_flags":
            parts.append(result.flags)
        elif rule == "employee_id":
            parts.append(result.employee_id)
    parts.append(result.employee_id)  # a total order even when the rules leave a tie
    parts.append(result.candidate_id)
    return tuple(parts)


def _deciding_rule(rubric: RubricSpec, a: tuple[object, ...], b: tuple[object, ...]) -> str:
    for i, rule in enumerate(rubric.tie_breaks, start=1):
        if a[i] != b[i]:
            return rule
    return "employee_id"


def rank(
    rubric: RubricSpec, keys: list[tuple[object, ...]], names: Mapping[int, str] | None = None
) -> list[tuple[int, int, str | None]]:
    """(candidate id, rank, tie-break note) for complete results given by their sort keys, best
    first; a candidate tied on total with a neighbour is told who and which rule ranked them,
    in words: the neighbour by their name in `names` (candidate id -> name; for readers who
    see every candidate ranked), else as "candidate N"."""
    labels = {c.id: c.label for c in rubric.criteria}
    ordered = sorted(keys)
    ranked = []
    for i, key in enumerate(ordered):
        tie_break = None
        for j in (i - 1, i + 1):
            if 0 <= j < len(ordered) and ordered[j][0] == key[0]:
                rule = tie_rule_words(_deciding_rule(rubric, key, ordered[j]), labels)
                where = "above" if j > i else "below"
                other = ordered[j][-1]
                assert isinstance(other, int)
                who = (names or {}).get(other) or f"candidate {other}"
                tie_break = f"tied with {who} on total; ranked {where} them by {rule}"
                break
        candidate_id = key[-1]
        assert isinstance(candidate_id, int)
        ranked.append((candidate_id, i + 1, tie_break))
    return ranked


def aggregate(
    rubric: RubricSpec, panels: list[PanelInput], names: Mapping[int, str] | None = None
) -> list[CandidateResult]:
    """Results for every candidate: the passing ones ranked 1..n, the eligible list's order
    (ties broken by the rubric's rules, and named, the neighbour by `names` as in `rank`);
    then those complete but failing, by total, with no rank; then incomplete ones by candidate
    id."""
    exact = Exact.of(rubric)
    results = [score_candidate(rubric, p, exact) for p in panels]
    passing = {r.candidate_id: r for r in results if r.passed}
    ranked = [
        replace(passing[cid], rank=place, tie_break=note)
        for cid, place, note in rank(rubric, [sort_key(rubric, r) for r in passing.values()], names)
    ]
    failing = sorted(
        (r for r in results if r.complete and not r.passed), key=lambda r: sort_key(rubric, r)
    )
    rest = sorted((r for r in results if not r.complete), key=lambda r: r.candidate_id)
    return ranked + failing + rest
