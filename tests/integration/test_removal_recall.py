"""Removal from the position (with its infraction category and notice) and recall of the next
passing officer from the eligible list while it is valid."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from qualify.config import Settings
from qualify.errors import BadInput, RuleViolation
from qualify.services.advance import advance
from qualify.services.fairness import fairness_report
from qualify.services.firing import Advanced, PacketPlace
from qualify.services.packets import print_candidate
from qualify.store import audit
from qualify.store.tables import AuditEvent, Candidate
from qualify.workflow.documents import local_date, long_date
from tests.helpers.actors import as_user
from tests.helpers.builders import NOT_SELECTED, a_selection, interviewed, reported, selected

CHIEF = "chief.walsh"
TZ = "America/New_York"
# Midnight starting 20 January 2028 in New York (EST, UTC-5).
FIRST_EXPIRED = datetime(2028, 1, 20, 5, 0, tzinfo=UTC)
# After the demo's steps before its removal (the last, a quarterly report, on 19 July 2027); its
# selection decision was on 20 January 2027 (New York), the day of the interviews.
LATER = datetime(2027, 9, 1, 14, 0, tzinfo=UTC)


def _decided(
    session: Session, settings: Settings, *, reyes_and_natarajan_pass: bool
) -> dict[str, int]:
    """The demo's selection carried to the appointment and its quarterly reports: Whitfield
    (MPD-1042) appointed, Reyes (MPD-1077, passed, rank 2) and Natarajan (MPD-1103) not
    selected. With `reyes_and_natarajan_pass`, Natarajan's appearance scores rise so she passes
    too (rank 3)."""
    sample = a_selection(session, settings, self_identified=True)
    if reyes_and_natarajan_pass:
        interviewed(sample, changes={"MPD-1103": {"appearance_attitude": "4", "role_model": "3"}})
        ranked_below = ("higher_ranked_selected", NOT_SELECTED["MPD-1103"][1])
        selected(sample, not_selected=NOT_SELECTED | {"MPD-1103": ranked_below})
    return reported(sample).ids


def _decision_day(session: Session) -> date:
    """The day (New York) the selection decision was recorded: the first `select` event. On
    SQLite that is the demo's clock (20 January 2027); PostgreSQL dates every event by its own
    clock, so there it is the day the test ran."""
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        if event.action == "state_changed" and json.loads(event.details)["trigger"] == "select":
            return local_date(event.at, TZ)
    raise AssertionError("no selection decision")


def _on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@pytest.fixture
def ids(session: Session, settings: Settings) -> dict[str, int]:
    return _decided(session, settings, reyes_and_natarajan_pass=False)


def _state(session: Session, candidate_id: int) -> str:
    session.expire_all()
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    return candidate.state


def _details(session: Session, event_id: int | None = None) -> dict[str, object]:
    """The details of the event (by default the last one)."""
    event = audit.head(session) if event_id is None else session.get(AuditEvent, event_id)
    assert event is not None
    return dict(json.loads(event.details))


def _events(session: Session) -> int:
    return len(audit.events(session))


def _remove(session: Session, ids: dict[str, int], **kw: object) -> str:
    return advance(
        session=session,
        candidate_id=ids["MPD-1042"],
        trigger="remove",
        actor=as_user(CHIEF),
        reason="Disclosed a student's record to a reporter.",
        now=LATER,
        **kw,  # type: ignore[arg-type]
    ).to_state


def _recall(session: Session, candidate_id: int, at: datetime, **kw: object) -> str:
    return advance(
        session=session,
        candidate_id=candidate_id,
        trigger="recall",
        actor=as_user(CHIEF),
        reason="The position is vacant after the removal of Officer Whitfield.",
        now=at,
        **kw,  # type: ignore[arg-type]
    ).to_state


def _recall_printed(
    session: Session, ids: dict[str, int], settings: Settings, out: Path
) -> Advanced:
    """The Chief recalls Officer Reyes (MPD-1077) from the list a week after LATER, the position
    being vacant; the letter and packet are written to `out`."""
    return advance(
        session=session,
        candidate_id=ids["MPD-1077"],
        trigger="recall",
        actor=as_user(CHIEF),
        reason="The position is vacant.",
        now=LATER + relativedelta(days=7),
        packets=PacketPlace(settings.templates_dir, out),
    )


def test_removal_needs_a_category_the_workflow_lists(session: Session, ids: dict[str, int]) -> None:
    before = _events(session)
    with pytest.raises(BadInput, match=r"^category: remove needs a category, one of policy, "):
        _remove(session, ids)
    with pytest.raises(BadInput, match=r"no category 'polcy' \(did you mean 'policy'\?\)"):
        _remove(session, ids, category="polcy")
    assert _state(session, ids["MPD-1042"]) == "appointed"
    # A missing or mistyped category is bad input, not a decision refused: nothing is recorded.
    assert _events(session) == before
    assert _remove(session, ids, category="school_rule") == "removed"
    assert _details(session)["category"] == "school_rule"


def test_a_category_is_refused_on_a_trigger_that_has_none(
    session: Session, ids: dict[str, int]
) -> None:
    with pytest.raises(BadInput, match="^category: recall takes no category"):
        _recall(session, ids["MPD-1077"], LATER, category="policy")
    assert _state(session, ids["MPD-1077"]) == "not_selected"


def pdftotext(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def test_the_notice_of_removal_states_the_category_the_day_and_who_decided(
    session: Session, ids: dict[str, int], settings: Settings, tmp_path: Path
) -> None:
    # 02:30 UTC on 1 September is still 31 August in New York, the selection's time zone.
    done = advance(
        session=session,
        candidate_id=ids["MPD-1042"],
        trigger="remove",
        actor=as_user(CHIEF),
        reason="Disclosed a student's record to a reporter.",
        category="policy",
        now=datetime(2027, 9, 1, 2, 30, tzinfo=UTC),
        packets=PacketPlace(settings.templates_dir, tmp_path / "records"),
    )
    [notice] = [p for p in done.packets if "notice_of_removal" in p.name]
    text = " ".join(pdftotext(notice).split())
    assert "Subject: Notice of removal, School Resource Officer 2027" in text
    event = session.get(AuditEvent, done.event_id)
    assert event is not None
    day = long_date(local_date(event.at, TZ))  # PostgreSQL: the server's clock dates the event
    if _on_sqlite(session):
        assert day == "August 31, 2027"
    assert (
        f"You are removed from the position of School Resource Officer, effective {day}, for an "
        f"infraction of Department Policy. The decision was made on {day} by Michael Walsh, "
        "Chief of Police."
    ) in text
    assert "Dear Officer Whitfield," in text
    assert "reporter" not in text  # the internal reason stays internal


def test_the_chief_recalls_the_next_passing_officer_and_the_record_says_which_list(
    session: Session, ids: dict[str, int], settings: Settings, tmp_path: Path
) -> None:
    _remove(session, ids, category="guideline")
    with pytest.raises(BadInput, match="^reason: recall needs a reason"):
        advance(
            session=session, candidate_id=ids["MPD-1077"], trigger="recall", actor=as_user(CHIEF)
        )
    done = advance(
        session=session,
        candidate_id=ids["MPD-1077"],
        trigger="recall",
        actor=as_user(CHIEF),
        reason="The position is vacant.",
        now=LATER,
        packets=PacketPlace(settings.templates_dir, tmp_path / "records"),
    )
    assert done.to_state == "selected"
    [packet] = [p for p in done.packets if p.name.endswith(".pdf") and "selection_packet" in p.name]
    established = _decision_day(session)
    if _on_sqlite(session):
        assert established == date(2027, 1, 20)
    expires = established + relativedelta(months=12)
    assert (
        "Eligible list Ranked 2 in the interview results; the list was established by the "
        f"selection decision on {long_date(established)} and is valid through "
        f"{long_date(expires - relativedelta(days=1))}"
    ) in " ".join(pdftotext(packet).split())
    details = _details(session, done.event_id)
    assert details["eligible_list"] == {
        "established": established.isoformat(),
        "expires": expires.isoformat(),
        "rank": 2,  # the eligible list's: Natarajan (higher total, failed a minimum) is not ranked
    }
    assert "passed_over" not in details


def test_an_officer_who_did_not_pass_the_interview_cannot_be_recalled(
    session: Session, ids: dict[str, int]
) -> None:
    failed = "of 1 check, 1 failed: Interview passed .*: failed: interview not passed"
    with pytest.raises(RuleViolation, match=failed):
        _recall(session, ids["MPD-1103"], LATER)
    assert _state(session, ids["MPD-1103"]) == "not_selected"


def test_a_recall_out_of_rank_order_names_the_next_officer_and_needs_a_reason_to_skip(
    session: Session, settings: Settings
) -> None:
    ids = _decided(session, settings, reyes_and_natarajan_pass=True)
    reyes, natarajan = ids["MPD-1077"], ids["MPD-1103"]
    _remove(session, ids, category="policy")  # the position is vacant
    with pytest.raises(RuleViolation) as refused:
        _recall(session, natarajan, LATER)
    assert (
        "the next officer on the eligible list is Luis Reyes (rank 2); recall that officer, "
        "or say why Luis Reyes is passed over"
    ) in str(refused.value)
    with pytest.raises(
        BadInput, match="^skip_reason: Luis Reyes is next on the eligible list; nobody is passed"
    ):
        _recall(session, reyes, LATER, skip_reason="No one is skipped.")
    assert _state(session, reyes) == _state(session, natarajan) == "not_selected"
    skip = "Officer Reyes has declined the assignment in writing."
    assert _recall(session, natarajan, LATER, skip_reason=skip) == "selected"
    details = _details(session)
    assert details["passed_over"] == [reyes]
    assert details["skip_reason"] == skip
    assert details["eligible_list"]["rank"] == 3  # type: ignore[index]


# On SQLite the list was established on 20 January 2027 (New York) and expires on 20 January 2028:
# the last valid minute is 23:59 on 19 January in New York (04:59 UTC on the 20th), and it has
# expired from midnight, though UTC is still the same day. PostgreSQL dates the decision by its
# own clock; the same boundary is then taken from that day.
@pytest.mark.parametrize(("minutes_from_expiry", "allowed"), [(-1, True), (0, False)])
def test_the_eligible_list_is_valid_through_the_day_before_twelve_months_later(
    session: Session, ids: dict[str, int], minutes_from_expiry: int, allowed: bool
) -> None:
    _remove(session, ids, category="policy")  # the position is vacant
    established = _decision_day(session)
    expires = established + relativedelta(months=12)
    midnight = datetime.combine(expires, time(0, 0), tzinfo=ZoneInfo(TZ))
    at = (midnight + relativedelta(minutes=minutes_from_expiry)).astimezone(UTC)
    if _on_sqlite(session):
        assert at == (datetime(2028, 1, 20, 4, 59, tzinfo=UTC) if allowed else FIRST_EXPIRED)
    if allowed:
        assert _recall(session, ids["MPD-1077"], at) == "selected"
        return
    with pytest.raises(RuleViolation) as refused:
        _recall(session, ids["MPD-1077"], at)
    assert str(refused.value) == (
        'cannot "Recall Luis Reyes from the eligible list" for Luis Reyes: the eligible list '
        "of selection 1 expired on "
        f"{long_date(expires)} (12 months from the selection decision on "
        f"{long_date(established)}); its last valid day was "
        f"{long_date(expires - relativedelta(days=1))}"
    )
    if _on_sqlite(session):
        assert "expired on January 20, 2028" in str(refused.value)
    assert _state(session, ids["MPD-1077"]) == "not_selected"


def test_before_the_selection_decision_there_is_no_eligible_list(
    session: Session, settings: Settings
) -> None:
    reyes = interviewed(a_selection(session, settings)).ids["MPD-1077"]
    advance(
        session=session,
        candidate_id=reyes,
        trigger="not_select",
        actor=as_user(CHIEF),
        reason="Ranked second.",
        notice="You have not been selected.",  # nobody is selected yet: no code would be true
        now=LATER,
    )
    with pytest.raises(RuleViolation, match="has no eligible list yet; it starts on the day of"):
        _recall(session, reyes, LATER)


def test_a_recalled_officer_counts_as_passing_the_selection_stage(
    session: Session, ids: dict[str, int]
) -> None:
    def selection_stage() -> tuple[int, int]:
        report = fairness_report(session=session, selection_id=1, actor=as_user("hr.alvarez"))
        stage = next(s for s in report.stages if s.id == "selection")
        return stage.entered, stage.passed

    assert selection_stage() == (2, 1)  # Whitfield selected, Reyes passed over
    _remove(session, ids, category="philosophy")
    _recall(session, ids["MPD-1077"], LATER)
    assert selection_stage() == (2, 2)


def test_the_recall_letter_says_it_is_a_recall_from_the_list_with_its_dates(
    session: Session, ids: dict[str, int], settings: Settings, tmp_path: Path
) -> None:
    first = advance(
        session=session,
        candidate_id=ids["MPD-1042"],
        trigger="remove",
        actor=as_user(CHIEF),
        reason="Disclosed a student's record to a reporter.",
        category="policy",
        now=LATER,
        packets=PacketPlace(settings.templates_dir, tmp_path / "records"),
    )
    done = _recall_printed(session, ids, settings, tmp_path / "records")
    [letter] = [p for p in done.packets if "selection_letter" in p.name]
    text = pdftotext(letter)
    established = _decision_day(session)
    removal = session.get(AuditEvent, first.event_id)
    assert removal is not None
    vacant = long_date(local_date(removal.at, TZ))
    if _on_sqlite(session):
        assert vacant == "September 1, 2027"
    through = established + relativedelta(months=12) - relativedelta(days=1)
    assert "you have been recalled from the eligible list and selected for the position" in text
    assert (
        f"The position became vacant on {vacant}. You are selected from the eligible list "
        f"established by the selection decision on {long_date(established)}, on which you are "
        f"ranked 2; the list is valid through {long_date(through)}."
    ) in text
    assert "reporter" not in text  # nothing of the removal's why, nor whose it was
    assert "Whitfield" not in text
    # The first selection letter, to Whitfield, says nothing of a recall.
    printed = print_candidate(
        session=session,
        templates_dir=settings.templates_dir,
        output_dir=tmp_path / "first",
        candidate_id=ids["MPD-1042"],
        actor=as_user("hr.alvarez"),
        stage="selected",
    )
    (first_letter,) = [p for p in printed if "selection_letter" in p.name]
    assert "I am pleased to inform you that you have been selected for the position" in (
        pdftotext(first_letter)
    )
    assert "eligible list" not in pdftotext(first_letter)


def test_the_recall_packet_shows_a_sustained_finding_on_file_that_the_rule_did_not_count(
    session: Session, ids: dict[str, int], settings: Settings, tmp_path: Path
) -> None:
    """A sustained finding dated after the as-of date (2027-01-15) does not count against the
    qualification, but the packet the Chief signs says it is on file and why it is not
    counted; its audit excerpt names the finding's disposition and date."""
    from qualify.services.evidence import add_evidence

    add_evidence(
        session=session,
        files_dir=settings.files_dir,
        candidate_id=ids["MPD-1077"],
        kind="conduct_finding",
        fields={
            "date": "2027-08-20",
            "disposition": "sustained",
            "summary": "Use of force complaint sustained",
        },
        actor=as_user("hr.alvarez"),
        now=LATER - relativedelta(days=1),
    )
    _remove(session, ids, category="policy")
    done = _recall_printed(session, ids, settings, tmp_path / "records")
    [packet] = [p for p in done.packets if "selection_packet" in p.name]
    text = pdftotext(packet)
    summary = text.split("Eligibility summary", 1)[1].split("Interview result", 1)[0]
    conduct = summary.split("History of good conduct (no sustained findings in 5 years)", 1)[1]
    assert conduct.lstrip().startswith("Passed")
    assert "not counted: the record entered " in conduct
    assert "is dated August 20, 2027, after the as-of date" in conduct
    excerpt = text.split("Audit excerpt", 1)[1]
    assert "Evidence entered: Conduct finding: sustained, dated August 20, 2027" in excerpt
