"""The portal under Starlette's test client, on a fresh SQLite database with a few users."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.store import db
from qualify.store.clock import utcnow
from qualify.store.tables import AuditEvent
from qualify.web.app import create_app
from tests.helpers.builders import some_users, with_passwords

PASSWORDS = {
    "hr.alvarez": "hr correct horse battery",
    "rep.chen": "rep chen staple paper",
    "cmdr.obrien": "cmdr obrien blue window",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    """The portal's clock: the real time, moved on by `offset` (for timeouts and expiry)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    """A fresh database with HR (the administrator), a school representative and a commander,
    each with a portal password."""
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    settings = Settings.from_env(
        {"QUALIFY_FILES": str(tmp_path / "files"), "QUALIFY_RECORDS": str(tmp_path / "records")},
        database_url=url,
    )
    with Session(engine) as session:
        made = some_users(
            session,
            settings,
            {"hr.alvarez": "hr", "rep.chen": "school_rep", "cmdr.obrien": "commander"},
        )
        with_passwords(session, {name: PASSWORDS[name] for name in made})
    engine.dispose()
    return settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(web_settings: Settings, clock: Clock) -> Iterator[Callable[[], TestClient]]:
    """Browsers on one portal: each client keeps its own cookies."""
    app = create_app(web_settings, clock=clock)
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[[], TestClient]) -> TestClient:
    return make_client()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str | None = None) -> str:
    """Sign in through the form; return the response's location (or its error text)."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": name,
            "password": PASSWORDS[name] if password is None else password,
            "csrf_token": csrf_of(page.text),
        },
    )
    if response.status_code == 303:
        return response.headers["location"]
    return refusal(response.text)


def refusal(html: str) -> str:
    """The refusal a page shows (its role="alert" text)."""
    found = re.search(r'role="alert"[^>]*>([^<]*)<', html)
    assert found, "the page shows no refusal"
    import html as html_module

    return html_module.unescape(found.group(1))


def events(settings: Settings, action: str) -> list[AuditEvent]:
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return list(
                session.exec(
                    select(AuditEvent)
                    .where(AuditEvent.action == action)
                    .order_by(col(AuditEvent.id))
                )
            )
    finally:
        engine.dispose()


SRO_PASSWORDS = {
    "hr.alvarez": "hr correct horse battery",
    "rep.chen": "rep chen staple paper",
    "rep.douglas": "rep douglas green lamp",
    "cmdr.obrien": "cmdr obrien blue window",
    "chief.walsh": "chief walsh red door",
}
PASSWORDS.update(SRO_PASSWORDS)


@pytest.fixture(scope="session")
def sro_template(tmp_path_factory: pytest.TempPathFactory, _audit_key: Path) -> Path:
    """The sample SRO selection up to its interviews (three candidates in interview, the panel
    cmdr.obrien, rep.chen and rep.douglas), with portal passwords: built once, copied per test."""
    from tests.helpers.builders import a_selection, in_interview

    folder = tmp_path_factory.mktemp("sro")
    url = f"sqlite:///{folder / 'portal.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    settings = Settings.from_env({"QUALIFY_FILES": str(folder / "files")}, database_url=url)
    with Session(engine, expire_on_commit=False) as session:
        in_interview(a_selection(session, settings))
        with_passwords(session, SRO_PASSWORDS)
    engine.dispose()
    return folder


@pytest.fixture
def sro_settings(sro_template: Path, tmp_path: Path) -> Settings:
    import shutil

    shutil.copy(sro_template / "portal.db", tmp_path / "portal.db")
    if (sro_template / "files").exists():
        shutil.copytree(sro_template / "files", tmp_path / "files")
    return Settings.from_env(
        {"QUALIFY_FILES": str(tmp_path / "files"), "QUALIFY_RECORDS": str(tmp_path / "records")},
        database_url=f"sqlite:///{tmp_path / 'portal.db'}",
    )


@pytest.fixture
def sro_browser(sro_settings: Settings, clock: Clock) -> Iterator[Callable[[str], TestClient]]:
    """Browsers on the SRO portal, each signed in as the user named."""
    app = create_app(sro_settings, clock=clock)
    clients: list[TestClient] = []

    def make(name: str) -> TestClient:
        client = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
        clients.append(client.__enter__())
        assert sign_in(client, name) == "/"
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def candidate_id(settings: Settings, employee_id: str) -> int:
    from qualify.store.tables import Candidate

    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            found = session.exec(
                select(Candidate.id).where(Candidate.employee_id == employee_id)
            ).one()
            assert found is not None
            return found
    finally:
        engine.dispose()
