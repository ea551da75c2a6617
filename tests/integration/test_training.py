"""Training: who directs which courses by when, completion recorded as evidence, and the
appointment waiting until every directed course is complete."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from qualify.cli.errors import render
from qualify.config import Settings
from qualify.errors import BadInput, NotPermitted, RuleViolation
from qualify.services.advance import advance
from qualify.services.scenario import (
    candidate_ids,
    letter_pdf,
)
from qualify.services.training import assign_training, complete_training, training_status
from qualify.store import audit
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, Candidate, Evidence, TrainingDirection
from tests.helpers.actors import as_user
from tests.helpers.builders import USERS
from tests.helpers.selected import selected_db

# 14:00 UTC is 9 a.m. in Milford (America/New_York): the day there is January 25, 2027.
DIRECTED = datetime(2027, 1, 25, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return selected_db(tmp_path_factory.mktemp("training-template"))


@pytest.fixture
def settings(template: Path, tmp_path: Path) -> Settings:
    """A copy of the selected scenario, with its own files folder."""
    path = tmp_path / "qualify.db"
    shutil.copy(template, path)
    return Settings.from_env(
        {"QUALIFY_FILES": str(tmp_path / "files")}, database_url=f"sqlite:///{path}"
    )


@pytest.fixture
def session(settings: Settings, engine_for: Callable[[str], Engine]) -> Iterator[Session]:
    with Session(engine_for(settings.database_url), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def dana(session: Session) -> int:
    """Dana Whitfield, selected by the Chief."""
    candidate = candidate_ids(session, 1)["MPD-1042"]
    assert state_of(session, candidate) == "selected"
    return candidate


def state_of(session: Session, candidate: int) -> str:
    row = session.get(Candidate, candidate, populate_existing=True)
    assert row is not None
    return row.state


def direct(
    session: Session,
    candidate: int,
    courses: list[str],
    due: str = "2027-03-05",
    actor: str = "sgt.lambert",
    now: datetime = DIRECTED,
    far_ahead: bool = False,
) -> None:
    assign_training(
        session=session,
        candidate_id=candidate,
        courses=courses,
        due_on=due,
        actor=as_user(actor),
        now=now,
        far_ahead=far_ahead,
    )


def complete(
    session: Session,
    settings: Settings,
    candidate: int,
    course: str,
    on: str,
    now: datetime = DIRECTED + timedelta(days=30),
    actor: str = "hr.alvarez",
    file: Path | None = None,
    reason: str | None = None,
) -> Evidence:
    return complete_training(
        session=session,
        files_dir=settings.files_dir,
        candidate_id=candidate,
        course=course,
        on=on,
        actor=as_user(actor),
        file=file,
        now=now,
        reason=reason,
    )


def appoint(session: Session, candidate: int, now: datetime) -> str:
    return advance(
        session=session,
        candidate_id=candidate,
        trigger="appoint",
        actor=as_user("chief.walsh"),
        now=now,
    ).to_state


def last(session: Session) -> AuditEvent:
    event = audit.head(session)
    assert event is not None
    return event


def test_the_detective_sergeant_directs_courses_and_the_officer_moves_into_training(
    session: Session, dana: int
) -> None:
    direct(session, dana, ["basic_sro", "legal_issues"])
    assert state_of(session, dana) == "training"
    rows = session.exec(
        select(TrainingDirection).where(TrainingDirection.candidate_id == dana)
    ).all()
    assert [(r.course, str(r.due_on), r.directed_by, r.role) for r in rows] == [
        ("basic_sro", "2027-03-05", "sgt.lambert", "detective_sergeant"),
        ("legal_issues", "2027-03-05", "sgt.lambert", "detective_sergeant"),
    ]
    event = last(session)
    details = json.loads(event.details)
    assert (event.action, event.actor, details["trigger"], details["to"]) == (
        "state_changed",
        "sgt.lambert",
        "assign_training",
        "training",
    )
    assert details["training"] == [
        {"course": "basic_sro", "due_on": "2027-03-05"},
        {"course": "legal_issues", "due_on": "2027-03-05"},
    ]


def test_the_commander_adds_a_course_to_an_officer_in_training(session: Session, dana: int) -> None:
    direct(session, dana, ["basic_sro"])
    direct(session, dana, ["school_emergency_planning"], "2027-03-12", actor="cmdr.obrien")
    event = last(session)
    assert (event.action, event.actor, event.role) == (
        "training_directed",
        "cmdr.obrien",
        "commander",
    )
    assert json.loads(event.details)["courses"] == [
        {"course": "school_emergency_planning", "due_on": "2027-03-12"}
    ]
    assert state_of(session, dana) == "training"


@pytest.mark.parametrize("actor", ["chief.walsh", "hr.alvarez", "rep.chen"])
def test_only_the_directing_roles_may_direct_training(
    session: Session, dana: int, actor: str
) -> None:
    who = re.escape(f"{USERS[actor][1]} (")
    needs = "that needs the role Detective Sergeant or Department Commander"
    with pytest.raises(NotPermitted, match=f'{who}.*may not "Direct SRO training" for .*: {needs}'):
        direct(session, dana, ["basic_sro"], actor=actor)
    assert last(session).action == "advance_refused"
    direct(session, dana, ["basic_sro"])
    with pytest.raises(NotPermitted, match=f"{who}.*may not direct training: {needs}"):
        direct(session, dana, ["legal_issues"], actor=actor)
    refused = last(session)
    assert (refused.action, refused.outcome, refused.actor) == (
        "training_direction_refused",
        "refused",
        actor,
    )
    assert state_of(session, dana) == "training"


def test_firing_assign_training_without_naming_courses_is_bad_input(
    session: Session, dana: int
) -> None:
    with pytest.raises(BadInput) as info:
        advance(
            session=session,
            candidate_id=dana,
            trigger="assign_training",
            actor=as_user("sgt.lambert"),
        )
    assert render(info.value) == (  # as the command line says it
        "assign_training directs training: name the courses and the date they are due with "
        f"'qualify training assign {dana} COURSE... --by DATE'"
    )
    assert state_of(session, dana) == "selected"


@pytest.mark.parametrize(
    ("courses", "due", "message"),
    [
        (
            ["basic_srp"],
            "2027-03-05",
            "COURSE: sro-selection has no course 'basic_srp' (did you mean 'basic_sro'?) (courses: "
            "basic_sro, adolescent_development, school_emergency_planning, legal_issues)",
        ),
        (
            ["basic_sro", "basic_sro"],
            "2027-03-05",
            "COURSE: Basic School Resource Officer course (basic_sro) is named twice; name each "
            "course once",
        ),
        ([], "2027-03-05", "COURSE: name at least one course to direct"),
        (["basic_sro"], "2027-02-30", "--by: '2027-02-30' is not a date; use YYYY-MM-DD"),
        (
            ["basic_sro"],
            "2027-01-24",
            "--by: 2027-01-24 is before today (2027-01-25); training is due on or after the day "
            "it is directed",
        ),
        (
            ["basic_sro"],
            "2027-12-01",
            "--by 2027-12-01: 310 days after today (2027-01-25): training due more than 90 days "
            "ahead is more often a mistyped year or month; if that day is meant, give --far-ahead "
            "too",
        ),
    ],
)
def test_unknown_courses_and_bad_or_past_due_dates_are_bad_input(
    session: Session, dana: int, courses: list[str], due: str, message: str
) -> None:
    with pytest.raises(BadInput) as info:
        direct(session, dana, courses, due)
    assert render(info.value) == message  # as the command line says it
    assert state_of(session, dana) == "selected"


def test_training_due_the_day_it_is_directed_is_accepted(session: Session, dana: int) -> None:
    direct(session, dana, ["basic_sro"], "2027-01-25")
    assert state_of(session, dana) == "training"


def test_training_due_90_days_ahead_is_accepted_and_further_only_when_confirmed(
    session: Session, dana: int
) -> None:
    before = len(audit.events(session))
    with pytest.raises(BadInput, match="91 days after today"):
        direct(session, dana, ["basic_sro"], "2027-04-26")
    assert len(audit.events(session)) == before  # bad input: nothing recorded, not even refused
    direct(session, dana, ["basic_sro"], "2027-04-25")
    direct(session, dana, ["legal_issues"], "2027-12-01", far_ahead=True)
    rows = session.exec(select(TrainingDirection).order_by(col(TrainingDirection.id))).all()
    assert [(r.course, str(r.due_on)) for r in rows] == [
        ("basic_sro", "2027-04-25"),
        ("legal_issues", "2027-12-01"),
    ]


def test_a_course_directed_twice_is_refused(session: Session, dana: int) -> None:
    direct(session, dana, ["basic_sro"])
    with pytest.raises(RuleViolation) as info:
        direct(session, dana, ["legal_issues", "basic_sro"], actor="cmdr.obrien")
    assert str(info.value) == (
        "Dana Whitfield: Basic School Resource Officer course was already directed on "
        "2027-01-25 by Daniel Lambert, due 2027-03-05"
    )
    assert len(session.exec(select(TrainingDirection)).all()) == 1


def test_training_is_directed_only_where_the_workflow_says(session: Session) -> None:
    luis = candidate_ids(session, 1)["MPD-1077"]
    with pytest.raises(RuleViolation) as info:
        direct(session, luis, ["basic_sro"])
    assert str(info.value) == (
        "cannot direct training for Luis Reyes, who is at Interview scored; training is "
        "directed from selected (assign_training), or while in training"
    )


def test_completion_is_evidence_with_the_certificate_stored_by_its_sha256(
    session: Session, settings: Settings, dana: int, tmp_path: Path
) -> None:
    direct(session, dana, ["basic_sro"])
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(letter_pdf("Basic SRO course, 40 hours."))
    record = complete(session, settings, dana, "basic_sro", "2027-02-19", file=certificate)
    assert (record.kind, record.fields, record.file_name, record.recorded_by) == (
        "training_completed",
        {"course": "basic_sro", "completed_on": "2027-02-19"},
        "certificate.pdf",
        "hr.alvarez",
    )
    sha = record.file_sha256 or ""
    assert (settings.files_dir / sha[:2] / sha).read_bytes() == certificate.read_bytes()
    event = last(session)
    assert (event.action, event.subject) == ("training_completed", f"evidence:{record.id}")
    assert json.loads(event.details) | {"file_sha256": "x"} == {
        "course": "basic_sro",
        "completed_on": "2027-02-19",
        "due_on": "2027-03-05",
        "late": False,
        "file": "certificate.pdf",
        "file_sha256": "x",
    }


def test_a_certificate_of_the_wrong_type_or_too_large_is_refused_and_nothing_is_kept(
    session: Session, settings: Settings, dana: int, tmp_path: Path
) -> None:
    direct(session, dana, ["basic_sro"])
    text = tmp_path / "certificate.pdf"
    text.write_text("not a PDF at all\n")
    with pytest.raises(BadInput) as wrong:
        complete(session, settings, dana, "basic_sro", "2027-02-19", file=text)
    assert render(wrong.value).startswith(
        "--file certificate.pdf: is a plain text (UTF-8) file; this field"
    )
    big = tmp_path / "big.pdf"
    big.write_bytes(letter_pdf("x") + b"\0" * 2000)
    with pytest.raises(BadInput, match="big.pdf"):
        complete_training(
            session=session,
            files_dir=settings.files_dir,
            candidate_id=dana,
            course="basic_sro",
            on="2027-02-19",
            actor=as_user("hr.alvarez"),
            file=big,
            max_file_bytes=1000,
            now=DIRECTED + timedelta(days=30),
        )
    assert not settings.files_dir.exists() or not any(settings.files_dir.rglob("*"))
    assert session.exec(select(Evidence).where(Evidence.kind == "training_completed")).all() == []


def test_completion_of_a_course_not_directed_or_unknown_is_refused(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro"])
    with pytest.raises(RuleViolation) as info:
        complete(session, settings, dana, "legal_issues", "2027-02-19")
    assert render(info.value) == (
        "Dana Whitfield: Legal issues in schools (search, privacy, school rules and crimes) was "
        "not directed (directed: Basic School Resource Officer course); it is directed with "
        "'qualify training assign'"
    )
    assert (last(session).action, last(session).outcome) == (
        "training_completion_refused",
        "refused",
    )
    with pytest.raises(BadInput, match="has no course 'legal'"):
        complete(session, settings, dana, "legal", "2027-02-19")


def test_completion_dates_run_from_the_day_directed_to_today_in_the_selections_time_zone(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro", "legal_issues"])
    # 03:00 UTC on January 27 is still January 26 in Milford.
    late_evening = datetime(2027, 1, 27, 3, 0, tzinfo=UTC)
    with pytest.raises(BadInput) as future:
        complete(session, settings, dana, "basic_sro", "2027-01-27", now=late_evening)
    assert (
        render(future.value)
        == "--on: 2027-01-27 is after today (2027-01-26); a fact must have happened"
    )
    with pytest.raises(RuleViolation) as early:
        complete(session, settings, dana, "basic_sro", "2027-01-24", now=late_evening)
    assert render(early.value) == (
        "--on: 2027-01-24 is before the course was directed (Basic School Resource Officer "
        "course, on 2027-01-25); record training completed on or after the day it was directed"
    )
    # Today (a 40-hour course two days after it was directed: with its reason).
    complete(
        session, settings, dana, "basic_sro", "2027-01-26", now=late_evening, reason="Long days"
    )
    complete(session, settings, dana, "legal_issues", "2027-01-25", now=late_evening)  # that day
    with pytest.raises(BadInput, match="is not a date"):
        complete(session, settings, dana, "basic_sro", "yesterday")


def test_a_course_completed_once_cannot_be_completed_again(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro"])
    first = complete(session, settings, dana, "basic_sro", "2027-02-19")
    with pytest.raises(RuleViolation) as info:
        complete(session, settings, dana, "basic_sro", "2027-02-20")
    assert str(info.value) == (
        "Dana Whitfield: Basic School Resource Officer course was already recorded complete on "
        "2027-02-19 "
        f"(record #{first.id})"
    )


def test_only_hr_and_the_directing_roles_record_completion(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro", "legal_issues"])
    with pytest.raises(
        NotPermitted, match=r"Michael Walsh \(Chief of Police\) may not record completed training"
    ):
        complete(session, settings, dana, "basic_sro", "2027-02-19", actor="chief.walsh")
    complete(session, settings, dana, "basic_sro", "2027-02-19", actor="sgt.lambert")
    complete(session, settings, dana, "legal_issues", "2027-02-19", actor="cmdr.obrien")


def test_appoint_waits_for_every_directed_course_and_names_what_is_missing(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro", "legal_issues"])
    direct(session, dana, ["school_emergency_planning"], "2027-03-12", actor="cmdr.obrien")
    complete(session, settings, dana, "basic_sro", "2027-02-19")
    with pytest.raises(RuleViolation) as info:
        appoint(session, dana, DIRECTED + timedelta(days=31))
    assert str(info.value) == (
        'cannot "Appoint to the position" for Dana Whitfield: directed training is not '
        "complete: Legal issues in "
        "schools (search, privacy, school rules and crimes) (legal_issues, due 2027-03-05); "
        "School emergency operations planning with the Emergency Management Team "
        "(school_emergency_planning, due 2027-03-12)"
    )
    assert last(session).action == "advance_refused"
    complete(session, settings, dana, "legal_issues", "2027-02-20")
    complete(session, settings, dana, "school_emergency_planning", "2027-02-21")
    assert appoint(session, dana, DIRECTED + timedelta(days=31)) == "appointed"
    assert verify(session).ok


def test_status_lists_directed_courses_due_overdue_and_completed_late(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro"], "2027-01-26")
    direct(session, dana, ["legal_issues"], "2099-12-31", actor="cmdr.obrien", far_ahead=True)
    complete(session, settings, dana, "basic_sro", "2027-02-01")
    found = training_status(session=session, candidate_id=dana, actor=as_user("sgt.lambert"))
    assert [
        (c["course"], c["hours"], c["directed_by_name"], c["completed_on"], c["status"], c["late"])
        for c in found["courses"]
    ] == [
        ("basic_sro", 40, "Daniel Lambert", "2027-02-01", "complete", True),
        ("legal_issues", 8, "Ann O'Brien", None, "due", False),
    ]
    assert (found["complete"], found["hours_directed"], found["hours_completed"]) == (
        False,
        48,
        40,
    )
    with pytest.raises(NotPermitted):
        training_status(session=session, candidate_id=dana, actor=as_user("rep.chen"))


def test_audit_verify_names_an_edited_direction(
    session: Session, dana: int, settings: Settings
) -> None:
    direct(session, dana, ["basic_sro"])
    assert verify(session).ok
    last_ok = last(session).id
    row = session.exec(select(TrainingDirection)).one()
    session.connection().exec_driver_sql(
        "UPDATE training_direction SET due_on = '2099-01-01' WHERE id = ?", (row.id,)
    )
    session.commit()
    result = verify(session)
    assert not result.ok
    assert result.problems == (
        "training direction #1 (basic_sro for candidate 1) differs from what audit event "
        f"#{last_ok} recorded: it was changed outside qualify",
    )


def test_directions_and_completions_are_in_the_candidates_audit_log(
    session: Session, settings: Settings, dana: int
) -> None:
    direct(session, dana, ["basic_sro"])
    complete(session, settings, dana, "basic_sro", "2027-02-19")
    actions = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.candidate_id == dana)
        .order_by(col(AuditEvent.id).desc())
        .limit(2)
    ).all()
    assert actions == ["training_completed", "state_changed"]


def test_a_course_finished_sooner_than_its_hours_allow_needs_a_reason(
    session: Session, settings: Settings, dana: int
) -> None:
    """At 8 hours a day, the 40-hour basic course directed on January 25 ends on January 29 at
    the earliest; an 8-hour course may end the day it was directed."""
    direct(session, dana, ["basic_sro", "legal_issues"])
    before = len(audit.events(session))
    with pytest.raises(BadInput) as info:
        complete(session, settings, dana, "basic_sro", "2027-01-27")
    assert render(info.value) == (
        "--reason: Basic School Resource Officer course (40 hours) completed on 2027-01-27, 3 "
        "days from the day it was directed (2027-01-25): at 8 hours a day it takes at least 5 "
        "days; say why"
    )
    assert len(audit.events(session)) == before  # bad input: nothing recorded
    complete(session, settings, dana, "legal_issues", "2027-01-25")
    complete(session, settings, dana, "basic_sro", "2027-01-27", reason="Held in 12-hour days")
    done = json.loads(audit.events(session)[-1].details)
    assert (done["course"], done["reason"]) == ("basic_sro", "Held in 12-hour days")
