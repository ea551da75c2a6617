"""`qualify advance` and `qualify audit` as commanders, HR and the Chief use them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Result


@pytest.fixture
def q(cli: Callable[..., Result], sqlite_url: str) -> Callable[..., Result]:
    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", sqlite_url, "--as", user, *args)

    run("init", "--admin", "hr1", "--role", "hr")
    for name, role in [("cmdr1", "commander"), ("chief", "chief")]:
        run("user", "add", name, "--role", role)
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    run(
        "candidate", "import", str(PROJECT / "docs" / "examples" / "roster.csv"), "--selection", "1"
    )
    return run


def test_advance_prints_the_move_and_the_event(q: Callable[..., Result]) -> None:
    result = q("advance", "1", "begin_screening")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "candidate 1: nominated -> screening, audit event #6"


def test_refusals_exit_1_with_one_line_per_reason(q: Callable[..., Result]) -> None:
    q("advance", "1", "begin_screening")
    refused = q("advance", "1", "confirm_eligible", user="cmdr1")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "error: cannot confirm_eligible candidate 1: 8 of 8 checks did not pass: "
    )
    assert refused.stderr.count("\n") == 1
    wrong_role = q("advance", "1", "confirm_eligible")
    assert wrong_role.exit_code == 1
    assert "hr1 may not confirm_eligible: that needs the role commander" in wrong_role.stderr


def test_a_missing_reason_and_an_unknown_trigger_are_bad_input(q: Callable[..., Result]) -> None:
    q("advance", "1", "begin_screening")
    no_reason = q("advance", "1", "withdraw", "--reason", "  ")
    assert no_reason.exit_code == 2
    unknown = q("advance", "1", "withdrew", "--reason", "x")
    assert unknown.exit_code == 2
    assert (
        unknown.stderr.strip()
        == "error: TRIGGER: sro-selection has no trigger 'withdrew' (did you mean 'withdraw'?)"
    )
    done = q("advance", "1", "withdraw", "--reason", "moving away")
    assert done.exit_code == 0


def test_candidate_show_lists_what_the_actor_may_fire(q: Callable[..., Result]) -> None:
    q("advance", "1", "begin_screening")
    shown = json.loads(q("candidate", "show", "1", "--json", user="cmdr1").stdout)
    assert shown["may_fire"] == ["confirm_eligible", "declare_ineligible", "withdraw"]
    assert "  you may fire: withdraw" in q("candidate", "show", "1").stdout


def test_audit_log_and_verify(q: Callable[..., Result], sqlite_url: str) -> None:
    q("advance", "2", "begin_screening")
    q("advance", "2", "appoint", user="chief")
    log = json.loads(q("audit", "log", "--candidate", "2", "--json").stdout)
    assert [(e["action"], e["outcome"]) for e in log] == [
        ("state_changed", "ok"),
        ("advance_refused", "refused"),
    ]
    assert log[0]["details"]["from"] == "nominated"
    verified = q("audit", "verify")
    assert verified.exit_code == 0
    assert verified.stdout.startswith("audit log verified: 7 events; head ")
    denied = q("audit", "log", user="cmdr1")
    assert denied.exit_code == 1
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_event_no_update")
        raw.execute("UPDATE audit_event SET details = '{}' WHERE id = 7")
    broken = q("audit", "verify")
    assert broken.exit_code == 1
    assert broken.stderr.strip() == (
        "error: audit log does not verify: event #7 (advance_refused) was edited: "
        "its content no longer matches its hash"
    )


def test_checks_that_do_not_apply_at_the_candidates_stage_show_a_dash(
    q: Callable[..., Result],
) -> None:
    q("advance", "1", "begin_screening")
    assert (
        q("advance", "1", "declare_ineligible", "--reason", "no records", user="cmdr1").exit_code
        == 0
    )
    shown = q("check", "1")
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert (
        "panel_complete: -: does not apply in state ineligible: the candidate has not reached the interview"
        in lines
    )
    assert (
        "interview_passed: -: does not apply in state ineligible: the candidate has not reached the interview"
        in lines
    )
    assert "- = does not apply at the candidate's stage" in lines
    assert "FAIL" not in shown.stdout.split("\n\n")[0]  # the table: pending and -, no fail
    data = json.loads(q("check", "1", "--json").stdout)["candidates"][0]["results"]
    panel = next(r for r in data if r["check"] == "panel_complete")
    assert (panel["status"], panel["applies"]) == ("not_applicable", False)
    assert all(
        r["applies"] for r in data if r["check"] not in ("panel_complete", "interview_passed")
    )
    described = json.loads(q("candidate", "show", "2", "--json").stdout)["checks"]
    assert {c["check"]: c["status"] for c in described}["interview_passed"] == "not_applicable"
