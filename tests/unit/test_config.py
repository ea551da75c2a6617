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


def test_environment_sets_every_folder_and_the_url() -> None:
    env = {
        "QUALIFY_DATABASE_URL": "postgresql://h/db",
        "QUALIFY_WORKFLOWS": "/w",
        "QUALIFY_TEMPLATES": "/t",
        "QUALIFY_OUTPUT": "/o",
        "QUALIFY_FILES": "/f",
    }
    settings = Settings.from_env(env)
    assert settings.database_url == "postgresql://h/db"
    assert (settings.workflows_dir, settings.templates_dir) == (Path("/w"), Path("/t"))
    assert (settings.output_dir, settings.files_dir) == (Path("/o"), Path("/f"))


def test_the_db_option_overrides_the_environment() -> None:
    settings = Settings.from_env(
        {"QUALIFY_DATABASE_URL": "sqlite:///a.db"}, database_url="sqlite:///b.db"
    )
    assert settings.database_url == "sqlite:///b.db"
    assert settings.files_dir == Path("b-files")
