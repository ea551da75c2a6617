"""The sample SRO selection up to the Chief's `select` step, as a SQLite file to copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlmodel import Session

from qualify.config import Settings
from qualify.services.scenario import Scenario, add_evidence, run_steps, set_up
from qualify.store import db
from tests.conftest import SCENARIO
from tests.helpers.actors import CLI


def selected_db(folder: Path) -> Path:
    """Build it in `folder` (through the services, without packets: fast) and return its path.
    Dana Whitfield (MPD-1042, candidate 1) is selected; Luis Reyes and Priya Natarajan scored."""
    path = folder / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    config = Settings.from_env(
        {"QUALIFY_FILES": str(folder / "files")}, database_url=f"sqlite:///{path}"
    )
    with Session(engine) as session:
        scenario = Scenario.load(SCENARIO, CLI)
        selection = set_up(session, config, scenario)
        add_evidence(session, config, scenario, selection)
        steps = scenario.data["steps"]
        chosen = next(i for i, step in enumerate(steps) if step.get("trigger") == "select")
        run_steps(session, scenario, selection, until=chosen + 1)
    engine.dispose()
    with sqlite3.connect(path) as raw:  # fold the WAL into the file before copying it
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
