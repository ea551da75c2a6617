"""The time services record: now, in UTC (a front door may pass its own `now`)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
