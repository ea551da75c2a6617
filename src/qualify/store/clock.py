"""The time services record: now, in UTC (a front door may pass its own `now`); and the rule
that a fact cannot be dated after the day it is recorded on."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def after_today(day: date, today: date) -> str | None:
    """Why a fact dated `day` cannot be recorded on `today`, the day in the selection's time
    zone (None when it can): a fact must have happened, so it is dated today or earlier."""
    if day <= today:
        return None
    return f"{day} is after today ({today}); a fact must have happened"
