"""Settings come from QUALIFY_* variables, with --db overriding the URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qualify.config import PortalSettings, Settings
from qualify.errors import BadInput
from tests.conftest import Result


def test_defaults_to_a_sqlite_file_in_the_working_folder() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///qualify.db"
    assert settings.files_dir == Path("qualify-files")
    assert settings.output_dir == Path("out")
    assert settings.workflows_dir.name == "workflows"
    assert settings.records_dir == Path.cwd() / "qualify-records"


def test_environment_sets_every_folder_and_the_url() -> None:
    env = {
        "QUALIFY_DATABASE_URL": "postgresql://h/db",
        "QUALIFY_WORKFLOWS": "/w",
        "QUALIFY_TEMPLATES": "/t",
        "QUALIFY_OUTPUT": "/o",
        "QUALIFY_FILES": "/f",
        "QUALIFY_RECORDS": "/r",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql://h/db"
    assert (settings.workflows_dir, settings.templates_dir) == (Path("/w"), Path("/t"))
    assert (settings.output_dir, settings.files_dir) == (Path("/o"), Path("/f"))
    assert settings.records_dir == Path("/r")


def test_the_db_option_overrides_the_environment() -> None:
    settings = Settings.from_env(
        {"QUALIFY_DATABASE_URL": "sqlite:///a.db"}, database_url="sqlite:///b.db"
    )
    assert settings.database_url == "sqlite:///b.db"
    assert settings.files_dir == Path("b-files")
    assert settings.records_dir == Path.cwd() / "b-records"


def test_records_sit_beside_a_sqlite_file_wherever_the_command_runs() -> None:
    settings = Settings.from_env({}, database_url="sqlite:////srv/qualify/hr.db")
    assert settings.records_dir == Path("/srv/qualify/hr-records")


def test_records_of_a_server_database_go_to_the_data_folder_not_the_working_folder() -> None:
    env = {"XDG_DATA_HOME": "/home/hr/.data"}
    settings = Settings.from_env(env, database_url="postgresql://db.example:5433/sro")
    assert settings.records_dir == Path("/home/hr/.data/qualify/db.example-5433-sro-records")


def test_serving_on_another_port_than_the_invitation_links_warns_in_one_line() -> None:
    local = PortalSettings.from_env({})
    assert local.port_warning("127.0.0.1", 8000) is None
    assert local.port_warning("127.0.0.1", 8001) == (
        "invitation links lead to http://127.0.0.1:8000 (QUALIFY_PORTAL_URL), but this portal "
        "listens on port 8001: set QUALIFY_PORTAL_URL=http://127.0.0.1:8001"
    )
    moved = PortalSettings.from_env({"QUALIFY_PORTAL_URL": "http://localhost:8001/"})
    assert moved.port_warning("127.0.0.1", 8001) is None
    # Behind a reverse proxy the address is another machine's: the proxy forwards, no warning.
    proxied = PortalSettings.from_env({"QUALIFY_PORTAL_URL": "https://portal.milford.example"})
    assert proxied.port == 443
    assert proxied.port_warning("127.0.0.1", 8000) is None
    with pytest.raises(BadInput, match="its port is not a number"):
        PortalSettings.from_env({"QUALIFY_PORTAL_URL": "http://127.0.0.1:80a0"})


def test_serve_warns_when_the_invitation_links_lead_to_another_port(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    url = f"sqlite:///{tmp_path / 'q.db'}"
    assert cli("--db", url, "init", "--admin", "hr.alvarez").exit_code == 0
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kw: None)  # start nothing
    served = cli("--db", url, "serve", "--port", "8042")
    assert served.exit_code == 0, served.stderr
    assert served.stderr == (
        "warning: invitation links lead to http://127.0.0.1:8000 (QUALIFY_PORTAL_URL), but this "
        "portal listens on port 8042: set QUALIFY_PORTAL_URL=http://127.0.0.1:8042\n"
    )
    assert cli("--db", url, "serve").stderr == ""
