"""Registering users and their roles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from qualify.errors import BadInput, Conflict
from qualify.services import audit
from qualify.services.access import actor_user, role_for, utcnow
from qualify.services.workflows import all_workflows
from qualify.store.tables import User

USER_NAME_MAX = 100  # the column's length


def add_user(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    roles: list[str],
    actor: str,
    now: datetime | None = None,
) -> User:
    """Register a user. The very first user may be added by anyone (bootstrap); after that,
    only a holder of a role some workflow lists under permissions.manage_users."""
    at = now or utcnow()
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise BadInput(f"user name {name!r}: give one word, such as 'jsmith'")
    if len(name) > USER_NAME_MAX:
        raise BadInput(f"user name {name[:20]!r}...: at most {USER_NAME_MAX} characters")
    if "\x00" in name:
        raise BadInput(f"user name {name!r}: contains a NUL byte")
    if not roles:
        raise BadInput("give at least one --role")
    specs = [loaded.spec for loaded in all_workflows(workflows_dir)]
    known_roles = sorted({role for spec in specs for role in spec.roles})
    for role in roles:
        if role not in known_roles:
            raise BadInput(
                f"--role {role}: no workflow in {workflows_dir} has that role "
                f"(roles: {', '.join(known_roles) or 'none'})"
            )
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise Conflict(f"user '{name}' already exists")
    first_user = session.exec(select(User).limit(1)).first() is None
    if first_user:
        acting_role = "bootstrap"
    else:
        managers = {r for spec in specs for r in spec.permissions.manage_users}
        acting_role = role_for(actor_user(session, actor), sorted(managers), "add users")
    user = User(name=name, roles=sorted(set(roles)), created_at=at)
    session.add(user)
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
