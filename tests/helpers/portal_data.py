"""A prepared portal database: the sample SRO selection at a stage, with hostile names.

The sample officer MPD-1077 is renamed `<script>alert(1)</script>` `"><img src=x
onerror=alert(1)>` (so the name reaches every page: screening, glance, results, packets), and
a second officer with those names waits in screening.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session

from qualify.config import Settings
from qualify.store import db
from tests.helpers.builders import (
    COMMANDER,
    HR,
    Sample,
    a_selection,
    advanced,
    an_officer,
    declared,
    interviewed,
    renamed,
    with_passwords,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"


def scoring(sample: Sample) -> None:
    """Interviews under way: the commander has declared no conflict, the representatives
    nothing yet."""
    declared(sample, panelists=[COMMANDER])


def password_of(name: str) -> str:
    """The portal password `prepare` gives each sample user (test data only)."""
    return f"{name} portal password"


@dataclass(frozen=True)
class Prepared:
    settings: Settings
    selection_id: int
    ids: dict[str, int]  # employee id -> candidate id; "XSS-1": the officer waiting in screening

    @property
    def env(self) -> dict[str, str]:
        """What a `qualify serve` process needs to find the same files and records."""
        return {
            "QUALIFY_FILES": str(self.settings.files_dir),
            "QUALIFY_OUTPUT": str(self.settings.output_dir),
            "QUALIFY_RECORDS": str(self.settings.records_dir),
        }


def settings_for(folder: Path) -> Settings:
    return Settings.from_env(
        {
            "QUALIFY_FILES": str(folder / "files"),
            "QUALIFY_OUTPUT": str(folder / "out"),
            "QUALIFY_RECORDS": str(folder / "records"),
        },
        database_url=f"sqlite:///{folder / 'qualify.db'}",
    )


def prepare(
    folder: Path,
    *,
    stage: Callable[[Sample], object] = interviewed,
    database_url: str | None = None,
    passwords: tuple[str, ...] = (),
    hostile: bool = True,
    years_back: int = 0,
) -> Prepared:
    """The sample selection carried to `stage` (every scorecard submitted and the scores
    recorded, unless another is named), with the hostile names (or, without
    `hostile`, an ordinary officer waiting in screening); the users named in `passwords` get
    the portal password `password_of(name)`. `years_back` moves the sample's dates that many
    years earlier (for a page that checks dates against the real clock)."""
    settings = settings_for(folder)
    if database_url is not None:
        settings = replace(settings, database_url=database_url)
    engine = db.make_engine(settings.database_url)
    try:
        db.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            sample = a_selection(session, settings, years_back=years_back)
            # The officer waiting joins before the stage (once the Chief has decided, no one
            # joins), kept out of the stage's officers so that it leaves them alone.
            waiting = ("XSS-1", SCRIPT, IMG) if hostile else ("MPD-1210", "Jordan", "Lee")
            waiting_id = an_officer(sample, *waiting)
            del sample.ids[waiting[0]]
            stage(sample)
            ids = dict(sample.ids)
            if hostile:
                renamed(sample, "MPD-1077", SCRIPT, IMG)
            ids["XSS-1"] = sample.ids[waiting[0]] = waiting_id
            advanced(sample, "begin_screening", HR, [waiting[0]])
            with_passwords(session, {name: password_of(name) for name in passwords})
    finally:
        engine.dispose()
    return Prepared(settings, sample.selection_id, ids)
