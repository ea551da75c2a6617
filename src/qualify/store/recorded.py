"""The records a decision rests on, and noting which of them a transaction created or changed.

Each audit event carries a keyed hash of every such record it created or changed (see
`audit.record`); `audit verify` compares each current row with its latest event. Rows written
through the ORM are noted by a flush hook; rows written with a plain INSERT (`insert_row`) are
noted there; a plain UPDATE or DELETE passes its rows to `audit.record` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import SQLModel

from qualify.store.tables import (
    ActivityReport,
    ConflictDeclaration,
    Evidence,
    PanelSeat,
    Scorecard,
    Selection,
    TrainingDirection,
    User,
)

# Every record a decision rests on. Selections carry their frozen workflow text and as-of date.
TRACKED: dict[str, type[SQLModel]] = {
    "user": User,
    "selection": Selection,
    "evidence": Evidence,
    "panel_seat": PanelSeat,
    "conflict_declaration": ConflictDeclaration,
    "scorecard": Scorecard,
    "training_direction": TrainingDirection,
    "activity_report": ActivityReport,
}
# Names changed since an audit event could record a row under them (migration 0012): the table
# `attestation` is now `conflict_declaration`, and evidence's `attested_by` is `vouched_by`. An
# event written before keeps the old names; its hashes are checked with them.
FORMER_TABLES = {"conflict_declaration": "attestation"}
FORMER_COLUMNS = {"evidence": {"vouched_by": "attested_by"}}
# Rows that may stand without an event: a panelist's draft is a working copy nobody decides on
# (a submission records it, and changing a submitted card back to a draft is caught).
UNRECORDED_OK: dict[str, Callable[[Any], bool]] = {"scorecard": lambda row: row.status == "draft"}
DELETED = "deleted"
TOUCHED = "qualify_touched_records"


def table_of(row: object) -> str:
    return str(getattr(type(row), "__tablename__", ""))


def row_key(row: Any) -> str:
    return f"{table_of(row)}:{row.id}"


def current_key(key: str) -> str:
    """A record's key as an event recorded it, with its table's name of today."""
    table, _, row_id = key.partition(":")
    now = next((new for new, old in FORMER_TABLES.items() if old == table), table)
    return f"{now}:{row_id}"


def former_content(row: Any) -> tuple[str, dict[str, Any]] | None:
    """The row's key and content under the names an event used before they changed, or None
    for a row whose names never changed."""
    table = table_of(row)
    if table not in FORMER_TABLES and table not in FORMER_COLUMNS:
        return None
    renamed = FORMER_COLUMNS.get(table, {})
    content = {renamed.get(k, k): v for k, v in row_content(row).items()}
    return f"{FORMER_TABLES.get(table, table)}:{row.id}", content


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_content(row: Any) -> dict[str, Any]:
    """Every column of a row, as plain values that read the same from either database."""
    table = type(row).__table__
    return {column.key: _plain(getattr(row, column.key)) for column in table.columns}


def note(session: OrmSession, row: Any) -> None:
    """Note a tracked row this transaction wrote; the next audit event records its hash."""
    if table_of(row) in TRACKED and row.id is not None:
        session.info.setdefault(TOUCHED, {})[row_key(row)] = row


def note_deleted(session: OrmSession, key: str) -> None:
    session.info.setdefault(TOUCHED, {})[key] = None


def take(session: OrmSession) -> dict[str, Any]:
    """The rows noted since the last event (None for a deleted one), and forget them."""
    touched: dict[str, Any] = session.info.pop(TOUCHED, {})
    return touched


@event.listens_for(OrmSession, "after_flush")
def _note_flushed(session: OrmSession, _context: Any) -> None:
    for row in chain(session.new, session.dirty):
        note(session, row)
    for row in session.deleted:
        if table_of(row) in TRACKED:
            note_deleted(session, row_key(row))


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    session.info.pop(TOUCHED, None)
