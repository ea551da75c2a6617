"""The time services record: now, in UTC (a front door may pass its own `now`); the rule that a
fact is dated within the days it can have happened on: not after the day it is recorded on, nor
before FACT_DATE_MIN (1950-01-01; an earlier year is a mistyped one); and the rule that a day
planned more than AHEAD_DAYS ahead must be confirmed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from qualify.limits import FACT_DATE_MIN

# A day planned (an as-of date, an interview, training due) more than this many days ahead is
# more often a mistyped year or month than a plan: each front door asks to confirm it.
AHEAD_DAYS = 90


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


def too_far_ahead(day: date, today: date, what: str) -> str | None:
    """Why `what` on `day` must be confirmed (None when it need not): it is more than
    AHEAD_DAYS after `today`, the day in the selection's time zone."""
    ahead = (day - today).days
    if ahead <= AHEAD_DAYS:
        return None
    return (
        f"{ahead} days after today ({today.isoformat()}): {what} more than {AHEAD_DAYS} days "
        "ahead is more often a mistyped year or month"
    )
