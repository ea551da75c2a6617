"""The CLI's edges: help, version, exit codes, one-line errors, a light start-up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from qualify import __version__
from tests.conftest import Result


def test_version_and_help(cli: Callable[..., Result]) -> None:
    assert cli("--version").stdout.strip() == f"qualify {__version__}"
    result = cli("--help")
    assert result.exit_code == 0
    assert "init" in result.stdout


def test_unknown_command_is_a_usage_error(cli: Callable[..., Result]) -> None:
    result = cli("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_init_twice_is_harmless(cli: Callable[..., Result], sqlite_url: str) -> None:
    first = cli("--db", sqlite_url, "init")
    assert first.exit_code == 0, first.stderr
    assert "ready" in first.stdout
    second = cli("--db", sqlite_url, "init")
    assert second.exit_code == 0
    assert "up to date" in second.stdout


def test_qualify_init_on_postgres(
    cli: Callable[..., Result], make_postgres_db: Callable[[], str]
) -> None:
    result = cli("--db", make_postgres_db(), "init")
    assert result.exit_code == 0, result.stderr
    assert "ready" in result.stdout


def test_unreachable_postgres_gives_one_line_with_the_url_and_exit_3(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qualify", "--db", "postgresql://x:s3cret@127.0.0.1:1/db", "init"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 3  # the environment: neither bad input nor a refusal
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(
        "error: cannot connect to PostgreSQL at 127.0.0.1:1 "
        "(postgresql+psycopg://x:***@127.0.0.1:1/db): "
    )
    assert "s3cret" not in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unsupported_database_url_is_bad_input(cli: Callable[..., Result]) -> None:
    result = cli("--db", "mysql://x/y", "init")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "error: --db: unsupported database 'mysql' (use sqlite or postgresql)"
    )


def test_commands_that_print_no_pdf_do_not_import_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from qualify.cli.main import main\n"
        "assert main(['--db', 'sqlite:///x.db', 'init']) == 0\n"
        "assert main(['--help']) == 0\n"
        "print('weasyprint' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert proc.stdout.strip().endswith("False")
