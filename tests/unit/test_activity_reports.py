"""Quarterly activity reports, pure: quarters, the rule for the quarters owed and their due days,
due and overdue, figures, and the workflow's `activity_reports` as the loader checks it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from qualify.cli.errors import render
from qualify.errors import WorkflowError
from qualify.workflow.loader import load_path, load_text
from qualify.workflow.reports import (
    Quarter,
    ReportCalendar,
    ReportInputError,
    outstanding,
    parse_fields,
    parse_quarter,
    read_quarter,
)

ROOT = Path(__file__).resolve().parents[2]
SRO = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
REPORTS = SRO.activity_reports
assert REPORTS is not None
CALENDAR = ReportCalendar.of(REPORTS, SRO)


def _rule(**changes: object) -> ReportCalendar:
    return ReportCalendar.of(REPORTS.model_copy(update=changes), SRO)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2027Q1", date(2027, 1, 1), date(2027, 3, 31)),
        ("2027Q2", date(2027, 4, 1), date(2027, 6, 30)),
        ("2027q3", date(2027, 7, 1), date(2027, 9, 30)),
        ("2027Q4", date(2027, 10, 1), date(2027, 12, 31)),
        ("2028Q1", date(2028, 1, 1), date(2028, 3, 31)),
    ],
)
def test_a_quarter_runs_from_its_first_to_its_last_calendar_day(
    text: str, first: date, last: date
) -> None:
    quarter = parse_quarter(text)
    assert quarter is not None
    assert (quarter.first_day, quarter.last_day) == (first, last)


@pytest.mark.parametrize("text", ["2027Q0", "2027Q5", "27Q1", "2027-Q1", "Q1 2027", "", "0001Q1"])
def test_a_malformed_quarter_is_not_read(text: str) -> None:
    assert parse_quarter(text) is None


def test_the_sro_rule_gives_the_dates_the_old_list_gave_and_goes_on() -> None:
    """15 days after the quarter, or the Friday before when that is a weekend: the six dates the
    workflow listed before, and every quarter after them."""
    listed = {"2027Q1": "04-15", "2027Q2": "07-15", "2027Q3": "10-15"}
    listed |= {"2027Q4": "2028-01-14", "2028Q1": "2028-04-14", "2028Q2": "2028-07-14"}
    for quarter, due in listed.items():
        day = due if due.startswith("20") else f"2027-{due}"
        assert CALENDAR.due(read_quarter(quarter)).isoformat() == day
    assert CALENDAR.due(Quarter(2028, 3)) == date(2028, 10, 13)  # the 15th is a Sunday
    assert CALENDAR.due(Quarter(2035, 2)) == date(2035, 7, 13)
    with pytest.raises(ReportInputError) as refused:
        read_quarter("2030Q5")
    assert render(refused.value) == (
        "--quarter '2030Q5': write a quarter as YEAR Q NUMBER, such as 2027Q3"
    )


def test_a_due_day_on_a_holiday_moves_to_the_working_day_before_or_after() -> None:
    thanksgiving = Quarter(2027, 3).last_day + timedelta(days=56)
    assert thanksgiving == date(2027, 11, 25)
    assert thanksgiving in SRO.holidays
    assert _rule(due_days_after_quarter=56).due(Quarter(2027, 3)) == date(2027, 11, 24)
    # after: Thanksgiving, the Friday after (also a holiday) and the weekend are passed over
    after = _rule(due_days_after_quarter=56, due_on_closed_day="after")
    assert after.due(Quarter(2027, 3)) == date(2027, 11, 29)


def test_moving_before_never_goes_back_into_the_quarter() -> None:
    # 2028Q1 ends on Friday 31 March; a day later is a Saturday: the Monday after, not the Friday
    assert _rule(due_days_after_quarter=1).due(Quarter(2028, 1)) == date(2028, 4, 3)


def test_an_officer_appointed_today_owes_this_quarter_first() -> None:
    """The tryout: appointed on 29 November 2026, the 2026Q4 report is due on 15 January 2027
    and overdue on the 20th."""
    today = date(2026, 11, 29)
    owed = outstanding(CALENDAR, today, None, [], date(2027, 1, 20))
    assert [(o.quarter.id, o.due, o.overdue) for o in owed] == [("2026Q4", date(2027, 1, 15), True)]
    assert outstanding(CALENDAR, today, None, [], date(2026, 12, 30)) == []
    assert [o.quarter.id for o in outstanding(CALENDAR, today, None, [], date(2026, 12, 31))] == [
        "2026Q4"
    ]


@pytest.mark.parametrize(
    ("appointed", "first_quarter", "first"),
    [
        (date(2027, 6, 30), "appointment", "2027Q2"),  # the quarter's last day
        (date(2027, 6, 30), "next", "2027Q3"),
        (date(2027, 7, 1), "appointment", "2027Q3"),  # the quarter's first day
        (date(2027, 7, 1), "next", "2027Q4"),
        (date(2027, 12, 31), "next", "2028Q1"),  # over the year's end
    ],
)
def test_the_first_quarter_is_that_of_the_appointment_or_the_next(
    appointed: date, first_quarter: str, first: str
) -> None:
    assert _rule(first_quarter=first_quarter).first(appointed).id == first


def test_due_from_the_last_day_of_the_quarter_overdue_from_the_day_after_the_due_date() -> None:
    def status(day: date, filed: tuple[str, ...] = ()) -> list[tuple[str, bool]]:
        return [
            (o.quarter.id, o.overdue)
            for o in outstanding(CALENDAR, date(2027, 7, 1), None, filed, day)
        ]

    assert status(date(2027, 9, 29)) == []
    assert status(date(2027, 9, 30)) == [("2027Q3", False)]
    assert status(date(2027, 10, 14)) == [("2027Q3", False)]  # the day before the due day
    assert status(date(2027, 10, 15)) == [("2027Q3", False)]  # the due day
    assert status(date(2027, 10, 16)) == [("2027Q3", True)]  # the day after
    assert status(date(2027, 10, 16), filed=("2027Q3",)) == []
    assert status(date(2028, 1, 15)) == [("2027Q3", True), ("2027Q4", True)]
    assert len(status(date(2031, 1, 1))) == 14  # no end while the officer serves


def test_reports_end_with_the_quarter_of_leaving_or_of_the_term_end() -> None:
    appointed = date(2027, 3, 20)
    removed = date(2027, 8, 10)
    quarters = [q.id for q in CALENDAR.owed(appointed, removed, date(2030, 1, 1))]
    assert quarters == ["2027Q1", "2027Q2", "2027Q3"]  # the days of July and August too
    term = _rule(term_months=24)
    assert term.term_end(appointed) == date(2029, 3, 19)
    assert term.owed(appointed, None, date(2035, 1, 1))[-1].id == "2029Q1"
    assert term.owed(appointed, removed, date(2035, 1, 1))[-1].id == "2027Q3"
    assert _rule(term_months=6).term_end(date(2027, 8, 31)) == date(2028, 2, 28)  # Feb 29 - 1


def test_fields_are_counts_from_zero_and_an_optional_note() -> None:
    given = {"meetings": "0", "presentations": " 12 ", "referrals": "1", "rule_referrals": "2"}
    given |= {"drills": "1", "incidents": "3", "highlights": "  Two   assemblies. "}
    values = parse_fields(REPORTS, given, require_all=True)
    assert values["meetings"] == 0
    assert values["presentations"] == 12
    assert values["highlights"] == "Two assemblies."
    assert "highlights" not in parse_fields(REPORTS, given | {"highlights": " "}, require_all=True)
    assert parse_fields(REPORTS, {"drills": "4"}, require_all=False) == {"drills": 4}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"meeting": "1"},
            "--field meeting: the report has no field 'meeting' (did you mean 'meetings'?)",
        ),
        ({"drills": "-1"}, "--field drills: '-1' is not a count (a whole number, 0 or more)"),
        ({"drills": "two"}, "--field drills: 'two' is not a count"),
        ({"drills": "٣"}, "--field drills: '٣' is not a count"),
        ({"drills": "100001"}, "--field drills: 100001 is more than 100,000"),
        ({"highlights": "x" * 2001}, "--field highlights: 2,001 characters is too long"),
    ],
)
def test_a_bad_field_is_named_in_one_line(given: dict[str, str], message: str) -> None:
    with pytest.raises(ReportInputError) as raised:
        parse_fields(REPORTS, given, require_all=False)
    assert render(raised.value).startswith(message)  # as the command line says it
    assert "\n" not in str(raised.value)


def test_a_missing_count_is_named() -> None:
    with pytest.raises(ReportInputError) as refused:
        parse_fields(REPORTS, {"drills": "1"}, require_all=True)
    assert render(refused.value).startswith("--field meetings: missing")


def test_every_bad_or_missing_field_is_named_at_once() -> None:
    with pytest.raises(ReportInputError) as refused:
        parse_fields(REPORTS, {"drills": "two", "meeting": "1"}, require_all=True)
    lines = render(refused.value).splitlines()
    assert lines[0] == "--field drills: 'two' is not a count (a whole number, 0 or more)"
    assert lines[1].startswith("--field meeting: the report has no field 'meeting'")
    assert lines[2].startswith("--field meetings: missing")
    assert len(lines) == len([f for f in REPORTS.fields if f.kind == "count"]) + 1


def _with_reports(block: str) -> str:
    text = (ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    start = text.index("activity_reports:")
    end = text.index("\n# The stages that remove candidates")
    return text[:start] + block + text[end:]


def _problems(block: str) -> list[str]:
    with pytest.raises(WorkflowError) as raised:
        load_text(_with_reports(block), source="sro.yaml")
    return [p.removeprefix("sro.yaml:") for p in raised.value.problems]


def test_the_loader_names_each_problem_of_activity_reports_by_line_and_key() -> None:
    block = """activity_reports:
  states: [apointed]
  packet: activity_reprt
  fields:
    - {id: meetings, label: Meetings, kind: count}
    - {id: meetings, label: Again, kind: count}
    - {id: Notes, label: Notes, kind: text}
  first_quarter: appointed
  due_days_after_quarter: 0
  due_on_closed_day: later
  term_months: 0
"""
    problems = _problems(block)
    line = _with_reports(block).splitlines().index("activity_reports:") + 1
    assert problems == [
        f"{line + 7}: activity_reports.first_quarter: input should be 'appointment' or 'next', "
        "not 'appointed'",
        f"{line + 8}: activity_reports.due_days_after_quarter: must be at least 1 (got 0)",
        f"{line + 9}: activity_reports.due_on_closed_day: input should be 'before' or "
        "'after', not 'later'",
        f"{line + 10}: activity_reports.term_months: must be at least 1 (got 0)",
    ]
    block = block.replace("appointed\n", "appointment\n").replace(": 0\n", ": 15\n")
    block = block.replace("later", "after")
    assert _problems(block) == [
        f"{line + 1}: activity_reports.states[0]: unknown state 'apointed' (did you mean "
        "'appointed'?)",
        f"{line + 2}: activity_reports.packet: packet 'activity_reprt' has no entry under "
        "packet_kinds (did you mean 'activity_report'?)",
        f"{line + 5}: activity_reports.fields[1].id: field id 'meetings' is used twice: "
        f"activity_reports.fields[0].id (line {line + 4}) has it too; give each field its own id",
        f"{line + 6}: activity_reports.fields[2].id: 'Notes' must be lower_case_with_underscores",
    ]


def test_a_list_of_quarters_is_refused_in_a_file_and_read_in_a_frozen_selection() -> None:
    """A selection opened before the rule froze a list of six quarters: its text still loads,
    each listed quarter keeping its date, and the quarters around them follow the rule; a
    workflow file with a list is refused in one line, at the list."""
    old = """  due:
    2027Q1: 2027-04-15
    2027Q2: 2027-07-16
"""
    text = (ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    rule = (
        "  first_quarter: appointment\n  due_days_after_quarter: 15\n  due_on_closed_day: before\n"
    )
    assert rule in text
    text = text.replace(rule, old)
    line = text.splitlines().index("  due:") + 1
    with pytest.raises(WorkflowError) as refused:
        load_text(text, source="w.yaml")
    assert refused.value.problems == [
        f"w.yaml:{line}: activity_reports.due: a list of quarters runs out: write the rule "
        "instead, first_quarter (appointment or next) and due_days_after_quarter (such as 15)"
    ]
    frozen = load_text(text, source="selection 1", fast=True)
    assert frozen.text == text  # the frozen text and its hash are kept as they were
    spec = frozen.spec
    assert spec.activity_reports is not None
    calendar = ReportCalendar.of(spec.activity_reports, spec)
    assert calendar.due(Quarter(2027, 2)) == date(2027, 7, 16)  # as listed, not the rule's 15th
    assert calendar.due(Quarter(2026, 4)) == date(2027, 1, 15)
    assert calendar.due(Quarter(2028, 4)) == date(2029, 1, 15)
    owed = outstanding(calendar, date(2026, 11, 29), None, [], date(2029, 1, 16))
    assert [o.quarter.id for o in owed][0::8] == ["2026Q4", "2028Q4"]


def test_a_field_kind_other_than_count_or_text_is_refused() -> None:
    block = """activity_reports:
  states: [appointed]
  packet: activity_report
  fields:
    - {id: meetings, label: Meetings, kind: number}
  first_quarter: appointment
  due_days_after_quarter: 15
"""
    assert _problems(block) == [
        f"{_with_reports(block).splitlines().index('activity_reports:') + 5}: "
        "activity_reports.fields[0].kind: input should be 'count' or 'text', not 'number'"
    ]


def test_a_supervising_role_must_be_a_role_of_the_file() -> None:
    block = """activity_reports:
  states: [appointed]
  supervised_by: [comander]
  packet: activity_report
  fields:
    - {id: meetings, label: Meetings, kind: count}
  first_quarter: next
  due_days_after_quarter: 15
"""
    line = _with_reports(block).splitlines().index("activity_reports:") + 3
    assert _problems(block) == [
        f"{line}: activity_reports.supervised_by[0]: unknown role 'comander' "
        "(did you mean 'commander'?)"
    ]
