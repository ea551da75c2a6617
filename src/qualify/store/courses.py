"""Directed training, read and written inside other commands' transactions: which courses a
direction names (checked), the directions and completions on file, what is still outstanding
(`advance` refuses a `requires_training` transition until nothing is), and the rows a direction
writes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from qualify import limits
from qualify.errors import BadInput, Gathered, Step
from qualify.store.clock import too_far_ahead
from qualify.store.rows import insert_row
from qualify.store.tables import AuditEvent, Evidence, TrainingDirection
from qualify.suggest import suggest
from qualify.workflow.loader import TRAINING_EVIDENCE
from qualify.workflow.moves import and_list
from qualify.workflow.spec import CourseSpec, Workflow


@dataclass(frozen=True)
class Order:
    """Training to direct: the courses, and the date they are due."""

    courses: tuple[str, ...]
    due_on: date


@dataclass(frozen=True)
class Progress:
    """One directed course and its completion, if recorded."""

    course: CourseSpec
    direction: TrainingDirection
    completion: Evidence | None

    @property
    def completed_on(self) -> date | None:
        if self.completion is None:
            return None
        return date.fromisoformat(str(self.completion.fields["completed_on"]))


def directing_roles(spec: Workflow, state: str | None = None) -> list[str]:
    """The roles that direct training (into `state`, when given): those of the transitions that
    direct it."""
    roles: list[str] = []
    for t in spec.transitions:
        if t.directs_training and (state is None or t.dest == state):
            roles += [r for r in t.roles if r not in roles]
    return roles


def recording_roles(spec: Workflow) -> list[str]:
    """The roles that record a completion: those that direct training, and those that add
    evidence."""
    roles = directing_roles(spec)
    return roles + [r for r in spec.permissions.add_evidence if r not in roles]


def course_of(spec: Workflow, course_id: str, field: str = "course") -> CourseSpec:
    """The workflow's course with this id; an unknown one is bad input (about the input
    `field`), with the ids known."""
    course = spec.training.course(course_id)
    if course is None:
        ids = [c.id for c in spec.training.courses]
        raise BadInput(
            f"{spec.name} has no course '{course_id}'{suggest(course_id, ids)} "
            f"(courses: {', '.join(ids) or 'none'})",
            field=field,
        )
    return course


def parse_day(field: str, text: str | date) -> date:
    """The date given for the input `field`."""
    if isinstance(text, date):
        day = text
    else:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            raise BadInput(f"{text!r} is not a date; use YYYY-MM-DD", field=field) from None
    if not limits.DATE_MIN <= day <= limits.DATE_MAX:
        raise BadInput(f"{day} is not between {limits.DATE_MIN} and {limits.DATE_MAX}", field=field)
    return day


def order(
    spec: Workflow, courses: list[str], due_on: str | date, today: date, far_ahead: bool = False
) -> Order:
    """Check what a direction names: known courses, each once, due no earlier than today and,
    unless `far_ahead` confirms it, no more than AHEAD_DAYS after today (a problem with the
    courses and one with the date are said together)."""
    gathered = Gathered()
    with gathered.check():
        if not courses:
            raise BadInput("name at least one course to direct", field="courses")
        for course in courses:
            course_of(spec, course, "courses")
        twice = sorted({c for c in courses if courses.count(c) > 1})
        if twice:
            named = [f"{course_of(spec, c).label} ({c})" for c in twice]
            raise BadInput(
                f"{and_list(named)} {'is' if len(named) == 1 else 'are'} named twice; name each "
                "course once",
                field="courses",
            )
    with gathered.check():
        due = parse_day("due_on", due_on)
        if due < today:
            raise BadInput(
                f"{due} is before today ({today}); training is due on or after the day it is "
                "directed",
                field="due_on",
            )
        due = due_date(due, today, far_ahead)
    gathered.refuse()
    return Order(tuple(courses), due)


def due_date(due: date, today: date, far_ahead: bool) -> date:
    """A due date no more than AHEAD_DAYS after today, unless `far_ahead` confirms it."""
    far = too_far_ahead(due, today, "training due")
    if far is not None and not far_ahead:
        raise BadInput(far, field="due_on", value=due.isoformat(), step=Step("confirm_far_due"))
    return due


# A training day: a course of so many hours takes at least hours / HOURS_A_DAY days, counting
# the day it was directed and the day it was completed.
HOURS_A_DAY = 8


def too_soon(course: CourseSpec, directed_on: date, done_on: date) -> str | None:
    """Why `course`, directed on `directed_on`, cannot have been completed on `done_on` at
    HOURS_A_DAY hours a day (None when it can)."""
    days = (done_on - directed_on).days + 1
    needs = math.ceil(course.hours / HOURS_A_DAY)
    if days >= needs:
        return None
    took = "the day it was directed" if days == 1 else f"{days} days from the day it was directed"
    return (
        f"{course.label} ({course.hours:g} hours) completed on {done_on}, {took} "
        f"({directed_on}): at {HOURS_A_DAY} hours a day it takes at least {needs} days"
    )


def progress(session: Session, spec: Workflow, candidate_id: int) -> list[Progress]:
    """Every course directed for the candidate, in the order directed, with its completion."""
    directions = session.exec(
        select(TrainingDirection)
        .where(TrainingDirection.candidate_id == candidate_id)
        .order_by(col(TrainingDirection.id))
    ).all()
    completions = {
        str(e.fields.get("course")): e
        for e in session.exec(
            select(Evidence)
            .where(Evidence.candidate_id == candidate_id, Evidence.kind == TRAINING_EVIDENCE)
            .order_by(col(Evidence.id))
        )
    }
    out = []
    for d in directions:
        course = spec.training.course(d.course) or CourseSpec(id=d.course, label=d.course, hours=0)
        out.append(Progress(course, d, completions.get(d.course)))
    return out


def outstanding(session: Session, spec: Workflow, candidate_id: int) -> str | None:
    """Why the candidate's training is not complete (None when every directed course is)."""
    found = progress(session, spec, candidate_id)
    if not found:
        return "no training has been directed"
    missing = [p for p in found if p.completion is None]
    if not missing:
        return None
    listed = "; ".join(
        f"{p.course.label} ({p.course.id}, due {p.direction.due_on})" for p in missing
    )
    return f"directed training is not complete: {listed}"


def insert_directions(
    session: Session, candidate_id: int, wanted: Order, directed_by: str, role: str, at: datetime
) -> list[dict[str, str]]:
    """Write the direction rows (inside the caller's transaction); what the audit event says."""
    for course in wanted.courses:
        insert_row(
            session,
            TrainingDirection(
                candidate_id=candidate_id,
                course=course,
                due_on=wanted.due_on,
                directed_at=at,
                directed_by=directed_by,
                role=role,
            ),
        )
    return [{"course": c, "due_on": wanted.due_on.isoformat()} for c in wanted.courses]


def added_in_training(session: Session, selection_id: int) -> set[int]:
    """The candidates of a selection who had courses added (or a due date corrected) while in
    training: each printed the workflow's amended letters (`training.amended_packets`)."""
    return {
        cid
        for cid in session.exec(
            select(AuditEvent.candidate_id).where(
                AuditEvent.selection_id == selection_id,
                col(AuditEvent.action).in_(("training_directed", "training_due_changed")),
                AuditEvent.outcome == "ok",
            )
        )
        if cid is not None
    }
