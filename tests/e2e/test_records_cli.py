"""HR's records through the CLI: users, selections, roster import, evidence and checks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Result

ROSTER = PROJECT / "docs" / "examples" / "roster.csv"
HEADER = "employee_id,name,rank,unit,supervisor,email\n"


@pytest.fixture
def q(cli: Callable[..., Result], database_url: str) -> Callable[..., Result]:
    """Run qualify as hr1 on a database with users and one open SRO selection."""

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", database_url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    people = [("cmdr1", "commander"), ("sgt.moreau", "supervisor")]
    for name, role in [*people, ("sgt.okafor", "supervisor")]:
        result = run("user", "add", name, "--role", role, "--full-name", name, "--title", role)
        assert result.exit_code == 0, result.stderr
    opened = run(
        "selection", "open", "SRO 2027", "--workflow", "sro-selection", "--as-of", "2027-01-15"
    )
    assert opened.exit_code == 0, opened.stderr
    return run


def count(q: Callable[..., Result]) -> int:
    return len(json.loads(q("candidate", "list", "--json").stdout))


def test_the_sample_roster_imports(q: Callable[..., Result]) -> None:
    result = q("candidate", "import", str(ROSTER), "--selection", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "imported 8 candidates into selection 1"
    listed = json.loads(q("candidate", "list", "--selection", "1", "--json").stdout)
    assert [c["name"] for c in listed][:2] == ["Dana Whitfield", "Luis Reyes"]
    assert {c["state"] for c in listed} == {"nominated"}


def test_bom_crlf_quoted_commas_and_blank_trailing_lines(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    csv = tmp_path / "excel.csv"
    text = (
        HEADER + 'E1,"Smith, Jo",Officer,"Patrol, Night",sgt.moreau,jo@x.org\nE2,Ann Lee,,,,\n\n\n'
    )
    csv.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    result = q("candidate", "import", str(csv), "--selection", "1")
    assert result.exit_code == 0, result.stderr
    listed = json.loads(q("candidate", "list", "--json").stdout)
    assert [(c["employee_id"], c["name"], c["unit"]) for c in listed] == [
        ("E1", "Jo Smith", "Patrol, Night"),
        ("E2", "Ann Lee", ""),
    ]


def test_every_bad_row_is_reported_and_nothing_is_imported(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        HEADER
        + "E1,Ann,,,no.such.sgt,\n"
        + "E2,,,,,\n"
        + "E1,Bob,,,,\n"
        + "E4,Cy,,,,not-an-email\n"
        + "E5,Di,,,\n"
    )
    result = q("candidate", "import", str(csv), "--selection", "1")
    assert result.exit_code == 2
    # Every problem at once, in line order: the unknown supervisor (found against the users)
    # with the problems of the file itself.
    assert result.stderr.splitlines() == [
        f"error: {csv}:2: supervisor: 'no.such.sgt' is not a registered user",
        f"error: {csv}:3: name: is empty; it is required",
        f"error: {csv}:4: employee_id: E1 is also on line 2",
        f"error: {csv}:5: email: 'not-an-email' is not an email address",
        f"error: {csv}:6: 5 values, but the header names 6 columns",
    ]
    assert count(q) == 0


def test_duplicates_against_the_selection_are_refused(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    assert q("candidate", "import", str(ROSTER), "--selection", "1").exit_code == 0
    csv = tmp_path / "again.csv"
    csv.write_text(HEADER + "NEW-1,New Person,,,,\nMPD-1077,Luis Reyes,,,,\n")
    result = q("candidate", "import", str(csv), "--selection", "1")
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"error: {csv}:3: employee_id: MPD-1077 is already candidate 2 in selection 1"
    )
    assert count(q) == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"id,name\n1,x\n", "1: unknown column 'id'"),
        (b"employee_id,name\n1,\xff\xfe\n", "not UTF-8 text (byte 19)"),
        (HEADER.encode(), "no candidates in the file, only a header"),
    ],
)
def test_bad_files_are_one_clear_line(
    q: Callable[..., Result], tmp_path: Path, content: bytes, message: str
) -> None:
    csv = tmp_path / "x.csv"
    csv.write_bytes(content)
    result = q("candidate", "import", str(csv), "--selection", "1")
    assert result.exit_code == 2
    assert message in result.stderr.splitlines()[0]


def test_a_ten_thousand_row_import_is_all_or_nothing(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    rows = [f"E{i:05d},Officer {i},Officer,Patrol,,\n" for i in range(1, 10_001)]
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    bad_rows = list(rows)
    bad_rows[9_998] = "E09999,,Officer,Patrol,,\n"  # row 9,999 has no name (file line 10,000)
    bad.write_text(HEADER + "".join(bad_rows))
    result = q("candidate", "import", str(bad), "--selection", "1")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {bad}:10000: name: is empty; it is required"
    assert count(q) == 0
    good.write_text(HEADER + "".join(rows))
    assert q("candidate", "import", str(good), "--selection", "1").exit_code == 0
    assert count(q) == 10_000


def test_candidate_add_and_duplicate(q: Callable[..., Result]) -> None:
    added = q(
        "candidate",
        "add",
        "--selection",
        "1",
        "--employee-id",
        "X1",
        "--name",
        "Ann Lee",
        "--supervisor",
        "sgt.moreau",
    )
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "added candidate 1: Ann Lee (nominated)"
    # A duplicate id is bad input, as it is in an import (exit 2).
    again = q("candidate", "add", "--selection", "1", "--employee-id", "X1", "--name", "Ann Lee")
    assert again.exit_code == 2
    assert again.stderr.strip() == "error: --employee-id: X1 is already candidate 1 in selection 1"
    empty = q("candidate", "add", "--selection", "1", "--employee-id", "X2", "--name", " ")
    assert empty.exit_code == 2
    assert empty.stderr.strip() == "error: --name: is empty; it is required"


def test_only_hr_adds_candidates(q: Callable[..., Result]) -> None:
    result = q(
        "candidate", "add", "--selection", "1", "--employee-id", "X1", "--name", "A", user="cmdr1"
    )
    assert result.exit_code == 1
    assert (
        "cmdr1 (Department Commander) may not add candidates: that needs the role Human "
        "Resources" in result.stderr
    )


def test_the_same_evidence_entered_again_is_refused_and_recorded_once(
    q: Callable[..., Result],
) -> None:
    q("candidate", "import", str(ROSTER), "--selection", "1")
    assert q("evidence", "add", "1", "service", "--date", "2019-08-12").exit_code == 0
    renamed = q("user", "edit", "hr1", "--full-name", "Marisol Alvarez", "--reason", "as on file")
    assert renamed.exit_code == 0, renamed.stderr
    again = q("evidence", "add", "1", "service", "--date", "2019-08-12")
    assert (again.exit_code, again.stdout) == (2, "")
    assert re.fullmatch(
        r"error: Dana Whitfield's full-time police service \(record #\d+, entered "
        r"\d{4}-\d\d-\d\d by Marisol Alvarez\) holds these values already; nothing was recorded\n",
        again.stderr,
    )
    shown = json.loads(q("candidate", "show", "1", "--json").stdout)
    assert len([e for e in shown["evidence"] if e["kind"] == "service"]) == 1
    # A changed value is a new record that supersedes the old one, as before.
    assert q("evidence", "add", "1", "service", "--date", "2019-08-13").exit_code == 0


def test_evidence_and_checks_from_the_command_line(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    q("candidate", "import", str(ROSTER), "--selection", "1")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 letter")
    assert q("evidence", "add", "1", "service", "--date", "2025-01-15").exit_code == 0
    rec = q(
        "evidence",
        "add",
        "1",
        "recommendation",
        "--file",
        str(letter),
        "--field",
        "author=sgt.moreau",
        "--field",
        "written_on=2026-11-02",
    )
    assert rec.exit_code == 0, rec.stderr
    table = q("check", "1")
    assert table.exit_code == 0
    assert (
        "two_years_full_time: pass: 2 years of full-time service as of 2027-01-15" in table.stdout
    )
    assert (
        "supervisor_recommendation: pass: recommendation by supervisor sgt.moreau" in table.stdout
    )
    data = json.loads(q("check", "--selection", "1", "--json").stdout)
    assert len(data["candidates"]) == 8
    assert data["candidates"][1]["results"][0]["status"] == "pending"
    shown = q("candidate", "show", "1")
    assert "#2 recommendation: author=sgt.moreau" in shown.stdout
    bad = q("evidence", "add", "1", "service", "--field", "oops")
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "error: --field 'oops': use NAME=VALUE"
    neither = q("check")
    assert neither.exit_code == 2


def test_a_role_must_exist_in_a_workflow_and_only_hr_adds_users(q: Callable[..., Result]) -> None:
    bad = q("user", "add", "x", "--role", "janitor", "--full-name", "x", "--title", "janitor")
    assert bad.exit_code == 2
    assert "--role janitor: no workflow has that role" in bad.stderr
    refused = q(
        "user", "add", "x", "--role", "hr", "--full-name", "x", "--title", "hr", user="cmdr1"
    )
    assert refused.exit_code == 1
    assert "cmdr1 (Department Commander) may not add users" in refused.stderr
    listed = json.loads(q("user", "list", "--json").stdout)
    assert {
        "name": "cmdr1",
        "roles": ["commander"],
        "full_name": "cmdr1",
        "title": "commander",
    } in (listed)


def test_a_selection_keeps_the_workflow_it_opened_with(
    cli: Callable[..., Result], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "wf"
    folder.mkdir()
    source = (PROJECT / "workflows" / "sro-selection.yaml").read_text()
    (folder / "sro-selection.yaml").write_text(source)

    def run(*args: str) -> Result:
        return cli("--db", sqlite_url, "--as", "hr1", *args)

    monkeypatch.setenv("QUALIFY_WORKFLOWS", str(folder))
    run("init", "--admin", "hr1", "--role", "hr")
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    for sergeant in ("sgt.moreau", "sgt.okafor"):
        run(
            "user",
            "add",
            sergeant,
            "--role",
            "supervisor",
            "--full-name",
            sergeant,
            "--title",
            "supervisor",
        )
    frozen = json.loads(run("selection", "show", "1", "--json").stdout)
    (folder / "sro-selection.yaml").write_text(
        source.replace('version: "2027.1"', 'version: "2027.2"')
    )
    run("candidate", "import", str(ROSTER), "--selection", "1")
    (folder / "sro-selection.yaml").unlink()
    after = json.loads(run("selection", "show", "1", "--json").stdout)
    assert after["version"] == frozen["version"] == "2027.1"
    assert after["sha256"] == frozen["sha256"]
    assert after["candidates_by_state"] == {"nominated": 8}
    text = run("selection", "show", "1").stdout
    assert f"workflow sha256 {frozen['sha256']}" in text


def test_bad_dates_and_unknown_records(q: Callable[..., Result]) -> None:
    bad = q("selection", "open", "X", "--workflow", "sro-selection", "--as-of", "15/01/2027")
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "error: --as-of: '15/01/2027' is not a date; use YYYY-MM-DD"
    missing = q("candidate", "show", "99")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == "error: no candidate 99 (see 'qualify candidate list')"


def test_commands_before_init_say_to_run_init(cli: Callable[..., Result], sqlite_url: str) -> None:
    result = cli("--db", sqlite_url, "user", "list")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: no database at {sqlite_url.removeprefix('sqlite:///')}; "
        "run 'qualify init' to create it, or check --db"
    )
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()
