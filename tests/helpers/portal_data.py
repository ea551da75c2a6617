"""A prepared portal database: the sample SRO selection up to a step, with hostile names.

The sample officer MPD-1077 is renamed `<script>alert(1)</script>` `"><img src=x
onerror=alert(1)>` (so the name reaches every page: screening, glance, results, packets), and
a second officer with those names waits in screening.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session

from qualify.config import Settings
from qualify.services.accounts import demo_password
from qualify.services.advance import advance
from qualify.services.candidate_edit import edit_candidate
from qualify.services.candidates import add_candidate
from qualify.services.scenario import Scenario, add_evidence, candidate_ids, run_steps, set_up
from qualify.store import db
from tests.helpers.actors import CLI, as_user

SCENARIO = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sro-demo.yaml"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMG}"
SCORED = 23  # steps before this: every scorecard submitted and the interview closed
SCORING = 11  # steps before this: panel seated, the commander has declared no conflict


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
    until: int = SCORED,
    database_url: str | None = None,
    passwords: tuple[str, ...] = (),
    hostile: bool = True,
) -> Prepared:
    """The sample selection run up to step `until`, with the hostile names (or, without
    `hostile`, an ordinary officer waiting in screening); the users named in `passwords` get
    the portal password `password_of(name)`."""
    settings = settings_for(folder)
    if database_url is not None:
        settings = replace(settings, database_url=database_url)
    engine = db.make_engine(settings.database_url)
    try:
        db.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            scenario = Scenario.load(SCENARIO, CLI)
            selection = set_up(session, settings, scenario)
            add_evidence(session, settings, scenario, selection)
            run_steps(session, scenario, selection, until=until)
            assert selection.id is not None
            ids = candidate_ids(session, selection.id)
            if hostile:
                edit_candidate(
                    session=session,
                    candidate_id=ids["MPD-1077"],
                    changes={"first_name": SCRIPT, "last_name": IMG},
                    reason="testing that names are shown as text",
                    actor=as_user("hr.alvarez"),
                )
            added = add_candidate(
                session=session,
                selection_id=selection.id,
                values={
                    "employee_id": "XSS-1" if hostile else "MPD-1210",
                    "first_name": SCRIPT if hostile else "Jordan",
                    "last_name": IMG if hostile else "Lee",
                    "rank": "Officer",
                    "unit": "Patrol A",
                    "supervisor": "sgt.moreau",
                    "email": "",
                },
                actor=as_user("hr.alvarez"),
            )
            assert added.id is not None
            advance(
                session=session,
                candidate_id=added.id,
                trigger="begin_screening",
                actor=as_user("hr.alvarez"),
            )
            ids["XSS-1"] = added.id
            for name in passwords:
                demo_password(session=session, actor=as_user(name), password=password_of(name))
    finally:
        engine.dispose()
    return Prepared(settings, selection.id, ids)
