"""Whether a selection is closed: its closing read from the `selection_closed` audit event, and
the refusal to act in a closed selection that every use case acting in one says."""

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
