"""`qualify report add|due` and `qualify packet --report` as HR, supervisors and the Chief use
them: exit codes, one-line errors, the table and JSON."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qualify.workflow.loader import load_path
from qualify.workflow.reports import Quarter, ReportCalendar, quarter_of
from tests.conftest import Result
from tests.helpers.appointed import AppointedCopies, in_the_past

FIELDS = [
    "--field",
    "meetings=4",
    "--field",
    "presentations=2",
    "--field",
    "referrals=1",
    "--field",
    "rule_referrals=3",
    "--field",
    "drills=1",
    "--field",
    "incidents=0",
]


# The commands run on the real clock with the workflow as it ships: the selection is moved into
# the past, so that the quarters reported on have ended (Q[0] is the first quarter of last year,
# Q[-1] this one).
TODAY = datetime.now(ZoneInfo("America/New_York")).date()
SRO = load_path(Path(__file__).resolve().parents[2] / "workflows" / "sro-selection.yaml").spec
assert SRO.activity_reports is not None
CALENDAR = ReportCalendar.of(SRO.activity_reports, SRO)


@pytest.fixture(scope="module")
def appointed_copies(tmp_path_factory: pytest.TempPathFactory) -> AppointedCopies:
    years_back, _, _ = in_the_past(TODAY)
    return AppointedCopies(tmp_path_factory.mktemp("appointed"), years_back=years_back)


@pytest.fixture(scope="module")
def _world(appointed_copies: AppointedCopies) -> tuple[Path, list[Quarter]]:
    _, quarters, appointed = in_the_past(TODAY)
    return appointed_copies(appointed), quarters


@pytest.fixture
def Q(_world: tuple[Path, list[Quarter]]) -> list[Quarter]:
    return _world[1]


@pytest.fixture
def q(
    cli: Callable[..., Result], _world: tuple[Path, list[Quarter]], tmp_path: Path
) -> Callable[..., Result]:
    """The demo's selection, a year back, with Dana Whitfield (candidate 1) appointed in Q[0]."""
    target = tmp_path / "reports.db"
    shutil.copyfile(_world[0], target)

    def run(*args: str, user: str = "hr.alvarez") -> Result:
        return cli("--db", f"sqlite:///{target}", "--as", user, *args)

    return run


def test_a_supervisor_enters_a_report_and_the_listing_follows(
    q: Callable[..., Result], Q: list[Quarter]
) -> None:
    due_on = CALENDAR.due(Q[0])
    due = q("report", "due", "--as-of", str(due_on + timedelta(days=1)))
    assert due.exit_code == 0, due.stderr
    lines = due.stdout.splitlines()
    assert lines[0].split() == ["candidate", "officer", "supervisor", "quarter", "due", "status"]
    assert lines[2].split() == [
        "1", "Dana", "Whitfield", "sgt.moreau", Q[0].id, str(due_on), "overdue", "by", "1", "day"
    ]  # fmt: skip
    added = q("report", "add", "1", "--quarter", Q[0].id, *FIELDS, user="sgt.moreau")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.startswith(
        f"recorded the {Q[0].id} activity report of candidate 1 (version 1); entered after its "
        "due date, audit event #"
    )
    q1_due = CALENDAR.due(Q[1])
    listed = json.loads(q("report", "due", "--as-of", str(q1_due), "--json").stdout)
    assert [(r["quarter"], r["status"], r["due"]) for r in listed] == [
        (Q[1].id, "due", str(q1_due))
    ]
    under_way = str(Q[1].last_day - timedelta(days=1))
    quiet = q("report", "due", "--as-of", under_way)
    assert quiet.stdout.strip() == f"no activity report is due or overdue as of {under_way}"
    # Without --as-of, today: every quarter since Q[0] that has ended, this year's too.
    today = json.loads(q("report", "due", "--json").stdout)
    ended = [x.id for x in Q[1:] if x.last_day <= TODAY]
    assert [r["quarter"] for r in today] == ended
    assert Q[3].id in ended


def test_an_officer_appointed_today_owes_this_quarter_by_its_due_day(
    cli: Callable[..., Result], appointed_copies: AppointedCopies, tmp_path: Path
) -> None:
    """The tryout: appointed today, the officer reports on this quarter (the workflow once
    listed six quarters of 2027 and 2028 and refused any other)."""
    target = tmp_path / "today.db"
    shutil.copyfile(appointed_copies(TODAY), target)

    def q(*args: str) -> Result:
        return cli("--db", f"sqlite:///{target}", "--as", "hr.alvarez", *args)

    this = quarter_of(TODAY)
    due = CALENDAR.due(this)
    before = Quarter(this.year - (this.number == 1), (this.number - 2) % 4 + 1)
    earlier = q("report", "add", "1", "--quarter", before.id, *FIELDS)
    assert earlier.exit_code == 1
    assert earlier.stderr == (
        f"error: {before.id} ended on {before.last_day}, before the officer was appointed on "
        f"{TODAY}: there is no report to make for it\n"
    )
    if this.last_day > TODAY:
        early = q("report", "add", "1", "--quarter", this.id, *FIELDS)
        assert early.exit_code == 1
        assert f"error: {this.id} runs until {this.last_day}: its report can be" in early.stderr
        assert q("report", "due").stdout == "no activity report is due or overdue\n"
    on_due = json.loads(q("report", "due", "--as-of", str(due), "--json").stdout)
    assert [(r["quarter"], r["due"], r["status"]) for r in on_due] == [(this.id, str(due), "due")]
    late = q("report", "due", "--as-of", str(due + timedelta(days=5)))
    assert late.stdout.splitlines()[2].split()[-6:] == [
        this.id,
        str(due),
        "overdue",
        "by",
        "5",
        "days",
    ]


def test_bad_input_is_one_line_naming_the_field_and_exits_2(
    q: Callable[..., Result], Q: list[Quarter]
) -> None:
    for args, message in [
        (["--quarter", Q[0].id, *FIELDS[:-2]], "--field incidents: missing"),
        (["--quarter", Q[0].id, *FIELDS, "--field", "drils=2"], "--field drils: the report"),
        (["--quarter", Q[0].id, *FIELDS[:-1], "incidents=-2"], "--field incidents: '-2' is not"),
        (["--quarter", Q[0].id, *FIELDS, "--field", "drills=2"], "--field drills: given twice"),
        (["--quarter", Q[0].id, *FIELDS, "--field", "nothing"], "--field 'nothing': use NAME="),
        (["--quarter", "Q1", *FIELDS], "--quarter 'Q1': write a quarter as YEAR Q NUMBER"),
    ]:
        result = q("report", "add", "1", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.startswith(f"error: {message}"), result.stderr
        assert result.stderr.count("\n") == 1
    assert q("report", "due", "--as-of", "2027-13-01").exit_code == 2
    assert json.loads(q("audit", "log", "--json").stdout)[-1]["action"] != "report_added"


def test_refusals_say_why_and_exit_1(q: Callable[..., Result], Q: list[Quarter]) -> None:
    for fields in (FIELDS, FIELDS[:2]):  # every field, or one: never appointed comes first
        not_appointed = q("report", "add", "2", "--quarter", Q[0].id, *fields, user="sgt.moreau")
        assert not_appointed.exit_code == 1, not_appointed.stderr
        assert (
            "Luis Reyes is at Not selected, not Appointed School Resource Officer"
            in not_appointed.stderr
        )
    wrong_role = q("report", "add", "1", "--quarter", Q[0].id, *FIELDS, user="sgt.okafor")
    assert wrong_role.exit_code == 1
    assert (
        "Emeka Okafor (Supervisor, writes recommendations) may not enter activity reports for "
        "candidate 1: that needs the role Human Resources or Detective Sergeant, or being the "
        "officer's own supervisor as Supervisor (writes recommendations)\n"
    ) in wrong_role.stderr
    assert q("report", "add", "1", "--quarter", Q[0].id, *FIELDS).exit_code == 0
    again = q("report", "add", "1", "--quarter", Q[0].id, *FIELDS)
    assert again.exit_code == 1
    assert "to correct it, give the changed fields and --reason" in again.stderr
    fixed = q(
        "report", "add", "1", "--quarter", Q[0].id, "--field", "drills=2",
        "--reason", "A drill was left out.",
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stdout.startswith(
        f"corrected the {Q[0].id} activity report of candidate 1 (version 2)"
    )
    log = json.loads(q("audit", "log", "--candidate", "1", "--json").stdout)
    actions = [e["action"] for e in log if e["action"].startswith("report_")]
    assert actions == ["report_refused", "report_added", "report_refused", "report_corrected"]
    refused = [
        e for e in json.loads(q("audit", "log", "--json").stdout) if e["subject"] == "candidate:2"
    ]
    assert [e["action"] for e in refused][-2:] == ["report_refused", "report_refused"]
    assert q("audit", "verify").exit_code == 0


def test_the_chief_prints_the_quarterly_report(
    q: Callable[..., Result], Q: list[Quarter], tmp_path: Path
) -> None:
    assert q("report", "add", "1", "--quarter", Q[0].id, *FIELDS).exit_code == 0
    printed = q("packet", "1", "--report", Q[0].id, "-o", str(tmp_path / "out"), user="chief.walsh")
    assert printed.exit_code == 0, printed.stderr
    [pdf] = (tmp_path / "out").glob("*.pdf")
    assert pdf.name.startswith(
        f"selection-1_candidate-0001_report-{Q[0].id}_activity_report_event-"
    )
    assert f"wrote {pdf}" in printed.stdout
    assert pdf.read_bytes().startswith(b"%PDF-")
    missing = q("packet", "1", "--report", Q[4].id, user="chief.walsh")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == (
        f"error: no activity report for {Q[4].id} of candidate 1 (see 'qualify report due')"
    )
    mixed = q("packet", "1", "--report", Q[0].id, "--stage", "appointed")
    assert mixed.exit_code == 2
