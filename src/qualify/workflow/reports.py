"""Quarterly activity reports, pure: quarters, the figures a report holds, and what is due.

A quarter is a calendar quarter named like `2027Q3` (July to September 2027). The workflow's
`activity_reports.due` says on which day each quarter's report is due; a quarter is owed by an
officer appointed on or before its last day, may be entered from its last day on, is due until
its due date (inclusive) and overdue from the day after.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qualify.errors import BadInput
from qualify.limits import DATE_MAX, DATE_MIN, EVIDENCE_TEXT_MAX
from qualify.suggest import suggest
from qualify.workflow.spec import ActivityReportsSpec, Workflow

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
COUNT_MAX = 100_000  # a figure for one quarter: more is a typing mistake


class ReportInputError(BadInput):
    """A report's input is malformed; the error names the input (`quarter` or `fields`)."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def id(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def words(self) -> str:
        """July to September 2027."""
        return f"{self.first_day:%B} to {self.last_day:%B} {self.year}"


def parse_quarter(text: str) -> Quarter | None:
    """The quarter `2027Q3` names (a lower-case q is read too), or None."""
    found = _QUARTER.match(text.strip().upper())
    if not found:
        return None
    quarter = Quarter(int(found.group(1)), int(found.group(2)))
    if not DATE_MIN <= quarter.first_day <= DATE_MAX:
        return None
    return quarter


def calendar_quarter(spec: ActivityReportsSpec, text: str) -> Quarter:
    """The quarter of the workflow's report calendar that `text` names; refuse anything else."""
    quarter = parse_quarter(text)
    listed = ", ".join(spec.due)
    if quarter is None:
        raise ReportInputError(
            f"write a quarter as YEAR Q NUMBER, such as 2027Q3 (the calendar holds {listed})",
            field="quarter",
            value=repr(text),
        )
    if quarter.id not in spec.due:
        raise ReportInputError(
            f"the workflow's report calendar has no quarter {quarter.id} (it holds {listed})",
            field="quarter",
            value=quarter.id,
        )
    return quarter


def parse_fields(
    spec: ActivityReportsSpec, given: Mapping[str, str], *, require_all: bool
) -> dict[str, int | str]:
    """The report's values from NAME=VALUE text: counts are whole numbers from 0, text is a
    short note. With `require_all`, every count must be given. The first problem is raised."""
    fields = {f.id: f for f in spec.fields}
    values: dict[str, int | str] = {}
    for name, text in given.items():
        field = fields.get(name)
        if field is None:
            raise ReportInputError(
                f"the report has no field '{name}'{suggest(name, fields)} "
                f"(fields: {', '.join(fields)})",
                field=f"fields.{name}",
                value=name,
            )
        if field.kind == "count":
            value = text.strip()
            if not value.isascii() or not value.isdigit():
                raise ReportInputError(
                    f"{text!r} is not a count (a whole number, 0 or more)",
                    field=f"fields.{name}",
                    value=name,
                )
            number = int(value)
            if number > COUNT_MAX:
                raise ReportInputError(
                    f"{number} is more than {COUNT_MAX:,}", field=f"fields.{name}", value=name
                )
            values[name] = number
        else:
            note = " ".join(text.split())
            if len(note) > EVIDENCE_TEXT_MAX:
                raise ReportInputError(
                    f"{len(note):,} characters is too long (at most {EVIDENCE_TEXT_MAX:,})",
                    field=f"fields.{name}",
                    value=name,
                )
            if note:
                values[name] = note
    if require_all:
        for field in spec.fields:
            if field.kind == "count" and field.id not in values:
                raise ReportInputError(
                    f"missing ({field.label}); give {field.id}=N",
                    field=f"fields.{field.id}",
                    value=field.id,
                )
    return values


@dataclass(frozen=True)
class Owed:
    """One quarter's report an officer owes and has not filed, as of a day."""

    quarter: Quarter
    due: date
    overdue: bool


def quarters_owed(spec: ActivityReportsSpec, appointed_on: date) -> list[tuple[Quarter, date]]:
    """The calendar's quarters an officer appointed on `appointed_on` reports on, in order."""
    found = []
    for text, due in spec.due.items():
        quarter = parse_quarter(text)
        if quarter is not None and quarter.last_day >= appointed_on:
            found.append((quarter, due))
    return sorted(found)


def outstanding(
    spec: ActivityReportsSpec, appointed_on: date, filed: Iterable[str], as_of: date
) -> list[Owed]:
    """The reports due or overdue on `as_of`: quarters that have reached their last day with
    no report filed; overdue from the day after the due date."""
    done = set(filed)
    return [
        Owed(quarter, due, overdue=as_of > due)
        for quarter, due in quarters_owed(spec, appointed_on)
        if quarter.last_day <= as_of and quarter.id not in done
    ]


def validate(spec: Workflow, add: Callable[[tuple[str | int, ...], str], None]) -> None:
    """Cross-check `activity_reports`: states, fields, packet kind and the calendar."""
    reports = spec.activity_reports
    if reports is None:
        return
    here = ("activity_reports",)
    for j, state in enumerate(reports.states):
        if state not in spec.states:
            add((*here, "states", j), f"unknown state '{state}'{_suggest(state, spec.states)}")
    for j, role in enumerate(reports.supervised_by):
        if role not in spec.roles:
            add((*here, "supervised_by", j), f"unknown role '{role}'{_suggest(role, spec.roles)}")
    if not reports.states:
        add((*here, "states"), "name at least one state in which an officer reports")
    if not any(f.kind == "count" for f in reports.fields):
        add((*here, "fields"), "declare at least one field of kind count")
    seen: set[str] = set()
    for i, field in enumerate(reports.fields):
        if field.id in seen:
            add((*here, "fields", i, "id"), f"field id '{field.id}' is used twice")
        seen.add(field.id)
        if not re.match(r"^[a-z][a-z0-9_]*$", field.id):
            add((*here, "fields", i, "id"), f"'{field.id}' must be lower_case_with_underscores")
        if not field.label.strip():
            add((*here, "fields", i, "label"), "write the label the report prints")
    if reports.packet not in spec.packet_kinds:
        add(
            (*here, "packet"),
            f"packet '{reports.packet}' has no entry under packet_kinds"
            f"{_suggest(reports.packet, spec.packet_kinds)}",
        )
    if not reports.due:
        add((*here, "due"), "list each quarter's due date, such as 2027Q3: 2027-10-15")
    for text, due in reports.due.items():
        quarter = parse_quarter(text)
        if quarter is None or quarter.id != text:
            add((*here, "due", text), f"'{text}' is not a quarter such as 2027Q3")
        elif due <= quarter.last_day:
            add(
                (*here, "due", text),
                f"due {due.isoformat()}, but {text} runs until {quarter.last_day.isoformat()}: "
                "a report is due after its quarter ends",
            )


def _suggest(word: str, choices: Iterable[Any]) -> str:
    return suggest(word, [str(c) for c in choices])
