"""Adverse-impact arithmetic: selection rates, the four-fifths rule, shortfall and Fisher's exact
test. Pure: counts in, figures out. The categories are the EEO-4 report's (a federal form, the
same for every workflow), so they live here rather than in a workflow file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from math import comb

DECLINED = "declined"
# What a person's group is when no self-identification was recorded for them: not a category
# anyone chooses, and never reported as if they had declined.
NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"
# Groups counted in each stage's overall rate but compared with no one.
UNCOMPARED = (DECLINED, NOT_RECORDED)

SEX = {"female": "Female", "male": "Male", DECLINED: "Declined to self-identify"}

RACE_ETHNICITY = {
    "hispanic_latino": "Hispanic or Latino",
    "white": "White",
    "black": "Black or African American",
    "native_hawaiian_pacific_islander": "Native Hawaiian or Other Pacific Islander",
    "asian": "Asian",
    "american_indian_alaska_native": "American Indian or Alaska Native",
    "two_or_more": "Two or more races",
    DECLINED: "Declined to self-identify",
}

DIMENSIONS = {"sex": SEX, "race_ethnicity": RACE_ETHNICITY}

FOUR_FIFTHS = 0.8
SIGNIFICANCE = 0.05
# Below these the four-fifths rule is known to mislead (UGESP Q&A 20-21; the EEOC's own
# guidance and the literature on small samples): a single hire moves a ratio across 0.8.
SMALL_COMPARISON = 30
SMALL_EXPECTED = 5.0


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the 2x2 table [[a, b], [c, d]]: the
    probability, with the margins fixed, of a table no more likely than the one observed.
    Computed on exact integers (every hypergeometric term shares the denominator C(n, a+c)),
    so ties between equally likely tables are exact, not a matter of float tolerance."""
    if min(a, b, c, d) < 0:
        raise ValueError("counts must not be negative")
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2
    if n == 0:
        return 1.0
    low, high = max(0, col1 - row2), min(row1, col1)
    weights = {x: comb(row1, x) * comb(row2, col1 - x) for x in range(low, high + 1)}
    observed = weights[a]
    tail = sum(w for w in weights.values() if w <= observed)
    return tail / comb(n, col1)


@dataclass(frozen=True)
class GroupCount:
    """How many of a group entered a stage and how many passed it."""

    group: str
    entered: int
    passed: int
    rate: float | None

    @classmethod
    def of(cls, group: str, entered: int, passed: int) -> GroupCount:
        return cls(group, entered, passed, passed / entered if entered else None)


@dataclass(frozen=True)
class Comparison:
    """One group against the group with the highest rate."""

    group: str
    reference: str
    impact_ratio: float
    below_four_fifths: bool
    expected: float
    shortfall: float
    fisher_p: float
    significant: bool
    caution: str


@dataclass(frozen=True)
class Analysis:
    """A stage's figures for one dimension (sex or race/ethnicity)."""

    counts: tuple[GroupCount, ...]
    declined: GroupCount
    not_recorded: GroupCount
    overall_rate: float | None
    reference: str | None
    comparisons: tuple[Comparison, ...]


def small_sample_caution(comparison_size: int, expected: float) -> str:
    """Say in words why the four-fifths rule cannot be trusted here, or nothing."""
    reasons = []
    if comparison_size < SMALL_COMPARISON:
        reasons.append(
            f"only {comparison_size} people are in this comparison (fewer than "
            f"{SMALL_COMPARISON}), so one decision more or less can move the ratio across 0.8"
        )
    if expected < SMALL_EXPECTED:
        reasons.append(
            f"only {expected:.1f} passes would be expected for this group (fewer than "
            f"{SMALL_EXPECTED:.0f})"
        )
    if not reasons:
        return ""
    return "The four-fifths rule is unreliable here: " + "; ".join(reasons) + "."


def analyse(outcomes: Iterable[tuple[str, bool]]) -> Analysis:
    """Analyse (group, passed) pairs, one per person who entered the stage. People who declined
    to self-identify, and people for whom nothing was recorded, count in the overall rate but
    are compared with no one."""
    entered: dict[str, int] = {}
    passed: dict[str, int] = {}
    total = total_passed = 0
    for group, ok in outcomes:
        entered[group] = entered.get(group, 0) + 1
        passed[group] = passed.get(group, 0) + int(ok)
        total += 1
        total_passed += int(ok)
    counts = tuple(
        GroupCount.of(g, entered[g], passed[g]) for g in sorted(entered) if g not in UNCOMPARED
    )
    declined, not_recorded = (
        GroupCount.of(g, entered.get(g, 0), passed.get(g, 0)) for g in UNCOMPARED
    )
    overall = total_passed / total if total else None
    ranked = [c for c in counts if c.rate is not None]
    if not ranked or overall is None:
        return Analysis(counts, declined, not_recorded, overall, None, ())
    reference = max(ranked, key=lambda c: (c.rate or 0.0, c.entered, c.group))
    comparisons = []
    for count in ranked:
        if count.group == reference.group:
            continue
        assert count.rate is not None
        assert reference.rate is not None
        ratio = count.rate / reference.rate if reference.rate else 1.0
        expected = count.entered * overall
        p_value = fisher_exact(
            count.passed,
            count.entered - count.passed,
            reference.passed,
            reference.entered - reference.passed,
        )
        comparisons.append(
            Comparison(
                group=count.group,
                reference=reference.group,
                impact_ratio=ratio,
                below_four_fifths=ratio < FOUR_FIFTHS,
                expected=expected,
                shortfall=expected - count.passed,
                fisher_p=p_value,
                significant=p_value < SIGNIFICANCE,
                caution=small_sample_caution(count.entered + reference.entered, expected),
            )
        )
    return Analysis(counts, declined, not_recorded, overall, reference.group, tuple(comparisons))


@dataclass(frozen=True)
class StageRule:
    """A stage that removes people: who entered it and who passed it, as milestones (states of
    the workflow, or `interview_passed`) a person has reached."""

    id: str
    label: str
    entered: tuple[str, ...]
    passed: tuple[str, ...]


@dataclass(frozen=True)
class Track:
    """Where one person has been and where they stand: the milestones reached, the groups of
    exclusion reached (say, withdrawn), and the milestone they stand at now (their state, or
    the panel's result while they wait at the end of the interview)."""

    reached: frozenset[str]
    excluded: frozenset[str]
    standing: str


@dataclass(frozen=True)
class Outcomes:
    """A stage's outcome for each person who entered it: `decided` maps a person to whether
    they passed; the `undecided` still stand where they entered it (no decision yet) and the
    `excluded` left (say, withdrew) before passing it. Only the decided count in its rates."""

    decided: dict[int, bool]
    undecided: frozenset[int]
    excluded: frozenset[int]


def stage_outcomes(rule: StageRule, people: Mapping[int, Track]) -> Outcomes:
    """Each person who entered the stage: passed (reached a `passed` milestone), left out
    (reached a group of exclusion without passing), still undecided (stands at one of its
    `entered` milestones), or else did not pass (moved on from it without passing)."""
    decided: dict[int, bool] = {}
    undecided: set[int] = set()
    excluded: set[int] = set()
    for pid, track in people.items():
        if not track.reached & set(rule.entered):
            continue
        if track.reached & set(rule.passed):
            decided[pid] = True
        elif track.excluded:
            excluded.add(pid)
        elif track.standing in rule.entered:
            undecided.add(pid)
        else:
            decided[pid] = False
    return Outcomes(decided, frozenset(undecided), frozenset(excluded))


def whole_process(
    rule: StageRule, stages: Iterable[Outcomes], people: Mapping[int, Track]
) -> Outcomes:
    """The process as a whole: passed by reaching its `passed` milestones, not passed by not
    passing any one stage, left out as a stage leaves people out, and otherwise undecided
    (still on the way, including those who have not entered the first stage yet)."""
    failed = {pid for stage in stages for pid, ok in stage.decided.items() if not ok}
    decided: dict[int, bool] = {}
    undecided: set[int] = set()
    excluded: set[int] = set()
    for pid, track in people.items():
        if not track.reached & set(rule.entered):
            continue
        if track.reached & set(rule.passed):
            decided[pid] = True
        elif track.excluded:
            excluded.add(pid)
        elif pid in failed:
            decided[pid] = False
        else:
            undecided.add(pid)
    return Outcomes(decided, frozenset(undecided), frozenset(excluded))
