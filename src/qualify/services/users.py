"""Registering users and their roles. Who may do that comes only from the database: the
administrator made by `init --admin`, and the workflows frozen in the selections opened there,
never from a workflow file the caller points at."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from qualify.errors import BadInput, Conflict, NotPermitted
from qualify.services import audit
from qualify.services.access import (
    ADMIN,
    actor_user,
    frozen_permission,
    frozen_roles,
    role_for,
    taken_meanwhile,
    utcnow,
)
from qualify.services.workflows import all_workflows
from qualify.store.tables import User

USER_NAME_MAX = 100  # the column's length


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise BadInput(f"user name {name!r}: give one word, such as 'jsmith'")
    if len(name) > USER_NAME_MAX:
        raise BadInput(f"user name {name[:20]!r}...: at most {USER_NAME_MAX} characters")
    if "\x00" in name:
        raise BadInput(f"user name {name!r}: contains a NUL byte")
    return name


def _check_roles(session: Session, workflows_dir: Path, roles: list[str]) -> list[str]:
    """The roles, each known to a selection's workflow, a workflow file, or `admin`. Knowing a
    role's name grants nothing: what a role may do is read from the selections' workflows."""
    if not roles:
        raise BadInput("--role: give at least one role")
    known = {ADMIN} | frozen_roles(session)
    known |= {role for loaded in all_workflows(workflows_dir) for role in loaded.spec.roles}
    for role in roles:
        if role not in known:
            raise BadInput(
                f"--role {role}: no workflow has that role (roles: {', '.join(sorted(known))})"
            )
    return sorted(set(roles))


def create_admin(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    roles: list[str] | None = None,
    now: datetime | None = None,
) -> User:
    """Create the first user of a new database, as its administrator (the role `admin`: may add
    users and open selections), with any workflow roles given. Refused once any user exists."""
    at = now or utcnow()
    name = _check_name(name)
    held = _check_roles(session, workflows_dir, [ADMIN, *(roles or [])])
    first = session.exec(select(User.name).order_by(col(User.id)).limit(1)).first()
    if first is not None:
        raise NotPermitted(
            f"--admin {name}: this database has users already (the first is {first}); an "
            "administrator adds users with 'qualify user add'"
        )
    user = User(name=name, roles=held, created_at=at)
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=name,
        role="bootstrap",
        action="user_added",
        subject=f"user:{name}",
        at=at,
        details={"name": name, "roles": user.roles},
    )
    session.commit()
    return user


def add_user(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    roles: list[str],
    actor: str,
    now: datetime | None = None,
) -> User:
    """Register a user. Only the administrator, or a holder of a role that a selection's frozen
    workflow lists under permissions.manage_users, may; only the administrator makes another."""
    at = now or utcnow()
    name = _check_name(name)
    roles = _check_roles(session, workflows_dir, roles)
    if session.exec(select(User.id).limit(1)).first() is None:
        raise NotPermitted(
            "this database has no users yet: the first one, its administrator, is made by "
            "'qualify init --admin NAME'"
        )
    acting = actor_user(session, actor)
    managers = [ADMIN, *sorted(frozen_permission(session, "manage_users"))]
    acting_role = role_for(acting, managers, "add users")
    if ADMIN in roles and ADMIN not in acting.roles:
        raise NotPermitted(f"{acting.name} may not make an administrator: only an admin may")

    def exists() -> Conflict:
        return Conflict(f"user '{name}' already exists")

    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise exists()
    user = User(name=name, roles=roles, created_at=at)
    session.add(user)
    with taken_meanwhile(session, exists):
        session.flush()
    audit.record(
        session,
        actor=actor,
        role=acting_role,
        action="user_added",
        subject=f"user:{name}",
        at=at,
        details={"name": name, "roles": user.roles},
    )
    session.commit()
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))))
