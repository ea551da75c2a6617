"""The sample SRO selection up to the Chief's selection of Dana Whitfield, as a SQLite file to
copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlmodel import Session

from qualify.config import Settings
from qualify.store import db
from tests.helpers.builders import a_selection, selected


def selected_db(folder: Path) -> Path:
    """Build it in `folder` (through the services, without packets: fast) and return its path.
    Dana Whitfield (MPD-1042, candidate 1) is selected; Luis Reyes and Priya Natarajan are
    scored, not yet decided."""
    path = folder / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    config = Settings.from_env(
        {"QUALIFY_FILES": str(folder / "files")}, database_url=f"sqlite:///{path}"
    )
    with Session(engine, expire_on_commit=False) as session:
        selected(a_selection(session, config), not_selected=None)
    engine.dispose()
    with sqlite3.connect(path) as raw:  # fold the WAL into the file before copying it
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path
