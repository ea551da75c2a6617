"""Portal accounts: invitations to set a password, resets, and passwords set through them.

An operator with database access invites a user (`qualify user invite NAME`) or resets them
(`qualify user reset NAME`); either prints a one-time link. Only the sha256 of the link's token
is stored, so the database never holds a working link. Setting a password through the link
uses it up and signs the user in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.config import PortalSettings
from qualify.errors import BadInput, NotFound, RuleViolation, Step
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.credentials import aware, clear_lock, digest, hasher, in_portal, signed_in
from qualify.store.permissions import ADMIN, actor_user, frozen_permission, role_for
from qualify.store.tables import Invitation, Password, User, WebSession
from qualify.suggest import suggest

PASSWORD_MIN = 12
PASSWORD_MAX = 256  # hashing a megabyte of "password" would be a cheap way to load the server
NOT_VALID = (
    "this invitation link is not valid: it was used already, replaced by a newer one, or is "
    "older than {hours} hours; ask HR for a new one"
)


@dataclass(frozen=True)
class Issued:
    """An invitation just issued: the token goes into the link and is never stored."""

    user: str
    token: str
    expires_at: datetime
    sessions_ended: int = 0

    def link(self, portal: PortalSettings) -> str:
        return f"{portal.url}/invite/{self.token}"


def _target(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        names = list(session.exec(select(User.name)))
        raise NotFound(f"no user '{name}'{suggest(name, names)}", step=Step("list_users"))
    return user


def _manager_role(session: Session, actor: Actor, doing: str) -> str:
    """The actor's role that may manage users (as for `user add`)."""
    managers = [ADMIN, *sorted(frozen_permission(session, "manage_users"))]
    return role_for(actor_user(session, actor), managers, doing)


def _issue(
    session: Session, user: str, actor: Actor, at: datetime, portal: PortalSettings
) -> tuple[str, Invitation]:
    """Revoke the user's open invitations and add a new one."""
    session.execute(
        update(Invitation)
        .where(
            col(Invitation.user_name) == user,
            col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None),
        )
        .values(revoked_at=at)
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        user_name=user,
        token_sha256=digest(token),
        created_at=at,
        created_by=actor.name,
        expires_at=at + timedelta(hours=portal.invitation_hours),
    )
    session.add(invitation)
    session.flush()
    return token, invitation


def invite(
    *,
    session: Session,
    name: str,
    actor: Actor,
    portal: PortalSettings,
    now: datetime | None = None,
) -> Issued:
    """Issue a one-time link for a user to set their portal password (any earlier link of
    theirs stops working). A user who has a password already is reset instead."""
    at = now or utcnow()
    role = _manager_role(session, actor, "invite users")
    user = _target(session, name)
    if session.get(Password, user.name) is not None:
        raise RuleViolation(
            f"{user.name} has a portal password already",
            step=Step("reset_password", user.name),
        )
    token, invitation = _issue(session, user.name, actor, at, portal)
    audit.record(
        session,
        actor=actor,
        role=role,
        action="invitation_issued",
        subject=f"user:{user.name}",
        at=at,
        details={"name": user.name, "expires_at": invitation.expires_at.isoformat()},
    )
    session.commit()
    return Issued(user.name, token, invitation.expires_at)


def reset(
    *,
    session: Session,
    name: str,
    actor: Actor,
    portal: PortalSettings,
    now: datetime | None = None,
) -> Issued:
    """Revoke a user's password and end all their portal sessions, then issue a new
    invitation."""
    at = now or utcnow()
    role = _manager_role(session, actor, "reset users")
    user = _target(session, name)
    had_password = session.get(Password, user.name) is not None
    session.execute(delete(Password).where(col(Password.user_name) == user.name))
    ended = session.execute(delete(WebSession).where(col(WebSession.user_name) == user.name))
    count = int(ended.rowcount)  # type: ignore[attr-defined]
    token, invitation = _issue(session, user.name, actor, at, portal)
    clear_lock(session, user.name)  # the new password must be usable at once
    audit.record(
        session,
        actor=actor,
        role=role,
        action="password_reset",
        subject=f"user:{user.name}",
        at=at,
        details={
            "name": user.name,
            "password_revoked": had_password,
            "sessions_ended": count,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    session.commit()
    return Issued(user.name, token, invitation.expires_at, count)


def open_invitation(
    session: Session, token: str, portal: PortalSettings, now: datetime
) -> Invitation:
    """The invitation a link names, if it still works; else NotFound, saying the same whatever
    the reason (used, replaced, expired or never issued)."""
    found = session.exec(
        select(Invitation).where(Invitation.token_sha256 == digest(token[:200]))
    ).first()
    if (
        found is None
        or found.used_at is not None
        or found.revoked_at is not None
        or aware(found.expires_at) <= aware(now)
    ):
        raise NotFound(NOT_VALID.format(hours=portal.invitation_hours))
    return found


def check_password(name: str, password: str, confirm: str) -> None:
    """A new password: 12 to 256 characters, not the user name, typed the same twice."""
    if len(password) < PASSWORD_MIN:
        raise BadInput(f"the password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise BadInput(f"the password can have at most {PASSWORD_MAX} characters")
    if password.strip().lower() == name.lower():
        raise BadInput("the password cannot be your user name")
    if password != confirm:
        raise BadInput("the two passwords you typed differ; type the same password twice")


def set_password(
    *,
    session: Session,
    token: str,
    password: str,
    confirm: str,
    portal: PortalSettings,
    replacing: str | None = None,
    now: datetime | None = None,
) -> str:
    """Set the invited user's password through their link, which is then used up; end any
    sessions they had (and the one in `replacing`), and sign them in: return the new
    session's id."""
    at = now or utcnow()
    invitation = open_invitation(session, token, portal, at)
    name = invitation.user_name
    check_password(name, password, confirm)
    used = session.execute(
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=at)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]  # two tabs sending the form at once
        raise NotFound(NOT_VALID.format(hours=portal.invitation_hours))
    session.execute(delete(Password).where(col(Password.user_name) == name))
    session.add(Password(user_name=name, hash=hasher().hash(password), set_at=at))
    session.execute(delete(WebSession).where(col(WebSession.user_name) == name))
    audit.record(
        session,
        actor=in_portal(name, name),
        action="password_set",
        subject=f"user:{name}",
        at=at,
        details={"name": name, "invitation_id": invitation.id},
    )
    token = signed_in(session, name, portal, at, replacing)
    session.commit()
    return token


def demo_password(
    *, session: Session, actor: Actor, password: str, now: datetime | None = None
) -> None:
    """A demo user, the actor, takes a known password (the demo only: its database is sample
    data)."""
    at = now or utcnow()
    name = _target(session, actor.name).name
    session.execute(delete(Password).where(col(Password.user_name) == name))
    session.add(Password(user_name=name, hash=hasher().hash(password), set_at=at))
    audit.record(
        session,
        actor=actor,
        action="password_set",
        subject=f"user:{name}",
        at=at,
        details={"name": name, "demo": True},
    )
    session.commit()
