"""The demo's selection carried up to Dana Whitfield's appointment (MPD-1042) on a chosen day,
for the quarterly activity report tests: built once as an SQLite file, copied for each test."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session

from qualify.config import Settings
from qualify.services.scenario import Scenario, add_evidence, candidate_ids, run_steps, set_up
from qualify.store import db
from qualify.store.tables import Selection
from qualify.workflow.reports import Quarter

ROOT = Path(__file__).resolve().parents[2]

SCENARIO = ROOT / "docs" / "examples" / "sro-demo.yaml"


def noon(day: date) -> datetime:
    """Midday in Milford (the workflow's time zone, five hours behind UTC in winter), in UTC."""
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def settings_for(url: str, folder: Path) -> Settings:
    return Settings.from_env(
        {"QUALIFY_FILES": str(folder / "files"), "QUALIFY_OUTPUT": str(folder / "out")},
        database_url=url,
    )


def run_to_appointment(
    session: Session, scenario: Scenario, selection: Selection, day: date
) -> int:
    """Carry Dana Whitfield through the demo's steps up to her appointment on `day`."""
    steps = scenario.data["steps"]
    step = next(i for i, s in enumerate(steps) if s.get("trigger") == "appoint")
    run_steps(session, scenario, selection, until=step)
    scenario.clock.append(noon(day))
    run_steps(session, scenario, selection, start=step, until=step + 1)
    assert selection.id is not None
    return candidate_ids(session, selection.id)["MPD-1042"]


class AppointedCopies:
    """One SQLite file per appointment day, made on first use in `folder` (from `scenario`,
    with the workflows of `workflows`, when given)."""

    def __init__(
        self, folder: Path, *, scenario: Path = SCENARIO, workflows: Path | None = None
    ) -> None:
        self.folder = folder
        self.scenario = scenario
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
                scenario = Scenario.load(self.scenario)
                selection = set_up(session, settings, scenario)
                add_evidence(session, settings, scenario, selection)
                run_to_appointment(session, scenario, selection, day)
            engine.dispose()
            self.made[day] = path
        return self.made[day]


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def before(quarter: Quarter, count: int = 1) -> Quarter:
    index = quarter.year * 4 + quarter.number - 1 - count
    return Quarter(index // 4, index % 4 + 1)


def in_the_past(folder: Path, today: date) -> tuple[Path, Path, list[Quarter]]:
    """For tests on the real clock: a copy of the SRO workflow whose report calendar holds the
    four quarters before today's, today's and the next (each due 14 days after it ends), and a
    copy of the demo scenario recorded 30 days before the first of them. Returns the scenario,
    the workflows folder and the quarters, oldest first."""
    quarters = [before(quarter_of(today), n) for n in range(4, -2, -1)]
    due = "".join(
        f"    {q.id}: {(q.last_day + timedelta(days=14)).isoformat()}\n" for q in quarters
    )
    text = (ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(  due:\n)(    \d{4}Q\d: [\d-]+\n)+", lambda m: m.group(1) + due, text)
    workflows = folder / "workflows"
    workflows.mkdir()
    (workflows / "sro-selection.yaml").write_text(text, encoding="utf-8")
    recorded = quarters[0].first_day - timedelta(days=30)
    scenario = SCENARIO.read_text(encoding="utf-8")
    scenario = re.sub(r"^recorded_on: .*$", f"recorded_on: {recorded}", scenario, flags=re.M)
    (folder / "sro-demo.yaml").write_text(scenario, encoding="utf-8")
    shutil.copyfile(SCENARIO.parent / "roster.csv", folder / "roster.csv")
    return folder / "sro-demo.yaml", workflows, quarters
