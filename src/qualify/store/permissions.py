"""Who is acting and what they may do: the registered user, the role that allows a doing, and
the roles the selections' frozen workflows give each permission."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from qualify.actor import Actor
from qualify.errors import NotPermitted, RuleViolation, Step
from qualify.store.frozen import frozen_workflows, workflow_of
from qualify.store.tables import Selection, User
from qualify.workflow.spec import Workflow

ADMIN = "admin"  # the administrator the `init` use case makes: adds users and opens selections


def actor_user(session: Session, actor: Actor) -> User:
    """The registered user acting; anyone else is refused."""
    user = session.exec(select(User).where(User.name == actor.name)).first()
    if user is None:
        raise unknown_user(actor.name)
    return user


def unknown_user(name: str) -> NotPermitted:
    return NotPermitted(f"unknown user '{name}'", step=Step("register_user", name))


def role_for(user: User, allowed: Iterable[str], doing: str) -> str:
    """The first of the user's roles that allows `doing`; refuse when none does, naming the
    user and the roles in the workflows' words."""
    allowed = list(allowed)
    for role in user.roles:
        if role in allowed:
            return role
    session = object_session(user)
    labels = role_labels(session) if isinstance(session, Session) else {}
    raise NotPermitted(
        f"{person(user, labels)} may not {doing}: that needs the role "
        f"{roles_in_words(allowed, labels)}"
    )


def spec_labels(spec: Workflow) -> dict[str, str]:
    """Each role of one workflow by its label, and the administrator."""
    return {ADMIN: "administrator", **{r: role.label for r, role in spec.roles.items()}}


def role_labels(session: Session) -> dict[str, str]:
    """Each role of the selections' frozen workflows by its label, and the administrator."""
    labels = {
        r: role.label
        for loaded in frozen_workflows(session)
        for r, role in loaded.spec.roles.items()
    }
    return {ADMIN: "administrator", **labels}


def roles_in_words(roles: Iterable[str], labels: dict[str, str]) -> str:
    """ "Department Commander or Human Resources": roles by their labels."""
    return " or ".join(labels.get(r, r.replace("_", " ")) for r in roles) or "none"


def person(user: User, labels: dict[str, str]) -> str:
    """The user as a refusal names them: "Marisol Alvarez (Human Resources)"."""
    return f"{user.display_name} ({roles_held(user.roles, labels)})"


def roles_held(roles: Iterable[str], labels: dict[str, str]) -> str:
    """The roles by their labels, to be shown in brackets after a name: a label's own
    bracket becomes a comma ("Supervisor (writes recommendations)" is "Supervisor, writes
    recommendations"), so brackets never nest."""
    named = [re.sub(r"\s*\(([^()]*)\)", r", \1", labels.get(r, r.replace("_", " "))) for r in roles]
    return "; ".join(named) if any("," in n for n in named) else ", ".join(named) or "no role"


def display_name(session: Session, name: str) -> str:
    """A user's display name by their login, as refusals name people (the login if unknown)."""
    user = session.exec(select(User).where(User.name == name)).first()
    return user.display_name if user is not None else name


def frozen_roles(session: Session) -> set[str]:
    return {role for loaded in frozen_workflows(session) for role in loaded.spec.roles}


def frozen_permission(session: Session, permission: str) -> set[str]:
    """The roles that the selections' frozen workflows give `permission` (a key of
    `permissions:`). Permissions come only from the database, never from a workflow file."""
    return {
        role
        for loaded in frozen_workflows(session)
        for role in getattr(loaded.spec.permissions, permission)
    }


def may_manage_records(session: Session, selection: Selection, actor: Actor, doing: str) -> str:
    """The actor's role that the selection's workflow lists under manage_records."""
    allowed = workflow_of(selection).spec.permissions.manage_records
    user = actor_user(session, actor)
    if not allowed:
        raise RuleViolation(
            f"{user.display_name} may not {doing}: the workflow of {selection.title} lets no "
            f"role {doing}"
        )
    return role_for(user, allowed, doing)
