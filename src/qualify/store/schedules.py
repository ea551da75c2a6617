"""When and where candidates' interviews take place, as HR last set them: each the newest
audited `interview_scheduled` event of the candidate (services/schedule.py writes them)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col

from qualify.store.tables import AuditEvent

ACTION = "interview_scheduled"


@dataclass(frozen=True)
class Slot:
    """One interview's time (aware, as HR gave it, in the selection's time zone) and place."""

    at: datetime
    place: str


def slot_of(details: str | None) -> Slot | None:
    """The time and place an `interview_scheduled` event's details record (None: none)."""
    if details is None:
        return None
    found = json.loads(details)
    return Slot(datetime.fromisoformat(found["at"]), str(found["place"]))


def newest_details(candidate_id: Mapped[int | None]) -> ScalarSelect[str]:
    """A column for a query of candidates: the details of each one's newest schedule (NULL
    when none), read in the same statement as the candidate."""
    return (
        sa_select(col(AuditEvent.details))
        .where(col(AuditEvent.candidate_id) == candidate_id, col(AuditEvent.action) == ACTION)
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def interview_slots(session: Session, candidate_ids: Iterable[int]) -> dict[int, Slot]:
    """The newest time and place scheduled for each of these candidates (one query); a
    candidate with none is left out."""
    ids = sorted(set(candidate_ids))
    found: dict[int, Slot] = {}
    if not ids:
        return found
    rows = session.execute(
        sa_select(col(AuditEvent.candidate_id), col(AuditEvent.details))
        .where(col(AuditEvent.action) == ACTION, col(AuditEvent.candidate_id).in_(ids))
        .order_by(col(AuditEvent.id))
    )
    for candidate_id, details in rows:
        slot = slot_of(details)
        assert slot is not None
        found[candidate_id] = slot
    return found


def too_early(slot: Slot | None, at: datetime) -> bool:
    """Whether `at` is before the scheduled interview (never, when none is scheduled)."""
    return slot is not None and at < slot.at
