"""Training: directing courses for a candidate, recording their completion as evidence, and
what is still outstanding before the appointment.

A direction is a `training_direction` row (who directed which course, when, due by what date);
a completion is an evidence record of the kind `training_completed` (the course, the date it
was completed, and the certificate's file by its sha256). Neither is ever edited.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, NotPermitted, RuleViolation, Step
from qualify.services.firing import PacketPlace, fire, write_committed_owed
from qualify.store import audit
from qualify.store.clock import not_a_fact_date, utcnow
from qualify.store.courses import (
    Order,
    course_of,
    directing_roles,
    insert_directions,
    order,
    parse_day,
    progress,
    recording_roles,
    too_soon,
)
from qualify.store.evidence_files import (
    MAX_FILE_BYTES,
    file_type_problem,
    kept_if_committed,
    read_evidence_file,
)
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import (
    actor_user,
    display_name,
    person,
    role_for,
    roles_in_words,
    spec_labels,
)
from qualify.store.rows import claim
from qualify.store.tables import Candidate, Evidence, User
from qualify.store.visibility import sight
from qualify.workflow.documents import local_date
from qualify.workflow.loader import TRAINING_EVIDENCE
from qualify.workflow.spec import CourseSpec, FieldSpec, Workflow

CERTIFICATE = FieldSpec(type="file", label="Certificate of completion")


@dataclass(frozen=True)
class Directed:
    """What a direction of training did."""

    candidate_id: int
    courses: tuple[str, ...]
    due_on: date
    event_id: int
    from_state: str
    to_state: str
    packets: tuple[Path, ...] = ()


def assign_training(
    *,
    session: Session,
    candidate_id: int,
    courses: list[str],
    due_on: str | date,
    actor: Actor,
    reason: str | None = None,
    now: datetime | None = None,
    packets: PacketPlace | None = None,
    far_ahead: bool = False,
) -> Directed:
    """Direct courses for a candidate, due by a date (one more than AHEAD_DAYS ahead only when
    `far_ahead` confirms it: more often a mistyped year or month). From a state a transition
    that directs training leaves (SRO: selected), that transition fires with the direction, in one
    transaction; in the state it leads to (SRO: training), the courses are added. When
    `packets` says where, the letters it prints are written after it commits: the stage's
    training assignment, or (courses added) the workflow's amended one, listing every course
    directed by then."""
    at = now or utcnow()
    candidate = get_candidate(session, candidate_id)
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    wanted = order(spec, courses, due_on, local_date(at, spec.time_zone), far_ahead)
    fires = next((t for t in spec.triggers_from(candidate.state) if t.directs_training), None)
    if fires is not None:
        done = fire(
            session,
            candidate_id,
            fires.trigger,
            actor,
            reason=reason,
            now=at,
            packets=packets,
            training=wanted,
        )
        return Directed(
            candidate_id,
            wanted.courses,
            wanted.due_on,
            done.event_id,
            done.from_state,
            done.to_state,
            done.packets,
        )
    limits.check("reason", reason, limits.REASON)
    owed = list(spec.training.amended_packets) if packets is not None else []
    try:
        added, role = _add_directions(session, candidate, spec, wanted, actor, reason, at, owed)
    except (NotPermitted, RuleViolation) as refusal:
        audit.record_refusal(
            session,
            candidate_id=candidate_id,
            action="training_direction_refused",
            actor=actor,
            at=at,
            refusal=refusal,
        )
        raise
    if not owed or packets is None:
        return added
    # The amended letter, written after the direction commits and named by its event (as a
    # stage's packets are, `firing.fire`): if that fails, the event says it is owed.
    written = write_committed_owed(
        session,
        packets,
        actor,
        candidate_id,
        role,
        at,
        added,
        f"candidate {candidate_id}: {', '.join(added.courses)} directed (audit event "
        f"#{added.event_id}), but the amended letter was not written",
    )
    return replace(added, packets=written)


def _add_directions(
    session: Session,
    candidate: Candidate,
    spec: Workflow,
    wanted: Order,
    actor: Actor,
    reason: str | None,
    at: datetime,
    owed: list[str],
) -> tuple[Directed, str]:
    assert candidate.id is not None
    user = actor_user(session, actor)
    state = candidate.state
    if state not in spec.training_states():
        directing = [t for t in spec.transitions if t.directs_training]
        where = " or ".join(
            f"from {', '.join(t.source)} ({t.trigger}), or while in {t.dest}" for t in directing
        )
        raise RuleViolation(
            f"cannot direct training for {candidate.name}, who is at {spec.states[state].label}; "
            f"training is directed {where or 'by no transition of ' + spec.name}"
        )
    role = role_for(user, directing_roles(spec, state), "direct training")
    already = {p.course.id: p for p in progress(session, spec, candidate.id)}
    again = [c for c in wanted.courses if c in already]
    if again:
        first = already[again[0]].direction
        raise RuleViolation(
            f"{candidate.name}: {already[again[0]].course.label} was already directed on "
            f"{local_date(first.directed_at, spec.time_zone)} by "
            f"{display_name(session, first.directed_by)}, due {first.due_on}"
        )
    claim(session, candidate)
    listed = insert_directions(session, candidate.id, wanted, user.name, role, at)
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="training_directed",
        subject=f"candidate:{candidate.id}",
        at=at,
        selection_id=candidate.selection_id,
        candidate_id=candidate.id,
        details={"courses": listed, "reason": (reason or "").strip() or None, "stage": state}
        # The amended letters this direction is owed (packets/files.py, write_owed).
        | ({"packets": owed} if owed else {}),
    )
    session.commit()
    done = Directed(candidate.id, wanted.courses, wanted.due_on, event.id or 0, state, state)
    return done, role


def complete_training(
    *,
    session: Session,
    files_dir: Path,
    candidate_id: int,
    course: str,
    on: str | date,
    actor: Actor,
    file: Path | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    now: datetime | None = None,
    reason: str | None = None,
) -> Evidence:
    """Record that a directed course was completed on a date, with its certificate when given:
    an evidence record of the kind `training_completed`. A completion sooner than the course's
    hours allow at HOURS_A_DAY a day since it was directed needs a `reason` (a course held in
    longer days, one attended before it was directed), kept in the audit log."""
    at = now or utcnow()
    limits.check("reason", reason, limits.REASON)
    reason = " ".join((reason or "").split()) or None
    candidate = get_candidate(session, candidate_id)
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    known = course_of(spec, course)
    done_on = parse_day("on", on)
    today = local_date(at, spec.time_zone)
    wrong = not_a_fact_date(done_on, today)
    if wrong is not None:
        raise BadInput(wrong, field="on")
    data = None
    if file is not None:
        data = read_evidence_file(file, limit=max_file_bytes)
        wrong = file_type_problem(CERTIFICATE, data)
        if wrong:
            raise BadInput(wrong, field="file", value=file.name)
    try:
        return _complete(
            session, files_dir, candidate, spec, known, done_on, actor, (file, data), at, reason
        )
    except (NotPermitted, RuleViolation) as refusal:
        audit.record_refusal(
            session,
            candidate_id=candidate_id,
            action="training_completion_refused",
            actor=actor,
            at=at,
            refusal=refusal,
        )
        raise


def _complete(
    session: Session,
    files_dir: Path,
    candidate: Candidate,
    spec: Workflow,
    course: CourseSpec,
    done_on: date,
    actor: Actor,
    attached: tuple[Path | None, bytes | None],
    at: datetime,
    reason: str | None,
) -> Evidence:
    assert candidate.id is not None
    file, data = attached
    user = actor_user(session, actor)
    role = role_for(user, recording_roles(spec), "record completed training")
    if candidate.state not in spec.training_states():
        raise RuleViolation(
            f"cannot record training for {candidate.name}, who is at "
            f"{spec.states[candidate.state].label}, not in training"
        )
    found = {p.course.id: p for p in progress(session, spec, candidate.id)}
    mine = found.get(course.id)
    if mine is None:
        directed = ", ".join(p.course.label for p in found.values()) or "none"
        raise RuleViolation(
            f"{candidate.name}: {course.label} was not directed (directed: {directed})",
            step=Step("how_to_direct_training"),
        )
    if mine.completion is not None:
        raise RuleViolation(
            f"{candidate.name}: {course.label} was already recorded complete on "
            f"{mine.completed_on} (record #{mine.completion.id})"
        )
    directed_on = local_date(mine.direction.directed_at, spec.time_zone)
    if done_on < directed_on:
        raise RuleViolation(
            f"{done_on} is before the course was directed ({course.label}, on {directed_on}); "
            "record training completed on or after the day it was directed",
            field="on",
        )
    quick = too_soon(course, directed_on, done_on)
    if quick is not None and reason is None:
        raise BadInput(f"{quick}; say why", field="reason")
    claim(session, candidate)
    sha = hashlib.sha256(data).hexdigest() if data is not None else None
    record = Evidence(
        candidate_id=candidate.id,
        kind=TRAINING_EVIDENCE,
        fields={"course": course.id, "completed_on": done_on.isoformat()},
        file_sha256=sha,
        file_name=file.name if file is not None and data is not None else None,
        recorded_at=at,
        recorded_by=user.name,
        vouched_by=user.name,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        role=role,
        action="training_completed",
        subject=f"evidence:{record.id}",
        at=at,
        selection_id=candidate.selection_id,
        candidate_id=candidate.id,
        details={
            "course": course.id,
            "completed_on": done_on.isoformat(),
            "due_on": mine.direction.due_on.isoformat(),
            "late": done_on > mine.direction.due_on,
            "file": record.file_name,
            "file_sha256": sha,
        }
        | ({"reason": reason} if reason else {}),
    )
    with kept_if_committed(session, files_dir, data):
        session.commit()
    return record


def training_status(*, session: Session, candidate_id: int, actor: Actor) -> dict[str, Any]:
    """The courses directed for a candidate, with who directed them, when they are due and
    when they were completed; for the roles that direct or record training and those that see
    the candidate's record."""
    viewer = actor_user(session, actor)
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    allowed = recording_roles(spec)
    if (
        not set(viewer.roles) & set(allowed)
        and sight(session, viewer, candidate, selection).view != "record"
    ):
        labels = spec_labels(spec)
        raise NotPermitted(
            f"{person(viewer, labels)} may not see candidate {candidate_id}'s training: that "
            f"needs the role {roles_in_words(allowed, labels)}, or sight of the candidate's record"
        )
    today = local_date(utcnow(), spec.time_zone)
    names = {u.name: u.display_name for u in session.exec(select(User))}
    rows = []
    for p in progress(session, spec, candidate_id):
        done = p.completed_on
        rows.append(
            {
                "course": p.course.id,
                "label": p.course.label,
                "hours": p.course.hours,
                "directed_by": p.direction.directed_by,
                "directed_by_name": names.get(p.direction.directed_by, p.direction.directed_by),
                "directed_on": local_date(p.direction.directed_at, spec.time_zone).isoformat(),
                "due_on": p.direction.due_on.isoformat(),
                "completed_on": done.isoformat() if done else None,
                "status": "complete"
                if done is not None
                else ("overdue" if today > p.direction.due_on else "due"),
                "late": done is not None and done > p.direction.due_on,
                "evidence_id": p.completion.id if p.completion else None,
                "file": p.completion.file_name if p.completion else None,
                "file_sha256": p.completion.file_sha256 if p.completion else None,
            }
        )
    return {
        "candidate_id": candidate_id,
        "name": candidate.name,
        "state": candidate.state,
        "courses": rows,
        "complete": bool(rows) and all(r["completed_on"] for r in rows),
        "hours_directed": sum(r["hours"] for r in rows),
        "hours_completed": sum(r["hours"] for r in rows if r["completed_on"]),
    }
