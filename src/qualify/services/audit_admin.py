"""Keeping the audit record: the key (install, rotate) and checkpoints outside the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, func, select

from qualify import auditkey, limits
from qualify.actor import Actor
from qualify.errors import BadInput, QualifyError, RuleViolation, Step
from qualify.store import audit, checkpoints, integrity, recorded
from qualify.store.clock import utcnow
from qualify.store.permissions import ADMIN, actor_user, frozen_permission, role_for
from qualify.store.tables import AuditEvent

INIT_ACTOR = "qualify-init"  # who seals the log: the `init` use case, not a registered user


@dataclass(frozen=True)
class KeyInstalled:
    path: Path
    key_id: str
    created: bool
    sealed_events: int  # events written before the log was keyed, now sealed by a keyed one


def _signing_key(session: Session) -> str:
    """The key id of the newest keyed event ("" for a log not keyed yet)."""
    found = session.exec(
        select(AuditEvent.key_id)
        .where(AuditEvent.key_id != "")
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    return found or ""


def install_key(
    *, session: Session, path: Path, actor: Actor, now: datetime | None = None
) -> KeyInstalled:
    """What `init` does for the audit log: create the key file (mode 0600) unless it exists,
    and seal a log written before the log was keyed with one keyed event that records every
    record on file, by `actor` (`init` passes INIT_ACTOR, through its front door). Refuses a
    key file that cannot verify the log."""
    audit.use_key_file(session, path)
    signed_with = _signing_key(session)
    created = not path.exists()
    if created:
        if signed_with:
            raise BadInput(
                f"no audit key at {path}, but the audit log is signed with key {signed_with}: "
                "point QUALIFY_AUDIT_KEY at this database's key file (a new key could not "
                "verify the log)"
            )
        ring = auditkey.create(path)
    else:
        ring = auditkey.load(path)
        if signed_with and ring.key(signed_with) is None:
            raise BadInput(
                f"the audit log is signed with key {signed_with}, which {path} does not hold: "
                "point QUALIFY_AUDIT_KEY at this database's key file"
            )
    audit.use_key_file(session, path)
    legacy = 0
    if not signed_with:
        legacy = session.exec(select(func.count()).select_from(AuditEvent)).one()
    if legacy:
        walked = audit.walk(session, ring)
        if walked.broken:
            raise RuleViolation(
                f"cannot seal the audit log: {walked.result.problem}; nothing was sealed"
            )
        rows = [
            row
            for model in recorded.TRACKED.values()
            for row in session.exec(select(model).order_by(col(model.id)))  # type: ignore[attr-defined]
        ]
        audit.record(
            session,
            actor=actor,
            action="audit_log_sealed",
            subject="audit",
            at=now or utcnow(),
            details={"events": legacy, "head": walked.result.head_hash, "key_id": ring.current_id},
            rows=rows,
        )
        session.commit()
    return KeyInstalled(path, ring.current_id, created, legacy)


def rotate_key(
    *, session: Session, actor: Actor, reason: str, now: datetime | None = None
) -> tuple[str, str, int]:
    """Add a new key to the key file; the rotation is an event signed with the old key, and
    every later event with the new one. Returns (old key id, new key id, event id)."""
    reason = reason.strip()
    if not reason:
        raise BadInput("say why the key is rotated", field="reason")
    limits.check("reason", reason, limits.REASON)
    managers = [ADMIN, *sorted(frozen_permission(session, "manage_users"))]
    role = role_for(actor_user(session, actor), managers, "rotate the audit key")
    ring = audit.keyring(session)
    if _signing_key(session) not in ("", ring.current_id):
        raise RuleViolation(
            "the log is not signed with the key file's newest key", step=Step("verify_audit")
        )
    rotated = auditkey.add_key(ring)
    try:
        event = audit.record(
            session,
            actor=actor,
            role=role,
            action=audit.KEY_ROTATED,
            subject="audit",
            at=now or utcnow(),
            details={
                "old_key_id": ring.current_id,
                "new_key_id": rotated.current_id,
                "reason": reason,
            },
            key_id=ring.current_id,
        )
        session.commit()
    except BaseException:
        auditkey.drop_last(rotated, rotated.current_id)
        raise
    audit.use_key_file(session, ring.path)
    return ring.current_id, rotated.current_id, event.id or 0


def checkpoint_head(*, session: Session, records_dir: Path, full: bool) -> tuple[int, str]:
    """Append the head to the checkpoint file: after verifying the whole record (`full`), or
    only the head's own keyed hash (after a packet run, which must stay quick)."""
    ring = audit.keyring(session)
    path = checkpoints.checkpoint_file(records_dir)
    if full:
        result = integrity.verify(session, checkpoint_path=path)
        if not result.ok:
            raise QualifyError(
                f"audit log does not verify: {result.problem}; no checkpoint written"
            )
        head_id, head_hash = result.head_id, result.head_hash
    else:
        last = audit.head(session)
        if last is None:
            raise RuleViolation("the audit log is empty: nothing to checkpoint")
        if not last.key_id or audit.event_hash(last.prev_hash, last, ring) != last.hash:
            raise QualifyError(
                f"audit event #{last.id} is not signed with the audit key",
                step=Step("verify_audit"),
            )
        head_id, head_hash = last.id or 0, last.hash
    if head_id == 0:
        raise RuleViolation("the audit log is empty: nothing to checkpoint")
    checkpoints.append(path, ring, head_id, head_hash)
    return head_id, head_hash
