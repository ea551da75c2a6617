"""`qualify training` as the Detective Sergeant, HR and the Chief use it: one line per error,
exit 2 for bad input and 1 for a refusal by the rules, on the real clock."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qualify.services.scenario import letter_pdf
from tests.conftest import Result
from tests.helpers.selected import selected_db

TODAY = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return selected_db(tmp_path_factory.mktemp("training-cli"))


@pytest.fixture
def q(cli: Callable[..., Result], template: Path, tmp_path: Path) -> Callable[..., Result]:
    """`qualify --db COPY --as USER ARGS` on a copy of the selected scenario (Dana is 1)."""
    path = tmp_path / "q.db"
    shutil.copy(template, path)

    def run(*args: str, user: str = "sgt.lambert") -> Result:
        return cli("--db", f"sqlite:///{path}", "--as", user, *args)

    return run


def one_line(result: Result, code: int, text: str) -> None:
    assert result.exit_code == code, result.stderr
    assert result.stderr == f"error: {text}\n"


def test_the_whole_path_from_selected_to_appointed(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    due = (TODAY + timedelta(days=30)).isoformat()
    assigned = q("training", "assign", "1", "basic_sro", "legal_issues", "--by", due)
    assert assigned.exit_code == 0, assigned.stderr
    assert assigned.stdout.startswith(
        f"candidate 1: selected -> training; directed basic_sro, legal_issues, due {due}, "
        "audit event #"
    )
    refused = q("advance", "1", "appoint", user="chief.walsh")
    one_line(
        refused,
        1,
        'cannot "Appoint to the position" for Dana Whitfield: directed training is not '
        "complete: Basic School Resource "
        f"Officer course (basic_sro, due {due}); Legal issues in schools (search, privacy, school "
        f"rules and crimes) (legal_issues, due {due})",
    )
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(letter_pdf("Basic SRO course, 40 hours."))
    today = TODAY.isoformat()
    done = q(
        "training", "complete", "1", "basic_sro", "--on", today, "--file", str(certificate),
        user="hr.alvarez",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"recorded basic_sro completed on {today} for candidate 1")
    status = q("training", "status", "1", user="chief.walsh")
    assert status.exit_code == 0, status.stderr
    assert "candidate 1 (training): training not complete, 40 of 48 hours" in status.stdout
    assert "certificate.pdf" in status.stdout
    q("training", "complete", "1", "legal_issues", "--on", today)
    appointed = q("advance", "1", "appoint", user="chief.walsh")
    assert appointed.exit_code == 0, appointed.stderr
    assert "training -> appointed" in appointed.stdout
    shown = json.loads(q("training", "status", "1", "--json", user="hr.alvarez").stdout)
    assert (shown["state"], shown["complete"], shown["hours_completed"]) == ("appointed", True, 48)
    log = q("audit", "log", "--candidate", "1", user="hr.alvarez").stdout
    assert f"directed: basic_sro due {due}, legal_issues due {due}" in log
    assert f"course: basic_sro; completed on: {today}" in log
    assert q("audit", "verify", user="hr.alvarez").exit_code == 0


def test_bad_input_exits_2_with_one_line(q: Callable[..., Result]) -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    one_line(
        q("training", "assign", "1", "basic_srp", "--by", tomorrow),
        2,
        "COURSE: sro-selection has no course 'basic_srp' (did you mean 'basic_sro'?) (courses: "
        "basic_sro, adolescent_development, school_emergency_planning, legal_issues)",
    )
    one_line(
        q("training", "assign", "1", "basic_sro", "--by", "next week"),
        2,
        "--by: 'next week' is not a date; use YYYY-MM-DD",
    )
    one_line(
        q("advance", "1", "assign_training"),
        2,
        "assign_training directs training: name the courses and the date they are due with "
        "'qualify training assign 1 COURSE... --by DATE'",
    )
    q("training", "assign", "1", "basic_sro", "--by", tomorrow)
    one_line(
        q("training", "complete", "1", "basic_sro", "--on", tomorrow, user="hr.alvarez"),
        2,
        f"--on: {tomorrow} is after today ({TODAY.isoformat()}); a fact must have happened",
    )
    missing = q("training", "complete", "1", "basic_sro", user="hr.alvarez")
    assert missing.exit_code == 2
    assert "--on" in missing.stderr


def test_refusals_by_the_rules_exit_1_with_one_line(q: Callable[..., Result]) -> None:
    due = (TODAY + timedelta(days=7)).isoformat()
    one_line(
        q("training", "assign", "1", "basic_sro", "--by", due, user="chief.walsh"),
        1,
        "chief.walsh may not assign_training: that needs the role detective_sergeant or "
        "commander; chief.walsh holds chief; from selected, chief.walsh may fire withdraw",
    )
    q("training", "assign", "1", "basic_sro", "--by", due)
    one_line(
        q("training", "complete", "1", "legal_issues", "--on", TODAY.isoformat()),
        1,
        "candidate 1: legal_issues was not directed (directed: basic_sro); it is directed with "
        "'qualify training assign'",
    )
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    one_line(
        q("training", "complete", "1", "basic_sro", "--on", yesterday),
        1,
        f"--on: {yesterday} is before the course was directed (Basic School Resource Officer "
        f"course, on {TODAY.isoformat()}); record training completed on or after the day it "
        "was directed",
    )
    hidden = q("training", "status", "1", user="rep.chen")  # a panelist, not on the record
    assert hidden.exit_code == 1
    assert hidden.stderr.startswith("error: rep.chen may not see candidate 1: as a panelist")
    assert hidden.stderr.count("\n") == 1


def test_every_training_command_has_help(q: Callable[..., Result]) -> None:
    for command in ("assign", "complete", "status"):
        shown = q("training", command, "--help")
        assert shown.exit_code == 0
        assert "Usage: qualify training" in shown.stdout
