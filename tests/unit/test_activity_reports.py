"""Quarterly activity reports, pure: quarters, due and overdue, figures, and the workflow's
`activity_reports` as the loader checks it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from qualify.cli.errors import render
from qualify.errors import WorkflowError
from qualify.workflow.loader import load_path, load_text
from qualify.workflow.reports import (
    Quarter,
    ReportInputError,
    calendar_quarter,
    outstanding,
    parse_fields,
    parse_quarter,
    quarters_owed,
)

ROOT = Path(__file__).resolve().parents[2]
SRO = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
REPORTS = SRO.activity_reports
assert REPORTS is not None


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


def test_the_sro_calendar_has_2027q3_due_on_october_15() -> None:
    assert REPORTS.due["2027Q3"] == date(2027, 10, 15)
    assert calendar_quarter(REPORTS, "2027Q3") == Quarter(2027, 3)
    with pytest.raises(ReportInputError) as refused:
        calendar_quarter(REPORTS, "2030Q1")
    assert re.match("--quarter 2030Q1: .*has no quarter 2030Q1", render(refused.value))


def test_an_officer_owes_every_quarter_ending_on_or_after_the_appointment() -> None:
    on_last_day = [q.id for q, _ in quarters_owed(REPORTS, date(2027, 6, 30))]
    day_after = [q.id for q, _ in quarters_owed(REPORTS, date(2027, 7, 1))]
    assert on_last_day[:2] == ["2027Q2", "2027Q3"]
    assert day_after[0] == "2027Q3"


def test_due_from_the_last_day_of_the_quarter_overdue_from_the_day_after_the_due_date() -> None:
    def status(day: date, filed: tuple[str, ...] = ()) -> list[tuple[str, bool]]:
        return [
            (o.quarter.id, o.overdue) for o in outstanding(REPORTS, date(2027, 7, 1), filed, day)
        ]

    assert status(date(2027, 9, 29)) == []
    assert status(date(2027, 9, 30)) == [("2027Q3", False)]
    assert status(date(2027, 10, 15)) == [("2027Q3", False)]
    assert status(date(2027, 10, 16)) == [("2027Q3", True)]
    assert status(date(2027, 10, 16), filed=("2027Q3",)) == []
    assert status(date(2028, 1, 15)) == [("2027Q3", True), ("2027Q4", True)]


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
  due:
    2027Q3: 2027-09-30
    2027Q7: 2027-12-01
"""
    problems = _problems(block)
    line = _with_reports(block).splitlines().index("activity_reports:") + 1
    assert problems == [
        f"{line + 1}: activity_reports.states[0]: unknown state 'apointed' (did you mean "
        "'appointed'?)",
        f"{line + 2}: activity_reports.packet: packet 'activity_reprt' has no entry under "
        "packet_kinds (did you mean 'activity_report'?)",
        f"{line + 5}: activity_reports.fields[1].id: field id 'meetings' is used twice",
        f"{line + 6}: activity_reports.fields[2].id: 'Notes' must be lower_case_with_underscores",
        f"{line + 8}: activity_reports.due.2027Q3: due 2027-09-30, but 2027Q3 runs until "
        "2027-09-30: a report is due after its quarter ends",
        f"{line + 9}: activity_reports.due.2027Q7: '2027Q7' is not a quarter such as 2027Q3",
    ]


def test_a_field_kind_other_than_count_or_text_is_refused() -> None:
    block = """activity_reports:
  states: [appointed]
  packet: activity_report
  fields:
    - {id: meetings, label: Meetings, kind: number}
  due:
    2027Q3: 2027-10-15
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
  due:
    2027Q3: 2027-10-15
"""
    line = _with_reports(block).splitlines().index("activity_reports:") + 3
    assert _problems(block) == [
        f"{line}: activity_reports.supervised_by[0]: unknown role 'comander' "
        "(did you mean 'commander'?)"
    ]
