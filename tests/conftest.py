"""Shared fixtures: fresh SQLite and PostgreSQL databases, and a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import Engine
from sqlmodel import Session

from qualify import auditkey
from qualify.config import Settings
from qualify.services.scenario import Scenario, add_evidence, set_up
from qualify.store import db
from qualify.store.tables import Selection
from tests.helpers.actors import CLI
from tests.helpers.builders import Sample, a_selection

pytest_plugins = ["tests.helpers.browser"]  # the browser fixtures, shared by every folder

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}
PROJECT = Path(__file__).resolve().parents[1]


def _postgres_unavailable() -> str | None:
    try:
        with psycopg.connect(**PG_ADMIN, connect_timeout=3):  # type: ignore[arg-type]
            return None
    except psycopg.OperationalError as exc:
        return str(exc).strip().splitlines()[0]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Skip (or fail, where CI sets QUALIFY_REQUIRE_POSTGRES) without a server."""
    problem = _postgres_unavailable()
    if problem is not None:
        message = f"PostgreSQL is not reachable at 127.0.0.1:5432 ({problem})"
        if os.environ.get("QUALIFY_REQUIRE_POSTGRES"):
            pytest.fail(message + "; QUALIFY_REQUIRE_POSTGRES is set, so this is an error")
        pytest.skip(message)
    return "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture
def make_postgres_db(postgres_server: str) -> Iterator[Callable[[], str]]:
    """Create throwaway PostgreSQL databases; drop them after the test."""
    created: list[str] = []

    def make() -> str:
        name = f"qualify_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(**PG_ADMIN, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created.append(name)
        return f"{postgres_server}/{name}"

    yield make
    with psycopg.connect(**PG_ADMIN, autocommit=True) as conn:  # type: ignore[arg-type]
        for name in created:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session", autouse=True)
def _audit_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One audit key for every database the tests make (the demo's, which is public, so that
    the demo runs under it too), and a config folder of the tests' own, never the real one.
    Processes the tests start inherit both. Tests of the key itself name their own files."""
    from qualify.services.demo import DEMO_KEY

    folder = tmp_path_factory.mktemp("config")
    key = auditkey.create(folder / "audit.key", DEMO_KEY).path
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(folder))
        patch.setenv("QUALIFY_AUDIT_KEY", str(key))
        yield key


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'qualify.db'}"
    make: Callable[[], str] = request.getfixturevalue("make_postgres_db")
    return make()


@pytest.fixture
def engine_for() -> Iterator[Callable[[str], Engine]]:
    """Make engines that are disposed of (their pooled connections closed) after the test."""
    engines: list[Engine] = []

    def make(url: str) -> Engine:
        engines.append(db.make_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'qualify.db'}"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Result]:
    """Run `qualify ARGS` in-process and capture its exit code and output."""
    from qualify.cli.main import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUALIFY_DATABASE_URL", raising=False)
    monkeypatch.delenv("QUALIFY_USER", raising=False)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def hr_and_commander(cli: Callable[..., Result], url: str) -> Callable[..., Result]:
    """Make the database at `url` with hr1 (HR, the administrator) and cmdr1 (a commander), and
    return `run(*args, user="hr1")`, which runs `qualify --db URL --as USER ARGS`."""

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    added = run(
        "user",
        "add",
        "cmdr1",
        "--role",
        "commander",
        "--full-name",
        "cmdr1",
        "--title",
        "commander",
    )
    assert added.exit_code == 0, added.stderr
    return run


SCENARIO = PROJECT / "docs" / "examples" / "sro-demo.yaml"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, engine_for: Callable[[str], Engine]) -> Settings:
    """Settings on a fresh, initialised database, with files kept in tmp_path."""
    db.upgrade(engine_for(database_url))
    return Settings.from_env(
        {"QUALIFY_FILES": str(tmp_path / "files"), "QUALIFY_OUTPUT": str(tmp_path / "out")},
        database_url=database_url,
    )


@pytest.fixture
def session(settings: Settings, engine_for: Callable[[str], Engine]) -> Iterator[Session]:
    with Session(engine_for(settings.database_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def sro(session: Session, settings: Settings) -> tuple[Scenario, Selection]:
    """The sample SRO selection: users, selection and roster, with every evidence record."""
    scenario = Scenario.load(SCENARIO, CLI)
    selection = set_up(session, settings, scenario)
    add_evidence(session, settings, scenario, selection)
    return scenario, selection


@pytest.fixture
def sample(session: Session, settings: Settings) -> Sample:
    """The sample SRO selection, made by the builders of tests/helpers/builders.py: its users,
    its eight officers and their evidence; carry it further with the stage builders there."""
    return a_selection(session, settings)


# What makes a test slow, measured with --durations on a loaded 2-core machine: building the
# sample selection or a part of it (`sro`, `sample`, `roster`, `appoint`, `sro_settings`: 3-10 s
# of setup), a portal's database (`web_settings`: 1.3-3 s), creating a PostgreSQL database
# (2-5 s), running whole commands on demo data (tests/e2e: 2-6 s each), rendering packets
# (tests/integration/test_packets.py: 3-48 s) and driving a browser. Such tests are marked slow
# here, so that `make test-fast` (pytest -m "not slow") runs the rest in under a minute; tests
# that are slow for another reason carry @pytest.mark.slow themselves.
SLOW_FIXTURES = {"sro", "sample", "roster", "appoint", "sro_settings", "web_settings"}
# The selected sample selection, built once per module as a file to copy (8-11 s).
SLOW_FIXTURES |= {"template", "selected_template"}
SLOW_FILES = {
    "test_packets.py",  # rendering PDFs
    "test_people_packets.py",
    "test_advance_stateful.py",  # random walks through the workflow (215 s)
    "test_removal_recall.py",  # the sample selection carried to its reports (4-11 s a test)
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        costly = any(item.get_closest_marker(name) for name in ("postgres", "browser"))
        folders = Path(item.path).parents
        if fixtures & SLOW_FIXTURES or costly or e2e in folders or item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
