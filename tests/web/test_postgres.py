"""The portal's sign-in on PostgreSQL: the same sessions, invitations and lockout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, event
from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services.accounts import invite
from qualify.services.users import add_user, create_admin
from qualify.store import db
from qualify.web.app import create_app
from tests.helpers.actors import as_user
from tests.web.conftest import Clock, csrf_of, sign_in


def invited(tmp_path: Path, url: str) -> tuple[Settings, str]:
    """A PostgreSQL database with HR and rep.chen, who has an invitation (its token)."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    settings = Settings.from_env({"QUALIFY_RECORDS": str(tmp_path / "records")}, database_url=url)
    with Session(engine) as session:
        create_admin(
            session=session,
            workflows_dir=settings.workflows_dir,
            actor=as_user("hr.alvarez"),
            roles=["hr"],
        )
        add_user(
            session=session,
            workflows_dir=settings.workflows_dir,
            name="rep.chen",
            roles=["school_rep"],
            full_name="Dr. Helen Chen",
            title="Principal, Milford High School",
            actor=as_user("hr.alvarez"),
        )
        issued = invite(
            session=session, name="rep.chen", actor=as_user("hr.alvarez"), portal=settings.portal
        )
    engine.dispose()
    return settings, issued.token


def accept(browser: TestClient, token: str, password: str) -> None:
    path = f"/invite/{token}"
    done = browser.post(
        path,
        data={
            "password": password,
            "confirm": password,
            "csrf_token": csrf_of(browser.get(path).text),
        },
    )
    assert done.status_code == 303


@pytest.mark.postgres
def test_invite_sign_in_lockout_and_sign_out_on_postgres(
    make_postgres_db: Callable[[], str], tmp_path: Path
) -> None:
    settings, invitation = invited(tmp_path, make_postgres_db())
    clock = Clock()
    with TestClient(create_app(settings, clock=clock), follow_redirects=False) as browser:
        path = f"/invite/{invitation}"
        password = "rep chen staple paper"
        accept(browser, invitation, password)
        assert browser.get("/").status_code == 200
        assert browser.get(path).status_code == 404  # used
        browser.post("/logout", data={"csrf_token": csrf_of(browser.get("/").text)})
        assert browser.get("/").status_code == 303
        answers = [sign_in(browser, "rep.chen", "guess") for _ in range(5)]
        assert answers[4].startswith("sign-in for this user name is locked until ")
        clock.advance(minutes=15, seconds=1)
        assert sign_in(browser, "rep.chen", password) == "/"
        clock.advance(minutes=30, seconds=1)
        assert browser.get("/").status_code == 303  # idle


@pytest.mark.postgres
def test_who_is_signed_in_is_one_statement_outside_a_transaction(
    make_postgres_db: Callable[[], str], tmp_path: Path
) -> None:
    """Every request asks who is signed in: on PostgreSQL that is one statement (the visit, the
    user's roles and the frozen workflows together) sent without BEGIN and ROLLBACK around it."""
    settings, invitation = invited(tmp_path, make_postgres_db())
    with TestClient(create_app(settings), follow_redirects=False) as browser:
        accept(browser, invitation, "rep chen staple paper")
        engine = browser.app.state.portal.engine  # type: ignore[attr-defined]
        seen: list[tuple[str, bool]] = []

        def statement(conn: Connection, _cursor: object, sql: str, *_: object) -> None:
            seen.append((sql, conn.connection.dbapi_connection.autocommit))  # type: ignore[union-attr]

        event.listen(engine, "before_cursor_execute", statement)
        try:
            assert browser.get("/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", statement)
    visits = [(sql, outside) for sql, outside in seen if "FROM web_session" in sql]
    assert len(visits) == 1, seen
    sql, outside = visits[0]
    assert outside, "the visit was read inside a transaction"
    assert "FROM selection" in sql  # the workflows' hashes come with it
    assert not any("FROM selection" in other for other, _ in seen if other != sql)
