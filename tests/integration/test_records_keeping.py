"""Self-identification, holds and purges through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.errors import RuleViolation
from qualify.services import fairness, retention
from qualify.services.scenario import Scenario, add_self_identification
from qualify.store import integrity
from qualify.store.tables import Candidate, Evidence, Selection, SelfIdentification, Tombstone
from tests.helpers.actors import as_user

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def test_self_identification_hold_and_purge_keep_the_log_verifying(
    session: Session, settings: Settings, sro: tuple[Scenario, Selection]
) -> None:
    scenario, selection = sro
    assert selection.id is not None
    add_self_identification(session, scenario, selection)
    report = fairness.fairness_report(
        session=session, selection_id=selection.id, actor=as_user("hr.alvarez")
    )
    assert report.candidates == 8
    assert report.self_identified == 8
    # Nobody has been screened yet: every stage is empty, and the report says so honestly (all
    # eight are still undecided over the whole process).
    assert [s.entered for s in report.stages] == [0, 0, 0, 0]
    assert [s.undecided for s in report.stages] == [0, 0, 0, 8]

    (due,) = retention.records_due(
        session=session, actor=as_user("hr.alvarez"), years=2, today=date(2030, 1, 1)
    )
    assert due.selection_id == selection.id
    retention.place_hold(
        session=session,
        selection_id=selection.id,
        reason="Charge filed",
        actor=as_user("hr.alvarez"),
        now=LATER,
    )
    with pytest.raises(RuleViolation, match="under legal hold"):
        retention.purge(
            session=session,
            selection_id=selection.id,
            reason="Period over",
            actor=as_user("hr.alvarez"),
            years=2,
            files_dir=settings.files_dir,
            records_dir=settings.records_dir,
            now=LATER,
        )
    session.rollback()
    retention.release_hold(
        session=session,
        selection_id=selection.id,
        reason="Dismissed",
        actor=as_user("hr.alvarez"),
        now=LATER,
    )
    done = retention.purge(
        session=session,
        selection_id=selection.id,
        reason="Period over",
        actor=as_user("hr.alvarez"),
        years=2,
        files_dir=settings.files_dir,
        records_dir=settings.records_dir,
        now=LATER,
    )
    assert done.files_removed > 0  # the recommendation letters
    assert session.exec(select(Evidence)).all() == []
    assert session.exec(select(SelfIdentification)).all() == []
    assert {c.name for c in session.exec(select(Candidate))} == {"(purged)"}
    stones = session.exec(select(Tombstone)).all()
    assert len(stones) == done.tombstones
    assert {s.table_name for s in stones} == {
        "candidate",
        "evidence",
        "self_identification",
        "file",
    }
    checked = integrity.verify(session)
    assert checked.ok, checked.problem
