"""The demo's selection carried up to Dana Whitfield's appointment (MPD-1042) on a chosen day,
for the quarterly activity report tests: built once as an SQLite file, copied for each test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlmodel import Session

from qualify.config import Settings
from qualify.store import db
from qualify.workflow.reports import Quarter
from tests.helpers.builders import a_selection, appointed

ROOT = Path(__file__).resolve().parents[2]


def noon(day: date) -> datetime:
    """Midday in Milford (the workflow's time zone, five hours behind UTC in winter), in UTC."""
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def settings_for(url: str, folder: Path) -> Settings:
    return Settings.from_env(
        {"QUALIFY_FILES": str(folder / "files"), "QUALIFY_OUTPUT": str(folder / "out")},
        database_url=url,
    )


class AppointedCopies:
    """One SQLite file per appointment day, made on first use in `folder` (the sample selection
    `years_back` years earlier, with the workflows of `workflows`, when given)."""

    def __init__(self, folder: Path, *, years_back: int = 0, workflows: Path | None = None) -> None:
        self.folder = folder
        self.years_back = years_back
        self.workflows = workflows
        self.made: dict[date, Path] = {}

    def __call__(self, day: date) -> Path:
        if day not in self.made:
            path = self.folder / f"{day.isoformat()}.db"
            url = f"sqlite:///{path}"
            engine = db.make_engine(url)
            db.upgrade(engine)
            settings = settings_for(url, self.folder)
            if self.workflows is not None:
                settings = replace(settings, workflows_dir=self.workflows)
            with Session(engine, expire_on_commit=False) as session:
                sample = a_selection(session, settings, years_back=self.years_back)
                appointed(sample, on=day)
            engine.dispose()
            self.made[day] = path
        return self.made[day]


def in_the_past(today: date) -> tuple[int, list[Quarter], date]:
    """For tests on the real clock: the demo a year or two back, with the SRO workflow as it
    ships. How many whole years to move the sample selection's dates back by (so every check
    gives what it gives in the demo), the quarters from the first of last year to this one
    (oldest first), and the day to appoint the officer: March 20 of last year, in the first
    quarter."""
    year = today.year - 1
    quarters = [Quarter(year + n // 4, n % 4 + 1) for n in range(4 + (today.month + 2) // 3)]
    return 2027 - year, quarters, date(year, 3, 20)
