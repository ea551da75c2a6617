"""Correcting the date a directed course is due (a mistyped year, a session moved), with a
reason: the direction's row takes the new date, an audit event says who changed it, when, from
what to what and why, and the workflow's amended training assignment is printed, listing every
course directed with the dates now due (`packets.sections.amended`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, NotPermitted, RuleViolation
from qualify.services.firing import PacketPlace, write_committed_owed
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.courses import course_of, directing_roles, due_date, parse_day, progress
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.rows import claim
from qualify.store.tables import Candidate
from qualify.workflow.documents import local_date
from qualify.workflow.spec import CourseSpec, Workflow

# The audit event of a corrected due date; it seals the workflow's amended letters, as an
# addition of training does (packets/files.py, TRAINING_AMENDED).
DUE_CHANGED = "training_due_changed"


@dataclass(frozen=True)
class DueChanged:
    """What a correction of a due date did."""

    candidate_id: int
    course: str
    was: date
    due_on: date
    event_id: int
    packets: tuple[Path, ...] = ()


def change_due_date(
    *,
    session: Session,
    candidate_id: int,
    course: str,
    due_on: str | date,
    reason: str | None,
    actor: Actor,
    now: datetime | None = None,
    packets: PacketPlace | None = None,
    far_ahead: bool = False,
) -> DueChanged:
    """Correct the date a course directed for an officer in training is due, with a reason:
    for the roles that direct training there. The new date is today or later, and more than
    AHEAD_DAYS ahead only when `far_ahead` confirms it; a course already complete keeps its
    date. When `packets` says where, the amended training assignment is written after the change
    commits. A refusal by the rules is audited; bad input is not."""
    at = now or utcnow()
    limits.check("reason", reason, limits.REASON)
    candidate = get_candidate(session, candidate_id)
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    known = course_of(spec, course)
    today = local_date(at, spec.time_zone)
    day = parse_day("due_on", due_on)
    if day < today:
        raise BadInput(
            f"{day} is before today ({today}); training is due on or after the day it is changed",
            field="due_on",
        )
    due_date(day, today, far_ahead)
    said = " ".join((reason or "").split())
    if not said:
        raise BadInput(
            "say why the due date is changed; it is kept in the audit log", field="reason"
        )
    owed = list(spec.training.amended_packets) if packets is not None else []
    try:
        done, role = _change(session, candidate, spec, known, day, said, actor, at, owed)
    except (NotPermitted, RuleViolation) as refusal:
        audit.record_refusal(
            session,
            candidate_id=candidate_id,
            action="training_due_change_refused",
            actor=actor,
            at=at,
            refusal=refusal,
            details={"course": known.id},
        )
        raise
    if not owed or packets is None:
        return done
    written = write_committed_owed(
        session,
        packets,
        actor,
        candidate_id,
        role,
        at,
        done,
        f"candidate {candidate_id}: {known.id} now due {day} (audit event #{done.event_id}), "
        "but the amended letter was not written",
    )
    return replace(done, packets=written)


def _change(
    session: Session,
    candidate: Candidate,
    spec: Workflow,
    course: CourseSpec,
    day: date,
    reason: str,
    actor: Actor,
    at: datetime,
    owed: list[str],
) -> tuple[DueChanged, str]:
    assert candidate.id is not None
    user = actor_user(session, actor)
    state = candidate.state
    if state not in spec.training_states():
        raise RuleViolation(
            f"cannot change when {candidate.name}'s training is due: {candidate.name} is at "
            f"{spec.states[state].label}, not in training"
        )
    role = role_for(user, directing_roles(spec, state), "change when training is due")
    found = progress(session, spec, candidate.id)
    mine = next((p for p in found if p.course.id == course.id), None)
    if mine is None:
        raise RuleViolation(f"{candidate.name}: {course.label} was not directed")
    if mine.completed_on is not None:
        raise RuleViolation(
            f"{candidate.name}: {course.label} was recorded complete on {mine.completed_on}; "
            "its due date stays as it was"
        )
    was = mine.direction.due_on
    if was == day:
        raise BadInput(
            f"{candidate.name}: {course.label} is due on {day} already; nothing changed",
            field="due_on",
        )
    claim(session, candidate)
    mine.direction.due_on = day
    session.add(mine.direction)
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action=DUE_CHANGED,
        subject=f"candidate:{candidate.id}",
        at=at,
        selection_id=candidate.selection_id,
        candidate_id=candidate.id,
        details={
            "course": course.id,
            "due_on": day.isoformat(),
            "was": was.isoformat(),
            "reason": reason,
            "stage": state,
        }
        # The amended letters this correction is owed (packets/files.py, write_owed).
        | ({"packets": owed} if owed else {}),
    )
    session.commit()
    assert event.id is not None
    return DueChanged(candidate.id, course.id, was, day, event.id), role
