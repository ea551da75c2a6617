"""Pure helpers for what documents print: dates written out, the appeal deadline, short record
references, people's names and field values in words. No database, no PDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from qualify.workflow.spec import AppealSpec, FieldSpec, Workflow

_ONE_DAY = timedelta(days=1)


def local_date(at: datetime, time_zone: str) -> date:
    """The calendar day of a stored moment in the selection's time zone."""
    return at.astimezone(ZoneInfo(time_zone)).date()


def long_date(day: date) -> str:
    """January 8, 2027."""
    return f"{day:%B} {day.day}, {day.year}"


def weekday_date(day: date) -> str:
    """Monday, January 25, 2027."""
    return f"{day:%A}, {long_date(day)}"


def local_time(at: datetime, time_zone: str) -> str:
    """9:30 a.m. (EST), in the selection's time zone."""
    moment = at.astimezone(ZoneInfo(time_zone))
    hour = moment.hour % 12 or 12
    half = "a.m." if moment.hour < 12 else "p.m."
    return f"{hour}:{moment.minute:02d} {half} ({moment.tzname()})"


def weekday_time(at: datetime, time_zone: str) -> str:
    """Monday, December 14, 2026 at 9:00 a.m. (EST), in the selection's time zone."""
    return f"{weekday_date(local_date(at, time_zone))} at {local_time(at, time_zone)}"


def is_business_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def appeal_deadline(decided: date, rule: AppealSpec, holidays: frozenset[date]) -> date:
    """The last day to ask for reconsideration: `days` business days after the decision (the
    decision's own day does not count), or `days` calendar days moved forward to the next
    business day when they end on a weekend or holiday."""
    day = decided
    if rule.business_days:
        counted = 0
        while counted < rule.days:
            day += _ONE_DAY
            if is_business_day(day, holidays):
                counted += 1
        return day
    day += timedelta(days=rule.days)
    while not is_business_day(day, holidays):
        day += _ONE_DAY
    return day


def record_reference(selection_id: int, candidate_id: int, event_id: int) -> str:
    """The short reference a letter carries: S1-C4-E94 (selection, candidate, audit event)."""
    return f"S{selection_id}-C{candidate_id}-E{event_id}"


def split_name(name: str) -> tuple[str, str]:
    """(given, family) from a stored name: "Reyes, Luis" or "Luis Reyes"."""
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(), family.strip()
    parts = name.split()
    if len(parts) < 2:
        return "", name.strip()
    return " ".join(parts[:-1]), parts[-1]


def full_name(given: str, family: str) -> str:
    return f"{given} {family}".strip()


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def field_value(spec: FieldSpec, value: object) -> str:
    """A stored evidence value as a reader would write it: yes or no, pass or fail, a date
    written out, a choice in words."""
    if isinstance(value, bool):
        if spec.type == "pass_fail":
            return "pass" if value else "fail"
        return yes_no(value)
    value = str(value)
    if spec.type == "yes_no" and value.lower() in ("true", "false"):
        return yes_no(value.lower() == "true")
    if spec.type == "date":
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            return value
    if spec.type == "choice":
        return value.replace("_", " ")
    return value


def field_label(name: str, spec: FieldSpec) -> str:
    """A field's label, or its name in words when the workflow gives none."""
    return spec.label or name.replace("_", " ").capitalize()


Placed = Sequence[tuple[str, str]]  # (seat, user name), in order


def panel_change(
    spec: Workflow,
    name: Callable[[str], str],
    seats_before: Placed,
    seats_after: Placed,
    alternates_before: Placed,
    alternates_after: Placed,
) -> list[str]:
    """What a panel change changed, one line each, people by `name` and seats by their label:
    who left or took a seat, who was named alternate or is no longer one, and alternates of a
    seat put in another order (the first sits first)."""

    def seat(key: str) -> str:
        declared = spec.panel.seats.get(key)
        return (declared.label if declared and declared.label else key.replace("_", " ")) + " seat"

    lines = [f"{name(u)} left the {seat(s)}" for s, u in seats_before if (s, u) not in seats_after]
    lines += [f"{name(u)} took the {seat(s)}" for s, u in seats_after if (s, u) not in seats_before]
    lines += [
        f"{name(u)} no longer alternate for the {seat(s)}"
        for s, u in alternates_before
        if (s, u) not in alternates_after
    ]
    lines += [
        f"{name(u)} named alternate for the {seat(s)}"
        for s, u in alternates_after
        if (s, u) not in alternates_before
    ]
    for key in dict.fromkeys(s for s, _ in alternates_after):
        old = [u for s, u in alternates_before if s == key]
        new = [u for s, u in alternates_after if s == key]
        if old != new and sorted(old) == sorted(new):
            order = ", ".join(name(u) for u in new)
            lines.append(f"alternates for the {seat(key)} now sit in the order {order}")
    return lines or ["assigned again as it was"]
