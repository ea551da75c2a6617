"""Quarterly activity reports of the appointed officer: who enters them, for which quarters,
when they are due and overdue, corrections, and the packet for the Superintendent and Chief."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from qualify.cli.errors import render
from qualify.config import Settings
from qualify.errors import BadInput, NotFound, NotPermitted, RuleViolation
from qualify.services import retention
from qualify.services.advance import advance
from qualify.services.report_packet import print_report
from qualify.services.reports import add_report, due_reports
from qualify.services.scenario import candidate_ids
from qualify.store.integrity import verify
from qualify.store.tables import ActivityReport, AuditEvent, Tombstone
from tests.helpers.actors import as_user
from tests.helpers.appointed import AppointedCopies, noon, settings_for
from tests.helpers.builders import USERS, Sample, appointed

FULL = {
    "meetings": "4",
    "presentations": "2",
    "referrals": "1",
    "rule_referrals": "3",
    "drills": "1",
    "incidents": "0",
}


@pytest.fixture(scope="module")
def _appointed_copy(tmp_path_factory: pytest.TempPathFactory) -> AppointedCopies:
    return AppointedCopies(tmp_path_factory.mktemp("appointed"))


@dataclass
class World:
    session: Session
    settings: Settings
    dana: int
    ids: dict[str, int]


@pytest.fixture
def appoint(
    _appointed_copy: AppointedCopies,
    tmp_path: Path,
    engine_for: Callable[[str], Engine],
) -> Iterator[Callable[[date], World]]:
    """A fresh SQLite database where Dana Whitfield was appointed on the day given."""
    sessions: list[Session] = []

    def run(day: date) -> World:
        target = tmp_path / "qualify.db"
        shutil.copyfile(_appointed_copy(day), target)
        url = f"sqlite:///{target}"
        session = Session(engine_for(url), expire_on_commit=False)
        sessions.append(session)
        ids = candidate_ids(session, 1)
        return World(session, settings_for(url, tmp_path), ids["MPD-1042"], ids)

    yield run
    for session in sessions:
        session.close()


def test_a_supervisor_enters_the_report_of_the_officer_appointed_before_the_quarter(
    session: Session, sample: Sample
) -> None:
    dana = appointed(sample, on=date(2027, 3, 20)).ids["MPD-1042"]
    filed = add_report(
        session=session,
        candidate_id=dana,
        quarter="2027Q1",
        fields=FULL | {"highlights": "Anti-bullying unit"},
        actor=as_user("sgt.moreau"),
        now=noon(date(2027, 4, 9)),
    )
    assert filed.report.version == 1
    assert filed.report.figures == {
        "meetings": 4,
        "presentations": 2,
        "referrals": 1,
        "rule_referrals": 3,
        "drills": 1,
        "incidents": 0,
        "highlights": "Anti-bullying unit",
    }
    assert not filed.late
    event = session.get(AuditEvent, filed.event_id)
    assert event is not None
    assert (event.action, event.actor, event.role) == ("report_added", "sgt.moreau", "supervisor")
    assert verify(session).ok


def _add(session: Session, dana: int, quarter: str, day: date, **kw: object) -> object:
    args: dict[str, object] = {"fields": FULL, "actor": as_user("sgt.moreau")} | kw
    return add_report(
        session=session,
        candidate_id=dana,
        quarter=quarter,
        now=noon(day),
        **args,  # type: ignore[arg-type]
    )


def _rows(session: Session) -> int:
    return len(session.exec(select(ActivityReport)).all())


def test_a_quarter_is_reported_from_its_last_day_by_an_officer_appointed_on_or_before_it(
    appoint: Callable[[date], World],
) -> None:
    world = appoint(date(2027, 3, 31))  # the last day of 2027Q1: she owes its report
    session, dana = world.session, world.dana
    with pytest.raises(
        RuleViolation, match=r"2027Q1 runs until 2027-03-31: .* \(today is 2027-03-30\)"
    ):
        _add(session, dana, "2027Q1", date(2027, 3, 30))
    _add(session, dana, "2027Q1", date(2027, 3, 31))
    assert _rows(session) == 1


def test_an_officer_appointed_the_day_after_a_quarter_owes_no_report_for_it(
    appoint: Callable[[date], World],
) -> None:
    world = appoint(date(2027, 4, 1))
    session, dana = world.session, world.dana
    with pytest.raises(RuleViolation, match="2027Q1 ended on 2027-03-31, before the officer was"):
        _add(session, dana, "2027Q1", date(2027, 4, 9))
    assert due_reports(session=session, actor=as_user("hr.alvarez"), as_of=date(2027, 4, 15)) == []
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "report_refused")).all()
    assert [e.outcome for e in refused] == ["refused"]


def test_an_officer_appointed_after_the_old_list_of_quarters_reports_by_the_rule(
    appoint: Callable[[date], World],
) -> None:
    """The workflow once listed 2027Q1 to 2028Q2 and nothing after: an officer appointed in
    August 2028 owes 2028Q3, due on Friday 13 October (the 15th is a Sunday), and each quarter
    after it."""
    world = appoint(date(2028, 8, 10))
    session, dana = world.session, world.dana

    def listed(day: date) -> list[tuple[str, str, str]]:
        rows = due_reports(session=session, actor=as_user("hr.alvarez"), as_of=day)
        return [(r["quarter"], r["due"], r["status"]) for r in rows]

    assert listed(date(2028, 9, 29)) == []
    assert listed(date(2028, 10, 13)) == [("2028Q3", "2028-10-13", "due")]
    assert listed(date(2028, 10, 14)) == [("2028Q3", "2028-10-13", "overdue")]
    with pytest.raises(RuleViolation, match="2028Q2 ended on 2028-06-30, before the officer"):
        _add(session, dana, "2028Q2", date(2028, 10, 2))
    filed = _add(session, dana, "2028Q3", date(2028, 10, 13))
    assert not filed.late  # type: ignore[attr-defined]
    assert listed(date(2029, 1, 16)) == [("2028Q4", "2029-01-15", "overdue")]


def test_a_removed_officer_owes_the_report_of_the_quarter_of_removal_and_no_later(
    appoint: Callable[[date], World],
) -> None:
    """Whitfield, appointed in March 2027 and removed on 20 September 2027 with her 2027Q1 and
    2027Q2 reports filed, still owes 2027Q3 (July to her removal), not 2027Q4."""
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    _add(session, dana, "2027Q1", date(2027, 4, 9))
    _add(session, dana, "2027Q2", date(2027, 7, 9))
    advance(
        session=session,
        candidate_id=dana,
        trigger="remove",
        actor=as_user("chief.walsh"),
        now=noon(date(2027, 9, 20)),
        category="school_rule",
        reason="Disciplined a student instead of referring the violation (duty 9).",
    )

    def listed(day: date) -> list[tuple[str, str]]:
        rows = due_reports(session=session, actor=as_user("hr.alvarez"), as_of=day)
        return [(r["quarter"], r["status"]) for r in rows]

    assert listed(date(2027, 10, 15)) == [("2027Q3", "due")]
    assert listed(date(2028, 2, 1)) == [("2027Q3", "overdue")]
    [row] = due_reports(session=session, actor=as_user("hr.alvarez"), as_of=date(2028, 2, 1))
    assert row["left_on"] == "2027-09-20"
    with pytest.raises(RuleViolation) as refused:
        _add(session, dana, "2027Q4", date(2028, 1, 2))
    assert str(refused.value) == (
        "the officer left the position on 2027-09-20: the last report covers 2027Q3 (July to "
        "September 2027)"
    )
    _add(session, dana, "2027Q3", date(2027, 10, 1))
    assert listed(date(2028, 2, 1)) == []


def test_a_removed_officers_report_is_corrected_with_a_reason_but_no_new_quarter_begins(
    appoint: Callable[[date], World],
) -> None:
    """After her removal, a report of a quarter she served is still corrected (with a reason,
    kept as a new version); one without a reason, or for a quarter after her removal, is not."""
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    _add(session, dana, "2027Q1", date(2027, 4, 9))
    advance(
        session=session,
        candidate_id=dana,
        trigger="remove",
        actor=as_user("chief.walsh"),
        now=noon(date(2027, 9, 20)),
        category="school_rule",
        reason="Disciplined a student instead of referring the violation (duty 9).",
    )
    after = date(2027, 10, 16)
    for user in ("sgt.moreau", "hr.alvarez"):
        drills = "2" if user == "sgt.moreau" else "3"
        filed = _add(
            session,
            dana,
            "2027Q1",
            after,
            fields={"drills": drills},
            reason="Two drills were held, not one.",
            actor=as_user(user),
        )
        assert filed.corrected  # type: ignore[attr-defined]
    versions = session.exec(select(ActivityReport).where(ActivityReport.quarter == "2027Q1")).all()
    assert [(v.version, v.figures["drills"]) for v in versions] == [(1, 1), (2, 2), (3, 3)]
    with pytest.raises(RuleViolation, match="2027Q1 is on file"):
        _add(session, dana, "2027Q1", after, fields={"drills": "4"})
    with pytest.raises(RuleViolation, match="left the position on 2027-09-20"):
        _add(session, dana, "2027Q4", date(2028, 1, 2))


def test_a_report_is_due_until_its_due_date_and_overdue_the_day_after(
    appoint: Callable[[date], World],
) -> None:
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana

    def listed(day: date) -> list[tuple[str, str, int]]:
        rows = due_reports(session=session, actor=as_user("hr.alvarez"), as_of=day)
        assert all(r["candidate_id"] == dana for r in rows)
        return [(r["quarter"], r["status"], r["days_overdue"]) for r in rows]

    assert listed(date(2027, 3, 30)) == []  # the quarter is still under way
    assert listed(date(2027, 3, 31)) == [("2027Q1", "due", 0)]
    assert listed(date(2027, 4, 15)) == [("2027Q1", "due", 0)]  # the due date itself
    assert listed(date(2027, 4, 16)) == [("2027Q1", "overdue", 1)]
    assert listed(date(2027, 7, 16)) == [("2027Q1", "overdue", 92), ("2027Q2", "overdue", 1)]
    filed = _add(session, dana, "2027Q1", date(2027, 7, 16))
    assert filed.late  # type: ignore[attr-defined]
    assert listed(date(2027, 7, 16)) == [("2027Q2", "overdue", 1)]
    # Her supervisor sees her; another supervisor sees nobody's; a school representative may not look.
    assert (
        len(due_reports(session=session, actor=as_user("sgt.moreau"), as_of=date(2027, 7, 16))) == 1
    )
    assert due_reports(session=session, actor=as_user("sgt.okafor"), as_of=date(2027, 7, 16)) == []
    assert (
        len(due_reports(session=session, actor=as_user("sgt.lambert"), as_of=date(2027, 7, 16)))
        == 1
    )
    with pytest.raises(NotPermitted, match=r"Dr\. Helen Chen may not list activity reports"):
        due_reports(session=session, actor=as_user("rep.chen"), as_of=date(2027, 7, 16))


def test_only_an_appointed_officer_reports_and_the_refusal_names_the_state(
    appoint: Callable[[date], World],
) -> None:
    world = appoint(date(2027, 3, 20))
    session, reyes = world.session, world.ids["MPD-1077"]
    # Who first: with one field, or none, the refusal is still that he never held the
    # position, not a field missing (a supervisor would fill in every field for nothing).
    for fields in (FULL, {"meetings": "4"}, {}):
        with pytest.raises(
            RuleViolation,
            match="Luis Reyes is at Not selected, not Appointed School Resource Officer: only an",
        ):
            _add(session, reyes, "2027Q1", date(2027, 4, 9), fields=fields)
    assert _rows(session) == 0


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("hr.alvarez", True),  # HR: any officer
        ("sgt.moreau", True),  # her own supervisor
        ("sgt.lambert", True),  # the Detective Sergeant: supervises every appointed SRO
        ("sgt.okafor", False),  # a supervisor, but not hers
        ("cmdr.obrien", False),  # sees her record, but enter_reports does not name commanders
        ("chief.walsh", False),
    ],
)
def test_hr_or_the_officers_own_supervisor_enters_the_report(
    appoint: Callable[[date], World], actor: str, allowed: bool
) -> None:
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    if allowed:
        _add(session, dana, "2027Q1", date(2027, 4, 9), actor=as_user(actor))
        assert _rows(session) == 1
        return
    with pytest.raises(
        NotPermitted, match=re.escape(f"{USERS[actor][1]} (") + ".* may not enter activity reports"
    ):
        _add(session, dana, "2027Q1", date(2027, 4, 9), actor=as_user(actor))
    assert _rows(session) == 0


@pytest.mark.parametrize(
    ("quarter", "fields", "message"),
    [
        ("2027Q5", FULL, "--quarter '2027Q5': write a quarter as YEAR Q NUMBER"),
        ("2027Q1", FULL | {"meeting": "3"}, "--field meeting: .*did you mean 'meetings'"),
        ("2027Q1", FULL | {"drills": "-1"}, "--field drills: '-1' is not a count"),
        ("2027Q1", FULL | {"drills": "2.5"}, "--field drills: '2.5' is not a count"),
        ("2027Q1", FULL | {"drills": "100001"}, "--field drills: 100001 is more than 100,000"),
        (
            "2027Q1",
            {k: v for k, v in FULL.items() if k != "incidents"},
            "--field incidents: missing",
        ),
    ],
)
def test_bad_quarters_and_fields_are_bad_input_naming_them_and_nothing_is_saved(
    appoint: Callable[[date], World],
    quarter: str,
    fields: dict[str, str],
    message: str,
) -> None:
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    with pytest.raises(BadInput) as raised:
        _add(session, dana, quarter, date(2027, 4, 9), fields=fields)
    assert re.match(message, render(raised.value))  # as the command line says it
    assert "\n" not in str(raised.value)
    assert _rows(session) == 0


def test_a_second_report_needs_a_reason_and_corrects_keeping_the_first(
    appoint: Callable[[date], World], tmp_path: Path
) -> None:
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    _add(session, dana, "2027Q1", date(2027, 4, 9))
    with pytest.raises(RuleViolation) as refused:
        _add(session, dana, "2027Q1", date(2027, 4, 10), fields={"drills": "2"})
    assert re.search("report for 2027Q1 is on file .* give .* --reason", render(refused.value))
    with pytest.raises(BadInput, match="the correction changes nothing"):
        _add(session, dana, "2027Q1", date(2027, 4, 10), fields={"drills": "1"}, reason="x")
    fixed = _add(
        session,
        dana,
        "2027Q1",
        date(2027, 4, 20),
        fields={"drills": "2"},
        reason="The fire drill of March 3 was left out.",
        actor=as_user("hr.alvarez"),
    )
    kept = session.exec(select(ActivityReport).order_by(col(ActivityReport.version))).all()
    assert [(r.version, r.figures["drills"], r.figures["meetings"]) for r in kept] == [
        (1, 1, 4),
        (2, 2, 4),
    ]
    assert fixed.corrected  # type: ignore[attr-defined]
    assert verify(session).ok
    # The packet prints the latest figures and the correction; a reprint is the same file.
    paths = print_report(
        session=session,
        templates_dir=world.settings.templates_dir,
        output_dir=tmp_path / "out",
        candidate_id=dana,
        quarter="2027q1",
        actor=as_user("chief.walsh"),
        now=noon(date(2027, 4, 21)),
    )
    assert [p.name for p in paths] == [
        f"selection-1_candidate-{dana:04d}_report-2027Q1_activity_report_event-{fixed.event_id}.pdf"  # type: ignore[attr-defined]
    ]
    first = paths[0].read_bytes()
    again = print_report(
        session=session,
        templates_dir=world.settings.templates_dir,
        output_dir=tmp_path / "again",
        candidate_id=dana,
        quarter="2027Q1",
        actor=as_user("hr.alvarez"),
    )
    assert again[0].read_bytes() == first
    from pypdf import PdfReader

    text = " ".join(PdfReader(paths[0]).pages[0].extract_text().split())
    assert "Quarterly activity report, 2027Q1" in text
    assert "January 1, 2027 to March 31, 2027" in text
    assert "The fire drill of March 3 was left out." in text
    assert "1 → 2" in text
    with pytest.raises(
        NotPermitted,
        match=r"Claire Moreau \(Supervisor, writes recommendations\) may not print packets",
    ):
        print_report(
            session=session,
            templates_dir=world.settings.templates_dir,
            output_dir=tmp_path / "out",
            candidate_id=dana,
            quarter="2027Q1",
            actor=as_user("sgt.moreau"),
        )
    with pytest.raises(NotFound, match="no activity report for 2027Q2"):
        print_report(
            session=session,
            templates_dir=world.settings.templates_dir,
            output_dir=tmp_path / "out",
            candidate_id=dana,
            quarter="2027Q2",
            actor=as_user("chief.walsh"),
        )


def test_two_people_entering_the_same_quarter_at_once_save_one_report(
    appoint: Callable[[date], World], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    _add(session, dana, "2027Q1", date(2027, 4, 9), actor=as_user("sgt.moreau"))
    # HR read the quarter before the supervisor's report was committed: it saw no report.
    from qualify.services import reports

    monkeypatch.setattr(reports, "versions", lambda *_: [])
    with pytest.raises(RuleViolation) as refused:
        _add(session, dana, "2027Q1", date(2027, 4, 9), actor=as_user("hr.alvarez"))
    # The officer by name and the quarter in words, as HR sees them on the page.
    assert refused.value.message == (
        "someone else entered Dana Whitfield's report for 2027Q1 (January to March 2027) at "
        "the same time; nothing was saved"
    )
    monkeypatch.undo()
    kept = session.exec(select(ActivityReport)).all()
    assert [(r.version, r.entered_by) for r in kept] == [(1, "sgt.moreau")]
    assert verify(session).ok


def test_a_purge_removes_the_reports_notes_and_reasons_and_keeps_the_counts(
    appoint: Callable[[date], World],
) -> None:
    world = appoint(date(2027, 3, 20))
    session, dana = world.session, world.dana
    _add(session, dana, "2027Q1", date(2027, 4, 9), fields=FULL | {"highlights": "Met J. Doe"})
    _add(session, dana, "2027Q1", date(2027, 4, 10), fields={"drills": "2"}, reason="Doe's drill")
    done = retention.purge(
        session=session,
        selection_id=1,
        reason="Period over",
        actor=as_user("hr.alvarez"),
        years=2,
        files_dir=world.settings.files_dir,
        records_dir=world.settings.records_dir,
        now=noon(date(2035, 1, 2)),
    )
    kept = session.exec(select(ActivityReport).order_by(col(ActivityReport.version))).all()
    assert [(r.figures["highlights"], r.figures["drills"], r.reason) for r in kept] == [
        ("(purged)", 1, None),
        ("(purged)", 2, "(purged)"),
    ]
    stones = session.exec(select(Tombstone).where(Tombstone.table_name == "activity_report"))
    assert len(stones.all()) == 2
    assert done.tombstones > 2
    assert verify(session).ok
