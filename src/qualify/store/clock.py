"""The time services record: now, in UTC (a front door may pass its own `now`); and the rule
that a fact is dated within the days it can have happened on: not after the day it is recorded
on, nor before FACT_DATE_MIN (1950-01-01; an earlier year is a mistyped one)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from qualify.limits import FACT_DATE_MIN


def utcnow() -> datetime:
    return datetime.now(UTC)


def after_today(day: date, today: date) -> str | None:
    """Why a fact dated `day` cannot be recorded on `today`, the day in the selection's time
    zone (None when it can): a fact must have happened, so it is dated today or earlier."""
    if day <= today:
        return None
    return f"{day} is after today ({today}); a fact must have happened"


def not_a_fact_date(day: date, today: date) -> str | None:
    """Why a fact dated `day` cannot be recorded on `today` (None when it can): after today it
    has not happened; before FACT_DATE_MIN its year is mistyped."""
    if day < FACT_DATE_MIN:
        return (
            f"{day} is before {FACT_DATE_MIN}, the earliest date a fact may have; "
            "is the year mistyped?"
        )
    return after_today(day, today)
