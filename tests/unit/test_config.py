"""Settings come from QUALIFY_* variables, with --db overriding the URL."""

from __future__ import annotations

from pathlib import Path

from qualify.config import Settings


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
