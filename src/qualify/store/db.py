"""One engine factory for SQLite and PostgreSQL, sessions, and schema migrations (Alembic)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import event, inspect, make_url, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import ArgumentError, DataError, OperationalError
from sqlalchemy.exc import DatabaseError as SQLDatabaseError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from qualify.errors import BadInput, DatabaseError, QualifyError, Step
from qualify.store.private import private_file

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_PRAGMAS = {
    "foreign_keys": "ON",
    "journal_mode": "WAL",
    "synchronous": "FULL",
    "busy_timeout": str(SQLITE_BUSY_TIMEOUT_MS),
}
MIGRATIONS = Path(__file__).with_name("migrations")


def normalize_url(url: str) -> URL:
    """Parse a database URL; plain `postgresql://` means the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise BadInput(f"not a database URL: {url!r}", field="database_url") from None
    parts = (parsed.database, parsed.host, parsed.username, parsed.password, *parsed.query)
    if any("\x00" in str(part) for part in parts if part):  # %00 in the URL
        raise BadInput("the URL contains a NUL byte (%00)", field="database_url")
    if parsed.get_backend_name() == "sqlite" and (parsed.host or parsed.username or parsed.port):
        raise BadInput(
            f"{url!r} is not a SQLite URL; use sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db",
            field="database_url",
        )
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BadInput(
            f"unsupported database {parsed.drivername!r} (use sqlite or postgresql)",
            field="database_url",
        )
    return parsed


# A server's connections: enough for uvicorn's worker threads (40) to wait on the database,
# not on the pool.
SERVER_POOL: dict[str, Any] = {"pool_size": 10, "max_overflow": 30}


def make_engine(url: str, *, pooled: bool = False) -> Engine:
    """Create an engine; SQLite connections get qualify's pragmas and real transactions. A
    command opens its few SQLite connections as it needs them; a server (`pooled`) keeps them
    open, as opening one and closing it (which checkpoints the log) costs more than a
    request's own work."""
    parsed = normalize_url(url)
    try:
        # JSON columns are read with orjson: a results listing decodes one document per
        # candidate.
        if parsed.get_backend_name() == "sqlite":
            pool: dict[str, Any] = SERVER_POOL if pooled else {"poolclass": NullPool}
            engine = create_engine(parsed, json_deserializer=orjson.loads, **pool)
            event.listen(engine, "connect", _configure_sqlite)
            event.listen(engine, "begin", _begin_immediate)
            return engine
        sized = SERVER_POOL if pooled else {}
        return create_engine(parsed, pool_pre_ping=True, json_deserializer=orjson.loads, **sized)
    except (ArgumentError, ValueError, TypeError) as exc:  # options the driver cannot take
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BadInput(reason, field="database_url") from None


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The sqlite3 driver's legacy transaction handling starts transactions late and commits
    # before DDL; switch it off and let the "begin" hook issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for name, value in SQLITE_PRAGMAS.items():
        cursor.execute(f"PRAGMA {name}={value}")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at the start, so two writers queue on the busy timeout
    # instead of failing when a read lock cannot be upgraded. Work that only reads asks for a
    # deferred BEGIN (see `reading`), so it runs beside writers on WAL's snapshot.
    if connection.get_execution_options().get("qualify_read_only"):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def reading(engine: Engine) -> Engine:
    """The same engine for work that only reads: on SQLite it does not take the write lock."""
    return engine.execution_options(qualify_read_only=True)


def glancing(engine: Engine) -> Engine:
    """The same engine for a read that is one statement: on PostgreSQL without a transaction
    around it (autocommit), on SQLite as `reading`."""
    if engine.url.get_backend_name() == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return reading(engine)


@contextmanager
def session_scope(engine: Engine, kind: type[Session] = Session) -> Iterator[Session]:
    """A session (of class `kind`) whose connection errors become one clear DatabaseError line."""
    try:
        with kind(engine, expire_on_commit=False) as session:
            yield session
    except OperationalError as exc:
        raise DatabaseError(describe_operational_error(engine, exc)) from None
    except DataError as exc:
        # The services check values first; this is the net for a value the database still
        # refuses (too long for its column, a NUL byte in text, a number out of range).
        raise BadInput(describe_operational_error(engine, exc)) from None


def _failure(engine: Engine, exc: SQLDatabaseError) -> QualifyError:
    """A file given as a SQLite database that is not one is bad input (exit 2); any other
    failure is the database's (exit 1)."""
    message = describe_operational_error(engine, exc)
    if engine.url.get_backend_name() == "sqlite" and "not a SQLite database" in message:
        return BadInput(message)
    return DatabaseError(message)


def describe_operational_error(engine: Engine, exc: SQLDatabaseError) -> str:
    """Say which database failed and why, in one line."""
    url = engine.url
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if url.get_backend_name() == "postgresql":
        where = f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}"
        shown = url.render_as_string(hide_password=True)
        lowered = reason.lower()
        if any(word in lowered for word in ("connect", "resolve host", "timeout expired")):
            # The URL as given, but the password: the user can see which one was tried.
            reason = reason.removeprefix("connection failed: ")
            return f"cannot connect to {where} ({shown}): {reason}"
        return f"{where}: {reason}"
    if reason == "file is not a database":
        reason = "the file is not a SQLite database (or it is damaged)"
    return f"SQLite database {url.database}: {reason}"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configured in code: qualify ships no alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def known_revisions() -> list[str]:
    """The migrations this version ships, oldest first. Files are named `NNNN_what.py` with
    revision id `NNNN`, one after another (a test holds Alembic to this); reading the names
    keeps every command from loading Alembic just to check the schema."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def head_revision() -> str:
    """The newest migration this version of qualify knows."""
    return known_revisions()[-1]


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None for a database qualify never initialised."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if revision is None else str(revision)


def _refuse_unknown_revision(revision: str | None, url: URL) -> None:
    if revision is not None and revision not in known_revisions():
        shown = url.render_as_string(hide_password=True)
        raise DatabaseError(
            f"database {shown} is at schema revision {revision}, which this version of qualify "
            "does not know: a newer qualify made it; upgrade qualify to use it"
        )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the database to the newest revision; return (before, after)."""
    from alembic import command

    _private_sqlite_file(engine.url)
    try:
        with engine.begin() as connection:
            before = current_revision(connection)
            _refuse_unknown_revision(before, engine.url)
            command.upgrade(alembic_config(connection), "head")
            after = current_revision(connection)
    except SQLDatabaseError as exc:  # cannot connect, or a file that is not a database
        raise _failure(engine, exc) from None
    assert after is not None
    return before, after


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL (None for other databases and for an in-memory one)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def _private_sqlite_file(url: URL) -> None:
    """A SQLite database holds personnel records: create its file readable by its owner only
    (SQLite gives its -wal and -shm files the database file's mode), and narrow an existing
    one's mode."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    if path.parent.is_dir():  # else connecting fails and says so
        private_file(path)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                private_file(side)


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database that is missing, older or newer than this version. Only
    the `init` use case creates a database: a mistyped URL must not leave an empty file behind."""
    path = sqlite_path(engine.url)
    if path is not None and not path.exists():
        raise BadInput(f"no database at {path}", step=Step("create_database"))
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    except SQLDatabaseError as exc:  # cannot connect, or a file that is not a database
        raise _failure(engine, exc) from None
    _refuse_unknown_revision(revision, engine.url)
    shown = engine.url.render_as_string(hide_password=True)
    if revision is None:
        raise BadInput(f"database {shown} is not set up", step=Step("set_up_database"))
    if revision != head_revision():
        raise DatabaseError(
            f"database {shown} is at an older schema", step=Step("upgrade_database")
        )
