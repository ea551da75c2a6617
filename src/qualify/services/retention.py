"""Keeping a selection's records as long as the law says and no longer: the retention period,
legal holds, and purging personal data with a tombstone for every row it touched.

29 CFR 1602.31 and 1602.40 have state and local governments and school systems keep records of
a selection for two years from the record's making or the personnel action, whichever is later,
and longer while a charge of discrimination is pending; the retention setting cannot go below
two years, and a legal hold stops a purge until it is released. A purge never touches the audit
log: it is the record that the decisions were made, and its chain must still verify."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func
from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, RuleViolation
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import actor_user, may_manage_records
from qualify.store.stored_results import refresh_results
from qualify.store.tables import (
    ActivityReport,
    AuditEvent,
    Candidate,
    ConflictDeclaration,
    Evidence,
    LegalHold,
    Scorecard,
    Selection,
    SelfIdentification,
    Tombstone,
)

# Events that keep the records rather than act in the selection: they do not restart the clock.
RECORDS_ACTIONS = ("legal_hold_placed", "legal_hold_released", "records_purged", "records_exported")
PURGED = "(purged)"
REASON_LIMIT = 2000


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise BadInput("reason: say why (it is kept in the audit log)")
    if len(text) > REASON_LIMIT:
        raise BadInput(f"reason: at most {REASON_LIMIT} characters (got {len(text)})")
    return text


@dataclass(frozen=True)
class Retention:
    """Where one selection stands in its retention period."""

    selection_id: int
    title: str
    last_action: datetime
    keep_until: date
    due: bool
    hold: LegalHold | None
    purged_at: datetime | None


def last_action(session: Session, selection: Selection) -> datetime:
    """The newest event of the selection that acted in it (records keeping does not count)."""
    newest = session.exec(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.selection_id == selection.id,
            col(AuditEvent.action).not_in(RECORDS_ACTIONS),
        )
    ).one()
    return newest or selection.opened_at


def active_hold(session: Session, selection_id: int) -> LegalHold | None:
    return session.exec(
        select(LegalHold)
        .where(LegalHold.selection_id == selection_id, col(LegalHold.released_at).is_(None))
        .order_by(col(LegalHold.id))
    ).first()


def _purged_at(session: Session, selection_id: int) -> datetime | None:
    return session.exec(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.selection_id == selection_id, AuditEvent.action == "records_purged"
        )
    ).one()


def retention_of(session: Session, selection: Selection, *, years: int, today: date) -> Retention:
    assert selection.id is not None
    last = last_action(session, selection)
    keep_until = last.date() + relativedelta(years=years)
    return Retention(
        selection_id=selection.id,
        title=selection.title,
        last_action=last,
        keep_until=keep_until,
        due=today >= keep_until,
        hold=active_hold(session, selection.id),
        purged_at=_purged_at(session, selection.id),
    )


def records_due(
    *, session: Session, actor: Actor, years: int, today: date | None = None
) -> list[Retention]:
    """Selections whose retention period has ended and whose personal data is not purged yet
    (held ones too: the hold is shown, and purge refuses them)."""
    today = today or utcnow().date()
    user = actor_user(session, actor)
    due = []
    for selection in session.exec(select(Selection).order_by(col(Selection.id))):
        if not set(workflow_of(selection).spec.permissions.manage_records) & set(user.roles):
            continue
        found = retention_of(session, selection, years=years, today=today)
        if found.due and found.purged_at is None:
            due.append(found)
    return due


def place_hold(
    *, session: Session, selection_id: int, reason: str, actor: Actor, now: datetime | None = None
) -> LegalHold:
    """Freeze a selection's records while a dispute may need them."""
    return _change_hold(session, selection_id, reason, actor, now, placing=True)


def release_hold(
    *, session: Session, selection_id: int, reason: str, actor: Actor, now: datetime | None = None
) -> LegalHold:
    """End a selection's legal hold."""
    return _change_hold(session, selection_id, reason, actor, now, placing=False)


def _change_hold(
    session: Session,
    selection_id: int,
    reason: str,
    actor: Actor,
    now: datetime | None,
    *,
    placing: bool,
) -> LegalHold:
    at = now or utcnow()
    reason = _reason(reason)
    selection = get_selection(session, selection_id)
    doing = "place a legal hold" if placing else "release a legal hold"
    role = may_manage_records(session, selection, actor, doing)
    hold = active_hold(session, selection_id)
    if placing and hold is not None:
        raise RuleViolation(
            f"selection {selection_id} is already under legal hold #{hold.id} since "
            f"{hold.placed_at:%Y-%m-%d} ({hold.reason})"
        )
    if not placing and hold is None:
        raise RuleViolation(f"selection {selection_id} is not under legal hold")
    if hold is None:
        hold = LegalHold(
            selection_id=selection_id, reason=reason, placed_at=at, placed_by=actor.name
        )
    else:
        hold.released_at, hold.released_by, hold.release_reason = at, actor.name, reason
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor=actor,
        role=role,
        action="legal_hold_placed" if placing else "legal_hold_released",
        subject=f"selection:{selection_id}",
        at=at,
        selection_id=selection_id,
        details={"hold": hold.id, "reason": reason},
    )
    session.commit()
    return hold


def _digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(audit.canonical(values).encode()).hexdigest()


@dataclass(frozen=True)
class Purged:
    selection_id: int
    event_id: int
    tombstones: int
    files_removed: int


def purge(
    *,
    session: Session,
    selection_id: int,
    reason: str,
    actor: Actor,
    years: int,
    files_dir: Path,
    records_dir: Path,
    now: datetime | None = None,
) -> Purged:
    """Remove a selection's personal data once its retention period is over: candidates' names
    and contact details, evidence and its files, scorecards' comments, conflict statements,
    activity reports' notes and correction reasons, self-identification, and the packets in the
    records folder. Each row touched leaves a
    tombstone with the sha256 of what was there. Refused under a legal hold or before the end
    of the retention period."""
    at = now or utcnow()
    reason = _reason(reason)
    selection = get_selection(session, selection_id)
    role = may_manage_records(session, selection, actor, "purge records")
    standing = retention_of(session, selection, years=years, today=at.date())
    if standing.purged_at is not None:
        # A purge killed after its commit may have left files behind: remove those now.
        left = _leftovers(session, selection_id, files_dir, records_dir)
        for path in left:
            path.unlink()
        raise RuleViolation(
            f"selection {selection_id} was already purged on {standing.purged_at:%Y-%m-%d}"
            + (f"; removed {len(left)} file(s) that purge had left behind" if left else "")
        )
    if standing.hold is not None:
        hold = standing.hold
        raise RuleViolation(
            f"selection {selection_id} is under legal hold #{hold.id} since "
            f"{hold.placed_at:%Y-%m-%d} ({hold.reason}); release it before purging"
        )
    if not standing.due:
        raise RuleViolation(
            f"selection {selection_id}'s records are kept until {standing.keep_until} "
            f"({years} years after its last action on {standing.last_action:%Y-%m-%d})"
        )
    stones: list[Tombstone] = []

    def bury(table: str, key: object, values: dict[str, Any]) -> None:
        stones.append(
            Tombstone(
                selection_id=selection_id,
                table_name=table,
                row_key=str(key),
                fields=sorted(values),
                sha256=_digest(values),
                purged_at=at,
                event_id=0,
            )
        )

    candidates = list(session.exec(select(Candidate).where(Candidate.selection_id == selection_id)))
    ids = [c.id for c in candidates]
    personal = ("name", "first_name", "last_name", "email", "supervisor")
    for c in candidates:
        values = {k: getattr(c, k) for k in personal if hasattr(c, k)}
        bury("candidate", c.id, values)
        for key in values:
            setattr(c, key, PURGED if key in ("name", "last_name") else "")
        session.add(c)
    evidence = list(session.exec(select(Evidence).where(col(Evidence.candidate_id).in_(ids))))
    shas = {e.file_sha256 for e in evidence if e.file_sha256}
    for e in evidence:
        bury("evidence", e.id, e.model_dump(exclude={"id"}))
        session.delete(e)
    for card in session.exec(select(Scorecard).where(col(Scorecard.candidate_id).in_(ids))):
        if card.comments:
            bury("scorecard", card.id, {"comments": card.comments})
            card.comments = {}
            session.add(card)
    for decl in session.exec(
        select(ConflictDeclaration).where(col(ConflictDeclaration.candidate_id).in_(ids))
    ):
        if decl.conflict is not None and decl.conflict != PURGED:
            bury("conflict_declaration", decl.id, {"conflict": decl.conflict})
            decl.conflict = PURGED
            session.add(decl)
    for report in session.exec(
        select(ActivityReport).where(col(ActivityReport.candidate_id).in_(ids))
    ):
        # The counts stay; the notes and a correction's reason are free text about people.
        notes = {k: v for k, v in report.figures.items() if isinstance(v, str) and v != PURGED}
        why = report.reason if report.reason not in (None, PURGED) else None
        if notes or why:
            bury("activity_report", report.id, {"notes": notes, "reason": why})
            report.figures = {**report.figures, **dict.fromkeys(notes, PURGED)}
            report.reason = PURGED if why else report.reason
            session.add(report)
    for ident in session.exec(
        select(SelfIdentification).where(col(SelfIdentification.candidate_id).in_(ids))
    ):
        bury("self_identification", ident.candidate_id, ident.model_dump())
        session.delete(ident)
    session.flush()
    # Stored interview results quote conflict statements: recompute them from the purged rows.
    refresh_results(session, selection)
    still_used = set(
        session.exec(select(Evidence.file_sha256).where(col(Evidence.file_sha256).in_(shas)))
    )
    files = [files_dir / sha[:2] / sha for sha in sorted(shas - still_used)]
    packets = (
        sorted(records_dir.glob(f"selection-{selection_id}_*")) if records_dir.is_dir() else []
    )
    for where, paths in (("files", files), ("records", packets)):
        for path in paths:
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                bury("file", f"{where}/{path.name}", {"sha256": digest})
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="records_purged",
        subject=f"selection:{selection_id}",
        at=at,
        selection_id=selection_id,
        details={
            "reason": reason,
            "tombstones": len(stones),
            "sha256": _digest(
                {"tombstones": [(s.table_name, s.row_key, s.sha256) for s in stones]}
            ),
        },
    )
    for stone in stones:
        stone.event_id = event.id or 0
        session.add(stone)
    doomed = [path for path in [*files, *packets] if path.is_file()]
    session.commit()
    # Files go only after the database has committed: killed before, nothing changed; killed
    # after, the files left are named by tombstones, and purging again removes them.
    for path in doomed:
        path.unlink(missing_ok=True)
    return Purged(selection_id, event.id or 0, len(stones), len(doomed))


def _leftovers(
    session: Session, selection_id: int, files_dir: Path, records_dir: Path
) -> list[Path]:
    """Files a purge's tombstones name that are still on disk."""
    found = []
    for stone in tombstones(session, selection_id):
        if stone.table_name != "file":
            continue
        where, _, name = stone.row_key.partition("/")
        path = files_dir / name[:2] / name if where == "files" else records_dir / name
        if path.is_file():
            found.append(path)
    return found


def tombstones(session: Session, selection_id: int | None = None) -> list[Tombstone]:
    query = select(Tombstone).order_by(col(Tombstone.id))
    if selection_id is not None:
        query = query.where(Tombstone.selection_id == selection_id)
    return list(session.exec(query))


def purge_notes(session: Session) -> list[str]:
    """One line per purge: where personal data was removed, when, by whom, how many rows."""
    notes = []
    for event in session.exec(
        select(AuditEvent).where(AuditEvent.action == "records_purged").order_by(col(AuditEvent.id))
    ):
        count = len(session.exec(select(Tombstone.id).where(Tombstone.event_id == event.id)).all())
        notes.append(
            f"purged: selection {event.selection_id} on {event.at:%Y-%m-%d} by {event.actor} "
            f"(audit event #{event.id}; {count} rows and files left tombstones)"
        )
    return notes
