"""How documents name people: users by full name and title (the user name only for a user with
no full name on file), and candidates by given and family name."""

from __future__ import annotations

import re
from functools import cached_property

from sqlmodel import Session, select

from qualify.store.tables import Candidate, User
from qualify.workflow.documents import full_name, split_name
from qualify.workflow.spec import Workflow


class People:
    """How documents name users: full name and title; the user name only when no full name is
    on file."""

    def __init__(self, session: Session, spec: Workflow) -> None:
        self.spec = spec
        self.users = {u.name: u for u in session.exec(select(User))}

    @cached_property
    def roles(self) -> dict[str, tuple[str, ...]]:
        """Every user's roles, as the checks read them."""
        return {name: tuple(u.roles) for name, u in self.users.items()}

    @cached_property
    def _logins(self) -> re.Pattern[str] | None:
        if not self.users:
            return None
        pattern = "|".join(re.escape(n) for n in sorted(self.users, key=len, reverse=True))
        return re.compile(rf"(?<![\w.])({pattern})(?![\w])")

    def full_name(self, login: str) -> str:
        """The user's full name, or "" when none is on file."""
        user = self.users.get(login)
        return str(getattr(user, "full_name", "") or "") if user else ""

    def name(self, login: str) -> str:
        """The full name; for a user with none on file, their user name, said to be one (a
        title or a seat's label would stand for a person a reader cannot tell apart)."""
        return self.full_name(login) or f"user {login}"

    def title(self, login: str, role: str = "") -> str:
        user = self.users.get(login)
        title = str(getattr(user, "title", "") or "") if user else ""
        if title:
            return title
        roles = [role] if role else (list(user.roles) if user else [])
        labels = [self.spec.roles[r].label for r in roles if r in self.spec.roles]
        return ", ".join(labels) or "Staff member"

    def named(self, login: str, role: str = "") -> str:
        """Ann O'Brien, Captain, Support Division Commander."""
        name, title = self.name(login), self.title(login, role)
        return name if name == title else f"{name}, {title}"

    def humanize(self, text: str) -> str:
        """A generated sentence with login names as full names."""
        if self._logins is None:
            return text
        return self._logins.sub(lambda m: self.name(m.group(1)), text)


def display_name(candidate: Candidate) -> str:
    """Luis Reyes: given name first, whatever form the roster used."""
    return full_name(*given_and_family(candidate))


def given_and_family(candidate: Candidate) -> tuple[str, str]:
    given = str(getattr(candidate, "first_name", "") or "")
    family = str(getattr(candidate, "last_name", "") or "")
    if given or family:
        return given, family
    return split_name(candidate.name)
