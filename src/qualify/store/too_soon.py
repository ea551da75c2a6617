"""A finding against a candidate made before the date the records are measured on. Before the
selection's as-of date, a qualification still pending may yet be shown: a transition with
`pending_waits_for_as_of` (declaring an officer ineligible) is refused then unless a check has
failed, and says which checks are pending and that the as-of date has not come."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from qualify.errors import RuleViolation
from qualify.store.checking import INTERVIEW_KINDS, evaluate, load_facts
from qualify.store.frozen import workflow_of
from qualify.store.tables import Candidate, Selection
from qualify.store.visibility import WITHHELD
from qualify.workflow.documents import local_date
from qualify.workflow.moves import and_list, refused
from qualify.workflow.spec import TransitionSpec


def as_of_to_come(selection: Selection, at: datetime) -> bool:
    """Whether the selection's as-of date is still ahead on `at`, in its time zone."""
    return local_date(at, workflow_of(selection).spec.time_zone) < selection.as_of


def refuse_while_pending(
    session: Session,
    *,
    selection: Selection,
    transition: TransitionSpec,
    candidate: Candidate,
    hidden: set[str],
    at: datetime,
) -> None:
    """Refuse `transition` on `candidate` before the as-of date when none of the candidate's
    checks before the interview has failed and some are pending; `hidden` are the checks whose
    labels the actor may not see (counted, not named)."""
    if not transition.pending_waits_for_as_of or not as_of_to_come(selection, at):
        return
    loaded = workflow_of(selection)
    facts = load_facts(session, selection, [candidate], interview=False)[candidate.id or 0]
    results = [
        r
        for r in evaluate(loaded, facts, selection.as_of, at.date())
        if loaded.spec.checks[r.check].kind not in INTERVIEW_KINDS
    ]
    if any(r.status == "fail" for r in results):
        return
    pending = [r for r in results if r.status not in ("pass", "fail", "not_applicable")]
    if not pending:
        return
    named = [loaded.spec.checks[r.check].label for r in pending if r.check not in hidden]
    withheld = len(pending) - len(named)
    if withheld:
        named.append(f"{withheld} sensitive {'check' if withheld == 1 else 'checks'}, {WITHHELD}")
    one = len(pending) == 1
    raise RuleViolation(
        f"{refused(transition, candidate.name)}: no qualification of {candidate.name} has "
        f"failed, and {'this check is' if one else 'these checks are'} pending: "
        f"{and_list(named)}; the as-of date {selection.as_of} has not come, and what is "
        "pending may be recorded until then"
    )
