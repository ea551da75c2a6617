"""Evaluating a selection's checks on the evidence on file, as of its date: the facts each
check reads, the results, and each candidate's checks as a viewer may see them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.scores import interview_facts
from qualify.store.tables import Candidate, Evidence, Selection, User
from qualify.store.visibility import WITHHELD
from qualify.workflow.checks import CHECK_KINDS, CheckResult, When
from qualify.workflow.evidence import decode, sees_sensitive, sensitive_checks
from qualify.workflow.facts import CandidateFacts, EvidenceRecord
from qualify.workflow.loader import LoadedWorkflow
from qualify.workflow.spec import Workflow

INTERVIEW_KINDS = {"panel_submitted", "interview_passed"}


def evidence_record(loaded: LoadedWorkflow, row: Evidence) -> EvidenceRecord:
    kind = loaded.spec.evidence.get(row.kind)
    fields = decode(kind, row.fields) if kind else dict(row.fields)
    assert row.id is not None
    return EvidenceRecord(
        id=row.id,
        kind=row.kind,
        fields=fields,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        file_sha256=row.file_sha256,
    )


def user_roles(session: Session) -> dict[str, tuple[str, ...]]:
    return {u.name: tuple(u.roles) for u in session.exec(select(User))}


def load_facts(
    session: Session,
    selection: Selection,
    candidates: Iterable[Candidate],
    *,
    interview: bool = True,
    roles: dict[str, tuple[str, ...]] | None = None,
) -> dict[int, CandidateFacts]:
    """Facts for many candidates with one evidence query (and their interview results, unless
    `interview` is False because no check that reads them will run); every user's roles are
    read unless given."""
    loaded = workflow_of(selection)
    wanted = {c.id: c for c in candidates if c.id is not None}
    by_candidate: dict[int, list[EvidenceRecord]] = defaultdict(list)
    query = select(Evidence).order_by(col(Evidence.id))
    if len(wanted) == 1:
        query = query.where(Evidence.candidate_id == next(iter(wanted)))
    else:
        query = query.join(Candidate).where(Candidate.selection_id == selection.id)
    for row in session.exec(query):
        if row.candidate_id in wanted:
            by_candidate[row.candidate_id].append(evidence_record(loaded, row))
    roles = roles if roles is not None else user_roles(session)
    scored = {}
    if interview and any(c.kind in INTERVIEW_KINDS for c in loaded.spec.checks.values()):
        scored = interview_facts(session, selection, list(wanted.values()))
    return {
        cid: CandidateFacts(c.supervisor, tuple(by_candidate[cid]), roles, scored.get(cid))
        for cid, c in wanted.items()
    }


def evaluate(
    loaded: LoadedWorkflow, facts: CandidateFacts, as_of: date, decided_on: date
) -> list[CheckResult]:
    """Every check of the workflow on the records on file (all of `facts`, whenever entered),
    with facts dated up to the as-of date counting (or up to the decision date, `decided_on`,
    for a check whose workflow says `facts_until: decision`)."""
    when = When(as_of, decided_on)
    return [
        CHECK_KINDS[check.kind].evaluate(check_id, loaded.params[check_id], facts, when)
        for check_id, check in loaded.spec.checks.items()
    ]


def before_interview(spec: Workflow) -> frozenset[str]:
    """The states a candidate reaches without passing through one of the panel's scoring
    states (nominated, screening, ineligible, ...): the interview checks do not apply there."""
    scoring = set(spec.panel.scoring_states)
    seen: set[str] = set()
    todo = [spec.initial_state]
    while todo:
        state = todo.pop()
        if state in seen or state in scoring:
            continue
        seen.add(state)
        todo.extend(t.dest for t in spec.triggers_from(state))
    return frozenset(seen)


def not_applicable(
    spec: Workflow, result: CheckResult, state: str, early: frozenset[str]
) -> CheckResult | None:
    """The result to show instead for a check that does not apply to the candidate's stage
    (`early`: the states before the interview)."""
    if spec.checks[result.check].kind in INTERVIEW_KINDS and state in early:
        reason = f"does not apply in state {state}: the candidate has not reached the interview"
        return CheckResult(result.check, "not_applicable", reason)
    return None


@dataclass(frozen=True)
class CandidateChecks:
    candidate: Candidate
    results: list[CheckResult]
    eligibility: str  # eligible, not eligible or pending, from every eligibility check
    # How many of the checks withheld from the viewer do not pass (failed or pending): a role
    # that may not see them learns this much, as a refused confirmation counts them, never
    # which checks or why.
    withheld_not_passing: int = 0


def overall(loaded: LoadedWorkflow, results: list[CheckResult]) -> str:
    """Whether the candidate is eligible overall, from every check that is not the interview's
    (sensitive ones included: a role that may not see them still learns this much)."""
    statuses = [
        r.status for r in results if loaded.spec.checks[r.check].kind not in INTERVIEW_KINDS
    ]
    if "fail" in statuses:
        return "not eligible"
    if "pending" in statuses:
        return "pending"
    return "eligible"


def check_candidates(
    session: Session, selection: Selection, candidates: list[Candidate], viewer_roles: list[str]
) -> list[CandidateChecks]:
    """Check results per candidate; a role without sees_sensitive gets sensitive checks as
    withheld (no status, no reason), the overall eligibility, and how many of the withheld
    checks do not pass."""
    loaded = workflow_of(selection)
    facts = load_facts(session, selection, candidates)
    today = utcnow().date()  # a check is a decision made now, on what is on file now
    early = before_interview(loaded.spec)
    hidden = (
        set()
        if sees_sensitive(loaded.spec, viewer_roles)
        else sensitive_checks(loaded.spec, loaded.params)
    )
    out = []
    for candidate in candidates:
        assert candidate.id is not None
        results = evaluate(loaded, facts[candidate.id], selection.as_of, today)
        shown = [
            not_applicable(loaded.spec, r, candidate.state, early)
            or (CheckResult(r.check, "withheld", WITHHELD) if r.check in hidden else r)
            for r in results
        ]
        blocking = sum(
            1
            for r, s in zip(results, shown, strict=True)
            if s.status == "withheld" and r.status != "pass"
        )
        out.append(CandidateChecks(candidate, shown, overall(loaded, results), blocking))
    return out
