"""When and where a candidate's interview takes place, as HR sets it on the panel.

Kept as an audited event (`interview_scheduled`), read by the interview packet: the newest one
recorded before the packet's event, so a reprint shows what was printed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from qualify.actor import Actor
from qualify.errors import BadInput, RuleViolation, Step
from qualify.store import audit
from qualify.store.clock import too_far_ahead, utcnow
from qualify.store.closed import hold_open
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.schedules import interview_slots
from qualify.store.tables import Candidate, Scorecard, Selection
from qualify.workflow.documents import local_date, weekday_time

PLACE_LIMIT = 200
FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class Scheduled:
    candidate_id: int
    at: datetime  # aware, in the selection's time zone
    place: str
    event_id: int


def parse_local(text: str, time_zone: str) -> datetime:
    """'2027-01-20 09:30' in the selection's time zone."""
    for fmt in FORMATS:
        try:
            naive = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=ZoneInfo(time_zone))
    raise BadInput(f"use YYYY-MM-DD HH:MM (local time, {time_zone})", field="at", value=repr(text))


def schedule_interview(
    *,
    session: Session,
    candidate_id: int,
    at: str,
    place: str,
    actor: Actor,
    now: datetime | None = None,
    far_ahead: bool = False,
) -> Scheduled:
    """Set (or change) the date, time and place of a candidate's interview. A time before the
    selection was opened is refused, and so is a first one on a day before today (a change may
    put on record the time an interview was in fact held); one more than AHEAD_DAYS ahead of
    today is refused unless `far_ahead` confirms it. Once a scorecard is submitted, the
    interview cannot be moved after that submission."""
    at_now = now or utcnow()
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    user = actor_user(session, actor)
    role = role_for(user, spec.permissions.manage_panel, "schedule interviews")
    when = parse_local(at, spec.time_zone)
    place = " ".join(place.split())
    if not place:
        raise BadInput("say where the interview takes place", field="place")
    if len(place) > PLACE_LIMIT:
        raise BadInput(f"at most {PLACE_LIMIT} characters ({len(place)} given)", field="place")
    schedulable = spec.schedulable_states()
    if candidate.state not in schedulable:
        state = spec.states[candidate.state].label if candidate.state in spec.states else ""
        labels = [spec.states[name].label for name in schedulable]
        where = " or ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)
        why = (
            ""
            if spec.interview_ahead(candidate.state)
            else ": the interview is behind them or will not happen"
        )
        # Scheduling is for those who manage the panel, who see every candidate: by name.
        raise RuleViolation(
            f"{candidate.name} is at {state or candidate.state}{why}; an interview is "
            f"scheduled only for a candidate at {where}"
        )
    # As assigning the panel does: nothing is scheduled in a selection being closed.
    hold_open(session, selection)
    _refuse_untrue_time(session, selection, candidate, when, at_now, far_ahead)
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="interview_scheduled",
        subject=f"candidate:{candidate_id}",
        at=at_now,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details={"at": when.isoformat(), "place": place},
    )
    session.commit()
    assert event.id is not None
    return Scheduled(candidate_id, when, place, event.id)


def _refuse_untrue_time(
    session: Session,
    selection: Selection,
    candidate: Candidate,
    when: datetime,
    now: datetime,
    far_ahead: bool,
) -> None:
    """Refuse an interview time the records would make untrue (see `schedule_interview`)."""
    candidate_id = candidate.id or 0
    time_zone = workflow_of(selection).spec.time_zone
    shown = when.strftime("%Y-%m-%d %H:%M")
    opened = selection.opened_at
    if when < opened.replace(second=0, microsecond=0):  # a time is given to the minute
        raise BadInput(
            f"before selection {selection.id} was opened "
            f"({opened.astimezone(ZoneInfo(time_zone)):%Y-%m-%d %H:%M}); an interview of it "
            "cannot have been held then",
            field="at",
            value=shown,
        )
    today = local_date(now, time_zone)
    day = when.date()  # `when` is in the selection's time zone
    if day < today and candidate_id not in interview_slots(session, [candidate_id]):
        raise BadInput(
            f"{day.isoformat()} is before today ({today.isoformat()}); a new interview is "
            "scheduled for today or later",
            field="at",
            value=shown,
        )
    far = too_far_ahead(day, today, "an interview")
    if far is not None and not far_ahead:
        raise BadInput(far, field="at", value=shown, step=Step("confirm_far_interview"))
    first = session.exec(
        select(func.min(Scorecard.submitted_at)).where(
            Scorecard.candidate_id == candidate_id, Scorecard.status == "submitted"
        )
    ).one()
    if first is not None and when > first:
        raise RuleViolation(
            f"{candidate.name}'s first scorecard was submitted on "
            f"{weekday_time(first, time_zone)}; the interview cannot be moved after it was "
            "scored"
        )
