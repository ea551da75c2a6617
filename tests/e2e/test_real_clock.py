"""The whole flow on the real clock (no fixed `now`), on SQLite and PostgreSQL: a selection whose
as-of date has passed, as is usual once screening starts, and one whose as-of date is still ahead.
Records entered today count; each fact is weighed by its own date, and one dated after today is
refused. An officer goes on from screening to appointment, and another is recalled; every
record and letter is dated today (PostgreSQL's audit clock is the server's, which is today too)."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from pypdf import PdfReader

from qualify.workflow.documents import local_time, long_date, weekday_date
from tests.conftest import PROJECT, Result

Run = Callable[..., Result]


def _today() -> date:
    """Today in the selection's time zone (the workflow's), which is the day records take."""
    return datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()


@pytest.fixture
def q(cli: Run, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    # The SRO workflow, with the fitness check counting tests taken up to the decision.
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    text = (PROJECT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    late_fitness = text.replace(
        "params: {evidence: fitness, result_field: result, date_field: tested_on, "
        "max_age_days: 180}",
        "params: {evidence: fitness, result_field: result, date_field: tested_on, "
        "max_age_days: 180, facts_until: decision}",
    )
    assert late_fitness != text
    (workflows / "sro-selection.yaml").write_text(text, encoding="utf-8")
    (workflows / "sro-late-fitness.yaml").write_text(
        late_fitness.replace("name: sro-selection", "name: sro-late-fitness"), encoding="utf-8"
    )
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    monkeypatch.setenv("QUALIFY_WORKFLOWS", str(workflows))
    monkeypatch.setenv("QUALIFY_RECORDS", str(tmp_path / "records"))
    monkeypatch.setenv("QUALIFY_OUTPUT", str(tmp_path / "out"))

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", database_url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    for name, role in [
        ("cmdr1", "commander"), ("sgt1", "supervisor"), ("rep1", "school_rep"),
        ("rep2", "school_rep"), ("chief1", "chief"), ("det1", "detective_sergeant"),
    ]:  # fmt: skip
        assert (
            run("user", "add", name, "--role", role, "--full-name", name, "--title", role).exit_code
            == 0
        )
    return run


def _open(q: Run, as_of: date, workflow: str = "sro-selection") -> int:
    opened = q("selection", "open", "SRO", "--workflow", workflow, "--as-of", as_of.isoformat())
    assert opened.exit_code == 0, opened.stderr
    listed = json.loads(q("selection", "list", "--json").stdout)
    return int(listed[-1]["id"])


def _add_candidate(q: Run, selection: int, employee: str) -> int:
    added = q(
        "candidate", "add", "--selection", str(selection), "--employee-id", employee,
        "--name", f"Officer {employee}", "--supervisor", "sgt1",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return int(added.stdout.split()[2].rstrip(":"))


def _record_everything(q: Run, cid: int, tmp_path: Path, **dates: date) -> dict[str, int]:
    """Every kind of evidence, entered now; returns the record id of each kind."""
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.7\nI recommend this officer.\n")
    c = str(cid)
    commands = {
        "certification": ["--field", "full_time_certified=yes"],
        "service": ["--date", dates["service"].isoformat()],
        "probation": ["--date", dates["probation"].isoformat()],
        "conduct_review": ["--date", _today().isoformat()],
        "recommendation": [
            "--field", "author=sgt1", "--date", dates["letter"].isoformat(),
            "--file", str(letter),
        ],
        "fitness": ["--result", "pass", "--date", dates["fitness"].isoformat()],
        "drug_screen": ["--result", "pass", "--date", dates["drug"].isoformat()],
        "tobacco": ["--field", "tobacco_free=yes", "--date", dates["drug"].isoformat()],
    }  # fmt: skip
    ids = {}
    for kind, options in commands.items():
        added = q("evidence", "add", c, kind, *options)
        assert added.exit_code == 0, added.stderr
        ids[kind] = int(added.stdout.split("#")[1].split()[0])
    return ids


def _results(q: Run, cid: int) -> dict[str, dict[str, str]]:
    shown = q("check", str(cid), "--json")
    assert shown.exit_code == 0, shown.stderr
    return {r["check"]: r for r in json.loads(shown.stdout)["candidates"][0]["results"]}


def test_a_selection_whose_as_of_date_has_passed_qualifies_on_records_entered_today(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today - timedelta(days=30)
    selection = _open(q, as_of)
    cid = _add_candidate(q, selection, "E1")
    ids = _record_everything(
        q, cid, tmp_path,
        service=date(2020, 1, 1), probation=date(2021, 1, 1), letter=as_of,
        fitness=as_of - timedelta(days=10), drug=as_of - timedelta(days=3),
    )  # fmt: skip
    checks = _results(q, cid)
    eligibility = {
        k: v for k, v in checks.items() if k not in ("panel_complete", "interview_passed")
    }
    assert {v["status"] for v in eligibility.values()} == {"pass"}, eligibility
    assert checks["two_years_full_time"]["reason"].endswith(
        f"as of {as_of} (full-time since 2020-01-01, record #{ids['service']})"
    )
    assert checks["physical_fitness"]["reason"] == (
        f"fitness result of {as_of - timedelta(days=10)}: pass, 10 days old as of {as_of} "
        f"(record #{ids['fitness']})"
    )
    assert q("advance", str(cid), "begin_screening").exit_code == 0
    eligible = q("advance", str(cid), "confirm_eligible", user="cmdr1")
    assert eligible.exit_code == 0, eligible.stderr
    assert "screening -> eligible" in eligible.stdout

    # A letter written after the as-of date, entered today: on file, but not counted, and said so.
    late = q(
        "evidence", "add", str(cid), "recommendation", "--field", "author=sgt1",
        "--date", (as_of + timedelta(days=5)).isoformat(), "--file", str(tmp_path / "letter.pdf"),
    )  # fmt: skip
    record = int(late.stdout.split("#")[1].split()[0])
    letter = _results(q, cid)["supervisor_recommendation"]
    assert (letter["status"], letter["reason"]) == (
        "fail",
        f"recommendation not counted: record #{record} is dated {as_of + timedelta(days=5)}, "
        f"after the as-of date {as_of}",
    )
    assert letter["evidence"] == [record]


def test_a_fitness_test_after_the_as_of_date_counts_where_the_check_says_decision(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today - timedelta(days=30)
    dates = {
        "service": date(2020, 1, 1),
        "probation": date(2021, 1, 1),
        "letter": as_of,
        "fitness": today - timedelta(days=2),  # after the deadline, before the decision
        "drug": as_of - timedelta(days=3),
    }
    strict = _add_candidate(q, _open(q, as_of), "E1")
    fitness_id = _record_everything(q, strict, tmp_path, **dates)["fitness"]
    assert _results(q, strict)["physical_fitness"]["reason"] == (
        f"fitness not counted: record #{fitness_id} is dated {dates['fitness']}, "
        f"after the as-of date {as_of}"
    )
    lenient = _add_candidate(q, _open(q, as_of, "sro-late-fitness"), "E1")
    fitness_id = _record_everything(q, lenient, tmp_path, **dates)["fitness"]
    fitness = _results(q, lenient)["physical_fitness"]
    assert (fitness["status"], fitness["reason"]) == (
        "pass",
        f"fitness result of {dates['fitness']}: pass, 2 days old as of {today} "
        f"(record #{fitness_id})",
    )
    assert q("advance", str(lenient), "begin_screening").exit_code == 0
    assert q("advance", str(lenient), "confirm_eligible", user="cmdr1").exit_code == 0


def test_a_selection_whose_as_of_date_is_ahead_counts_facts_dated_up_to_it_and_waits_for_it(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today + timedelta(days=30)
    selection = _open(q, as_of)
    cid = _add_candidate(q, selection, "E2")
    ids = _record_everything(
        q, cid, tmp_path,
        service=as_of - timedelta(days=3 * 366), probation=today,
        letter=today, fitness=today - timedelta(days=100), drug=today,
    )  # fmt: skip
    checks = _results(q, cid)
    assert checks["probation_completed"]["status"] == "pass"  # completed today
    # A probation that will complete before the as-of date is not yet a fact: it is entered
    # once it has happened.
    ahead = today + timedelta(days=10)
    early = q("evidence", "add", str(cid), "probation", "--date", ahead.isoformat())
    assert (early.exit_code, early.stderr) == (
        2,
        f"error: --date: {ahead} is after today ({today}); a fact must have happened\n",
    )
    assert checks["physical_fitness"]["reason"] == (
        f"fitness result of {today - timedelta(days=100)}: pass, 130 days old as of {as_of} "
        f"(record #{ids['fitness']})"
    )
    # The conduct record cannot be reviewed for the five years to a day that has not come: the
    # review of today leaves good conduct pending, so the officer is not yet found eligible.
    assert (checks["good_conduct"]["status"], checks["good_conduct"]["reason"]) == (
        "pending",
        f"the conduct review on file is dated {today}, before the as-of date {as_of}: it does "
        f"not cover the 5 years to {as_of} (record #{ids['conduct_review']})",
    )
    assert q("advance", str(cid), "begin_screening").exit_code == 0
    early = q("advance", str(cid), "confirm_eligible", user="cmdr1")
    assert early.exit_code == 1
    assert "History of good conduct (no sustained findings in 5 years): pending: the conduct" in (
        early.stderr
    )
    # Measured on the as-of date ahead, not today: service a day short of two years on it fails.
    start = as_of - relativedelta(years=2) + timedelta(days=1)
    short = q("evidence", "add", str(cid), "service", "--date", start.isoformat())
    assert short.exit_code == 0
    two_years = _results(q, cid)["two_years_full_time"]
    assert two_years["status"] == "fail"
    assert f"as of {as_of} (full-time since {start}" in two_years["reason"]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


def _letter(records: Path, cid: int, stage: str, packet: str) -> str:
    """The text of the packet written when candidate `cid` entered `stage` (the newest)."""
    found = sorted(records.rglob(f"*candidate-{cid:04d}_{stage}_{packet}_event-*.pdf"))
    assert found, f"no {packet} for candidate {cid} in {stage}"
    reader = PdfReader(found[-1])
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_on_the_real_clock_an_officer_is_appointed_removed_and_the_next_recalled_all_dated_today(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today - timedelta(days=30)
    selection = _open(q, as_of)
    first, second = (_add_candidate(q, selection, e) for e in ("E1", "E2"))
    for cid in (first, second):
        _record_everything(
            q, cid, tmp_path,
            service=date(2020, 1, 1), probation=date(2021, 1, 1), letter=as_of,
            fitness=as_of - timedelta(days=10), drug=as_of - timedelta(days=3),
        )  # fmt: skip
        _ok(q("advance", str(cid), "begin_screening"))
        _ok(q("advance", str(cid), "confirm_eligible", user="cmdr1"))
    _ok(
        q("panel", "assign", str(selection), "--seat", "commander=cmdr1",
          "--seat", "school_rep=rep1", "--seat", "school_rep=rep2")
    )  # fmt: skip
    # Interviews held now (scorecards are submitted once an interview has begun).
    held = _earlier_today()
    for cid, at in ((first, held), (second, held)):
        when = f"{at:%Y-%m-%d %H:%M}"
        _ok(q("panel", "schedule", str(cid), "--at", when, "--place", "Room B"))
        _ok(q("advance", str(cid), "schedule_interview"))
        for panelist in ("cmdr1", "rep1", "rep2"):
            _ok(q("declare", str(cid), user=panelist))
            liaison = "4" if cid == first else "3"  # the first ranks first
            sets = [f"{c}=4" for c in ("appearance_attitude", "role_model", "not_disciplinarian",
                                       "prevention_education", "emergency_planning")]  # fmt: skip
            args = [a for s in [*sets, f"liaison={liaison}"] for a in ("--set", s)]
            _ok(q("score", str(cid), *args, "--submit", user=panelist))
        _ok(q("advance", str(cid), "record_scores"))
    interview = _letter(tmp_path / "records", first, "interview", "interview_packet")
    assert f"{weekday_date(today)}, {local_time(held, 'America/New_York')}" in interview
    results = _letter(tmp_path / "records", first, "scored", "panel_results")
    assert f"Interview: {weekday_date(today)}, {local_time(held, 'America/New_York')}" in results

    _ok(q("advance", str(first), "select", user="chief1"))
    _ok(
        q("advance", str(second), "not_select", "--reason-code", "higher_ranked_selected",
          "--reason", "Ranked second.", user="chief1")
    )  # fmt: skip
    due = today + timedelta(days=14)
    _ok(q("training", "assign", str(first), "basic_sro", "--by", due.isoformat(), user="det1"))
    tomorrow = today + timedelta(days=1)
    early = q("training", "complete", str(first), "basic_sro", "--on", tomorrow.isoformat())
    assert (early.exit_code, early.stderr) == (
        2,
        f"error: --on: {tomorrow} is after today ({today}); a fact must have happened\n",
    )
    _ok(
        q("training", "complete", str(first), "basic_sro", "--on", today.isoformat(),
          "--reason", "Attended before the direction was entered.")
    )  # fmt: skip
    _ok(q("advance", str(first), "appoint", user="chief1"))
    _ok(
        q("advance", str(first), "remove", "--category", "school_rule",
          "--reason", "Disciplined a student for a school rule.", user="chief1")
    )  # fmt: skip
    recalled = _ok(
        q("advance", str(second), "recall", "--reason", "The position is vacant.", user="chief1")
    )
    assert "not_selected -> selected" in recalled.stdout

    # Every letter is dated today, the day of its decision: not the as-of date.
    records = tmp_path / "records"
    day = long_date(today)
    for cid, stage, packet, says in [
        (first, "selected", "selection_letter", f"effective {day}"),
        (first, "training", "training_assignment", long_date(due)),
        (first, "appointed", "appointment_letter", f"Effective {day}, you are appointed"),
        (first, "removed", "notice_of_removal", f"The decision was made on {day}"),
        (second, "not_selected", "notice_not_selected", day),
        (second, "selected", "selection_letter", f"effective {day}"),
    ]:
        text = _letter(records, cid, stage, packet)
        assert says in text, (packet, text)
        assert long_date(as_of) not in text, packet
    appointment = _letter(records, first, "appointed", "appointment_letter")
    assert f"40 hours {day}" in appointment  # the course, completed today

    # The records: each entered today, by the audit clock (the server's, on PostgreSQL); the
    # recall measured the eligible list from today's selection decision.
    for cid in (first, second):
        log = json.loads(_ok(q("audit", "log", "--candidate", str(cid), "--json")).stdout)
        assert {_local_day(e["at"]) for e in log} == {today}
    log = json.loads(q("audit", "log", "--candidate", str(second), "--json").stdout)
    recall = next(e for e in log if e["details"].get("trigger") == "recall")
    listed = recall["details"]["eligible_list"]
    assert listed["established"] == today.isoformat()
    assert date.fromisoformat(listed["expires"]) > today
    shown = json.loads(_ok(q("candidate", "show", str(first), "--json")).stdout)
    assert {_local_day(e["recorded_at"]) for e in shown["evidence"]} == {today}
    assert _ok(q("audit", "verify")).exit_code == 0


def _earlier_today() -> datetime:
    """This minute in the selection's time zone: an interview held now (after the selection
    opened, earlier in the test, and before the scorecards)."""
    return datetime.now(ZoneInfo("America/New_York")).replace(second=0, microsecond=0)


def _local_day(at: str) -> date:
    return datetime.fromisoformat(at).astimezone(ZoneInfo("America/New_York")).date()


def test_on_the_real_calendar_a_fact_of_today_is_taken_and_one_of_tomorrow_refused(
    q: Run,
) -> None:
    today = _today()
    tomorrow = today + timedelta(days=1)
    as_of = today - timedelta(days=30)
    cid = _add_candidate(q, _open(q, as_of), "E3")
    for given, named in [
        (["--date", tomorrow.isoformat()], "--date"),
        (["--field", f"full_time_since={tomorrow}"], "--field full_time_since"),
    ]:
        refused = q("evidence", "add", str(cid), "service", *given)
        assert (refused.exit_code, refused.stderr) == (
            2,
            f"error: {named}: {tomorrow} is after today ({today}); a fact must have happened\n",
        )
    assert json.loads(q("candidate", "show", str(cid), "--json").stdout)["evidence"] == []
    # Today is taken: service that began today is on file, and not counted (after the as-of date).
    taken = q("evidence", "add", str(cid), "service", "--date", today.isoformat())
    assert taken.exit_code == 0, taken.stderr
    record = int(taken.stdout.split("#")[1].split()[0])
    assert _results(q, cid)["two_years_full_time"]["reason"] == (
        f"service not counted: record #{record} is dated {today}, after the as-of date {as_of}"
    )


@pytest.mark.parametrize(("days_after", "status"), [(0, "pass"), (1, "fail")])
def test_on_the_real_calendar_two_years_of_service_end_on_the_as_of_date(
    q: Run, days_after: int, status: str
) -> None:
    """Service that began two years before the as-of date passes on the as-of date itself;
    a day later falls a day short."""
    as_of = _today() - timedelta(days=30)
    cid = _add_candidate(q, _open(q, as_of), "E4")
    start = as_of - relativedelta(years=2) + timedelta(days=days_after)
    assert q("evidence", "add", str(cid), "service", "--date", start.isoformat()).exit_code == 0
    two_years = _results(q, cid)["two_years_full_time"]
    assert two_years["status"] == status
    served = "2 years of" if status == "pass" else "1 year 11 months"
    assert two_years["reason"].startswith(served)
    assert f"as of {as_of} (full-time since {start}" in two_years["reason"]


def test_on_the_real_clock_an_interview_ahead_is_declared_but_not_scored_or_closed_before_it(
    q: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tryout's story: interviews set 15 days ahead, then on the same day a panelist
    declared (taken: panelists declare ahead), submitted a scorecard and HR closed the
    interview (both refused now, naming the scheduled time)."""
    today = _today()
    as_of = today - timedelta(days=30)
    selection = _open(q, as_of)
    cid = _add_candidate(q, selection, "E5")
    _record_everything(
        q, cid, tmp_path,
        service=date(2020, 1, 1), probation=date(2021, 1, 1), letter=as_of,
        fitness=as_of - timedelta(days=10), drug=as_of - timedelta(days=3),
    )  # fmt: skip
    _ok(q("advance", str(cid), "begin_screening"))
    _ok(q("advance", str(cid), "confirm_eligible", user="cmdr1"))
    _ok(
        q("panel", "assign", str(selection), "--seat", "commander=cmdr1",
          "--seat", "school_rep=rep1", "--seat", "school_rep=rep2")
    )  # fmt: skip
    c = str(cid)
    # A time before the selection opened, or far ahead unconfirmed, is bad input naming --at.
    past = q("panel", "schedule", c, "--at", "2019-01-01 09:00", "--place", "Room B")
    assert past.exit_code == 2
    assert past.stderr.startswith(f"error: --at 2019-01-01 09:00: before selection {selection}")
    far = q("panel", "schedule", c, "--at", "2031-06-01 09:00", "--place", "Room B")
    assert far.exit_code == 2
    assert far.stderr.startswith("error: --at 2031-06-01 09:00: ")
    assert far.stderr.endswith("; if that day is meant, give --far-ahead too\n")
    shown = json.loads(_ok(q("audit", "log", "--candidate", c, "--json")).stdout)
    assert "interview_scheduled" not in {e["action"] for e in shown}  # nothing half-written
    _ok(q("panel", "schedule", c, "--at", "2031-06-01 09:00", "--place", "Room B", "--far-ahead"))

    ahead = today + timedelta(days=15)
    _ok(q("panel", "schedule", c, "--at", f"{ahead} 09:00", "--place", "Room B"))
    _ok(q("advance", c, "schedule_interview"))
    fours = [a for k in ("appearance_attitude", "role_model", "liaison", "not_disciplinarian",
                         "prevention_education", "emergency_planning")
             for a in ("--set", f"{k}=4")]  # fmt: skip
    at = local_time(datetime.combine(ahead, datetime.min.time(), ZoneInfo("America/New_York"))
                    .replace(hour=9), "America/New_York")  # fmt: skip
    for panelist in ("cmdr1", "rep1", "rep2"):
        _ok(q("declare", c, user=panelist))
        early = q("score", c, *fours, "--submit", user=panelist)
        assert early.exit_code == 1
        assert early.stderr.startswith(
            f"error: Officer E5's interview is scheduled for {weekday_date(ahead)} at {at}; "
            "a scorecard is submitted after the interview, not before (now "
        )
        assert early.stderr.endswith("); nothing was saved\n")
        _ok(q("score", c, *fours, user=panelist))  # a draft may be saved
    # Scoring interactively before the interview: told at once, every score asked, kept as a
    # draft, and no question to submit.
    monkeypatch.setattr("sys.stdin", io.StringIO("3\n\n" * 6))
    typed = q("score", c, user="rep1")
    assert typed.exit_code == 0, typed.stderr
    assert typed.stderr.startswith(
        f"note: Officer E5's interview is scheduled for {weekday_date(ahead)} at {at}; "
    )
    assert typed.stderr.endswith("; your scores can be saved as a draft until then\n")
    assert f"after the interview, submit it with 'qualify score {cid} --submit'" in typed.stdout
    assert "Submit and lock" not in typed.stdout
    assert "draft, version 1" in typed.stdout
    closing = q("advance", c, "record_scores")
    assert closing.exit_code == 1
    cards = json.loads(_ok(q("score", c, "--json", user="rep1")).stdout)["scorecard"]
    assert cards["status"] == "draft"


def test_the_tryout_of_a_selection_measured_twelve_days_ahead_records_only_what_is_true(
    q: Run, tmp_path: Path
) -> None:
    """What a new user tried on 2026-11-29 with an as-of date 12 days ahead: a review dated a
    century ago, a probation completed before the service began, and Grace Liu, whose probation
    ends before the as-of date, declared ineligible on records 'not complete' on a day to come."""
    today = _today()
    as_of = today + timedelta(days=12)
    selection = _open(q, as_of)
    cid = _add_candidate(q, selection, "E9")
    c = str(cid)
    mistyped = q("evidence", "add", c, "conduct_review", "--date", "1926-11-20")
    assert (mistyped.exit_code, mistyped.stderr) == (
        2,
        "error: --date: 1926-11-20 is before 1950-01-01, the earliest date a fact may have; "
        "is the year mistyped?\n",
    )
    assert json.loads(q("candidate", "show", c, "--json").stdout)["evidence"] == []
    start = date(2019, 4, 1)
    for kind, day in (("service", start), ("probation", date(2009, 4, 1))):
        _ok(q("evidence", "add", c, kind, "--date", day.isoformat()))
    probation = _results(q, cid)["probation_completed"]
    assert (probation["status"], probation["reason"]) == (
        "fail",
        f"probation not counted: record #{probation['evidence'][0]} is dated 2009-04-01, before "
        f"service began {start} (record #{probation['evidence'][1]})",
    )
    reviewed = today - relativedelta(years=5) + timedelta(days=20)  # inside the window
    _ok(q("evidence", "add", c, "conduct_review", "--date", reviewed.isoformat()))
    conduct = _results(q, cid)["good_conduct"]
    assert (conduct["status"], conduct["reason"]) == (
        "pending",
        f"the conduct review on file is dated {reviewed}, before the as-of date {as_of}: it "
        f"does not cover the 5 years to {as_of} (record #{conduct['evidence'][0]})",
    )

    # An officer like Grace Liu: every record on file passes but her conduct, which cannot be
    # reviewed for five years that end on a day to come; none has failed.
    grace = _add_candidate(q, selection, "E10")
    _record_everything(
        q, grace, tmp_path,
        service=date(2024, 3, 1), probation=date(2025, 3, 1), letter=today,
        fitness=today, drug=today,
    )  # fmt: skip
    _ok(q("advance", str(grace), "begin_screening"))
    declared = q(
        "advance", str(grace), "declare_ineligible", "--reason-code", "records_incomplete",
        "--reason", "Probation ends 2026-12-05.", user="cmdr1",
    )  # fmt: skip
    assert (declared.exit_code, declared.stderr) == (
        1,
        'error: cannot "Declare the officer ineligible" for Officer E10: no qualification of '
        "Officer E10 has failed, and this check is pending: History of good conduct (no "
        f"sustained findings in 5 years); the as-of date {as_of} has not come, and what is "
        "pending may be recorded until then\n",
    )
    state = json.loads(q("candidate", "show", str(grace), "--json").stdout)["state"]
    assert state == "screening"
