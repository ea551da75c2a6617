"""The database: migrations, SQLite pragmas, real transactions, clear connection errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, select

import qualify.store.tables  # noqa: F401
from qualify.cli.errors import render
from qualify.errors import BadInput, DatabaseError
from qualify.store import db
from qualify.store.tables import ConflictDeclaration, Evidence, User


def test_init_creates_the_schema_and_a_second_run_changes_nothing(
    database_url: str, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(database_url)
    before, after = db.upgrade(engine)
    assert before is None
    assert after == db.head_revision()
    assert db.upgrade(engine) == (after, after)
    db.require_current_schema(engine)


def test_migrated_schema_matches_the_models(
    database_url: str, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(database_url)
    db.upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_0012_renames_declarations_and_vouching_in_place_keeping_rows(
    database_url: str, engine_for: Callable[[str], Engine]
) -> None:
    """A database made before the rename: its declarations and who vouched for its evidence
    read the same afterwards, under the new names, and new rows take the next ids."""
    engine = engine_for(database_url)
    at = "2026-12-01 10:00:00"
    with engine.begin() as connection:
        command.upgrade(db.alembic_config(connection), "0011")
        for statement in (
            "INSERT INTO selection (id, title, workflow_name, workflow_version, workflow_sha256,"
            " workflow_text, as_of, opened_at, opened_by) VALUES (1, 'SRO', 'w', '1', 'x', 'w',"
            " '2027-01-15', :at, 'hr1')",
            "INSERT INTO candidate (id, selection_id, employee_id, name, rank, unit, supervisor,"
            " email, state, version, created_at) VALUES (1, 1, 'MPD-1', 'Dana Reyes', '', '', '',"
            " '', 'interview', 1, :at)",
            "INSERT INTO evidence (id, candidate_id, kind, fields, recorded_at, recorded_by,"
            " attested_by) VALUES (1, 1, 'tobacco', '{}', :at, 'hr1', 'sgt.kim')",
            "INSERT INTO attestation (candidate_id, panelist, conflict, at)"  # ids from its sequence
            " VALUES (1, 'rep.chen', NULL, :at), (1, 'rep.douglas', 'my nephew', :at)",
        ):
            connection.execute(text(statement), {"at": at})
    assert db.upgrade(engine) == ("0011", db.head_revision())
    with Session(engine) as session:
        assert session.exec(select(Evidence.vouched_by)).all() == ["sgt.kim"]
        declared = session.exec(select(ConflictDeclaration).order_by(ConflictDeclaration.id))  # type: ignore[arg-type]
        assert [(d.id, d.panelist, d.conflict) for d in declared] == [
            (1, "rep.chen", None),
            (2, "rep.douglas", "my nephew"),
        ]
        added = ConflictDeclaration(candidate_id=1, panelist="cmdr.obrien", at=datetime.now(UTC))
        session.add(added)
        session.commit()
        assert added.id == 3
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        assert "conflict_declaration" in tables
        assert "attestation" not in tables
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_a_database_from_a_newer_version_is_refused(
    database_url: str, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(database_url)
    db.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseError, match=r"9999_future.*newer qualify"):
        db.upgrade(engine)
    with pytest.raises(DatabaseError, match="newer qualify"):
        db.require_current_schema(engine)


def test_commands_refuse_a_database_that_was_never_initialised(
    database_url: str, engine_for: Callable[[str], Engine]
) -> None:
    with pytest.raises(BadInput) as refused:
        db.require_current_schema(engine_for(database_url))
    assert "run 'qualify init'" in render(refused.value)


def test_audit_table_refuses_update_and_delete(
    database_url: str, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(database_url)
    db.upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (at, actor, role, action, subject, outcome, details,"
                " prev_hash, hash) VALUES (:at, 'a', '', 'x', 's', 'ok', '{}', '', 'h1')"
            ),
            {"at": now},
        )
    for statement in ("UPDATE audit_event SET actor = 'b'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_event")).scalar_one() == "a"


def test_every_new_sqlite_connection_has_the_pragmas(
    tmp_path: Path, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'p.db'}")
    expected = {"foreign_keys": 1, "journal_mode": "wal", "synchronous": 2, "busy_timeout": 30000}
    for _ in range(3):  # NullPool: each connect() is a new sqlite3 connection
        with engine.connect() as connection:
            seen = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar_one() for name in expected
            }
        assert seen == expected


def test_sqlite_foreign_keys_are_enforced(
    sqlite_url: str, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(sqlite_url)
    db.upgrade(engine)
    with pytest.raises(DBAPIError, match="FOREIGN KEY"), engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO candidate (selection_id, employee_id, name, rank, unit, supervisor,"
                " email, state, version, created_at) VALUES (42, 'e1', 'n', '', '', '', '', 's', 1,"
                " '2026-01-01')"
            )
        )


def test_sqlite_rollback_undoes_writes_and_ddl(
    sqlite_url: str, engine_for: Callable[[str], Engine]
) -> None:
    engine = engine_for(sqlite_url)
    db.upgrade(engine)
    with Session(engine) as session:
        session.add(User(name="ann", roles=["hr"], created_at=datetime.now(UTC)))
        session.flush()
        session.exec(text("CREATE TABLE scratch (x INTEGER)"))  # type: ignore[call-overload]
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
        tables = session.exec(  # type: ignore[call-overload]
            text("SELECT name FROM sqlite_master WHERE name = 'scratch'")
        ).all()
        assert tables == []


def test_a_sqlite_writer_holds_the_write_lock_from_begin(
    sqlite_url: str, engine_for: Callable[[str], Engine]
) -> None:
    # BEGIN IMMEDIATE: a second writer cannot start while the first transaction is open.
    engine = engine_for(sqlite_url)
    db.upgrade(engine)
    with engine.begin() as first:
        first.execute(text("SELECT 1"))
        raw = engine_for(sqlite_url).raw_connection()
        try:
            raw.execute("PRAGMA busy_timeout=0")  # type: ignore[attr-defined]
            with pytest.raises(Exception, match="locked"):
                raw.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
        finally:
            raw.close()


def test_unreachable_postgres_is_one_line_naming_host_and_port(
    engine_for: Callable[[str], Engine],
) -> None:
    engine = engine_for("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseError) as info:
        db.upgrade(engine)
    message = str(info.value)
    assert message.startswith("cannot connect to PostgreSQL at 127.0.0.1:1")
    assert "\n" not in message


def test_migration_file_names_match_alembics_revisions() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(db.alembic_config())
    assert scripts.get_heads() == [db.head_revision()]
    walked = [s.revision for s in scripts.walk_revisions()]
    assert sorted(walked) == db.known_revisions()
    for script in scripts.walk_revisions():  # a straight line: each revises the one before
        assert script.down_revision == (
            None if script.revision == "0001" else f"{int(script.revision) - 1:04d}"
        )


def test_a_servers_pooled_sqlite_engine_keeps_its_connections_and_pragmas_in_every_thread(
    tmp_path: Path,
) -> None:
    import threading

    engine = db.make_engine(f"sqlite:///{tmp_path / 'pooled.db'}", pooled=True)
    db.upgrade(engine)
    seen: list[tuple[int, int, str]] = []

    def look() -> None:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
            mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            seen.append((id(raw), int(keys or 0), str(mode)))

    for _ in range(3):  # one after another, each in a thread of its own, as a server's workers
        worker = threading.Thread(target=look)
        worker.start()
        worker.join()
    engine.dispose()
    assert len({raw for raw, _, _ in seen}) == 1  # the same connection, kept open
    assert all(keys == 1 and mode == "wal" for _, keys, mode in seen)
