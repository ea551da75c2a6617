"""Whether a selection is closed: its closing read from the `selection_closed` audit event, the
refusal to act in a closed selection that every use case acting in one says, and the lock that
closing and adding candidates share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from qualify.errors import RuleViolation
from qualify.store.frozen import workflow_of
from qualify.store.tables import AuditEvent, Selection
from qualify.workflow.documents import local_date


@dataclass(frozen=True)
class Closed:
    """Who closed a selection, when, why, and the audit event that says so."""

    at: datetime
    by: str
    reason: str
    event_id: int


def closed_selections(session: Session) -> dict[int, Closed]:
    """Each closed selection's closing, by selection id."""
    found: dict[int, Closed] = {}
    for event in session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "selection_closed", AuditEvent.outcome == "ok")
        .order_by(col(AuditEvent.id))
    ):
        assert event.selection_id is not None
        assert event.id is not None
        reason = str(json.loads(event.details).get("reason", ""))
        found[event.selection_id] = Closed(event.at, event.actor, reason, event.id)
    return found


def refuse_if_closed(session: Session, selection: Selection) -> None:
    """Refuse to act in a closed selection, saying when and why it was closed."""
    assert selection.id is not None
    closing = closed_selections(session).get(selection.id)
    if closing is not None:
        day = local_date(closing.at, workflow_of(selection).spec.time_zone)
        raise RuleViolation(
            f"selection {selection.id} was closed on {day.isoformat()} by {closing.by} "
            f"({closing.reason}): nothing more is done in it"
        )


def hold_open(session: Session, selection: Selection) -> None:
    """Hold `selection` until this transaction ends, then refuse if it is closed. Closing it and
    adding candidates to it both hold it first, so the second waits for the first and then sees
    it: a candidate never lands in a closed selection, and a selection is never closed with one.
    On PostgreSQL that is a row lock (FOR NO KEY UPDATE: it queues the two with each other, not
    with writers of rows that only refer to the selection); on SQLite the writer already holds
    the database's write lock from BEGIN IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(
            select(Selection.id).where(Selection.id == selection.id).with_for_update(key_share=True)
        )
    refuse_if_closed(session, selection)
