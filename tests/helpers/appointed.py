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
from qualify.services.advance import advance
from qualify.services.scenario import Scenario, add_evidence, candidate_ids, run_steps, set_up
from qualify.store import db
from qualify.store.tables import Selection
from qualify.workflow.reports import Quarter
from tests.helpers.actors import CLI, as_user

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
    """Carry Dana Whitfield through the demo's steps up to her appointment, made on `day`
    (which must come after the steps before it)."""
    steps = scenario.data["steps"]
    step = next(i for i, s in enumerate(steps) if s.get("trigger") == "appoint")
    run_steps(session, scenario, selection, until=step)
    at = noon(day)
    assert at > scenario.clock[-1], f"appointment on {day} before the steps that lead to it"
    assert selection.id is not None
    dana = candidate_ids(session, selection.id)["MPD-1042"]
    advance(
        session=session, candidate_id=dana, trigger="appoint", actor=as_user("chief.walsh"), now=at
    )
    return dana


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
                scenario = Scenario.load(self.scenario, CLI)
                selection = set_up(session, settings, scenario)
                add_evidence(session, settings, scenario, selection)
                run_to_appointment(session, scenario, selection, day)
            engine.dispose()
            self.made[day] = path
        return self.made[day]


def in_the_past(folder: Path, today: date) -> tuple[Path, Path, list[Quarter], date]:
    """For tests on the real clock: the demo a year or two back. A copy of the SRO workflow whose
    report calendar holds the six quarters from the first of last year (each due 14 days after
    it ends), and a copy of the demo scenario with every date moved back by the same number of
    whole years (so every check gives what it gives in the demo). Returns the scenario, the
    workflows folder, the quarters (oldest first) and the day to appoint the officer: March 20
    of last year, in the first quarter."""
    year = today.year - 1
    quarters = [Quarter(year + n // 4, n % 4 + 1) for n in range(6)]
    due = "".join(
        f"    {q.id}: {(q.last_day + timedelta(days=14)).isoformat()}\n" for q in quarters
    )
    text = (ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(  due:\n)(    \d{4}Q\d: [\d-]+\n)+", lambda m: m.group(1) + due, text)
    workflows = folder / "workflows"
    workflows.mkdir()
    (workflows / "sro-selection.yaml").write_text(text, encoding="utf-8")
    scenario = SCENARIO.read_text(encoding="utf-8")
    found = re.search(r"^recorded_on: (\d{4})-", scenario, flags=re.M)
    assert found is not None
    back = int(found.group(1)) - year

    def moved(m: re.Match[str]) -> str:
        day = date.fromisoformat(m.group(0))
        return day.replace(year=day.year - back, day=min(day.day, 28 if day.month == 2 else 31))

    scenario = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: moved(m).isoformat(), scenario)
    (folder / "sro-demo.yaml").write_text(scenario, encoding="utf-8")
    shutil.copyfile(SCENARIO.parent / "roster.csv", folder / "roster.csv")
    return folder / "sro-demo.yaml", workflows, quarters, date(year, 3, 20)
