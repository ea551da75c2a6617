"""`qualify serve --workers N`: several server processes on PostgreSQL, one on SQLite; and the
audit chain stays whole when two processes append to it at once."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from sqlmodel import Session, col, select

from qualify.config import Settings
from qualify.errors import NotPermitted
from qualify.services import signin
from qualify.store import audit, db
from qualify.store.tables import AuditEvent
from tests.conftest import Result
from tests.helpers.builders import some_users, with_passwords
from tests.helpers.serve import serving
from tests.web.conftest import CSRF, PASSWORDS

USERS = {"hr.alvarez": "hr", "rep.chen": "school_rep", "cmdr.obrien": "commander"}


def set_up(url: str, tmp_path: Path) -> Settings:
    """A database at the current schema with three users and their portal passwords."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    settings = Settings.from_env({"QUALIFY_RECORDS": str(tmp_path / "records")}, database_url=url)
    with Session(engine) as session:
        audit.use_key_file(session, settings.audit_key)
        made = some_users(session, settings, USERS)
        with_passwords(session, {name: PASSWORDS[name] for name in made})
    engine.dispose()
    return settings


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """What `serve` hands uvicorn, instead of serving."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    # Set first, so that whatever `serve` puts there is taken away after the test.
    monkeypatch.setenv("QUALIFY_DATABASE_URL", "")
    monkeypatch.delenv("QUALIFY_DATABASE_URL")
    return calls


def test_serve_refuses_several_workers_on_sqlite(
    cli: Callable[..., Result], tmp_path: Path, started: list[tuple[Any, dict[str, Any]]]
) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    set_up(url, tmp_path)
    result = cli("--db", url, "serve", "--workers", "2")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --workers 2: a SQLite database is served by one process (its writers queue in "
        "turn inside it); use --workers 1, or PostgreSQL for more\n"
    )
    assert started == []


def test_serve_on_sqlite_is_one_process(
    cli: Callable[..., Result], tmp_path: Path, started: list[tuple[Any, dict[str, Any]]]
) -> None:
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    set_up(url, tmp_path)
    for given in ((), ("--workers", "1")):
        started.clear()
        result = cli("--db", url, "serve", *given)
        assert result.exit_code == 0, result.stderr
        assert "processes" not in result.stdout
        [(app, options)] = started
        assert not isinstance(app, str)  # the app itself, made in this process
        assert "workers" not in options


@pytest.mark.postgres
def test_serve_on_postgres_starts_two_processes_unless_told(
    cli: Callable[..., Result],
    make_postgres_db: Callable[[], str],
    tmp_path: Path,
    started: list[tuple[Any, dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = make_postgres_db()
    set_up(url, tmp_path)
    result = cli("--db", url, "serve")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"qualify portal on {url}: http://127.0.0.1:8000/ in 2 ")
    [(app, options)] = started
    # Each process makes the app from the environment, where the command put its database.
    assert app == "qualify.web.app:app_from_env"
    assert options["factory"] is True
    assert options["workers"] == 2
    assert os.environ["QUALIFY_DATABASE_URL"] == url
    monkeypatch.delenv("QUALIFY_DATABASE_URL")
    started.clear()
    assert cli("--db", url, "serve", "--workers", "3").exit_code == 0
    assert started[0][1]["workers"] == 3


@pytest.mark.postgres
def test_several_workers_refuse_a_database_not_set_up(
    cli: Callable[..., Result],
    make_postgres_db: Callable[[], str],
    started: list[tuple[Any, dict[str, Any]]],
) -> None:
    result = cli("--db", make_postgres_db(), "serve", "--workers", "2")
    assert result.exit_code == 2
    assert "is not set up; run 'qualify init' first" in result.stderr
    assert started == []


def _fail_sign_ins(url: str, key: str, who: str, count: int, start: Any) -> None:
    """In a process of its own: `count` failed sign-ins (each audited, in a transaction of its
    own), once every process is ready."""
    engine = db.make_engine(url)
    settings = Settings.from_env(database_url=url)
    start.wait(timeout=60)
    for n in range(count):
        with Session(engine) as session:
            audit.use_key_file(session, Path(key))
            with suppress(NotPermitted):
                signin.sign_in(
                    session=session,
                    name=f"{who}-{n}",  # a name of its own each time: no lockout
                    password="wrong",
                    portal=settings.portal,
                )
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_processes_appending_at_once_keep_the_audit_chain_whole(
    make_postgres_db: Callable[[], str], tmp_path: Path
) -> None:
    url = make_postgres_db()
    settings = set_up(url, tmp_path)
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(2)
    count = 40
    workers = [
        spawn.Process(target=_fail_sign_ins, args=(url, str(settings.audit_key), who, count, start))
        for who in ("first", "second")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    engine = db.make_engine(url)
    with Session(engine) as session:
        audit.use_key_file(session, settings.audit_key)
        failures = list(
            session.exec(
                select(AuditEvent.subject)
                .where(AuditEvent.action == "sign_in_failed")
                .order_by(col(AuditEvent.id))
            )
        )
        checked = audit.verify(session)
    engine.dispose()
    assert checked.ok, checked.problems
    tried = [f"user:{w}-{n}" for w in ("first", "second") for n in range(count)]
    assert sorted(failures) == sorted(tried)
    # The two processes did write at once: their events take turns in the chain.
    turns = sum(1 for a, b in pairwise(failures) if a[5] != b[5])
    assert turns > 1


@pytest.mark.postgres
@pytest.mark.slow
def test_two_server_processes_share_sessions_and_one_audit_chain(
    make_postgres_db: Callable[[], str], tmp_path: Path
) -> None:
    url = make_postgres_db()
    settings = set_up(url, tmp_path)
    env = {"QUALIFY_RECORDS": str(settings.records_dir)}
    problems: list[str] = []

    def browse(base_url: str, n: int) -> None:
        with httpx2.Client(base_url=base_url, timeout=30, follow_redirects=False) as browser:
            for attempt in range(5):
                token = CSRF.search(browser.get("/login").text)
                assert token is not None
                wrong = browser.post(
                    "/login",
                    data={"username": f"nobody{n}", "password": "x", "csrf_token": token[1]},
                )
                if wrong.status_code != 401:
                    problems.append(f"failed sign-in {n}/{attempt}: {wrong.status_code}")
            token = CSRF.search(browser.get("/login").text)
            assert token is not None
            done = browser.post(
                "/login",
                data={
                    "username": "rep.chen",
                    "password": PASSWORDS["rep.chen"],
                    "csrf_token": token[1],
                },
            )
            # Signed in on whichever process answered; every later page, on either, knows it.
            pages = [browser.get("/").status_code for _ in range(10)]
            if done.status_code != 303 or set(pages) != {200}:
                problems.append(f"browser {n}: sign-in {done.status_code}, pages {pages}")

    with serving(url, env=env, workers=2) as base_url:
        browsers = [threading.Thread(target=browse, args=(base_url, n)) for n in range(8)]
        for b in browsers:
            b.start()
        for b in browsers:
            b.join(timeout=120)
    assert problems == []
    engine = db.make_engine(url)
    with Session(engine) as session:
        audit.use_key_file(session, settings.audit_key)
        checked = audit.verify(session)
        failed = session.exec(
            select(AuditEvent.id).where(AuditEvent.action == "sign_in_failed")
        ).all()
    engine.dispose()
    assert checked.ok, checked.problems
    assert len(failed) == 8 * 5
