"""Registering users and their roles."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from qualify.errors import BadInput, Conflict, NotFound, RuleViolation
from qualify.names import clean, describe_char, skeleton, text_problem
from qualify.services import audit
from qualify.services.access import actor_user, role_for, utcnow
from qualify.services.workflows import all_workflows
from qualify.store.tables import Candidate, PanelSeat, Selection, User
from qualify.workflow.checks import supervisor_roles
from qualify.workflow.loader import suggest
from qualify.workflow.spec import Workflow


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


def edit_user(
    *,
    session: Session,
    workflows_dir: Path,
    name: str,
    actor: str,
    full_name: str | None = None,
    title: str | None = None,
    add_roles: list[str] | None = None,
    remove_roles: list[str] | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> dict[str, tuple[object, object]]:
    """Change a user's full name, title or roles; return {field: (old, new)}. Audited. A role
    the user needs is not removed: the role of a panel seat they hold while its selection has
    candidates in progress, or the supervisor role while they supervise such a candidate."""
    at = now or utcnow()
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        names = list(session.exec(select(User.name)))
        raise NotFound(f"no user '{name}'{suggest(name, names)} (see 'qualify user list')")
    specs = [loaded.spec for loaded in all_workflows(workflows_dir)]
    managers = sorted({r for spec in specs for r in spec.permissions.manage_users})
    acting_role = role_for(actor_user(session, actor), managers, "edit users")
    known_roles = sorted({role for spec in specs for role in spec.roles})
    add_roles, remove_roles = list(add_roles or []), list(remove_roles or [])
    for option, role in [("--add-role", r) for r in add_roles] + [
        ("--remove-role", r) for r in remove_roles
    ]:
        if role not in known_roles:
            raise BadInput(
                f"{option} {role}: no workflow in {workflows_dir} has that role"
                f"{suggest(role, known_roles)} (roles: {', '.join(known_roles) or 'none'})"
            )
    for role in remove_roles:
        if role not in user.roles:
            raise BadInput(
                f"--remove-role {role}: {name} does not hold it (holds {', '.join(user.roles)})"
            )
    roles = sorted((set(user.roles) | set(add_roles)) - set(remove_roles))
    new: dict[str, object] = {
        "full_name": user.full_name if full_name is None else person_text(full_name, "--full-name"),
        "title": user.title if title is None else person_text(title, "--title"),
        "roles": roles,
    }
    for role in remove_roles:
        needed = _needed_for(session, name, role)
        if needed:
            raise RuleViolation(f"cannot remove the role {role} from {name}: {needed}")
    if not roles:
        raise BadInput(f"--remove-role: {name} would hold no role; a user holds at least one")
    old: dict[str, object] = {"full_name": user.full_name, "title": user.title, "roles": user.roles}
    changed = {k: (old[k], v) for k, v in new.items() if v != old[k]}
    if not changed:
        raise BadInput(
            "nothing to change: give --full-name, --title, --add-role or --remove-role "
            "with a new value"
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
            "reason": " ".join((reason or "").split()) or None,
        },
    )
    session.commit()
    return changed


def _needed_for(session: Session, name: str, role: str) -> str | None:
    """Why `name` still needs `role` (an open panel seat, candidates they supervise), or None."""
    from qualify.services.access import workflow_of

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
                f"{name} holds the {seat.seat} seat on the panel of selection {selection.id} "
                f"({selection.title}), which has {open_count} candidates in progress; assign "
                f"the seat to someone else first ('qualify panel assign {selection.id} ...')"
            )
    supervised = session.exec(select(Candidate).where(Candidate.supervisor == name)).all()
    for candidate in supervised:
        round_ = session.get(Selection, candidate.selection_id)
        assert round_ is not None
        spec = workflow_of(round_).spec
        state = spec.states.get(candidate.state)
        if role in supervisor_roles(spec.checks) and not (state and state.final):
            return (
                f"{name} is the supervisor of candidate {candidate.id} ({candidate.name}), who "
                f"is in progress ({candidate.state}); change the candidate's supervisor first "
                f"('qualify candidate edit {candidate.id} --supervisor ... --reason ...')"
            )
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


class SupervisorCheck:
    """Whether names given as a candidate's supervisor are registered users holding the role
    the workflow's checks want of a supervisor; reads the users once for a whole roster."""

    def __init__(self, session: Session, spec: Workflow) -> None:
        self.roles = supervisor_roles(spec.checks)
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
            held = ", ".join(self.users[name]) or "no role"
            return (
                f"'{name}' does not hold the role {' or '.join(self.roles)} (holds {held})"
                f"{suggest(name, holders)}"
            )
        return None
