"""Training with two people at once, in real processes, and on PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.errors import RuleViolation
from qualify.services.advance import advance
from qualify.services.training import assign_training, complete_training
from qualify.store import db
from qualify.store.integrity import verify
from qualify.store.tables import Evidence, TrainingDirection
from tests.helpers.actors import as_user
from tests.helpers.builders import a_selection, selected
from tests.helpers.selected import selected_db
from tests.integration.test_races import race

TODAY = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()


@pytest.mark.slow
def test_two_people_directing_or_completing_the_same_course_at_once_record_it_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "q.db"
    shutil.copy(selected_db(tmp_path), path)
    url, start = f"sqlite:///{path}", tmp_path / "go"
    due = (TODAY + timedelta(days=30)).isoformat()
    directing = race(
        url,
        start,
        [
            ["--as", "sgt.lambert", "training", "assign", "1", "basic_sro", "--by", due],
            ["--as", "cmdr.obrien", "training", "assign", "1", "basic_sro", "--by", due],
        ],
    )
    assert sorted(o.code for o in directing) == [0, 1], [o.err for o in directing]
    loser = next(o for o in directing if o.code)
    assert loser.err.count("\n") == 1
    assert (
        "candidate 1 was changed by someone else; nothing was saved" in loser.err
        or "Basic School Resource Officer course was already directed" in loser.err
        or "is at In training now" in loser.err
    ), loser.err
    today = TODAY.isoformat()
    # 40 hours, directed today: finished today only with its reason.
    why = ["--reason", "Attended before it was directed."]
    completing = race(
        url,
        start,
        [["--as", "hr.alvarez", "training", "complete", "1", "basic_sro", "--on", today, *why]] * 2,
    )
    assert sorted(o.code for o in completing) == [0, 1], [o.err for o in completing]
    loser = next(o for o in completing if o.code)
    assert (
        "candidate 1 was changed by someone else; nothing was saved" in loser.err
        or "Basic School Resource Officer course was already recorded complete" in loser.err
    ), loser.err
    engine = db.make_engine(url)
    with Session(engine) as session:
        assert len(session.exec(select(TrainingDirection)).all()) == 1
        done = select(Evidence).where(Evidence.kind == "training_completed")
        assert len(session.exec(done).all()) == 1
        assert verify(session).ok
    engine.dispose()


@pytest.mark.postgres
def test_training_from_selection_to_appointment_on_postgresql(
    make_postgres_db: Callable[[], str],
    engine_for: Callable[[str], Engine],
    tmp_path: Path,
) -> None:
    url = make_postgres_db()
    db.upgrade(engine_for(url))
    config = Settings.from_env({"QUALIFY_FILES": str(tmp_path / "files")}, database_url=url)
    with Session(engine_for(url), expire_on_commit=False) as session:
        sample = selected(a_selection(session, config), not_selected=None)
        dana = sample.ids["MPD-1042"]
        now = datetime.now(UTC)
        assign_training(
            session=session,
            candidate_id=dana,
            courses=["basic_sro", "legal_issues"],
            due_on=(TODAY + timedelta(days=30)).isoformat(),
            actor=as_user("sgt.lambert"),
            now=now,
        )
        complete_training(
            session=session,
            files_dir=config.files_dir,
            candidate_id=dana,
            course="basic_sro",
            on=TODAY.isoformat(),
            actor=as_user("hr.alvarez"),
            now=now,
            reason="Attended before it was directed.",  # 40 hours, directed today
        )
        with pytest.raises(RuleViolation, match=r"Legal issues in schools .*\(legal_issues, due"):
            advance(
                session=session, candidate_id=dana, trigger="appoint", actor=as_user("chief.walsh")
            )
        complete_training(
            session=session,
            files_dir=config.files_dir,
            candidate_id=dana,
            course="legal_issues",
            on=TODAY.isoformat(),
            actor=as_user("sgt.lambert"),
            now=now,
        )
        done = advance(
            session=session, candidate_id=dana, trigger="appoint", actor=as_user("chief.walsh")
        )
        assert done.to_state == "appointed"
        assert verify(session).ok
