"""Writing rows on the session's connection: a plain INSERT, the optimistic lock on a
candidate, and a unique key someone else took meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col

from qualify.errors import Conflict, QualifyError
from qualify.store import recorded
from qualify.store.tables import Candidate


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
