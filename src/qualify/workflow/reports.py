"""Quarterly activity reports, pure: quarters, the figures a report holds, and what is due.

A quarter is a calendar quarter named like `2027Q3` (July to September 2027). The workflow's
`activity_reports` gives the rule: an officer owes a report for each quarter from the one of
appointment (or the next, per `first_quarter`) to the one in which they leave the reporting
states or the position's term ends. A quarter's report may be entered from its last day on, is
due until its due day (inclusive: `due_days_after_quarter` days after the quarter, moved off a
weekend or holiday) and overdue from the day after.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qualify.errors import BadInput, Gathered
from qualify.limits import DATE_MAX, DATE_MIN, EVIDENCE_TEXT_MAX
from qualify.suggest import suggest
from qualify.workflow.documents import is_business_day
from qualify.workflow.spec import ActivityReportsSpec, ReportFieldSpec, Workflow

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_ONE_DAY = timedelta(days=1)
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


def read_quarter(text: str) -> Quarter:
    """The quarter `text` names; refuse anything else, naming the input."""
    quarter = parse_quarter(text)
    if quarter is None:
        raise ReportInputError(
            "write a quarter as YEAR Q NUMBER, such as 2027Q3",
            field="quarter",
            value=repr(text),
        )
    return quarter


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def next_quarter(quarter: Quarter) -> Quarter:
    if quarter.number == 4:
        return Quarter(quarter.year + 1, 1)
    return Quarter(quarter.year, quarter.number + 1)


def _months_later(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    days_in_month = (date(year + month // 12, month % 12 + 1, 1) - _ONE_DAY).day
    return date(year, month, min(day.day, days_in_month))


@dataclass(frozen=True)
class ReportCalendar:
    """The workflow's rule for which quarters an officer owes and when each is due."""

    config: ActivityReportsSpec
    holidays: frozenset[date]

    @classmethod
    def of(cls, config: ActivityReportsSpec, spec: Workflow) -> ReportCalendar:
        return cls(config, frozenset(spec.holidays))

    def due(self, quarter: Quarter) -> date:
        """The quarter's due day: a date listed by a selection opened before the rule, else
        `due_days_after_quarter` days after its last day, moved off a closed day (never back
        into the quarter)."""
        listed = self.config.due.get(quarter.id)
        if listed is not None:
            return listed
        day = quarter.last_day + timedelta(days=self.config.due_days_after_quarter)
        if self.config.due_on_closed_day == "before":
            earlier = day
            while (
                not is_business_day(earlier, self.holidays)
                and earlier > quarter.last_day + _ONE_DAY
            ):
                earlier -= _ONE_DAY
            if is_business_day(earlier, self.holidays):
                return earlier
        while not is_business_day(day, self.holidays):
            day += _ONE_DAY
        return day

    def first(self, appointed_on: date) -> Quarter:
        """The first quarter reported on."""
        quarter = quarter_of(appointed_on)
        return next_quarter(quarter) if self.config.first_quarter == "next" else quarter

    def last(self, appointed_on: date, left_on: date | None) -> Quarter | None:
        """The last quarter reported on: the one in which the officer left, or in which the
        term ends; None while neither has a day."""
        ends = [day for day in (left_on, self.term_end(appointed_on)) if day is not None]
        if not ends:
            return None
        return max(quarter_of(min(ends)), self.first(appointed_on))

    def term_end(self, appointed_on: date) -> date | None:
        """The last day of the position's term, if it has one."""
        if self.config.term_months is None:
            return None
        return _months_later(appointed_on, self.config.term_months) - _ONE_DAY

    def owed(self, appointed_on: date, left_on: date | None, as_of: date) -> list[Quarter]:
        """The quarters owed that have reached their last day by `as_of`, oldest first."""
        last = self.last(appointed_on, left_on)
        found = []
        quarter = self.first(appointed_on)
        while quarter.last_day <= as_of and (last is None or quarter <= last):
            found.append(quarter)
            quarter = next_quarter(quarter)
        return found


def parse_fields(
    spec: ActivityReportsSpec, given: Mapping[str, str], *, require_all: bool
) -> dict[str, int | str]:
    """The report's values from NAME=VALUE text: counts are whole numbers from 0, text is a
        short note. With `require_all`, every count must be given. Every field's problem is raised
    at once."""
    fields = {f.id: f for f in spec.fields}
    values: dict[str, int | str] = {}
    gathered = Gathered(ReportInputError)  # each field's problem, said at once
    for name, text in given.items():
        with gathered.check():
            _parse_field(fields, name, text, values)
    if require_all:
        for field in spec.fields:
            if field.kind == "count" and field.id not in values and field.id not in given:
                with gathered.check():
                    raise ReportInputError(
                        f"missing ({field.label}); give {field.id}=N",
                        field=f"fields.{field.id}",
                        value=field.id,
                    )
    gathered.refuse()
    return values


def _parse_field(
    fields: Mapping[str, ReportFieldSpec], name: str, text: str, values: dict[str, int | str]
) -> None:
    """Put the value of the field `name` given as `text` into `values`; refuse a bad one."""
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
        return
    note = " ".join(text.split())
    if len(note) > EVIDENCE_TEXT_MAX:
        raise ReportInputError(
            f"{len(note):,} characters is too long (at most {EVIDENCE_TEXT_MAX:,})",
            field=f"fields.{name}",
            value=name,
        )
    if note:
        values[name] = note


@dataclass(frozen=True)
class Owed:
    """One quarter's report an officer owes and has not filed, as of a day."""

    quarter: Quarter
    due: date
    overdue: bool


def outstanding(
    calendar: ReportCalendar,
    appointed_on: date,
    left_on: date | None,
    filed: Iterable[str],
    as_of: date,
) -> list[Owed]:
    """The reports due or overdue on `as_of`: quarters owed that have reached their last day
    with no report filed; overdue from the day after the due day."""
    done = set(filed)
    found = []
    for quarter in calendar.owed(appointed_on, left_on, as_of):
        if quarter.id not in done:
            due = calendar.due(quarter)
            found.append(Owed(quarter, due, overdue=as_of > due))
    return found


def validate(
    spec: Workflow,
    add: Callable[[tuple[str | int, ...], str], None],
    twice: Callable[[tuple[str | int, ...], tuple[str | int, ...], str, str], None],
) -> None:
    """Cross-check `activity_reports`: states, fields and packet kind (the calendar's
    bounds are the spec's own). `add(path, problem)`; `twice(path, first, what, fix)` for a
    value that repeats the one at `first`."""
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
    seen: dict[str, int] = {}
    for i, field in enumerate(reports.fields):
        if field.id in seen:
            twice(
                (*here, "fields", i, "id"),
                (*here, "fields", seen[field.id], "id"),
                f"field id '{field.id}' is used twice",
                "give each field its own id",
            )
        seen.setdefault(field.id, i)
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


def _suggest(word: str, choices: Iterable[Any]) -> str:
    return suggest(word, [str(c) for c in choices])
