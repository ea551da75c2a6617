"""Mistakes that can be fixed: an unknown supervisor is refused at the door, a candidate's record
is corrected with a reason (audited, re-checked, closed once final), and a user's name, title
and roles are edited without taking away a role someone needs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Result

ROSTER = PROJECT / "docs" / "examples" / "roster.csv"


@pytest.fixture
def q(cli: Callable[..., Result], database_url: str) -> Callable[..., Result]:
    """HR, a commander, the Chief, two school representatives, two supervisors and a clerk who
    is no supervisor; one SRO selection."""

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", database_url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    for name, role in [
        ("cmdr1", "commander"),
        ("chief1", "chief"),
        ("rep1", "school_rep"),
        ("rep2", "school_rep"),
        ("sgt.moreau", "supervisor"),
        ("sgt.okafor", "supervisor"),
        ("clerk1", "hr"),
    ]:
        assert (
            run("user", "add", name, "--role", role, "--full-name", name, "--title", role).exit_code
            == 0
        )
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    return run


def listed(q: Callable[..., Result]) -> list[dict[str, object]]:
    return list(json.loads(q("candidate", "list", "--json").stdout))


def add(q: Callable[..., Result], supervisor: str, employee: str = "E1") -> Result:
    return q(
        "candidate", "add", "--selection", "1", "--employee-id", employee,
        "--first-name", "Ann", "--last-name", "Lee", "--supervisor", supervisor,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("supervisor", "message"),
    [
        ("lt.parks", "error: --supervisor: 'lt.parks' is not a registered user"),
        ("sgt.morreau", "'sgt.morreau' is not a registered user (did you mean 'sgt.moreau'?)"),
        (
            "clerk1",
            "'clerk1' does not hold the role Supervisor (writes recommendations) "
            "(holds Human Resources)",
        ),
    ],
)
def test_candidate_add_refuses_a_supervisor_who_is_not_a_registered_supervisor(
    q: Callable[..., Result], supervisor: str, message: str
) -> None:
    result = add(q, supervisor)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert listed(q) == []
    assert add(q, "sgt.moreau").exit_code == 0


def test_an_import_with_an_unknown_supervisor_imports_nothing(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text(
        "employee_id,first_name,last_name,supervisor\n"
        "E1,Ann,Lee,sgt.moreau\nE2,Bob,Ray,sgt.morreau\nE3,Cy,Fox,\n"
    )
    result = q("candidate", "import", str(roster), "--selection", "1")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {roster}:3: supervisor: 'sgt.morreau' is not a registered user "
        "(did you mean 'sgt.moreau'?)"
    )
    assert listed(q) == []
    assert q("candidate", "import", str(ROSTER), "--selection", "1").exit_code == 0


def recommendation(q: Callable[..., Result], candidate: str, tmp_path: Path) -> str:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4 a letter")
    rec = q(
        "evidence", "add", candidate, "recommendation", "--file", str(letter),
        "--field", "author=sgt.moreau", "--field", "written_on=2026-11-02",
    )  # fmt: skip
    assert rec.exit_code == 0, rec.stderr
    checks = json.loads(q("check", candidate, "--json").stdout)["candidates"][0]["results"]
    found = next(r for r in checks if r["check"] == "supervisor_recommendation")
    return f"{found['status']}: {found['reason']}"


def test_a_wrong_supervisor_is_corrected_and_the_check_follows(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    assert add(q, "sgt.okafor").exit_code == 0
    assert recommendation(q, "1", tmp_path).startswith(
        "fail: recommendation on file is by sgt.moreau, who is not the candidate's supervisor"
    )
    edited = q(
        "candidate", "edit", "1", "--supervisor", "sgt.moreau",
        "--reason", "HR entered the wrong sergeant",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    assert edited.stdout.strip() == "candidate 1: supervisor sgt.okafor -> sgt.moreau"
    checks = json.loads(q("check", "1", "--json").stdout)["candidates"][0]["results"]
    assert next(r for r in checks if r["check"] == "supervisor_recommendation")["status"] == "pass"
    log = json.loads(q("audit", "log", "--candidate", "1", "--json").stdout)
    event = next(e for e in log if e["action"] == "candidate_edited")
    assert event["actor"] == "hr1"
    assert event["details"] == {
        "changes": {"supervisor": {"old": "sgt.okafor", "new": "sgt.moreau"}},
        "reason": "HR entered the wrong sergeant",
    }
    assert q("audit", "verify").exit_code == 0


def test_names_rank_unit_and_email_are_corrected(q: Callable[..., Result]) -> None:
    assert add(q, "sgt.moreau").exit_code == 0
    edited = q(
        "candidate", "edit", "1", "--first-name", "Anne", "--rank", "Corporal",
        "--email", "alee@milford.example", "--reason", "as on the personnel file",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    assert edited.stdout.splitlines() == [
        "candidate 1: first name Ann -> Anne",
        "candidate 1: rank - -> Corporal",
        "candidate 1: email - -> alee@milford.example",
    ]
    shown = json.loads(q("candidate", "show", "1", "--json").stdout)
    assert (shown["name"], shown["rank"], shown["version"]) == ("Anne Lee", "Corporal", 2)
    by_name = q("candidate", "edit", "1", "--name", "Lee-Park, Anne", "--reason", "married")
    assert by_name.exit_code == 0, by_name.stderr
    assert by_name.stdout.strip() == "candidate 1: last name Lee -> Lee-Park"
    assert json.loads(q("candidate", "show", "1", "--json").stdout)["name"] == "Anne Lee-Park"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--rank", "Sergeant"], 2, "Missing option '--reason'"),
        (["--rank", "Sergeant", "--reason", "  "], 2, "--reason: say why"),
        (["--reason", "why"], 2, "give what to change"),
        (["--supervisor", "lt.parks", "--reason", "x"], 2, "'lt.parks' is not a registered user"),
        (["--last-name", "", "--reason", "x"], 2, "--last-name: is empty; it is required"),
        (["--first-name", "Ann", "--reason", "x"], 2, "Ann Lee already has those values"),
        (["--unit", "Patrol\x1b[0m", "--reason", "x"], 2, "--unit: has a control"),
    ],
)
def test_a_bad_edit_changes_nothing(
    q: Callable[..., Result], args: list[str], code: int, message: str
) -> None:
    assert add(q, "sgt.moreau").exit_code == 0
    result = q("candidate", "edit", "1", *args)
    assert result.exit_code == code
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    shown = json.loads(q("candidate", "show", "1", "--json").stdout)
    assert (shown["version"], shown["rank"], shown["supervisor"]) == (1, "", "sgt.moreau")


def test_a_candidate_in_a_final_state_is_not_edited(q: Callable[..., Result]) -> None:
    assert add(q, "sgt.moreau").exit_code == 0
    assert q("advance", "1", "withdraw", "--reason", "asked to").exit_code == 0
    refused = q("candidate", "edit", "1", "--rank", "Sergeant", "--reason", "promoted")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "error: Ann Lee is at Withdrawn, a final state: the record is closed and can no longer "
        "be edited"
    )
    assert q("candidate", "edit", "1", "--rank", "X", "--reason", "y", user="cmdr1").exit_code == 1


def test_a_user_full_name_title_and_roles_are_edited_and_audited(
    q: Callable[..., Result],
) -> None:
    edited = q(
        "user", "edit", "cmdr1", "--full-name", "Ann O'Brien",
        "--title", "Captain, Support Division Commander", "--add-role", "supervisor",
        "--reason", "promotion",
    )  # fmt: skip
    assert edited.exit_code == 0, edited.stderr
    assert edited.stdout.splitlines() == [
        "user cmdr1: full name cmdr1 -> Ann O'Brien",
        "user cmdr1: title commander -> Captain, Support Division Commander",
        "user cmdr1: roles commander -> commander, supervisor",
    ]
    users = {u["name"]: u for u in json.loads(q("user", "list", "--json").stdout)}
    assert users["cmdr1"]["roles"] == ["commander", "supervisor"]
    assert users["cmdr1"]["title"] == "Captain, Support Division Commander"
    log = json.loads(q("audit", "log", "--json").stdout)
    event = next(e for e in log if e["action"] == "user_edited")
    assert event["details"]["changes"]["roles"] == {
        "old": ["commander"],
        "new": ["commander", "supervisor"],
    }
    assert event["details"]["reason"] == "promotion"
    assert q("user", "edit", "cmdr1", "--title", "x", user="cmdr1").exit_code == 1
    unknown = q("user", "edit", "cmdr2", "--title", "x")
    assert unknown.exit_code == 2
    assert "no user 'cmdr2' (did you mean 'cmdr1'?)" in unknown.stderr
    assert q("audit", "verify").exit_code == 0


def test_a_role_needed_for_an_open_panel_seat_is_not_removed(q: Callable[..., Result]) -> None:
    assert add(q, "sgt.moreau").exit_code == 0
    assigned = q(
        "panel", "assign", "1", "--seat", "commander=cmdr1",
        "--seat", "school_rep=rep1", "--seat", "school_rep=rep2",
    )  # fmt: skip
    assert assigned.exit_code == 0, assigned.stderr
    renamed = q("user", "edit", "rep1", "--full-name", "Rosa Diaz", "--reason", "her name")
    assert renamed.exit_code == 0, renamed.stderr
    refused = q("user", "edit", "rep1", "--remove-role", "school_rep")
    assert refused.exit_code == 1
    # The role by its label and the user by name, as everywhere else.
    assert refused.stderr.strip() == (
        "error: cannot remove the role Milford School System representative from Rosa Diaz: "
        "Rosa Diaz holds the Milford School System representative seat on the panel of "
        "selection 1 (SRO), which has 1 candidates in progress; assign the seat to someone "
        "else first ('qualify panel assign 1 ...')"
    )
    absent = q("user", "edit", "rep1", "--remove-role", "commander")
    assert absent.exit_code == 2
    assert "Rosa Diaz does not hold it (holds Milford School System representative)" in (
        absent.stderr
    )
    supervising = q("user", "edit", "sgt.moreau", "--remove-role", "supervisor")
    assert supervising.exit_code == 1
    assert "sgt.moreau is the supervisor of Ann Lee, who is in progress (Nominated)" in (
        supervising.stderr
    )
    # Once the selection has nobody in progress, the seat no longer needs the role.
    assert q("advance", "1", "withdraw", "--reason", "asked to").exit_code == 0
    q("user", "edit", "rep1", "--add-role", "supervisor")
    removed = q("user", "edit", "rep1", "--remove-role", "school_rep")
    assert removed.exit_code == 0, removed.stderr
    assert removed.stdout.strip() == "user rep1: roles school_rep, supervisor -> supervisor"
