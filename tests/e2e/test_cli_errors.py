"""Exit codes and errors: every usage or bad-input error is one line on stderr with exit 2, with
a did-you-mean where there is a list of valid values; only `init` creates a database; help
shows conventional metavars."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, hr_and_commander

BOX = set("╭╮╰╯│─")


@pytest.fixture
def q(cli: Callable[..., Result], sqlite_url: str) -> Callable[..., Result]:
    """A SQLite database with HR, a commander, one selection and one candidate."""
    run = hr_and_commander(cli, sqlite_url)
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    added = run("candidate", "add", "--selection", "1", "--employee-id", "E1", "--name", "Ann Lee")
    assert added.exit_code == 0, added.stderr
    return run


def one_line_exit_2(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert not BOX & set(result.stderr)
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["advance"], "error: Missing argument 'CANDIDATE'. (see 'qualify advance --help')"),
        (["advance", "one", "begin_screening"], "error: Invalid value for 'CANDIDATE'"),
        (["candidate", "list", "--stat", "x"], "error: No such option: --stat"),
        (["candidate", "list", "--state"], "error: Option '--state' requires an argument."),
        (["frobnicate"], "error: No such command 'frobnicate'."),
        (["candidate", "lst"], "error: No such command 'lst'. Did you mean 'list'?"),
    ],
)
def test_a_usage_error_is_one_line_without_boxes(
    q: Callable[..., Result], args: list[str], expected: str
) -> None:
    assert one_line_exit_2(q(*args)).startswith(expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["candidate", "list", "--state", "eligable"], "did you mean 'eligible'?"),
        (["candidate", "list", "--selection", "1", "--state", "Nominated"], "'nominated'"),
        (["advance", "1", "begin_screenin"], "did you mean 'begin_screening'?"),
        (["workflow", "show", "sro-selecton"], "did you mean 'sro-selection'?"),
        (["packet", "1", "--stage", "nominatd"], "did you mean 'nominated'?"),
        (["evidence", "add", "1", "servce", "--date", "2020-01-01"], "did you mean 'service'?"),
        (
            ["user", "add", "x", "--role", "comander", "--full-name", "x", "--title", "comander"],
            "did you mean 'commander'?",
        ),
        (
            ["evidence", "add", "1", "service", "--date", "2020-01-01", "--by", "hr2"],
            "--by: 'hr2' is not a registered user (did you mean 'hr1'?)",
        ),
    ],
)
def test_an_unknown_name_is_bad_input_with_a_did_you_mean(
    q: Callable[..., Result], args: list[str], expected: str
) -> None:
    assert expected in one_line_exit_2(q(*args))


def test_an_unknown_state_is_an_error_not_an_empty_table(q: Callable[..., Result]) -> None:
    line = one_line_exit_2(q("candidate", "list", "--state", "eligable"))
    assert line.startswith("error: --state: no state 'eligable' in the workflow")
    listed = q("candidate", "list", "--state", "eligible")
    assert listed.exit_code == 0  # a real state with nobody in it is an empty table


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["candidate", "show", "99"], "error: no candidate 99 (see 'qualify candidate list')"),
        (["advance", "99", "begin_screening"], "error: no candidate 99"),
        (["selection", "show", "7"], "error: no selection 7 (see 'qualify selection list')"),
        (["candidate", "list", "--selection", "7"], "error: no selection 7"),
        (["check", "99"], "error: no candidate 99"),
    ],
)
def test_unknown_records_exit_2_in_every_command(
    q: Callable[..., Result], args: list[str], expected: str
) -> None:
    assert one_line_exit_2(q(*args)).startswith(expected)


def test_only_init_creates_a_database(cli: Callable[..., Result], tmp_path: Path) -> None:
    typo = tmp_path / "qualfy.db"
    for args in (["user", "list"], ["candidate", "list", "--state", "x"], ["audit", "verify"]):
        line = one_line_exit_2(cli("--db", f"sqlite:///{typo}", "--as", "hr1", *args))
        assert (
            line == f"error: no database at {typo}; run 'qualify init' to create it, or check --db"
        )
        assert not typo.exists()
    default = cli("--as", "hr1", "user", "list")  # the default sqlite:///qualify.db, cwd tmp_path
    assert one_line_exit_2(default).startswith("error: no database at qualify.db")
    assert not (tmp_path / "qualify.db").exists()
    assert cli("--db", f"sqlite:///{typo}", "init").exit_code == 0
    assert typo.exists()


def test_help_shows_conventional_metavars(cli: Callable[..., Result]) -> None:
    pages = {
        "advance": "Usage: qualify advance [OPTIONS] CANDIDATE TRIGGER",
        "check": "Usage: qualify check [OPTIONS] [CANDIDATE]",
        "evidence add": "Usage: qualify evidence add [OPTIONS] CANDIDATE KIND",
        "candidate list": "Usage: qualify candidate list [OPTIONS]",
    }
    for command, usage in pages.items():
        shown = cli(*command.split(), "--help")
        assert shown.exit_code == 0
        assert usage in shown.stdout
        for unconventional in ("{", "<bool>", "<int>", "<str>", "<path>", "│"):
            assert unconventional not in shown.stdout, (command, unconventional)
    assert "--reason TEXT" in cli("advance", "--help").stdout
    assert "--selection INTEGER" in cli("check", "--help").stdout
    assert "--file PATH" in cli("evidence", "add", "--help").stdout


def test_no_arguments_prints_the_help(cli: Callable[..., Result]) -> None:
    shown = cli()
    assert shown.exit_code == 0
    assert shown.stdout.startswith("Usage: qualify [OPTIONS] COMMAND [ARGS]...")


def test_the_installed_command_prints_one_line_too(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "qualify", "advance", "x", "y"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("error: Invalid value for 'CANDIDATE'")
