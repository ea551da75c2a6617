"""Registering users and their roles. Who may do that comes only from the database: the
administrator made when the database is created, and the workflows frozen in the selections
opened there, never from a workflow file the caller points at."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, Gathered, NotFound, NotPermitted, RuleViolation, Step
from qualify.names import text_problem
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.people import person_text, refuse_lookalike
from qualify.store.permissions import (
    ADMIN,
    actor_user,
    display_name,
    frozen_permission,
    frozen_roles,
    role_for,
    role_labels,
    roles_in_words,
)
from qualify.store.rows import taken_meanwhile
from qualify.store.tables import Candidate, PanelSeat, Selection, User
from qualify.suggest import suggest
from qualify.workflow.checks import supervisor_roles
from qualify.workflow.files import all_workflows
from qualify.workflow.spec import Workflow

USER_NAME_MAX = 100  # the column's length


def _check_name(name: str) -> str:
    """A user name as stored, or BadInput: one word of printable characters (no terminal
    escapes, direction overrides or zero-width characters: a name must read as it is)."""
    if len(name) > USER_NAME_MAX:
        raise BadInput(f"user name {name[:20]!r}...: at most {USER_NAME_MAX} characters")
    problem = text_problem(name)
    if problem:
        raise BadInput(f"user name {name.strip()!r}: {problem}")
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise BadInput(f"user name {name!r}: give one word, such as 'jsmith'")
    return name


def _check_roles(
    session: Session, workflows_dir: Path, roles: list[str], field: str = "roles"
) -> list[str]:
    """The roles, each known to a selection's workflow, a workflow file, or `admin`. Knowing a
    role's name grants nothing: what a role may do is read from the selections' workflows."""
    if not roles:
        raise BadInput("give at least one role", field=field)
    known = {ADMIN} | frozen_roles(session)
    known |= {role for loaded in all_workflows(workflows_dir) for role in loaded.spec.roles}
    for role in roles:
        if role not in known:
            raise BadInput(
                f"no workflow has that role{suggest(role, known)} "
                f"(roles: {', '.join(sorted(known))})",
                field=field,
                value=role,
            )
    return sorted(set(roles))


def _filled(text: str, field: str) -> str:
    """A full name or title (`field`) as stored; BadInput when it is empty."""
    text = person_text(text, field)
    if not text:
        words = "full name" if field == "full_name" else "title"
        raise BadInput(f"give the person's {words}; documents name people by it", field=field)
    return text


def _named(full_name: str, title: str) -> tuple[str, str]:
    """The full name and title of a person, or BadInput naming the missing ones: documents
    (letters, packets, the panel list) name people by both."""
    full_name, title = person_text(full_name, "full_name"), person_text(title, "title")
    if not full_name and not title:
        raise BadInput(
            "give both; documents name people by their full name and title",
            field="full_name+title",
        )
    return _filled(full_name, "full_name"), _filled(title, "title")


def create_admin(
    *,
    session: Session,
    workflows_dir: Path,
    actor: Actor,
    roles: list[str] | None = None,
    full_name: str = "",
    title: str = "",
    now: datetime | None = None,
) -> User:
    """Create the first user of a new database, as its administrator (the role `admin`: may add
    users and open selections), with any workflow roles given: the actor, who has no user to act
    as yet, makes themselves (the event's role is `bootstrap`). Refused once any user exists."""
    at = now or utcnow()
    name = _check_name(actor.name)
    full_name, title = person_text(full_name, "full_name"), person_text(title, "title")
    held = _check_roles(session, workflows_dir, [ADMIN, *(roles or [])])
    first = session.exec(select(User.name).order_by(col(User.id)).limit(1)).first()
    if first is not None:
        raise NotPermitted(
            f"this database has users already (the first is {first})",
            field="admin",
            value=name,
            step=Step("add_user"),
        )
    user = User(name=name, roles=held, created_at=at, full_name=full_name, title=title)
    session.add(user)
    session.flush()
    return _added(session, user, replace(actor, name=name), "bootstrap", at)


def add_user(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    roles: list[str],
    actor: Actor,
    full_name: str,
    title: str,
    now: datetime | None = None,
) -> User:
    """Register a user, with the full name and title documents name them by. Only the
    administrator, or a holder of a role that a selection's frozen workflow lists under
    permissions.manage_users, may; only the administrator makes another."""
    at = now or utcnow()
    name = _check_name(name)
    if session.exec(select(User.id).limit(1)).first() is None:
        raise NotPermitted("this database has no users yet", step=Step("create_admin"))
    acting = actor_user(session, actor)  # an unknown user is refused first, as by every command
    gathered = Gathered()  # every problem with the input, said at once
    with gathered.check():
        full_name, title = _named(full_name, title)
    with gathered.check():
        roles = _check_roles(session, workflows_dir, roles)
    gathered.refuse()
    managers = [ADMIN, *sorted(frozen_permission(session, "manage_users"))]
    acting_role = role_for(acting, managers, "add users")
    if ADMIN in roles and ADMIN not in acting.roles:
        raise NotPermitted(
            f"{acting.display_name} may not make an administrator: only an administrator may"
        )

    # A name already taken is bad input (exit 2), as a look-alike of one is and as a candidate
    # already in a selection is.
    def exists() -> BadInput:
        return BadInput(f"user '{name}' already exists")

    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise exists()
    refuse_lookalike(session, name)
    user = User(name=name, roles=roles, created_at=at, full_name=full_name, title=title)
    session.add(user)
    with taken_meanwhile(session, exists):
        session.flush()
    return _added(session, user, actor, acting_role, at)


def _added(session: Session, user: User, actor: Actor, role: str, at: datetime) -> User:
    """Audit the user just written (`user_added`, the same for the first user as for any
    other) and commit."""
    audit.record(
        session,
        actor=actor,
        role=role,
        action="user_added",
        subject=f"user:{user.name}",
        at=at,
        details={
            "name": user.name,
            "roles": user.roles,
            "full_name": user.full_name,
            "title": user.title,
        },
    )
    session.commit()
    return user


def edit_user(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    actor: Actor,
    full_name: str | None = None,
    title: str | None = None,
    add_roles: list[str] | None = None,
    remove_roles: list[str] | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> dict[str, tuple[object, object]]:
    """Change a user's full name, title or roles; return {field: (old, new)}. Audited. A new
    full name or title needs a reason (documents printed before name them the old way) and may
    not be blank. A role the user needs is not removed: the role of a panel seat they hold while
    its selection has candidates in progress, or the supervisor role while they supervise such
    a candidate."""
    at = now or utcnow()
    acting = actor_user(session, actor)
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        names = list(session.exec(select(User.name)))
        raise NotFound(f"no user '{name}'{suggest(name, names)}", step=Step("list_users"))
    managers = [ADMIN, *sorted(frozen_permission(session, "manage_users"))]
    acting_role = role_for(acting, managers, "edit users")
    add_roles, remove_roles = list(add_roles or []), list(remove_roles or [])
    for field, given in (("add_roles", add_roles), ("remove_roles", remove_roles)):
        if given:
            _check_roles(session, workflows_dir, given, field)
    if ADMIN in add_roles + remove_roles and ADMIN not in acting.roles:
        raise NotPermitted(
            f"{acting.display_name} may not change who is an administrator: only an "
            "administrator may"
        )
    labels = role_labels(session)
    for role in remove_roles:
        if role not in user.roles:
            held = ", ".join(roles_in_words([r], labels) for r in user.roles)
            raise BadInput(
                f"{user.display_name} does not hold it (holds {held})",
                field="remove_roles",
                value=role,
            )
    roles = sorted((set(user.roles) | set(add_roles)) - set(remove_roles))
    reason = " ".join((reason or "").split()) or None
    if full_name is not None or title is not None:
        # Only what is given must be filled: an administrator made without a title may still
        # have their full name corrected alone.
        gathered = Gathered()
        if full_name is not None:
            with gathered.check():
                full_name = _filled(full_name, "full_name")
        if title is not None:
            with gathered.check():
                title = _filled(title, "title")
        if reason is None:
            with gathered.check():
                raise BadInput(
                    "a new full name or title needs a reason, kept in the audit log",
                    field="reason",
                )
        gathered.refuse()
    new: dict[str, object] = {
        "full_name": user.full_name if full_name is None else full_name,
        "title": user.title if title is None else title,
        "roles": roles,
    }
    for role in remove_roles:
        needed = _needed_for(session, name, role)
        if needed:
            why, step = needed
            raise RuleViolation(
                f"cannot remove the role {roles_in_words([role], labels)} from "
                f"{user.display_name}: {why}",
                step=step,
            )
    if not roles:
        raise BadInput(
            f"{user.display_name} would hold no role; a user holds at least one",
            field="remove_roles",
        )
    old: dict[str, object] = {"full_name": user.full_name, "title": user.title, "roles": user.roles}
    changed = {k: (old[k], v) for k, v in new.items() if v != old[k]}
    if not changed:
        raise BadInput(
            "nothing to change",
            step=Step("give_user_changes"),
        )
    user.full_name, user.title = str(new["full_name"]), str(new["title"])
    user.roles = roles
    session.add(user)
    audit.record(
        session,
        actor=actor,
        role=acting_role,
        action="user_edited",
        subject=f"user:{name}",
        at=at,
        details={
            "name": name,
            "changes": {k: {"old": a, "new": b} for k, (a, b) in changed.items()},
            "reason": reason,
        },
    )
    session.commit()
    return changed


def _needed_for(session: Session, name: str, role: str) -> tuple[str, Step] | None:
    """Why `name` still needs `role` (an open panel seat, candidates they supervise) and the
    step that frees it, or None."""
    seats = session.exec(
        select(PanelSeat, Selection)
        .join(Selection, col(Selection.id) == col(PanelSeat.selection_id))
        .where(PanelSeat.panelist == name)
    ).all()
    for seat, selection in seats:
        spec = workflow_of(selection).spec
        declared = spec.panel.seats.get(seat.seat)
        if declared is None or declared.role != role:
            continue
        open_count = _in_progress(session, selection.id or 0, spec)
        if open_count:
            return (
                f"{display_name(session, name)} holds the "
                f"{declared.label or seat.seat.replace('_', ' ')} seat on the panel of "
                f"selection {selection.id} "
                f"({selection.title}), which has {open_count} candidates in progress; assign "
                "the seat to someone else first"
            ), Step("assign_panel", str(selection.id))
    supervised = session.exec(select(Candidate).where(Candidate.supervisor == name)).all()
    for candidate in supervised:
        round_ = session.get(Selection, candidate.selection_id)
        assert round_ is not None
        spec = workflow_of(round_).spec
        state = spec.states.get(candidate.state)
        if role in supervisor_roles(spec.checks) and not (state and state.final):
            return (
                f"{display_name(session, name)} is the supervisor of {candidate.name}, who is in "
                f"progress ({state.label if state else candidate.state}); change the "
                "candidate's supervisor first"
            ), Step("change_supervisor", str(candidate.id))
    return None


def _in_progress(session: Session, selection_id: int, spec: Workflow) -> int:
    final = [s for s, state in spec.states.items() if state.final]
    return len(
        session.exec(
            select(Candidate.id).where(
                Candidate.selection_id == selection_id, col(Candidate.state).not_in(final)
            )
        ).all()
    )


def list_users(*, session: Session, actor: Actor) -> list[User]:
    """Every user, for a registered user."""
    actor_user(session, actor)
    return list(session.exec(select(User).order_by(col(User.name))))
