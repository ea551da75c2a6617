"""The tamper-evident audit log: append hash-chained events, list them, verify the chain."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from qualify.services.access import insert_row
from qualify.store.tables import AuditEvent

GENESIS = "0" * 64
CHANNELS = ("cli", "web")


@dataclass(frozen=True)
class Origin:
    """Where a command came from: the front door (`cli` or `web`) and the account behind it
    (the operating-system account for the CLI, the signed-in session for the portal)."""

    channel: str
    account: str


def os_account() -> str:
    """The operating-system account running this process, from its real user id (not from
    $USER or $LOGNAME, which anyone can set)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


_ORIGIN: ContextVar[Origin | None] = ContextVar("qualify_audit_origin", default=None)


def current_origin() -> Origin:
    """The origin set by the front door; a process that set none is a command-line one."""
    return _ORIGIN.get() or Origin("cli", os_account())


@contextmanager
def acting_from(origin: Origin) -> Iterator[Origin]:
    """Record every event appended inside the block with this origin."""
    token = _ORIGIN.set(origin)
    try:
        yield origin
    finally:
        _ORIGIN.reset(token)


def canonical(value: Any) -> str:
    """Stable JSON: sorted keys, no spaces, dates as ISO text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def _fields(event: AuditEvent) -> dict[str, Any]:
    """What an event says; its hash covers exactly these (details as the stored text). Events
    written before schema 0006 have no channel: their hash never covered one."""
    fields = {
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "subject": event.subject,
        "selection_id": event.selection_id,
        "candidate_id": event.candidate_id,
        "outcome": event.outcome,
        "details": event.details,
    }
    if event.channel or event.account:
        fields["channel"] = event.channel
        fields["account"] = event.account
    return fields


def _content(event: AuditEvent) -> str:
    return canonical(_fields(event))


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    """sha256 over the previous event's hash and this event's canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{_content(event)}".encode()).hexdigest()


def head(session: Session) -> AuditEvent | None:
    """The newest event, or None for an empty log."""
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()


def head_hash(session: Session) -> str:
    """The newest event's hash (GENESIS for an empty log)."""
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1))
    return last.first() or GENESIS


def _locked_head_hash(session: Session) -> str:
    """The head to append after, with the chain held until this transaction ends: on PostgreSQL
    the function of migration 0003 takes an advisory lock, then reads; on SQLite the writer
    already holds the database's write lock (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        head = session.execute(text("SELECT audit_chain_head()")).scalar()
        return str(head) if head is not None else GENESIS
    return head_hash(session)


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    at: datetime,
    role: str = "",
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
    selection_id: int | None = None,
    candidate_id: int | None = None,
    channel: str | None = None,
    account: str | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction. `channel` and `account`
    default to the origin the front door set (see `acting_from`)."""
    origin = current_origin()
    event = AuditEvent(
        at=at.astimezone(UTC),
        actor=actor,
        role=role,
        action=action,
        subject=subject,
        selection_id=selection_id,
        candidate_id=candidate_id,
        outcome=outcome,
        details=canonical(details or {}),
        prev_hash=_locked_head_hash(session),
        hash="",
        channel=channel or origin.channel,
        account=account or origin.account,
    )
    event.hash = event_hash(event.prev_hash, event)
    insert_row(session, event)
    return event


def events(
    session: Session, *, candidate_id: int | None = None, selection_id: int | None = None
) -> list[AuditEvent]:
    """Events in order, optionally for one candidate or one selection."""
    query = select(AuditEvent).order_by(col(AuditEvent.id))
    if candidate_id is not None:
        query = query.where(AuditEvent.candidate_id == candidate_id)
    if selection_id is not None:
        query = query.where(AuditEvent.selection_id == selection_id)
    return list(session.exec(query))


def as_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        **_fields(event),
        "channel": event.channel,
        "account": event.account,
        "details": json.loads(event.details),
        "hash": event.hash,
    }


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain."""

    ok: bool
    count: int
    head_hash: str
    problem: str = ""


def verify(session: Session) -> Verification:
    """Walk the chain from the first event; stop at the first event that does not fit."""
    prev_hash, count, prev_id = GENESIS, 0, 0
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        count += 1
        if event.prev_hash != prev_hash:
            where = f"the event before it (#{prev_id})" if prev_id else "the start of the log"
            problem = (
                f"event #{event.id} does not follow {where}: an event was deleted, inserted "
                "or reordered here"
            )
            return Verification(False, count, prev_hash, problem)
        if event_hash(event.prev_hash, event) != event.hash:
            problem = (
                f"event #{event.id} ({event.action}) was edited: "
                "its content no longer matches its hash"
            )
            return Verification(False, count, prev_hash, problem)
        prev_hash, prev_id = event.hash, event.id or 0
    return Verification(True, count, prev_hash)
