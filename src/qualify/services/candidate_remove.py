"""Taking out a candidate added or imported by mistake, before anything was done with them.

The candidate is withdrawn without a letter: the workflow's withdrawal (the move from the initial
state to a final state its fairness report leaves out, SRO `withdraw`) is recorded as a state
change marked `entered_by_mistake`, with who, when and why. The row stays (its id is never
given to someone else, and the audit log's events about it keep naming it); it is closed like
any withdrawn candidate's, left out of the fairness report and the applicant-flow log, and no
longer holds its selection open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, RuleViolation
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.closed import hold_open
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.rows import claim
from qualify.store.tables import AuditEvent, Candidate, Evidence
from qualify.workflow.documents import local_date
from qualify.workflow.spec import TransitionSpec, Workflow

# What may have been done with a candidate taken out as entered by mistake: being added (alone
# or in an import) and having the record corrected.
ONLY_ADDED = frozenset({"candidate_added", "candidate_imported", "candidate_edited"})
ENTERED_BY_MISTAKE = "entered_by_mistake"


@dataclass(frozen=True)
class Removed:
    """A candidate taken out: who they were, the state they are at now, the audit event."""

    candidate_id: int
    name: str
    employee_id: str
    selection_id: int
    to_state: str  # the state's label (SRO: Withdrawn)
    event_id: int


def withdrawal_from(spec: Workflow, state: str) -> TransitionSpec | None:
    """The workflow's withdrawal from `state`: the move to a final state that its fairness
    report leaves out (SRO: `withdraw`, to `withdrawn`), or None."""
    for transition in spec.triggers_from(state):
        dest = spec.states[transition.dest]
        if dest.final and transition.dest in spec.fairness.excluded:
            return transition
    return None


def removable_now(
    session: Session, spec: Workflow, candidate_ids: Iterable[int], roles: Iterable[str]
) -> frozenset[int]:
    """Which of the candidates (all at the initial state) a holder of `roles` may take out as
    entered by mistake now: nothing was done with them beyond being added, and the workflow
    has a withdrawal. What a page offers; `remove_candidate` decides."""
    ids = set(candidate_ids)
    if not ids or not set(roles) & set(spec.permissions.manage_candidates):
        return frozenset()
    if withdrawal_from(spec, spec.initial_state) is None:
        return frozenset()
    done = session.exec(
        select(AuditEvent.candidate_id).where(
            col(AuditEvent.candidate_id).in_(ids),
            AuditEvent.outcome == "ok",
            col(AuditEvent.action).not_in(ONLY_ADDED),
        )
    ).all()
    on_file = session.exec(
        select(Evidence.candidate_id).where(col(Evidence.candidate_id).in_(ids))
    ).all()
    return frozenset(ids - set(done) - set(on_file))


def remove_candidate(
    *,
    session: Session,
    candidate_id: int,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> Removed:
    """Take out a candidate entered by mistake (HR, `manage_candidates`), with the reason: no
    letter, audited. Refused once anything beyond being added was done with them."""
    at = now or utcnow()
    reason = " ".join(reason.split())
    if not reason:
        raise BadInput(
            "say why the candidate is taken out; it is kept in the audit log", field="reason"
        )
    limits.check("reason", reason, limits.REASON)
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    role = role_for(
        actor_user(session, actor), spec.permissions.manage_candidates, "take out candidates"
    )
    hold_open(session, selection)
    who = f"{candidate.name} (candidate {candidate_id})"
    if candidate.state != spec.initial_state:
        raise RuleViolation(
            f"{who} is at {spec.states[candidate.state].label}, not "
            f"{spec.states[spec.initial_state].label}: only a candidate nothing was done with "
            "is taken out as entered by mistake; record a withdrawal instead"
        )
    _refuse_if_anything_done(session, candidate, who, spec.time_zone)
    withdrawal = withdrawal_from(spec, candidate.state)
    if withdrawal is None:
        raise RuleViolation(
            f"the workflow of {selection.title} has no withdrawal from "
            f"{spec.states[candidate.state].label}, so {who} cannot be taken out"
        )
    claim(session, candidate, state=withdrawal.dest)
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="state_changed",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details={
            "trigger": withdrawal.trigger,
            "from": spec.initial_state,
            "to": withdrawal.dest,
            "version": candidate.version,
            "reason": reason,
            "checks": [],
            ENTERED_BY_MISTAKE: True,
            "employee_id": candidate.employee_id,
            "name": candidate.name,
        },
    )
    session.commit()
    assert event.id is not None
    assert selection.id is not None
    return Removed(
        candidate_id,
        candidate.name,
        candidate.employee_id,
        selection.id,
        spec.states[withdrawal.dest].label,
        event.id,
    )


def _refuse_if_anything_done(
    session: Session, candidate: Candidate, who: str, time_zone: str
) -> None:
    """Refuse, naming the first thing done with the candidate beyond being added: anything the
    audit log records about them, and (for a record entered outside an event) evidence."""
    done = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.candidate_id == candidate.id,
            AuditEvent.outcome == "ok",
            col(AuditEvent.action).not_in(ONLY_ADDED),
        )
        .order_by(col(AuditEvent.id))
        .limit(1)
    ).first()
    if done is not None:
        day = local_date(done.at, time_zone).isoformat()
        what = f"{done.action.replace('_', ' ')} on {day} (audit event #{done.id})"
    elif session.exec(select(Evidence.id).where(Evidence.candidate_id == candidate.id)).first():
        what = "evidence is on file"
    else:
        return
    raise RuleViolation(
        f"{who} cannot be taken out as entered by mistake: more than adding them was done "
        f"({what}); if they leave the selection, record their withdrawal"
    )
