"""The portal's sign-in on PostgreSQL: the same sessions, invitations and lockout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services.accounts import invite
from qualify.services.users import add_user, create_admin
from qualify.store import db
from qualify.web.app import create_app
from tests.helpers.actors import as_user
from tests.web.conftest import Clock, csrf_of, sign_in


@pytest.mark.postgres
def test_invite_sign_in_lockout_and_sign_out_on_postgres(
    make_postgres_db: Callable[[], str], tmp_path: Path
) -> None:
    url = make_postgres_db()
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
    clock = Clock()
    with TestClient(create_app(settings, clock=clock), follow_redirects=False) as browser:
        path = f"/invite/{issued.token}"
        token = csrf_of(browser.get(path).text)
        password = "rep chen staple paper"
        done = browser.post(
            path, data={"password": password, "confirm": password, "csrf_token": token}
        )
        assert done.status_code == 303
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
