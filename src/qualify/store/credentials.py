"""Portal credentials: password hashes, tokens stored by their sha256, and the database's
sessions (a browser holds only the random id)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import delete, or_
from sqlmodel import Session, col

from qualify.actor import Actor
from qualify.config import PortalSettings
from qualify.store.tables import SignInFailure, SignInLock, WebSession


def in_portal(name: str, account: str) -> Actor:
    """Who signs in, out, or sets a password by an invitation link: these happen only in the
    portal (its sessions are web sessions), before anyone is signed in or as the session ends,
    so the service names the actor from what it checked, on the `web` channel."""
    return Actor(name, "web", account)


def aware(moment: datetime) -> datetime:
    """A stored time as UTC (SQLite hands back times without a zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@cache
def hasher() -> PasswordHash:
    """argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): a guess costs an
    attacker memory, and a sign-in stays quick on a small server. Hashes made with other
    parameters still verify, and are rehashed with these at the next sign-in."""
    return PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19 * 1024, parallelism=1),))


def digest(token: str) -> str:
    """How a token (an invitation's, a session's) is stored: its sha256."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(session: Session, user: str | None, at: datetime, portal: PortalSettings) -> str:
    """Add a session and return its id (the cookie's value); sessions past their time go."""
    session.execute(
        delete(WebSession).where(
            or_(
                col(WebSession.last_seen_at) < at - timedelta(minutes=portal.session_idle_minutes),
                col(WebSession.created_at) < at - timedelta(hours=portal.session_max_hours),
            )
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_sha256=digest(token),
            user_name=user,
            csrf_token=secrets.token_urlsafe(32),
            created_at=at,
            last_seen_at=at,
        )
    )
    session.flush()
    return token


def signed_in(
    session: Session, user: str, portal: PortalSettings, at: datetime, replacing: str | None
) -> str:
    """A new session for a user who just proved who they are (the session they had before,
    if any, ends), in the caller's transaction; return its id."""
    if replacing:
        session.execute(delete(WebSession).where(col(WebSession.id_sha256) == replacing))
    return new_session(session, user, at, portal)


def lock_key(name: str) -> str:
    """The user name as the lockout counts it: printable characters, at most 100, case-folded
    ("Rep.Chen" is rep.chen: user names that differ only by case are refused, so one key never
    names two users)."""
    return "".join(c for c in name.strip() if c.isprintable())[:100].casefold()


def clear_lock(session: Session, name: str) -> None:
    """Forget a user name's failed sign-ins and lift its lock (the caller commits)."""
    key = lock_key(name)
    session.execute(delete(SignInFailure).where(col(SignInFailure.name) == key))
    session.execute(delete(SignInLock).where(col(SignInLock.name) == key))
