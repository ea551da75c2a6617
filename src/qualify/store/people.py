"""How people are named and checked: users as documents name them, a full name or title as
stored, a user name refused when it looks like another, and a candidate's supervisor checked."""

from __future__ import annotations

from sqlmodel import Session, select

from qualify.errors import BadInput
from qualify.names import clean, describe_char, skeleton, text_problem
from qualify.store.tables import User
from qualify.suggest import suggest
from qualify.workflow.checks import supervisor_roles
from qualify.workflow.spec import Workflow


def people(session: Session) -> dict[str, dict[str, str]]:
    """Every user by login name, as documents name them: `name` (the full name, else the
    login name) and `title` (may be empty)."""
    return {
        login: {"name": full_name or login, "title": title}
        for login, full_name, title in session.exec(select(User.name, User.full_name, User.title))
    }


PERSON_TEXT_LIMIT = 200


def person_text(text: str, field: str) -> str:
    """A full name or title as stored (NFC, single spaces), or BadInput naming the field."""
    problem = text_problem(text)
    if problem:
        raise BadInput(problem, field=field)
    text = clean(text)
    if len(text) > PERSON_TEXT_LIMIT:
        raise BadInput(f"longer than {PERSON_TEXT_LIMIT} characters", field=field)
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


class SupervisorCheck:
    """Whether names given as a candidate's supervisor are registered users holding the role
    the workflow's checks want of a supervisor; reads the users once for a whole roster."""

    def __init__(self, session: Session, spec: Workflow) -> None:
        self.roles = supervisor_roles(spec.checks)
        self.labels = {r: role.label for r, role in spec.roles.items()}
        self.users = {u.name: u.roles for u in session.exec(select(User))}

    def problem(self, name: str) -> str | None:
        """Why `name` cannot be a candidate's supervisor, or None (an empty name is allowed:
        the recommendation check then waits for one)."""
        if not name:
            return None
        holders = [u for u, roles in self.users.items() if set(roles) & set(self.roles)]
        if name not in self.users:
            return f"'{name}' is not a registered user{suggest(name, holders or self.users)}"
        if self.roles and not set(self.users[name]) & set(self.roles):
            held = ", ".join(self.labels.get(r, r) for r in self.users[name]) or "no role"
            wanted = " or ".join(self.labels.get(r, r) for r in self.roles)
            also = suggest(name, holders)
            return f"'{name}' does not hold the role {wanted} (holds {held}){also}"
        return None
