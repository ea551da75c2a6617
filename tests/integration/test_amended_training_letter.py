"""The amended training assignment: courses added for an officer already in training print a
letter listing every course directed by then, naming the letter it amends; it is recorded,
named and reprinted as the other letters are, bounded by the event that sealed it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from qualify.config import Settings
from qualify.errors import BadInput, NotPermitted, PacketsOwed, QualifyError, RuleViolation
from qualify.services.firing import PacketPlace
from qualify.services.packets import print_candidate, repair
from qualify.services.scenario import candidate_ids
from qualify.services.training import (
    Directed,
    assign_training,
    complete_training,
    training_status,
)
from qualify.services.training_due import DueChanged, change_due_date
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent
from tests.helpers.actors import as_user
from tests.helpers.selected import selected_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# 14:00 UTC is 9 a.m. in Milford (America/New_York): January 25, 2027 there.
FIRST = datetime(2027, 1, 25, 14, 0, tzinfo=UTC)
ADDED = FIRST + timedelta(days=2)  # January 27


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return selected_db(tmp_path_factory.mktemp("amended-template"))


@pytest.fixture
def settings(template: Path, tmp_path: Path) -> Settings:
    path = tmp_path / "qualify.db"
    shutil.copy(template, path)
    return Settings.from_env(
        {
            "QUALIFY_FILES": str(tmp_path / "files"),
            "QUALIFY_RECORDS": str(tmp_path / "records"),
            "QUALIFY_OUTPUT": str(tmp_path / "out"),
        },
        database_url=f"sqlite:///{path}",
    )


@pytest.fixture
def session(settings: Settings, engine_for: Callable[[str], Engine]) -> Iterator[Session]:
    with Session(engine_for(settings.database_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def dana(session: Session) -> int:
    """Dana Whitfield, selected by the Chief."""
    return candidate_ids(session, 1)["MPD-1042"]


def direct(
    session: Session,
    settings: Settings,
    candidate: int,
    courses: list[str],
    due: str,
    actor: str,
    now: datetime,
) -> Directed:
    settings.records_dir.mkdir(parents=True, exist_ok=True)
    return assign_training(
        session=session,
        candidate_id=candidate,
        courses=courses,
        due_on=due,
        actor=as_user(actor),
        now=now,
        packets=PacketPlace(TEMPLATES, settings.records_dir),
    )


def first_and_added(session: Session, settings: Settings, dana: int) -> tuple[Directed, Directed]:
    """The Detective Sergeant directs two courses on January 25 (Dana moves into training);
    the commander adds a third on January 27."""
    first = direct(
        session, settings, dana, ["basic_sro", "legal_issues"], "2027-03-05", "sgt.lambert", FIRST
    )
    added = direct(
        session,
        settings,
        dana,
        ["school_emergency_planning"],
        "2027-03-12",
        "cmdr.obrien",
        ADDED,
    )
    return first, added


def pdftotext(path: Path) -> str:
    """The letter's words as poppler extracts them in reading order (a table row by row), on
    one line."""
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def amended_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*_training_assignment_amended_event-*.pdf"))


def test_a_course_added_in_training_prints_an_amended_letter_of_every_course_naming_the_first(
    session: Session, settings: Settings, dana: int
) -> None:
    first, added = first_and_added(session, settings, dana)
    assert [p.name for p in first.packets] == [
        f"selection-1_candidate-{dana:04d}_training_training_assignment_event-{first.event_id}.pdf"
    ]
    (letter,) = added.packets
    assert letter.name == (
        f"selection-1_candidate-{dana:04d}_training_training_assignment_amended"
        f"_event-{added.event_id}.pdf"
    )
    text = pdftotext(letter)
    assert "January 27, 2027 Officer Dana Whitfield" in text
    assert f"Ref. S1-C{dana}-E{added.event_id}" in text
    assert "Subject: Amended training assignment, School Resource Officer 2027" in text
    assert "Dear Officer Whitfield," in text
    assert (
        "This letter amends our letter of January 25, 2027 "
        f"(Ref. S1-C{dana}-E{first.event_id}), which directed your training"
    ) in text
    assert "School Resource Officer; the list below replaces the one in that letter." in text
    assert "56 hours in all" in text  # 40 + 8 + 8
    assert "Support Division Commander, directed one more course for you, marked new below" in text
    # Every course now directed, under who directed it and on what day: its hours and the date
    # it is due; the direction this letter adds is marked new.
    assert (
        "Course Hours Complete by Directed by Daniel Lambert, Detective Sergeant, Support "
        "Division, January 25, 2027 Basic School Resource Officer course 40 hours March 5, 2027 "
        "Legal issues in schools (search, privacy, school rules and crimes) 8 hours March 5, 2027 "
        "New: directed by Ann O'Brien, Captain, Support Division Commander, January 27, 2027 "
        "School emergency operations planning with the Emergency Management Team 8 hours "
        "March 12, 2027 When you complete a course"
    ) in text
    # Signed by the official who added the course.
    assert "Sincerely, Ann O'Brien Captain, Support Division Commander" in text
    # Recorded as the other letters are: a packet_generated event with the file's sha256.
    (recorded,) = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "packet_generated",
            col(AuditEvent.subject).contains("training_assignment_amended"),
        )
    ).all()
    details = json.loads(recorded.details)
    assert details["file"] == letter.name
    assert details["event"] == added.event_id
    assert details["stage"] == "training"
    assert details["sha256"] == hashlib.sha256(letter.read_bytes()).hexdigest()
    assert (recorded.actor, recorded.role) == ("cmdr.obrien", "commander")


def test_with_no_course_added_there_is_no_amended_letter(
    session: Session, settings: Settings, dana: int
) -> None:
    first = direct(
        session, settings, dana, ["basic_sro", "legal_issues"], "2027-03-05", "sgt.lambert", FIRST
    )
    # The first direction prints the training assignment, not an amendment.
    assert amended_files(settings.records_dir) == []
    with pytest.raises(RuleViolation) as refused:
        direct(session, settings, dana, ["basic_sro"], "2027-03-12", "cmdr.obrien", ADDED)
    assert str(refused.value) == (
        "Dana Whitfield: Basic School Resource Officer course was already directed on "
        "2027-01-25 by Daniel Lambert, due 2027-03-05"
    )
    assert amended_files(settings.records_dir) == []
    reprinted = print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=settings.output_dir,
        candidate_id=dana,
        actor=as_user("hr.alvarez"),
    )
    assert [p.name for p in reprinted] == [
        f"selection-1_candidate-{dana:04d}_training_training_assignment_event-{first.event_id}.pdf"
    ]


def test_reprints_are_byte_identical_and_bounded_by_the_event_that_sealed_each_letter(
    session: Session, settings: Settings, dana: int
) -> None:
    first, added = first_and_added(session, settings, dana)
    (letter,) = added.packets
    original = letter.read_bytes()
    complete_training(
        session=session,
        files_dir=settings.files_dir,
        candidate_id=dana,
        course="basic_sro",
        on="2027-02-10",
        actor=as_user("hr.alvarez"),
        now=FIRST + timedelta(days=17),
    )
    again = direct(
        session,
        settings,
        dana,
        ["adolescent_development"],
        "2027-03-19",
        "sgt.lambert",
        FIRST + timedelta(days=20),  # February 14
    )
    reprinted = print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=settings.output_dir,
        candidate_id=dana,
        actor=as_user("hr.alvarez"),
    )
    by_event = {p.name.rsplit("_event-", 1)[1]: p for p in reprinted}
    assert sorted(by_event) == sorted(
        f"{e}.pdf" for e in (first.event_id, added.event_id, again.event_id)
    )
    # The first amendment says what was directed on January 27, whatever came after.
    assert by_event[f"{added.event_id}.pdf"].read_bytes() == original
    assert "Adolescent development" not in pdftotext(by_event[f"{added.event_id}.pdf"])
    assert "completed" not in pdftotext(by_event[f"{added.event_id}.pdf"])
    # The second amends the first amendment and lists all four courses, one complete by then.
    text = pdftotext(again.packets[0])
    assert f"amends our letter of January 27, 2027 (Ref. S1-C{dana}-E{added.event_id})" in text
    assert "72 hours in all" in text  # 40 + 8 + 8 + 16
    assert (
        "New: directed by Daniel Lambert, Detective Sergeant, Support Division, February 14, "
        "2027 Adolescent development and de-escalation in schools 16 hours March 19, 2027"
    ) in text
    assert "40 hours March 5, 2027; completed February 10, 2027 Legal issues" in text
    assert "Sincerely, Daniel Lambert" in text
    assert "Page 1 of 1" in text  # four courses and a completion still fit the one page


def test_an_amended_letter_lost_from_the_records_folder_is_written_again_by_repair(
    session: Session, settings: Settings, dana: int
) -> None:
    _, added = first_and_added(session, settings, dana)
    (letter,) = added.packets
    original = letter.read_bytes()
    letter.unlink()
    done = repair(
        session=session,
        templates_dir=TEMPLATES,
        records_dir=settings.records_dir,
        actor=as_user("hr.alvarez"),
        candidate_id=dana,
    )
    assert done.written == [letter]
    assert letter.read_bytes() == original


def test_a_failed_amended_letter_keeps_the_direction_says_so_and_repair_writes_it(
    session: Session, settings: Settings, dana: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qualify.packets.render as render_module

    direct(
        session, settings, dana, ["basic_sro", "legal_issues"], "2027-03-05", "sgt.lambert", FIRST
    )
    working = render_module.html_to_pdf

    def broken(*args: object, **kw: object) -> bytes:
        raise QualifyError("renderer crashed")

    monkeypatch.setattr(render_module, "html_to_pdf", broken)
    with pytest.raises(PacketsOwed) as owed:
        direct(
            session,
            settings,
            dana,
            ["school_emergency_planning"],
            "2027-03-12",
            "cmdr.obrien",
            ADDED,
        )
    assert re.fullmatch(
        rf"candidate {dana}: school_emergency_planning directed \(audit event #\d+\), but the "
        "amended letter was not written: renderer crashed",
        str(owed.value),
    )
    session.rollback()
    assert amended_files(settings.records_dir) == []  # no file claims the letter
    monkeypatch.setattr(render_module, "html_to_pdf", working)
    done = repair(
        session=session,
        templates_dir=TEMPLATES,
        records_dir=settings.records_dir,
        actor=as_user("hr.alvarez"),
        candidate_id=dana,
    )
    assert done.written == amended_files(settings.records_dir) != []


def change_due(
    session: Session, settings: Settings, dana: int, course: str, due: str, **kw: object
) -> DueChanged:
    return change_due_date(
        session=session,
        candidate_id=dana,
        course=course,
        due_on=due,
        actor=as_user(str(kw.pop("actor", "sgt.lambert"))),
        now=ADDED + timedelta(days=1),  # January 28
        packets=PacketPlace(TEMPLATES, settings.records_dir),
        **kw,  # type: ignore[arg-type]
    )


def test_a_mistyped_due_date_is_corrected_with_a_reason_and_an_amended_letter(
    session: Session, settings: Settings, dana: int
) -> None:
    """The Detective Sergeant typed 2028 for 2027: a correction needs a reason, is audited
    with the old and new dates, and prints the amended letter listing every course with the
    dates now due; the first letter's reprint still says what it said."""
    settings.records_dir.mkdir(parents=True, exist_ok=True)
    first = assign_training(
        session=session,
        candidate_id=dana,
        courses=["basic_sro", "legal_issues"],
        due_on="2027-12-05",
        actor=as_user("sgt.lambert"),
        now=FIRST,
        packets=PacketPlace(TEMPLATES, settings.records_dir),
        far_ahead=True,
    )
    before = len(session.exec(select(AuditEvent)).all())
    with pytest.raises(BadInput, match="say why the due date is changed"):
        change_due(session, settings, dana, "basic_sro", "2027-03-05", reason="  ")
    with pytest.raises(BadInput, match="102 days after today"):
        change_due(session, settings, dana, "basic_sro", "2027-05-10", reason="typo")
    with pytest.raises(BadInput, match="is due on 2027-12-05 already; nothing changed"):
        change_due(
            session, settings, dana, "basic_sro", "2027-12-05", reason="typo", far_ahead=True
        )
    assert len(session.exec(select(AuditEvent)).all()) == before  # bad input: nothing recorded
    with pytest.raises(NotPermitted, match="may not change when training is due"):
        change_due(
            session, settings, dana, "basic_sro", "2027-03-05", reason="typo", actor="rep.chen"
        )
    done = change_due(
        session, settings, dana, "basic_sro", "2027-03-05", reason="Year mistyped: 2027, not 2028"
    )
    assert (done.was.isoformat(), done.due_on.isoformat()) == ("2027-12-05", "2027-03-05")
    event = session.get(AuditEvent, done.event_id)
    assert event is not None
    assert (event.action, event.actor) == ("training_due_changed", "sgt.lambert")
    assert json.loads(event.details) | {"packets": []} == {
        "course": "basic_sro",
        "due_on": "2027-03-05",
        "was": "2027-12-05",
        "reason": "Year mistyped: 2027, not 2028",
        "stage": "training",
        "packets": [],
    }
    status = training_status(session=session, candidate_id=dana, actor=as_user("hr.alvarez"))
    assert [(c["course"], c["due_on"]) for c in status["courses"]] == [
        ("basic_sro", "2027-03-05"),
        ("legal_issues", "2027-12-05"),
    ]
    (letter,) = done.packets
    assert letter.name.endswith(f"_training_assignment_amended_event-{done.event_id}.pdf")
    text = pdftotext(letter)
    assert (
        "This letter amends our letter of January 25, 2027 "
        f"(Ref. S1-C{dana}-E{first.event_id}), which directed your training"
    ) in text
    assert (
        "Detective Sergeant, Support Division, changed the date Basic School Resource Officer "
        "course is due from December 5, 2027 to March 5, 2027, marked changed below"
    ) in text
    assert "Basic School Resource Officer course 40 hours Changed: March 5, 2027" in text
    assert "8 hours December 5, 2027" in text
    # The first letter, reprinted, says what it said; the log verifies with the row changed.
    out = settings.output_dir
    reprinted = print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=out,
        candidate_id=dana,
        actor=as_user("hr.alvarez"),
    )
    firsts = [p for p in reprinted if "_training_assignment_event-" in p.name]
    assert [p.read_bytes() for p in firsts] == [first.packets[0].read_bytes()]
    assert "December 5, 2027" in pdftotext(firsts[0])
    assert verify(session).ok
