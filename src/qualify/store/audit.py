"""The tamper-evident audit log: append hash-chained events, list them, verify the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from qualify import auditkey, limits
from qualify.actor import CHANNELS as CHANNELS
from qualify.actor import Actor
from qualify.config import Settings
from qualify.store import recorded
from qualify.store.clock import utcnow
from qualify.store.rows import insert_row
from qualify.store.tables import AuditEvent, Candidate

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Stable JSON: sorted keys, no spaces, dates as ISO text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def _fields(event: AuditEvent) -> dict[str, Any]:
    """What an event says; its hash covers exactly these (details as the stored text). Events
    written before schema 0006 have no channel: their hash never covered one."""
    fields: dict[str, Any] = {
        "at": _utc(event.at).isoformat(),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "subject": event.subject,
        "selection_id": event.selection_id,
        "candidate_id": event.candidate_id,
        "outcome": event.outcome,
        "details": event.details,
    }
    if event.channel or event.account or event.key_id:
        fields["channel"] = event.channel
        fields["account"] = event.account
    if event.key_id:
        fields["key_id"] = event.key_id
        fields["records"] = event.records
    return fields


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _content(event: AuditEvent) -> str:
    return canonical(_fields(event))


def event_hash(prev_hash: str, event: AuditEvent, ring: auditkey.Keyring | None = None) -> str:
    """An event's hash: the HMAC under its key of the previous hash and its canonical content
    (the plain sha256 of the same, for an event written before the log was keyed)."""
    message = f"{prev_hash}\n{_content(event)}"
    if event.key_id:
        assert ring is not None
        return ring.mac(event.key_id, message)
    return hashlib.sha256(message.encode()).hexdigest()


def row_digest(ring: auditkey.Keyring, kid: str, key: str, row: Any) -> str:
    """A record's hash as its event keeps it: keyed, so nobody without the key can test guesses
    of its content (a scorecard's scores, say) against it."""
    return ring.mac(kid, f"record\n{key}\n{canonical(recorded.row_content(row))}")


def row_matches(ring: auditkey.Keyring, kid: str, key: str, row: Any, digest: str) -> bool:
    """Whether `digest` is the row's hash as its event recorded it: under today's names, or,
    for an event written before a table or column was renamed, under the former ones."""
    if row_digest(ring, kid, key, row) == digest:
        return True
    former = recorded.former_content(row)
    if former is None:
        return False
    old_key, content = former
    return ring.mac(kid, f"record\n{old_key}\n{canonical(content)}") == digest


KEY_FILE = "qualify_audit_key_file"
_KEYRING = "qualify_audit_keyring"
APPENDED = "qualify_audit_appended"


def use_key_file(session: Session, path: Path) -> None:
    """Sign and verify this session's events with the key file at `path`."""
    session.info[KEY_FILE] = path
    session.info.pop(_KEYRING, None)


def key_file(session: Session) -> Path:
    """The key file named for this session, else the setting for its database."""
    path = session.info.get(KEY_FILE)
    if path is None:
        url = session.get_bind().engine.url.render_as_string(hide_password=False)
        path = Settings.from_env(database_url=url).audit_key
    return Path(path)


def keyring(session: Session) -> auditkey.Keyring:
    """The audit keys, read once per session."""
    ring = session.info.get(_KEYRING)
    if ring is None:
        ring = session.info[_KEYRING] = auditkey.load(key_file(session))
    assert isinstance(ring, auditkey.Keyring)
    return ring


def head(session: Session) -> AuditEvent | None:
    """The newest event, or None for an empty log."""
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()


def head_hash(session: Session) -> str:
    """The newest event's hash (GENESIS for an empty log)."""
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1))
    return last.first() or GENESIS


def _locked_head(session: Session, at: datetime) -> tuple[str, datetime]:
    """The head to append after, and the event's time, with the chain held until this
    transaction ends. On PostgreSQL the function of migration 0006 takes an advisory lock, then
    reads the head and the server's clock: every event's time comes from that one clock. On
    SQLite the writer holds the database's write lock (BEGIN IMMEDIATE) and the time is the
    caller's, unless the caller read its clock before waiting for the lock and someone appended
    meanwhile: then it is read again. A clock that was set back still shows, and verify says so."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(text("SELECT head, now FROM audit_chain_head_at()")).one()
        return (str(row.head) if row.head is not None else GENESIS), _utc(row.now)
    last = session.execute(
        select(AuditEvent.hash, AuditEvent.at).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    at = _utc(at)
    if last is None:
        return GENESIS, at
    previous = _utc(last.at)
    if at < previous:
        now = datetime.now(UTC)
        if now >= previous:
            at = now
    return str(last.hash), at


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject: str,
    at: datetime,
    role: str = "",
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
    selection_id: int | None = None,
    candidate_id: int | None = None,
    rows: Iterable[Any] = (),
    removed: Iterable[str] = (),
    key_id: str | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction, signed with the current
    audit key (or `key_id`). It carries the hash of every tracked record the transaction wrote
    since the last event (noted automatically; `rows` and `removed` add those written with a
    plain UPDATE or DELETE). The event names the actor, the front door (`channel`) and the
    account behind it, as the `Actor` the front door built says."""
    ring = keyring(session)
    kid = key_id or ring.current_id
    session.flush()
    # Removed first: a new row may take the id of one removed in the same change (SQLite).
    touched: dict[str, Any] = dict.fromkeys(removed)
    touched.update(recorded.take(session))
    for row in rows:
        touched[recorded.row_key(row)] = row
    digests = {
        key: recorded.DELETED if row is None else row_digest(ring, kid, key, row)
        for key, row in sorted(touched.items())
    }
    prev_hash, when = _locked_head(session, at)
    event = AuditEvent(
        at=when,
        actor=actor.name,
        role=role,
        action=action,
        subject=subject,
        selection_id=selection_id,
        candidate_id=candidate_id,
        outcome=outcome,
        details=canonical(details or {}),
        prev_hash=prev_hash,
        hash="",
        channel=actor.channel,
        account=actor.account,
        key_id=kid,
        records=canonical(digests),
    )
    event.hash = event_hash(prev_hash, event, ring)
    insert_row(session, event)
    session.info[APPENDED] = (event.id, event.hash)
    return event


def record_refusal(
    session: Session,
    *,
    candidate_id: int,
    action: str,
    actor: Actor,
    at: datetime,
    refusal: Exception,
    details: dict[str, Any] | None = None,
) -> None:
    """Roll back the caller's work, then audit a refusal by the rules of something tried on a
    candidate in a transaction of its own: who tried, what, and the refusal's words. The actor
    and the words are clipped, since a refusal can be about input that was too long."""
    session.rollback()
    candidate = session.get(Candidate, candidate_id)
    record(
        session,
        actor=replace(actor, name=limits.clip(actor.name, limits.NAME_IN_REFUSAL)),
        action=action,
        subject=f"candidate:{candidate_id}",
        at=at,
        outcome="refused",
        selection_id=candidate.selection_id if candidate else None,
        candidate_id=candidate_id if candidate else None,
        details={**(details or {}), "refusal": limits.clip(str(refusal), limits.REFUSAL)},
    )
    session.commit()


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


IMPORTED = "candidates_imported"


def history(session: Session, candidate: Candidate) -> list[dict[str, Any]]:
    """A candidate's own history, as the audit log listing shows events (`as_dict`): the events
    about them, and first how they came in. A candidate added alone has its `candidate_added`
    event; one imported from a roster has the import's event (`candidates_imported`, recorded
    once for the file, about the selection), shown here with the details that concern this
    candidate only: the file, its sha256, how many it brought in, and this employee id."""
    found = [as_dict(e) for e in events(session, candidate_id=candidate.id)]
    imports = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == IMPORTED,
            AuditEvent.outcome == "ok",
            AuditEvent.selection_id == candidate.selection_id,
            col(AuditEvent.details).contains(f'"{candidate.employee_id}"'),
        )
    )
    for event in imports:
        shown = as_dict(event)
        details = shown["details"]
        if candidate.employee_id not in details.get("employee_ids", []):
            continue
        shown["details"] = {k: v for k, v in details.items() if k != "employee_ids"} | {
            "employee_id": candidate.employee_id
        }
        found.append(shown)
    return sorted(found, key=lambda e: int(e["id"]))


def as_dict(event: AuditEvent) -> dict[str, Any]:
    """An event as the audit log listing shows it (record hashes stay in the database)."""
    return {
        "id": event.id,
        "at": _utc(event.at).isoformat(),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "subject": event.subject,
        "selection_id": event.selection_id,
        "candidate_id": event.candidate_id,
        "outcome": event.outcome,
        "channel": event.channel,
        "account": event.account,
        "details": json.loads(event.details),
        "key_id": event.key_id,
        "hash": event.hash,
    }


KEY_ROTATED = "audit_key_rotated"


@dataclass(frozen=True)
class Verification:
    """The result of checking the record: `problems` names each thing found wrong."""

    ok: bool
    count: int
    head_hash: str
    problem: str = ""
    head_id: int = 0
    problems: tuple[str, ...] = ()
    key_id: str = ""
    checkpoint: tuple[int, str] | None = None
    # What is odd but not a forgery: an event whose time runs backwards was still written by a
    # holder of the key (a clock set back), so it is reported, and the record still verifies.
    warnings: tuple[str, ...] = ()

    def failed(self, *problems: str) -> Verification:
        """This result with more problems found."""
        found = (*self.problems, *problems)
        return replace(self, ok=not found, problem=found[0] if found else "", problems=found)


@dataclass
class Walk:
    """What walking the chain learned: the result, and each record's latest hash."""

    result: Verification
    # "table:id" -> (digest or "deleted", event id, key id) from the newest event naming it.
    records: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    broken: bool = False  # the chain itself does not hold


# Why a demo database's later events read as earlier: its story is dated on the scenario's days.
DEMO_DATES = (
    "this is the demo's database, whose sample events are dated on the story's days, after "
    "today; what was done since is dated by the clock, so it reads as earlier (expected here)"
)


def _demo_marker(event: AuditEvent) -> bool:
    """Whether the event is the demo's own (a demo user's known password, sample data only)."""
    return event.action == "password_set" and '"demo":true' in event.details.replace(" ", "")


def walk(session: Session, ring: auditkey.Keyring) -> Walk:
    """Walk the chain from the first event and stop at the first event that does not fit: its
    link, its keyed hash, the key that signs it. Times that run backwards are reported too."""
    prev_hash, count, prev_id = GENESIS, 0, 0
    prev_at: datetime | None = None
    expected_key = ""  # the key in use after the events so far ("" before the first keyed one)
    found: list[str] = []
    warnings: list[str] = []
    records: dict[str, tuple[str, int, str]] = {}
    demo, today = False, utcnow()

    def stop(problem: str) -> Walk:
        result = Verification(
            False, count, prev_hash, head_id=prev_id, key_id=expected_key, warnings=tuple(warnings)
        )
        return Walk(result.failed(*found, problem), records, broken=True)

    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        count += 1
        eid = event.id or 0
        if event.prev_hash != prev_hash:
            where = f"the event before it (#{prev_id})" if prev_id else "the start of the log"
            return stop(
                f"event #{eid} does not follow {where}: an event was deleted, inserted "
                "or reordered here"
            )
        if not event.key_id:
            if expected_key:
                return stop(
                    f"event #{eid} ({event.action}) is not signed with the audit key: it was "
                    "written outside qualify"
                )
            if event.records != "{}" or event_hash(prev_hash, event) != event.hash:
                return stop(
                    f"event #{eid} ({event.action}) was edited: its content no longer matches "
                    "its hash"
                )
        else:
            if ring.key(event.key_id) is None:
                return stop(
                    f"event #{eid} ({event.action}) is signed with key {event.key_id}, which the "
                    f"key file {ring.path} does not hold: it was forged, or this is not the "
                    "database's key file"
                )
            if expected_key and event.key_id != expected_key:
                return stop(
                    f"event #{eid} ({event.action}) is signed with key {event.key_id}, but key "
                    f"{expected_key} was in use there: it was forged or moved"
                )
            if event_hash(prev_hash, event, ring) != event.hash:
                return stop(
                    f"event #{eid} ({event.action}) was edited: its content no longer matches "
                    "its hash"
                )
            expected_key = event.key_id
            if event.action == KEY_ROTATED and event.outcome == "ok":
                expected_key = str(json.loads(event.details).get("new_key_id") or expected_key)
            for key, digest in json.loads(event.records).items():
                records[key] = (str(digest), eid, event.key_id)
        at = _utc(event.at)
        demo = demo or _demo_marker(event)
        if prev_at is not None and at < prev_at:
            warnings.append(
                f"event #{eid}'s time {at.isoformat()} is earlier than event #{prev_id}'s "
                f"({prev_at.isoformat()}): "
                + (
                    DEMO_DATES
                    if demo and prev_at > today
                    else "a clock ran backwards, or the event was moved"
                )
            )
        prev_hash, prev_id, prev_at = event.hash, eid, at
    result = Verification(
        True, count, prev_hash, head_id=prev_id, key_id=expected_key, warnings=tuple(warnings)
    )
    if count and not expected_key:
        found.append(
            "no event is signed with the audit key: the keyed events were removed, or the log "
            "was never sealed (as creating the database does)"
        )
    elif count and expected_key != ring.current_id:
        found.append(
            f"the key file's newest key {ring.current_id} signs no event: the log was cut back "
            "to before a key rotation, or a rotation did not finish"
        )
    return Walk(result.failed(*found), records)


def verify(session: Session) -> Verification:
    """Walk the chain with the session's audit key."""
    return walk(session, keyring(session)).result
