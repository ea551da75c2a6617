"""Who is acting, what they may do, and loading the records a command names."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, Conflict, NotFound, NotPermitted, QualifyError, Step
from qualify.limits import ID_MAX
from qualify.services import recorded
from qualify.services.workflows import load_frozen
from qualify.store.tables import Candidate, PanelAlternate, PanelSeat, Selection, User
from qualify.workflow.loader import LoadedWorkflow
from qualify.workflow.machine import CompiledWorkflow, compile_workflow

ADMIN = "admin"  # the administrator the `init` use case makes: adds users and opens selections


def utcnow() -> datetime:
    return datetime.now(UTC)


def actor_user(session: Session, actor: Actor) -> User:
    """The registered user acting; anyone else is refused."""
    user = session.exec(select(User).where(User.name == actor.name)).first()
    if user is None:
        raise unknown_user(actor.name)
    return user


def unknown_user(name: str) -> NotPermitted:
    return NotPermitted(f"unknown user '{name}'", step=Step("register_user", name))


def role_for(user: User, allowed: Iterable[str], doing: str) -> str:
    """The first of the user's roles that allows `doing`; refuse when none does."""
    allowed = list(allowed)
    for role in user.roles:
        if role in allowed:
            return role
    held = ", ".join(user.roles) or "no role"
    raise NotPermitted(
        f"{user.name} may not {doing}: that needs the role {' or '.join(allowed)}; "
        f"{user.name} holds {held}"
    )


_FROZEN: dict[str, LoadedWorkflow] = {}


def workflow_of(selection: Selection) -> LoadedWorkflow:
    """The workflow text frozen in the selection, parsed once per process."""
    loaded = _FROZEN.get(selection.workflow_sha256)
    if loaded is None:
        source = (
            f"selection {selection.id} ({selection.workflow_name} {selection.workflow_version})"
        )
        loaded = _FROZEN[selection.workflow_sha256] = load_frozen(
            selection.workflow_text, source=source
        )
    return loaded


def frozen_workflows(session: Session) -> list[LoadedWorkflow]:
    """Every workflow frozen in a selection of this database, each once. Only the hashes are
    read, and the text only of a workflow this process has not parsed yet (the portal asks on
    every request)."""
    found = []
    for sha in session.exec(select(Selection.workflow_sha256).distinct()).all():
        loaded = _FROZEN.get(sha)
        if loaded is None:
            name, version, text = session.exec(
                select(Selection.workflow_name, Selection.workflow_version, Selection.workflow_text)
                .where(Selection.workflow_sha256 == sha)
                .limit(1)
            ).one()
            loaded = _FROZEN[sha] = load_frozen(text, source=f"{name} {version} ({sha[:12]})")
        found.append(loaded)
    return found


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


def machine_of(selection: Selection) -> CompiledWorkflow:
    return compile_workflow(workflow_of(selection))


def changed_by_someone_else(candidate_id: int) -> Conflict:
    """The optimistic lock lost: another command changed the candidate first."""
    return Conflict(
        f"candidate {candidate_id} was changed by someone else; nothing was saved; "
        "run the command again"
    )


def claim(session: Session, candidate: Candidate, **changes: object) -> None:
    """Write `changes` and bump the candidate's version, but only if nobody changed the candidate
    since it was read (the optimistic lock); otherwise refuse, saving nothing. A plain UPDATE on
    the session's connection (it runs on every change), then the loaded record is told."""
    assert candidate.id is not None
    values = {**changes, "version": candidate.version + 1}
    written = session.connection().execute(
        update(Candidate)
        .where(col(Candidate.id) == candidate.id, col(Candidate.version) == candidate.version)
        .values(**values)
    )
    if written.rowcount != 1:
        raise changed_by_someone_else(candidate.id)
    for key, value in values.items():
        set_committed_value(candidate, key, value)


def check_id(record_id: int, what: str) -> None:
    """Refuse an id no record can have (the CLI's options are bounded the same way)."""
    if not 1 <= record_id <= ID_MAX:
        raise BadInput(f"{what} id {record_id} is out of range (1 to {ID_MAX})")


def get_selection(session: Session, selection_id: int) -> Selection:
    check_id(selection_id, "selection")
    # The frozen workflow text is loaded only when this process has not parsed it yet.
    selection = session.get(
        Selection,
        selection_id,
        options=[defer(Selection.workflow_text)],  # type: ignore[arg-type]
    )
    if selection is None:
        raise NotFound(f"no selection {selection_id}", step=Step("list_selections"))
    return selection


def get_candidate(session: Session, candidate_id: int, *, for_update: bool = False) -> Candidate:
    check_id(candidate_id, "candidate")
    candidate = session.get(Candidate, candidate_id, with_for_update=for_update)
    if candidate is None:
        raise no_candidate(candidate_id)
    return candidate


def no_candidate(candidate_id: int) -> NotFound:
    return NotFound(f"no candidate {candidate_id}", step=Step("list_candidates"))


def seats_of(session: Session, selection_id: int) -> list[PanelSeat]:
    return list(
        session.exec(
            select(PanelSeat)
            .where(PanelSeat.selection_id == selection_id)
            .order_by(col(PanelSeat.seat), col(PanelSeat.position))
        )
    )


def alternates_of(session: Session, selection_id: int) -> list[PanelAlternate]:
    return list(
        session.exec(
            select(PanelAlternate)
            .where(PanelAlternate.selection_id == selection_id)
            .order_by(col(PanelAlternate.seat), col(PanelAlternate.position))
        )
    )


def insert_row(session: Session, record: SQLModel) -> None:
    """Insert a new record with a plain INSERT on the session's connection and give it its id.
    The commands that run on every change use this: the ORM's unit of work costs more than the
    round trip for one row. The record stays outside the session."""
    table: Any = type(record)
    statement = insert(table).values(**record.model_dump(exclude={"id"})).returning(table.id)
    record.id = session.connection().execute(statement).scalar_one()
    recorded.note(session, record)


@contextmanager
def taken_meanwhile(session: Session, refusal: Callable[[], QualifyError]) -> Iterator[None]:
    """Insert a record with a unique key that was free when checked. If someone else's commit
    took the key meanwhile (two people adding the same user at once on PostgreSQL), roll back
    and refuse with `refusal()`: the same words as when the key was taken before."""
    try:
        yield
    except IntegrityError:
        session.rollback()
        raise refusal() from None
