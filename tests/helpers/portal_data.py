"""A prepared portal database: the sample SRO selection at a stage, with hostile names; and
the portal serving it to an HTTP test client (`serving`), signed in as any sample user.

The sample officer MPD-1077 is renamed `<script>alert(1)</script>` `"><img src=x
onerror=alert(1)>` (so the name reaches every page: screening, glance, results, packets), and
a second officer with those names waits in screening.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services import selections, signin
from qualify.services.evidence import add_evidence
from qualify.store import db
from qualify.store.eligible_list import decided_words
from qualify.store.tables import Candidate
from qualify.web.app import create_app
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    COMMANDER,
    HR,
    Sample,
    a_selection,
    advanced,
    an_officer,
    declared,
    interviewed,
    password_of,
    renamed,
    with_passwords,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"


def scoring(sample: Sample) -> None:
    """Interviews under way: the commander has declared no conflict, the representatives
    nothing yet."""
    declared(sample, panelists=[COMMANDER])


@dataclass(frozen=True)
class Prepared:
    settings: Settings
    selection_id: int
    ids: dict[str, int]  # employee id -> candidate id; "XSS-1": the officer waiting in screening

    @property
    def env(self) -> dict[str, str]:
        """What a `qualify serve` process needs to find the same files and records."""
        return {
            "QUALIFY_FILES": str(self.settings.files_dir),
            "QUALIFY_OUTPUT": str(self.settings.output_dir),
            "QUALIFY_RECORDS": str(self.settings.records_dir),
        }


def settings_for(folder: Path) -> Settings:
    return Settings.from_env(
        {
            "QUALIFY_FILES": str(folder / "files"),
            "QUALIFY_OUTPUT": str(folder / "out"),
            "QUALIFY_RECORDS": str(folder / "records"),
        },
        database_url=f"sqlite:///{folder / 'qualify.db'}",
    )


def prepare(
    folder: Path,
    *,
    stage: Callable[[Sample], object] = interviewed,
    database_url: str | None = None,
    passwords: tuple[str, ...] = (),
    hostile: bool = True,
    years_back: int = 0,
    waiting_apart: bool = False,
) -> Prepared:
    """The sample selection carried to `stage` (every scorecard submitted and the scores
    recorded, unless another is named), with the hostile names (or, without
    `hostile`, an ordinary officer waiting in screening); the users named in `passwords` get
    the portal password `password_of(name)`. `years_back` moves the sample's dates that many
    years earlier (for a page that checks dates against the real clock). The officer waiting
    in screening is in selection 1 unless the stage decided it or `waiting_apart` asks (for
    the Chief's decisions, which wait for an officer in screening): then in a second one."""
    settings = settings_for(folder)
    if database_url is not None:
        settings = replace(settings, database_url=database_url)
    engine = db.make_engine(settings.database_url)
    try:
        db.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            sample = a_selection(session, settings, years_back=years_back)
            stage(sample)
            ids = dict(sample.ids)
            selection_id = sample.selection_id
            if hostile:
                renamed(sample, "MPD-1077", SCRIPT, IMG)
            # The officer waiting joins after the stage, so that it leaves them alone. Once the
            # Chief has decided, no one joins the selection, and before, the decision waits for
            # an officer in screening: then (or when asked) the officer waits in a second one.
            if waiting_apart or decided_words(session, sample.selection) is not None:
                sample.selection = selections.open_selection(
                    session=session,
                    settings=settings,
                    title="School Resource Officer 2027, second call",
                    workflow="sro-selection",
                    as_of=sample.date("2027-01-15"),
                    actor=as_user(HR),
                    now=sample.clock.tick(),
                )
            waiting = ("XSS-1", SCRIPT, IMG) if hostile else ("MPD-1210", "Jordan", "Lee")
            ids["XSS-1"] = an_officer(sample, *waiting)
            advanced(sample, "begin_screening", HR, [waiting[0]])
            with_passwords(session, {name: password_of(name) for name in passwords})
    finally:
        engine.dispose()
    return Prepared(settings, selection_id, ids)


def not_certified(data: Prepared) -> None:
    """HR records that the officer waiting in screening is not certified full-time: a failed
    qualification, so the commander may declare the officer ineligible at once. (With nothing
    on file every check only pends, and declaring waits for the sample's as-of date, 2027-01-15,
    which the real clock may not have reached.)"""
    engine = db.make_engine(data.settings.database_url)
    with Session(engine) as session:
        add_evidence(
            session=session,
            files_dir=data.settings.files_dir,
            candidate_id=data.ids["XSS-1"],
            kind="certification",
            fields={"full_time_certified": "no"},
            actor=as_user(HR),
        )
    engine.dispose()


@dataclass
class Browser:
    """A test client, signed in or not (`csrf` is then ''), that posts forms with its token."""

    http: TestClient
    csrf: str

    def get(self, path: str) -> Any:
        return self.http.get(path)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)


@dataclass
class Site:
    """The portal on a prepared database; `now`, if given, is its clock and sign-ins' time."""

    data: Prepared
    app: Any
    now: datetime | None = None

    def browser(self, user: str | None = None) -> Browser:
        """A client signed in as `user` (a new session of theirs), or signed in as no one."""
        client = TestClient(self.app, follow_redirects=False)
        if user is None:
            return Browser(client, "")
        with self._session() as session:
            token = signin.open_signed_in(
                session=session, user=user, portal=self.data.settings.portal, now=self.now
            )
            visit = signin.look_up(session, token)
        assert visit is not None
        client.cookies.set("qualify_session", token)
        return Browser(client, visit.csrf_token)

    def count(self, table: type) -> int:
        with self._session() as session:
            return int(session.exec(select(func.count()).select_from(table)).one())

    def candidate(self, employee_id: str) -> Candidate:
        with self._session() as session:
            found = session.get(Candidate, self.data.ids[employee_id])
        assert found is not None
        return found

    def state(self, employee_id: str) -> str:
        return self.candidate(employee_id).state

    def id(self, employee_id: str) -> int:
        return self.data.ids[employee_id]

    @contextmanager
    def _session(self) -> Iterator[Session]:
        engine = db.make_engine(self.data.settings.database_url)
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def serving(data: Prepared, *, now: datetime | None = None) -> Iterator[Site]:
    """The portal on `data` (its clock stopped at `now`, if given) for a module-scoped fixture
    to yield from; its connections are closed after."""
    app = create_app(data.settings, clock=None if now is None else lambda: now)
    yield Site(data, app, now)
    app.state.portal.engine.dispose()
