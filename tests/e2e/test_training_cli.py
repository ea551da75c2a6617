"""`qualify training` as the Detective Sergeant, HR and the Chief use it: one line per error,
exit 2 for bad input and 1 for a refusal by the rules, on the real clock."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qualify.services.scenario import letter_pdf
from qualify.workflow.documents import long_date
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
    # A 40-hour course finished the day it was directed needs a reason (8 hours a day).
    quick = q(
        "training", "complete", "1", "basic_sro", "--on", today, "--file", str(certificate),
        user="hr.alvarez",
    )  # fmt: skip
    assert (quick.exit_code, quick.stderr) == (
        2,
        f"error: --reason: Basic School Resource Officer course (40 hours) completed on {today}, "
        f"the day it was directed ({today}): at 8 hours a day it takes at least 5 days; say why\n",
    )
    done = q(
        "training", "complete", "1", "basic_sro", "--on", today, "--file", str(certificate),
        "--reason", "Attended the February session before the direction was entered",
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
        'Michael Walsh (Chief of Police) may not "Direct SRO training" for Dana Whitfield: that '
        "needs the role Detective Sergeant or Department Commander; at Selected, you may "
        '"The officer withdraws"',
    )
    q("training", "assign", "1", "basic_sro", "--by", due)
    one_line(
        q("training", "complete", "1", "legal_issues", "--on", TODAY.isoformat()),
        1,
        "Dana Whitfield: Legal issues in schools (search, privacy, school rules and crimes) was "
        "not directed (directed: Basic School Resource Officer course); it is directed with "
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
    assert hidden.stderr.startswith("error: Dr. Helen Chen may not see candidate 1: as a panelist")
    assert hidden.stderr.count("\n") == 1


def test_every_training_command_has_help(q: Callable[..., Result]) -> None:
    for command in ("assign", "due", "complete", "status"):
        shown = q("training", command, "--help")
        assert shown.exit_code == 0
        assert "Usage: qualify training" in shown.stdout


def _words(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_adding_a_course_prints_an_amended_letter_and_hr_reprints_both(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    due, later = (TODAY + timedelta(days=30)).isoformat(), (TODAY + timedelta(days=40)).isoformat()
    first = q("training", "assign", "1", "basic_sro", "legal_issues", "--by", due)
    assert first.exit_code == 0, first.stderr
    (letter,) = re.findall(r"^wrote (\S+)$", first.stdout, re.M)
    assert letter.endswith("_training_training_assignment_event-" + _event(first) + ".pdf")
    added = q(
        "training", "assign", "1", "school_emergency_planning", "--by", later, user="cmdr.obrien"
    )
    assert added.exit_code == 0, added.stderr
    (amended,) = re.findall(r"^wrote (\S+)$", added.stdout, re.M)
    assert Path(amended).name == (
        f"selection-1_candidate-0001_training_training_assignment_amended_event-{_event(added)}.pdf"
    )
    text = _words(Path(amended))
    assert (
        f"This letter amends our letter of {long_date(TODAY)} (Ref. S1-C1-E{_event(first)})" in text
    )
    for course in ("Basic School Resource Officer course", "Legal issues in schools"):
        assert course in text
    assert (
        "New: directed by Ann O'Brien, Captain, Support Division Commander, "
        f"{long_date(TODAY)} School emergency operations planning with the Emergency "
        f"Management Team 8 hours {long_date(TODAY + timedelta(days=40))} When you complete"
    ) in text
    # No course added, no amended letter: the refusal says why, and nothing is written.
    again = q("training", "assign", "1", "legal_issues", "--by", later)
    one_line(
        again,
        1,
        "Dana Whitfield: Legal issues in schools (search, privacy, school rules and crimes) was "
        f"already directed on {TODAY} by Daniel Lambert, due {due}",
    )
    assert len(list(Path(amended).parent.glob("*amended*.pdf"))) == 1
    # HR prints the officer's training letters again: the first and its amendment, the same bytes.
    out = tmp_path / "letters"
    reprinted = q("packet", "1", "-o", str(out), user="hr.alvarez")
    assert reprinted.exit_code == 0, reprinted.stderr
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        f"selection-1_candidate-0001_training_training_assignment_amended_event-{_event(added)}.pdf",
        f"selection-1_candidate-0001_training_training_assignment_event-{_event(first)}.pdf",
    ]
    assert (out / Path(amended).name).read_bytes() == Path(amended).read_bytes()
    # A due date mistyped is corrected with a reason: a third letter says what changed.
    soon = (TODAY + timedelta(days=20)).isoformat()
    no_reason = q("training", "due", "1", "basic_sro", "--by", soon)
    assert no_reason.exit_code == 2
    assert "--reason" in no_reason.stderr
    moved = q("training", "due", "1", "basic_sro", "--by", soon, "--reason", "Session moved")
    assert moved.exit_code == 0, moved.stderr
    assert moved.stdout.startswith(
        f"candidate 1: basic_sro now due {soon} (was {due}), audit event #{_event(moved)}\n"
    )
    (changed,) = re.findall(r"^wrote (\S+)$", moved.stdout, re.M)
    assert changed.endswith(f"_training_assignment_amended_event-{_event(moved)}.pdf")
    assert (
        f"changed the date Basic School Resource Officer course is due from {long_date(TODAY + timedelta(days=30))} "
        f"to {long_date(TODAY + timedelta(days=20))}"
    ) in _words(Path(changed))
    log = q("audit", "log", "--candidate", "1", user="hr.alvarez").stdout
    assert "training_due_changed" in log
    assert f"course: basic_sro; reason: Session moved; due {due} -> {soon}" in log


def _event(result: Result) -> str:
    found = re.search(r"audit event #(\d+)", result.stdout)
    assert found is not None, result.stdout
    return found.group(1)
