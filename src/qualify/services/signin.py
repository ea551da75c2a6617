"""Signing in to the portal: sessions kept in the database, and the lockout after failures.

A browser holds only a random session id; the database keeps its sha256, who signed in with it
(nobody yet on the sign-in form), and the CSRF token bound to it. Signing in always starts a new
session, so an id known before sign-in is worthless after it. Five failed sign-ins for a user
name within 15 minutes lock that name for 15 minutes, whether or not such a user exists, so that
neither the message nor the lockout tells who has an account."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, delete, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from qualify.config import PortalSettings
from qualify.errors import NotPermitted
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.credentials import (
    aware,
    clear_lock,
    digest,
    hasher,
    in_portal,
    lock_key,
    new_session,
    signed_in,
)
from qualify.store.frozen import frozen_hashes, hashes_of, workflow_of
from qualify.store.tables import Password, Selection, SignInFailure, SignInLock, User, WebSession

WRONG = "wrong user name or password"
LOCKED = (
    "sign-in for this user name is locked until {until} after {count} failed attempts; "
    "try again then, or ask HR to reset your password"
)
ANONYMOUS = "anonymous"  # the audit account of a request from nobody signed in
TOUCH_EVERY = timedelta(seconds=60)  # how often a visit's last use is written down


@dataclass(frozen=True)
class Visit:
    """A browser's session as a request finds it."""

    id_sha256: str
    csrf_token: str
    user: str | None
    roles: tuple[str, ...]
    display_name: str
    created_at: datetime
    last_seen_at: datetime
    # The hashes of the workflows frozen in the database's selections, read with the visit:
    # a page's roles and menu come from them.
    workflows: tuple[str, ...] = ()

    def expired(self, now: datetime, portal: PortalSettings) -> bool:
        """Idle too long, or open longer than the absolute limit."""
        idle = aware(now) - aware(self.last_seen_at) > timedelta(
            minutes=portal.session_idle_minutes
        )
        old = aware(now) - aware(self.created_at) > timedelta(hours=portal.session_max_hours)
        return idle or old

    def needs_touch(self, now: datetime) -> bool:
        return aware(now) - aware(self.last_seen_at) >= TOUCH_EVERY


@cache
def _visit_query() -> Select[str, str, str | None, datetime, datetime, list[str], str, str | None]:
    """The visit a cookie's digest names, its user's roles and names, and the hashes of the
    frozen workflows: one statement, built once (every request of the portal runs it)."""
    return (
        sa_select(
            col(WebSession.id_sha256),
            col(WebSession.csrf_token),
            col(WebSession.user_name),
            col(WebSession.created_at),
            col(WebSession.last_seen_at),
            col(User.roles),
            col(User.full_name),
            frozen_hashes(),
        )
        .outerjoin(User, col(User.name) == col(WebSession.user_name))
        .where(col(WebSession.id_sha256) == bindparam("id_sha256"))
    )


def look_up(session: Session, token: str) -> Visit | None:
    """The session a cookie names, with its user's roles (reads only), and the hashes of the
    workflows frozen in the selections."""
    if not token or len(token) > 200:
        return None
    found = session.execute(_visit_query(), {"id_sha256": digest(token)}).first()
    if found is None:
        return None
    sha, csrf, user, created_at, last_seen_at, roles, full_name, hashes = found
    return Visit(
        id_sha256=sha,
        csrf_token=csrf,
        user=user,
        roles=tuple(roles) if user else (),
        display_name=(full_name or user) if user else "",
        created_at=created_at,
        last_seen_at=last_seen_at,
        workflows=hashes_of(hashes),
    )


def touch(*, session: Session, id_sha256: str, now: datetime | None = None) -> None:
    """Note that a session was used now (its idle time starts again)."""
    session.execute(
        update(WebSession)
        .where(col(WebSession.id_sha256) == id_sha256)
        .values(last_seen_at=now or utcnow())
    )
    session.commit()


def forget(*, session: Session, id_sha256: str) -> None:
    """Delete a session that expired."""
    session.execute(delete(WebSession).where(col(WebSession.id_sha256) == id_sha256))
    session.commit()


def start_visit(*, session: Session, portal: PortalSettings, now: datetime | None = None) -> str:
    """A session for a browser that has none: the sign-in form's CSRF token is bound to it."""
    token = new_session(session, None, now or utcnow(), portal)
    session.commit()
    return token


def open_signed_in(
    *,
    session: Session,
    user: str,
    portal: PortalSettings,
    replacing: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new session for a user who just proved who they are (the session they had before,
    if any, ends). Commits; return the new session id."""
    token = signed_in(session, user, portal, now or utcnow(), replacing)
    session.commit()
    return token


@cache
def _decoy() -> str:
    """A hash to check a password against when the user has none, so that an unknown user
    takes as long to refuse as a wrong password."""
    return hasher().hash(secrets.token_urlsafe(16))


def _user(session: Session, typed: str, key: str) -> User | None:
    """The user a typed name names, whatever its case."""
    if not key:
        return None
    exact = session.exec(select(User).where(User.name == typed.strip())).first()
    if exact is not None:
        return exact
    name = next((n for n in session.exec(select(User.name)) if n.casefold() == key), None)
    if name is None:
        return None
    return session.exec(select(User).where(User.name == name)).first()


def sign_in(
    *,
    session: Session,
    name: str,
    password: str,
    portal: PortalSettings,
    replacing: str | None = None,
    now: datetime | None = None,
) -> str:
    """Check a user name and password and open a new session (the one in `replacing` ends);
    return its id. A failure is audited and refused with the same words whether or not the
    user exists; the failure that completes five within 15 minutes locks the name."""
    at = aware(now or utcnow())
    key = lock_key(name)
    user = _user(session, name, key)
    named = user.name if user else ANONYMOUS
    lock = session.get(SignInLock, key) if key else None
    if lock is not None and aware(lock.locked_until) > at:
        _refuse(session, named, key, at, "locked")
        raise NotPermitted(_locked(session, lock, portal))
    stored = session.get(Password, user.name) if user else None
    ok, updated = hasher().verify_and_update(password[:1024], stored.hash if stored else _decoy())
    if not (ok and user and stored):
        lock = _count_failure(session, named, key, at, portal, lock)
        if lock is not None:
            raise NotPermitted(_locked(session, lock, portal))
        raise NotPermitted(WRONG)
    if updated:  # the library's parameters moved on: keep the stronger hash
        stored.hash = updated
        session.add(stored)
    clear_lock(session, key)
    audit.record(
        session,
        actor=in_portal(user.name, user.name),
        action="signed_in",
        subject=f"user:{user.name}",
        at=at,
        details={"name": user.name},
    )
    return open_signed_in(
        session=session, user=user.name, portal=portal, replacing=replacing, now=at
    )


def _locked(session: Session, lock: SignInLock, portal: PortalSettings) -> str:
    return LOCKED.format(
        until=lock_time(session, aware(lock.locked_until)), count=portal.lockout_failures
    )


def lock_time(session: Session, moment: datetime) -> str:
    """A time as the people signing in read it: in the time zone of the newest selection's
    workflow, with UTC beside it ("10:05 New York time, 15:05 UTC"); in UTC alone without one."""
    newest = session.exec(select(Selection).order_by(col(Selection.id).desc())).first()
    zone = workflow_of(newest).spec.time_zone if newest is not None else "UTC"
    utc = f"{moment.astimezone(UTC):%H:%M} UTC"
    if zone == "UTC":
        return utc
    place = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{moment.astimezone(ZoneInfo(zone)):%H:%M} {place} time, {utc}"


def _refuse(session: Session, name: str, key: str, at: datetime, why: str) -> None:
    _audit_failure(session, name, key, at, {"reason": why})
    session.commit()


def _audit_failure(
    session: Session, name: str, key: str, at: datetime, details: dict[str, object]
) -> None:
    """A refused sign-in as the audit log keeps it: by no one signed in, on the name tried."""
    audit.record(
        session,
        actor=in_portal(name, ANONYMOUS),
        action="sign_in_failed",
        subject=f"user:{key}",
        at=at,
        outcome="refused",
        details={"name": key, **details},
    )


def _count_failure(
    session: Session,
    name: str,
    key: str,
    at: datetime,
    portal: PortalSettings,
    lock: SignInLock | None,
) -> SignInLock | None:
    """Record a failed sign-in; lock the name when it makes `lockout_failures` within the
    window (failures before an earlier lock ended do not count again). Commits."""
    window = at - timedelta(minutes=portal.lockout_minutes)
    since = max(window, aware(lock.locked_until)) if lock is not None else window
    session.execute(
        delete(SignInFailure).where(col(SignInFailure.name) == key, col(SignInFailure.at) < since)
    )
    session.add(SignInFailure(name=key, at=at))
    session.flush()
    count = session.exec(
        select(func.count()).where(col(SignInFailure.name) == key, col(SignInFailure.at) >= since)
    ).one()
    _audit_failure(
        session, name, key, at, {"reason": "wrong user name or password", "failures": count}
    )
    new_lock = None
    if count >= portal.lockout_failures:
        new_lock = SignInLock(
            name=key, locked_at=at, locked_until=at + timedelta(minutes=portal.lockout_minutes)
        )
        _put_lock(session, new_lock)
        audit.record(
            session,
            actor=in_portal(name, ANONYMOUS),
            action="sign_in_locked",
            subject=f"user:{key}",
            at=at,
            outcome="refused",
            details={
                "name": key,
                "failures": count,
                "locked_until": new_lock.locked_until.isoformat(),
            },
        )
    session.commit()
    return new_lock


def _put_lock(session: Session, lock: SignInLock) -> None:
    """Write the lock, replacing an older one of the name: one statement, so that two failures
    completing the count at once (on PostgreSQL) cannot collide."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    values = {"locked_at": lock.locked_at, "locked_until": lock.locked_until}
    session.execute(
        insert(SignInLock)
        .values(name=lock.name, **values)
        .on_conflict_do_update(index_elements=["name"], set_=values)
    )


def sign_out(*, session: Session, id_sha256: str, now: datetime | None = None) -> None:
    """End a session (audited when someone was signed in with it)."""
    row = session.get(WebSession, id_sha256)
    if row is None:
        return
    session.execute(delete(WebSession).where(col(WebSession.id_sha256) == id_sha256))
    if row.user_name:
        audit.record(
            session,
            actor=in_portal(row.user_name, row.user_name),
            action="signed_out",
            subject=f"user:{row.user_name}",
            at=now or utcnow(),
            details={"name": row.user_name},
        )
    session.commit()
