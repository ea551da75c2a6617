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
    people = [("cmdr1", "commander"), ("chief", "chief")]
    for name, role in [*people, ("sgt.moreau", "supervisor"), ("sgt.okafor", "supervisor")]:
        run("user", "add", name, "--role", role, "--full-name", name, "--title", role)
    # An as-of date that has passed: an officer whose checks are only pending may be declared
    # ineligible (records_incomplete), as before an as-of date to come they may not.
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2026-11-16")
    run(
        "candidate", "import", str(PROJECT / "docs" / "examples" / "roster.csv"), "--selection", "1"
    )
    return run


def test_advance_prints_the_move_and_the_event(q: Callable[..., Result]) -> None:
    result = q("advance", "1", "begin_screening")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "candidate 1: nominated -> screening, audit event #8"


def test_refusals_exit_1_with_one_line_per_reason(q: Callable[..., Result]) -> None:
    q("advance", "1", "begin_screening")
    refused = q("advance", "1", "confirm_eligible", user="cmdr1")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        'error: cannot "Confirm the officer meets qualifications 1-4" for Dana Whitfield: of 8 '
        "checks, 8 are pending: "
    )
    # Nothing on file decides them yet: pending, not failed, each named by its label.
    assert "Certified full-time police officer: pending: " in refused.stderr
    assert refused.stderr.count("\n") == 1
    wrong_role = q("advance", "1", "confirm_eligible")
    assert wrong_role.exit_code == 1
    assert wrong_role.stderr.startswith("error: hr1 (")
    assert (
        ') may not "Confirm the officer meets qualifications 1-4" for Dana Whitfield: that needs '
        "the role Department Commander; at Eligibility screening, you may "
    ) in wrong_role.stderr


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
        ("candidates_imported", "ok"),  # how the officer came in
        ("state_changed", "ok"),
        ("advance_refused", "refused"),
    ]
    assert log[1]["details"]["from"] == "nominated"
    verified = q("audit", "verify")
    assert verified.exit_code == 0
    assert verified.stdout.startswith("audit log verified: 9 events; head ")
    denied = q("audit", "log", user="cmdr1")
    assert denied.exit_code == 1
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_event_no_update")
        raw.execute("UPDATE audit_event SET details = '{}' WHERE id = 9")
    broken = q("audit", "verify")
    assert broken.exit_code == 1
    assert broken.stderr.strip() == (
        "error: audit log does not verify: event #9 (advance_refused) was edited: "
        "its content no longer matches its hash"
    )


def test_packets_of_an_advance_go_to_the_private_records_folder_and_are_never_overwritten(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    database = tmp_path / "hr" / "qualify.db"
    database.parent.mkdir()
    desk = tmp_path / "desk"  # where the commander happens to run the command
    desk.mkdir()
    monkeypatch.chdir(desk)
    old_umask = os.umask(0o022)

    def q(*args: str, user: str = "hr1") -> Result:
        return cli("--db", f"sqlite:///{database}", "--as", user, *args)

    try:
        q("init", "--admin", "hr1", "--role", "hr")
        people = [("cmdr1", "commander"), ("chief", "chief")]
        for name, role in [*people, ("sgt.moreau", "supervisor"), ("sgt.okafor", "supervisor")]:
            q("user", "add", name, "--role", role, "--full-name", name, "--title", role)
        q("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2026-11-16")
        roster = str(PROJECT / "docs" / "examples" / "roster.csv")
        q("candidate", "import", roster, "--selection", "1")
        q("advance", "1", "begin_screening")
        code = ("--reason-code", "records_incomplete")
        first = q("advance", "1", "declare_ineligible", "--reason", "none", *code, user="cmdr1")
        monkeypatch.chdir(tmp_path)
        q("advance", "1", "reinstate", "--reason", "records found", user="chief")
        second = q("advance", "1", "declare_ineligible", "--reason", "still", *code, user="cmdr1")
    finally:
        os.umask(old_umask)
    assert first.exit_code == second.exit_code == 0, first.stderr + second.stderr
    records = tmp_path / "hr" / "qualify-records"
    assert list(desk.iterdir()) == []
    assert not (tmp_path / "out").exists()
    assert stat.S_IMODE(records.stat().st_mode) == 0o700
    events = [
        line.rsplit("#", 1)[1]
        for line in (first.stdout + second.stdout).splitlines()
        if "audit event #" in line
    ]
    names = sorted(p.name for p in records.glob("*.pdf"))
    assert names == sorted(
        f"selection-1_candidate-0001_ineligible_{kind}_event-{event}{copy}.pdf"
        for event in events
        # The commander's copy of the review withholds sensitive evidence, and is named so; the
        # notice reads the same for every reader.
        for kind, copy in (("eligibility_review", "_commander-copy"), ("notice_ineligible", ""))
    )
    assert all(stat.S_IMODE((records / n).stat().st_mode) == 0o600 for n in names)
    assert first.stdout.count(f"wrote {records}/") == 2


def test_checks_that_do_not_apply_at_the_candidates_stage_show_a_dash(
    q: Callable[..., Result],
) -> None:
    q("advance", "1", "begin_screening")
    code = ("--reason-code", "records_incomplete")
    declared = q("advance", "1", "declare_ineligible", "--reason", "none", *code, user="cmdr1")
    assert declared.exit_code == 0
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
