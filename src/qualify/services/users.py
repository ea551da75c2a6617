"""Registering users and their roles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from qualify.errors import BadInput, Conflict
from qualify.names import clean, describe_char, skeleton, text_problem
from qualify.services import audit
from qualify.services.access import actor_user, role_for, utcnow
from qualify.services.workflows import all_workflows
from qualify.store.tables import User
from qualify.workflow.loader import suggest


def add_user(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    roles: list[str],
    actor: str,
    full_name: str = "",
    title: str = "",
    now: datetime | None = None,
) -> User:
    """Register a user. The very first user may be added by anyone (bootstrap); after that,
    only a holder of a role some workflow lists under permissions.manage_users."""
    at = now or utcnow()
    name = check_user_name(name)
    full_name, title = person_text(full_name, "--full-name"), person_text(title, "--title")
    if not roles:
        raise BadInput("give at least one --role")
    specs = [loaded.spec for loaded in all_workflows(workflows_dir)]
    known_roles = sorted({role for spec in specs for role in spec.roles})
    for role in roles:
        if role not in known_roles:
            raise BadInput(
                f"--role {role}: no workflow in {workflows_dir} has that role"
                f"{suggest(role, known_roles)} (roles: {', '.join(known_roles) or 'none'})"
            )
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise Conflict(f"user '{name}' already exists")
    refuse_lookalike(session, name)
    first_user = session.exec(select(User).limit(1)).first() is None
    if first_user:
        acting_role = "bootstrap"
    else:
        managers = {r for spec in specs for r in spec.permissions.manage_users}
        acting_role = role_for(actor_user(session, actor), sorted(managers), "add users")
    user = User(
        name=name, roles=sorted(set(roles)), created_at=at, full_name=full_name, title=title
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        role=acting_role,
        action="user_added",
        subject=f"user:{name}",
        at=at,
        details={"name": name, "roles": user.roles, "full_name": full_name, "title": title},
    )
    session.commit()
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))))


def people(session: Session) -> dict[str, dict[str, str]]:
    """Every user by login name, as documents name them: `name` (the full name, else the
    login name) and `title` (may be empty)."""
    return {
        login: {"name": full_name or login, "title": title}
        for login, full_name, title in session.exec(select(User.name, User.full_name, User.title))
    }


USER_NAME_LIMIT = 100
PERSON_TEXT_LIMIT = 200


def check_user_name(name: str) -> str:
    """A user name as stored, or BadInput: one word of printable characters."""
    problem = text_problem(name)
    if problem:
        raise BadInput(f"user name {name.strip()!r}: {problem}")
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise BadInput(f"user name {name!r}: give one word, such as 'jsmith'")
    if len(name) > USER_NAME_LIMIT:
        raise BadInput(f"user name: longer than {USER_NAME_LIMIT} characters")
    return name


def person_text(text: str, option: str) -> str:
    """A full name or title as stored (NFC, single spaces), or BadInput naming the option."""
    problem = text_problem(text)
    if problem:
        raise BadInput(f"{option}: {problem}")
    text = clean(text)
    if len(text) > PERSON_TEXT_LIMIT:
        raise BadInput(f"{option}: longer than {PERSON_TEXT_LIMIT} characters")
    return text


def refuse_lookalike(session: Session, name: str) -> None:
    """Refuse a user name that looks like an existing one on screen or paper: the same letters
    in another case, compatibility forms (NFKC), or Cyrillic and Greek letters that print like
    Latin ones."""
    mine = skeleton(name)
    for other in session.exec(select(User.name)):
        if other != name and skeleton(other) == mine:
            foreign = [describe_char(c) for c in name if c not in other and not c.isascii()]
            how = f" (it has {', '.join(foreign[:3])})" if foreign else ""
            raise BadInput(
                f"user name {name!r} looks like the existing user '{other}'{how}; "
                "choose a name that cannot be mistaken for it"
            )
