"""People through the CLI: users' full names and titles, candidates' given and family names,
and the names qualify refuses (control characters, look-alike user names)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result


@pytest.fixture
def q(cli: Callable[..., Result], sqlite_url: str) -> Callable[..., Result]:
    """Run qualify as hr1 on a SQLite database with HR, a supervisor and one SRO selection."""

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", sqlite_url, "--as", user, *args)

    added = run(
        "init", "--admin", "hr1", "--role", "hr", "--full-name", "Marisol Alvarez", "--title", "HR"
    )
    assert added.exit_code == 0, added.stderr
    added = run(
        "user", "add", "sgt.moreau", "--role", "supervisor",
        "--full-name", "sgt.moreau", "--title", "Sergeant",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    opened = run(
        "selection", "open", "SRO 2027", "--workflow", "sro-selection", "--as-of", "2027-01-15"
    )
    assert opened.exit_code == 0, opened.stderr
    return run


def users(q: Callable[..., Result]) -> dict[str, dict[str, object]]:
    return {u["name"]: u for u in json.loads(q("user", "list", "--json").stdout)}


def candidates(q: Callable[..., Result]) -> list[dict[str, object]]:
    return list(json.loads(q("candidate", "list", "--json").stdout))


def test_a_user_has_a_full_name_and_a_title(q: Callable[..., Result]) -> None:
    added = q(
        "user",
        "add",
        "cmdr.obrien",
        "--role",
        "commander",
        "--full-name",
        "Ann O'Brien",
        "--title",
        "Captain, Support Division Commander",
    )
    assert added.exit_code == 0, added.stderr
    assert users(q)["cmdr.obrien"] == {
        "name": "cmdr.obrien",
        "roles": ["commander"],
        "full_name": "Ann O'Brien",
        "title": "Captain, Support Division Commander",
    }
    table = q("user", "list").stdout
    assert "Ann O'Brien" in table
    assert "Captain, Support Division Commander" in table


def test_a_candidate_has_a_given_and_a_family_name(q: Callable[..., Result]) -> None:
    added = q(
        "candidate",
        "add",
        "--selection",
        "1",
        "--employee-id",
        "E1",
        "--first-name",
        "Zoë",
        "--last-name",
        "O'Brien-Nguyễn",
    )
    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "added candidate 1: Zoë O'Brien-Nguyễn (nominated)"
    by_comma = q(
        "candidate", "add", "--selection", "1", "--employee-id", "E2", "--name", "Reyes, Luis"
    )
    assert by_comma.exit_code == 0, by_comma.stderr
    found = [(c["first_name"], c["last_name"], c["name"]) for c in candidates(q)]
    assert found == [
        ("Zoë", "O'Brien-Nguyễn", "Zoë O'Brien-Nguyễn"),
        ("Luis", "Reyes", "Luis Reyes"),
    ]
    shown = json.loads(q("candidate", "show", "2", "--json").stdout)
    assert (shown["first_name"], shown["last_name"]) == ("Luis", "Reyes")


def test_the_roster_takes_first_and_last_name_columns_or_one_name(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    two = tmp_path / "two.csv"
    two.write_text(
        "employee_id,first_name,last_name,rank\nE1,Zoë,O'Brien-Nguyễn,Officer\nE2,Ann Marie,Lee,\n",
        encoding="utf-8",
    )
    assert q("candidate", "import", str(two), "--selection", "1").exit_code == 0
    one = tmp_path / "one.csv"
    one.write_text('employee_id,name\nE3,"Reyes, Luis"\nE4,Dana Whitfield\n', encoding="utf-8")
    assert q("candidate", "import", str(one), "--selection", "1").exit_code == 0
    assert [(c["first_name"], c["last_name"]) for c in candidates(q)] == [
        ("Zoë", "O'Brien-Nguyễn"),
        ("Ann Marie", "Lee"),
        ("Luis", "Reyes"),
        ("Dana", "Whitfield"),
    ]
    neither = tmp_path / "neither.csv"
    neither.write_text("employee_id,rank\nE5,Officer\n")
    refused = q("candidate", "import", str(neither), "--selection", "1")
    assert refused.exit_code == 2
    assert "missing the names: give columns first_name,last_name (or name)" in refused.stderr


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--last-name", "Lee\x1b[2J", "U+001B"),
        ("--first-name", "Ann\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("--rank", "Offi\u200bcer", "U+200B ZERO WIDTH SPACE"),
    ],
)
def test_control_characters_in_a_candidate_are_refused(
    q: Callable[..., Result], option: str, value: str, named: str
) -> None:
    values = {"--first-name": "Ann", "--last-name": "Lee", option: value}
    args = [item for pair in values.items() for item in pair]
    result = q("candidate", "add", "--selection", "1", "--employee-id", "E1", *args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {option}: has a control or invisible character")
    assert named in result.stderr
    assert candidates(q) == []


def test_control_characters_in_a_roster_are_refused_with_the_line(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("employee_id,first_name,last_name\nE1,Ann,Lee\nE2,Bob,\u202eyeL\n")
    result = q("candidate", "import", str(roster), "--selection", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {roster}:3: last_name: has a control or invisible")
    assert candidates(q) == []


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["hr\x1b[0m2"], "U+001B"),
        (["h\u200br2"], "U+200B ZERO WIDTH SPACE"),
        (["hr2", "--full-name", "Ann\u202eLee"], "--full-name: has a control"),
        (["hr2", "--title", "Chief\x07"], "--title: has a control"),
    ],
)
def test_control_characters_in_a_user_are_refused(
    q: Callable[..., Result], args: list[str], named: str
) -> None:
    result = q("user", "add", *args, "--role", "hr")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert named in result.stderr
    assert set(users(q)) == {"hr1", "sgt.moreau"}


@pytest.mark.parametrize(
    ("name", "resembles"),
    [
        ("hr\u0031", "hr1"),  # plain ASCII twin is the same name: already exists
        ("h\u0433\u0031", "hr1"),  # Cyrillic ghe for r
        ("sgt.m\u043er\u0435au", "sgt.moreau"),  # Cyrillic o and ie
        ("\uff28\uff321", "hr1"),  # fullwidth letters: NFKC gives HR1
        ("SGT.Moreau", "sgt.moreau"),
    ],
)
def test_look_alike_user_names_are_refused_naming_the_user(
    q: Callable[..., Result], name: str, resembles: str
) -> None:
    result = q("user", "add", name, "--role", "hr", "--full-name", name, "--title", "hr")
    if name == resembles:
        assert result.exit_code == 2
        assert result.stderr.strip() == f"error: user '{name}' already exists"
        return
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert f"looks like the existing user '{resembles}'" in result.stderr
    assert set(users(q)) == {"hr1", "sgt.moreau"}


@pytest.mark.parametrize(
    ("named", "refusal"),
    [
        ([], "error: --full-name and --title: give both; documents name people by their full name and title"),
        (["--full-name", "Pat Reyes"], "error: --title: give the person's title; documents name people by it"),
        (["--full-name", "Pat Reyes", "--title", " "], "error: --title: give the person's title; documents name people by it"),
        (["--full-name", "", "--title", "Counselor"], "error: --full-name: give the person's full name; documents name people by it"),
    ],
)  # fmt: skip
def test_a_user_is_added_only_with_a_full_name_and_a_title(
    q: Callable[..., Result], named: list[str], refusal: str
) -> None:
    refused = q("user", "add", "rep5", "--role", "school_rep", *named)
    assert (refused.exit_code, refused.stderr) == (2, refusal + "\n")
    assert "rep5" not in users(q)


def test_a_missing_name_and_an_unknown_role_are_said_together(q: Callable[..., Result]) -> None:
    refused = q("user", "add", "rep5", "--role", "school_rep", "--role", "janitor")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[0] == (
        "error: --full-name and --title: give both; documents name people by their full name "
        "and title"
    )
    assert refused.stderr.splitlines()[1].startswith("error: --role janitor: no workflow has")


def test_a_new_full_name_or_title_needs_a_reason_and_may_not_be_blank(
    q: Callable[..., Result],
) -> None:
    for change in (["--full-name", "Claire Moreau-Lane"], ["--title", "Lieutenant"]):
        refused = q("user", "edit", "sgt.moreau", *change)
        assert (refused.exit_code, refused.stderr) == (
            2,
            "error: --reason: a new full name or title needs a reason, kept in the audit log\n",
        )
    blank = q("user", "edit", "sgt.moreau", "--title", "", "--reason", "typo")
    assert (blank.exit_code, blank.stderr) == (
        2,
        "error: --title: give the person's title; documents name people by it\n",
    )
    assert users(q)["sgt.moreau"]["full_name"] == "sgt.moreau"
    renamed = q(
        "user", "edit", "sgt.moreau", "--full-name", "Claire Moreau-Lane", "--reason", "married"
    )
    assert renamed.exit_code == 0, renamed.stderr
    assert users(q)["sgt.moreau"]["full_name"] == "Claire Moreau-Lane"
    (event,) = (
        e for e in json.loads(q("audit", "log", "--json").stdout) if e["action"] == "user_edited"
    )
    assert event["details"]["reason"] == "married"
    assert event["details"]["changes"] == {
        "full_name": {"old": "sgt.moreau", "new": "Claire Moreau-Lane"}
    }
    # Roles change without a reason, as before.
    assert q("user", "edit", "sgt.moreau", "--add-role", "commander").exit_code == 0
