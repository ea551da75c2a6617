"""A selection opened by mistake: an as-of date far ahead needs confirming, and a selection with
no candidates is closed with a reason; it leaves the lists and the portal's pickers, and its
records stay."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Result, hr_and_commander

# The day in the SRO workflow's time zone, as `selection open` measures it.
TODAY = datetime.now(ZoneInfo("America/New_York")).date()


@pytest.fixture
def q(cli: Callable[..., Result], database_url: str) -> Callable[..., Result]:
    """qualify as hr1, the administrator, on a database with a commander and no selection."""
    return hr_and_commander(cli, database_url)


def _open(q: Callable[..., Result], title: str, as_of: str, *more: str) -> Result:
    return q("selection", "open", title, "--workflow", "sro-selection", "--as-of", as_of, *more)


def test_an_as_of_date_more_than_90_days_ahead_is_refused_unless_confirmed(
    q: Callable[..., Result],
) -> None:
    """The tryout opened 'SRO 2027' as of 2027-06-01 by mistake, with no word said."""
    far = TODAY + timedelta(days=91)
    refused = _open(q, "SRO 2027", str(far))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: --as-of {far}: 91 days after today ({TODAY}): qualifications are measured on "
        "that day, and a date more than 90 days ahead is more often a mistyped year or month; "
        "if that day is meant, give --far-as-of too\n"
    )
    assert json.loads(q("selection", "list", "--json").stdout) == []
    assert _open(q, "SRO 2027", str(TODAY + timedelta(days=90))).exit_code == 0
    assert _open(q, "SRO 2028", str(far), "--far-as-of").exit_code == 0
    assert _open(q, "SRO 2019", "2019-01-15").exit_code == 0  # the past is ordinary
    assert len(json.loads(q("selection", "list", "--json").stdout)) == 3


def test_a_selection_opened_by_mistake_is_closed_with_a_reason_and_leaves_the_list(
    q: Callable[..., Result],
) -> None:
    assert _open(q, "SRO 2027", str(TODAY)).exit_code == 0
    assert _open(q, "SRO 2O27", str(TODAY)).exit_code == 0  # mistyped: a letter O
    assert (
        q(
            "candidate", "add", "--selection", "1", "--employee-id", "E1", "--name", "Ann Lee"
        ).exit_code
        == 0
    )

    assert q("selection", "close", "2", "--reason", " ").exit_code == 2
    commander = q("selection", "close", "2", "--reason", "Typo", user="cmdr1")
    assert commander.exit_code == 1
    assert "cmdr1 (Department Commander) may not close a selection" in commander.stderr
    closed = q("selection", "close", "2", "--reason", "Opened twice, the title mistyped")
    assert closed.exit_code == 0, closed.stderr
    assert closed.stdout.startswith("closed selection 2, audit event #")

    listed = q("selection", "list")
    assert [line.split()[0] for line in listed.stdout.splitlines()[2:-1]] == ["1"]
    assert listed.stdout.splitlines()[-1] == "(1 closed not shown; --all lists them)"
    every = json.loads(q("selection", "list", "--all", "--json").stdout)
    assert [s["closed"] is not None for s in every] == [False, True]
    assert every[1]["closed"]["reason"] == "Opened twice, the title mistyped"
    shown = q("selection", "show", "2").stdout
    assert "by hr1: Opened twice, the title mistyped\n" in shown

    # Nothing more is done in it; again, it is refused saying when and why.
    for args in (
        ["candidate", "add", "--selection", "2", "--employee-id", "E2", "--name", "Bo Diaz"],
        ["selection", "close", "2", "--reason", "again"],
    ):
        again = q(*args)
        assert again.exit_code == 1, args
        assert again.stderr == (
            f"error: selection 2 was closed on {TODAY} by hr1 (Opened twice, the title "
            "mistyped): nothing more is done in it\n"
        )
    # A selection with candidates is not closed: its records go on.
    held = q("selection", "close", "1", "--reason", "Typo")
    assert held.exit_code == 1
    assert held.stderr.startswith(
        "error: selection 1 holds 1 candidate still in the running (Ann Lee at Nominated): "
    )
    log = json.loads(q("audit", "log", "--json").stdout)
    assert [e["action"] for e in log].count("selection_closed") == 1
    assert q("audit", "verify").exit_code == 0


def test_candidates_imported_by_mistake_are_taken_out_without_a_letter_then_it_closes(
    q: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tryout imported two officers into the wrong selection: withdrawing them printed
    letters saying they had withdrawn, and the selection still could not be closed."""
    records = tmp_path / "records"
    monkeypatch.setenv("QUALIFY_RECORDS", str(records))
    assert _open(q, "SRO 2027", str(TODAY)).exit_code == 0
    roster = tmp_path / "wrong.csv"
    roster.write_text(
        "employee_id,first_name,last_name,rank,unit,supervisor,email\n"
        "E1,Ann,Lee,Officer,Patrol A,,\nE2,Bo,Diaz,Officer,Patrol B,,\n",
        encoding="utf-8",
    )
    assert q("candidate", "import", str(roster), "--selection", "1").exit_code == 0
    held = q("selection", "close", "1", "--reason", "Imported into the wrong selection")
    assert held.exit_code == 1
    assert held.stderr == (
        "error: selection 1 holds 2 candidates still in the running (Ann Lee at Nominated, Bo "
        "Diaz at Nominated): a selection is closed only once each candidate in it has reached a "
        "final state (Removed from the position, Withdrawn) or was taken out as entered by "
        "mistake\n"
    )

    # Only HR takes a candidate out, and says why.
    assert q("candidate", "remove", "1", "--reason", "x", user="cmdr1").exit_code == 1
    blank = q("candidate", "remove", "1", "--reason", "  ")
    assert (blank.exit_code, blank.stderr) == (
        2,
        "error: --reason: say why the candidate is taken out; it is kept in the audit log\n",
    )
    taken = q("candidate", "remove", "1", "--reason", "Imported into the wrong selection")
    assert taken.exit_code == 0, taken.stderr
    assert taken.stdout.startswith(
        "took out candidate 1 (Ann Lee, E1) of selection 1 as entered by mistake: now "
        "Withdrawn, no letter (audit event #"
    )
    assert list(records.rglob("*.pdf")) == []  # no letter to the officer
    (event,) = json.loads(q("audit", "log", "--candidate", "1", "--json").stdout)[-1:]
    assert (event["actor"], event["action"]) == ("hr1", "state_changed")
    assert event["details"]["entered_by_mistake"] is True
    assert event["details"]["reason"] == "Imported into the wrong selection"
    assert "packets" not in event["details"]
    line = q("audit", "log", "--candidate", "1").stdout
    assert "taken out: entered by mistake, no letter" in line
    assert "reason: Imported into the wrong selection" in line
    again = q("candidate", "remove", "1", "--reason", "again")
    assert (again.exit_code, again.stderr) == (
        1,
        "error: Ann Lee (candidate 1) is at Withdrawn, not Nominated: only a candidate nothing "
        "was done with is taken out as entered by mistake; record a withdrawal instead\n",
    )

    # Once something was done with a candidate, a mistake is no longer the story: refused.
    added = q("evidence", "add", "2", "service", "--field", "full_time_since=2017-03-01")
    assert added.exit_code == 0, added.stderr
    kept = q("candidate", "remove", "2", "--reason", "Imported into the wrong selection")
    assert kept.exit_code == 1
    assert kept.stderr.startswith(
        "error: Bo Diaz (candidate 2) cannot be taken out as entered by mistake: more than "
        "adding them was done (evidence added on "
    )
    assert kept.stderr.endswith("); if they leave the selection, record their withdrawal\n")
    assert (
        "still in the running (Bo Diaz at Nominated)"
        in q("selection", "close", "1", "--reason", "Imported into the wrong selection").stderr
    )

    # Withdrawn in the ordinary way (a letter), the last one leaves: the selection closes.
    withdrawn = q(
        "advance", "2", "withdraw", "--reason", "Asked to be withdrawn",
        "--reason-code", "candidate_request",
    )  # fmt: skip
    assert withdrawn.exit_code == 0, withdrawn.stderr
    assert [p.name for p in records.rglob("*.pdf") if "withdraw" in p.name]  # its letter
    closed = q("selection", "close", "1", "--reason", "Imported into the wrong selection")
    assert closed.exit_code == 0, closed.stderr
    report = json.loads(q("fairness", "report", "1", "--json").stdout)
    assert report["candidates"] == 1  # the officer entered by mistake was never an applicant
    assert q("audit", "verify").exit_code == 0


def test_a_workflow_with_no_withdrawal_takes_no_one_out(q: Callable[..., Result]) -> None:
    """The FTO workflow has no withdrawal (its fairness report leaves no one out): refused."""
    opened = q("selection", "open", "FTO", "--workflow", "fto-selection", "--as-of", str(TODAY))
    assert opened.exit_code == 0, opened.stderr
    added = q("candidate", "add", "--selection", "1", "--employee-id", "E1", "--name", "Ann Lee")
    assert added.exit_code == 0, added.stderr
    refused = q("candidate", "remove", "1", "--reason", "Added by mistake")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: the workflow of FTO has no withdrawal from Applied, so Ann Lee (candidate 1) "
        "cannot be taken out\n"
    )
