"""An evidence file is stored only when its record commits: a refusal leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from qualify.actor import Actor
from qualify.config import Settings
from qualify.errors import QualifyError
from qualify.services.evidence import add_evidence
from qualify.services.scenario import Scenario, set_up
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, Evidence, Selection
from tests.conftest import SCENARIO
from tests.helpers.actors import CLI, as_user

LETTER = {"author": "sgt.moreau", "written_on": "2026-11-02"}


@pytest.fixture
def roster(session: Session, settings: Settings) -> Selection:
    """Users, the selection and its roster, and no evidence (so the store starts empty)."""
    return set_up(session, settings, Scenario.load(SCENARIO, CLI))


@pytest.mark.parametrize(
    ("fields", "extra"),
    [
        ({"author": "sgt.moreau", "written_on": "2026-13-45"}, {}),  # a bad date
        ({"written_on": "2026-11-02"}, {}),  # a required field missing
        ({**LETTER, "colour": "blue"}, {}),  # a field the kind does not have
        ({"author": "nobody.here", "written_on": "2026-11-02"}, {}),  # an unknown user
        (LETTER, {"vouched_by": "nobody.here"}),  # --by an unknown user
        (LETTER, {"actor": as_user("rep.chen")}),  # not permitted to add evidence
        (LETTER, {"candidate_id": 999}),  # no such candidate
        (LETTER, {"kind": "recomendation"}),  # no such kind
        ({**LETTER, "written_on": "2199-12-31"}, {}),  # a letter not yet written
    ],
)
def test_a_refused_evidence_command_leaves_nothing_in_the_store(
    session: Session,
    settings: Settings,
    roster: Selection,
    tmp_path: Path,
    fields: dict[str, str],
    extra: dict[str, object],
) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n% Officer Whitfield has my full support.\n%%EOF\n")
    arguments: dict[str, object] = {
        "candidate_id": 1,
        "kind": "recommendation",
        "actor": as_user("hr.alvarez"),
        **extra,
    }
    with pytest.raises(QualifyError):
        add_evidence(
            session=session,
            files_dir=settings.files_dir,
            fields=fields,
            file=letter,
            **arguments,  # type: ignore[arg-type]
        )
    session.rollback()
    stored = [p for p in settings.files_dir.rglob("*") if p.is_file()]
    assert stored == []


def add_letter(session: Session, settings: Settings, letter: Path) -> Evidence:
    """HR records the sergeant's letter for candidate 1, with its file."""
    return add_evidence(
        session=session,
        files_dir=settings.files_dir,
        candidate_id=1,
        kind="recommendation",
        fields=LETTER,
        file=letter,
        actor=as_user("hr.alvarez"),
    )


def test_a_record_whose_commit_fails_leaves_nothing_in_the_store(
    session: Session,
    settings: Settings,
    roster: Selection,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n% Officer Whitfield has my full support.\n%%EOF\n")

    def lost(*args: object) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(session, "commit", lost)
    with pytest.raises(ConnectionError):
        add_letter(session, settings, letter)
    assert [p for p in settings.files_dir.rglob("*") if p.is_file()] == []


def test_an_accepted_record_stores_its_file(
    session: Session, settings: Settings, roster: Selection, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n% Officer Whitfield has my full support.\n%%EOF\n")
    record = add_letter(session, settings, letter)
    assert record.file_sha256 is not None
    stored = settings.files_dir / record.file_sha256[:2] / record.file_sha256
    assert stored.read_bytes() == letter.read_bytes()


def test_the_actors_front_door_and_account_are_recorded_on_its_event(
    session: Session, settings: Settings, roster: Selection, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n% Officer Whitfield has my full support.\n%%EOF\n")
    portal = Actor("hr.alvarez", "web", "session:hr.alvarez@portal")
    record = add_evidence(
        session=session,
        files_dir=settings.files_dir,
        candidate_id=1,
        kind="recommendation",
        fields=LETTER,
        file=letter,
        actor=portal,
    )
    event = session.exec(
        select(AuditEvent).where(AuditEvent.subject == f"evidence:{record.id}")
    ).one()
    assert (event.actor, event.channel, event.account) == (
        "hr.alvarez",
        "web",
        "session:hr.alvarez@portal",
    )
    assert record.recorded_by == "hr.alvarez"
    assert verify(session).ok


def test_an_actor_comes_through_a_known_front_door() -> None:
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        Actor("hr.alvarez", "fax", "someone")
