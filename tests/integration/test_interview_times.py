"""An interview's scheduled time, through the services: no scorecard is submitted and no
interview closed before it; no time is set before the selection opened, a first one not on a
past day, and one far ahead only when confirmed. The sample's officer Dana Whitfield (MPD-1042)
is interviewed on Wednesday 2027-01-20 at 9:00 a.m. in New York (14:00 UTC)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from qualify.errors import BadInput, RuleViolation
from qualify.services.advance import advance
from qualify.services.schedule import schedule_interview
from qualify.services.scorecards import check_submission, score
from qualify.store.tables import Scorecard
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    CRITERIA,
    HR,
    PANEL,
    ROOM,
    Sample,
    a_panel,
    advanced,
    declare,
    declared,
    screened,
)

FOURS = dict.fromkeys(CRITERIA, "4")
HELD = datetime(2027, 1, 20, 14, 0, tzinfo=UTC)  # MPD-1042's interview, 9:00 a.m. EST
BEFORE = HELD - timedelta(minutes=1)
SCHEDULED = "interview is scheduled for Wednesday, January 20, 2027 at 9:00 a.m. (EST)"


def _submit(sample: Sample, panelist: str, at: datetime) -> Scorecard:
    return score(
        session=sample.session,
        candidate_id=sample.ids["MPD-1042"],
        actor=as_user(panelist),
        scores=FOURS,
        comments={},
        submit=True,
        now=at,
    )


def _cards(session: Session) -> list[Scorecard]:
    return list(session.exec(select(Scorecard)))


def test_a_scorecard_is_not_submitted_before_the_interview_but_a_draft_may_be_saved(
    sample: Sample,
) -> None:
    declared(sample)  # declaring ahead of the interview is taken
    with pytest.raises(RuleViolation) as refused:
        _submit(sample, "rep.chen", BEFORE)
    assert str(refused.value) == (
        f"Dana Whitfield's {SCHEDULED}; a scorecard is submitted after the "
        "interview, not before (now Wednesday, January 20, 2027 at 8:59 a.m. (EST)); nothing was "
        "saved"
    )
    sample.session.rollback()
    assert _cards(sample.session) == []
    draft = score(
        session=sample.session,
        candidate_id=sample.ids["MPD-1042"],
        actor=as_user("rep.chen"),
        scores=FOURS,
        comments={},
        now=BEFORE,
    )
    assert draft.status == "draft"
    # The portal's confirmation step refuses in the same words (on the real clock, before 2027).
    with pytest.raises(RuleViolation, match=re.escape(SCHEDULED)):
        check_submission(
            session=sample.session, candidate_id=sample.ids["MPD-1042"], actor=as_user("rep.chen")
        )
    assert _submit(sample, "rep.chen", HELD).status == "submitted"


def test_without_a_scheduled_time_scores_are_taken_as_before(sample: Sample) -> None:
    screened(sample)
    a_panel(sample, timed=False)
    advanced(sample, "schedule_interview", HR, ["MPD-1042"])
    declare(sample, "rep.chen", ["MPD-1042"])
    # The sample's clock is on 2027-01-15, days before the time the timed sample would set.
    assert _submit(sample, "rep.chen", sample.clock.tick()).status == "submitted"


def test_the_interview_is_not_closed_before_its_scheduled_time(sample: Sample) -> None:
    """Scores on file before the interview's time (a record made before this rule, as the
    tryout's were; here a clock set back) do not let HR close the interview before it."""
    declared(sample)
    for panelist in PANEL:
        _submit(sample, panelist, HELD + timedelta(hours=1))
    with pytest.raises(RuleViolation) as refused:
        advance(
            session=sample.session,
            candidate_id=sample.ids["MPD-1042"],
            trigger="record_scores",
            actor=as_user(HR),
            now=BEFORE,
        )
    assert f"Dana Whitfield's {SCHEDULED}; the interview is closed after it is held" in str(
        refused.value
    )
    sample.session.rollback()
    done = advance(
        session=sample.session,
        candidate_id=sample.ids["MPD-1042"],
        trigger="record_scores",
        actor=as_user(HR),
        now=HELD + timedelta(hours=2),
    )
    assert done.to_state == "scored"


def _schedule(sample: Sample, at: str, now: datetime, **kw: bool) -> None:
    schedule_interview(
        session=sample.session,
        candidate_id=sample.ids["MPD-1042"],
        at=at,
        place=ROOM,
        actor=as_user(HR),
        now=now,
        **kw,
    )


@pytest.mark.parametrize(
    ("at", "words"),
    [
        ("2019-01-01 09:00", "before selection 1 was opened (2027-01-15 04:00)"),
        ("2027-01-07 09:00", "before selection 1 was opened (2027-01-15 04:00)"),
        ("2031-06-01 09:00", "1598 days after today (2027-01-15): an interview more than 90"),
    ],
)
def test_an_untrue_interview_time_is_refused_naming_the_field(
    sample: Sample, at: str, words: str
) -> None:
    screened(sample)
    a_panel(sample, timed=False)
    with pytest.raises(BadInput) as refused:
        _schedule(sample, at, sample.clock.tick())
    assert refused.value.field == "at"
    assert words in refused.value.message


def test_a_far_time_is_taken_when_confirmed_and_a_past_one_only_as_a_change(
    sample: Sample,
) -> None:
    screened(sample)
    a_panel(sample, timed=False)
    _schedule(sample, "2027-06-01 09:00", sample.clock.tick(), far_ahead=True)
    later = datetime(2027, 1, 19, 15, 0, tzinfo=UTC)
    # A first time on a day gone by is refused (another officer: none scheduled yet) ...
    with pytest.raises(BadInput, match=r"2027-01-18 is before today \(2027-01-19\)"):
        schedule_interview(
            session=sample.session,
            candidate_id=sample.ids["MPD-1077"],
            at="2027-01-18 09:00",
            place=ROOM,
            actor=as_user(HR),
            now=later,
        )
    # ... a change may record the time the interview was in fact held.
    _schedule(sample, "2027-01-18 09:00", later)


def test_an_interview_is_not_moved_after_a_scorecard_was_submitted(sample: Sample) -> None:
    declared(sample)
    _submit(sample, "rep.chen", HELD + timedelta(hours=1))
    with pytest.raises(RuleViolation, match="cannot be moved after it was scored"):
        _schedule(sample, "2027-01-22 09:00", HELD + timedelta(hours=2))
    sample.session.rollback()
    _schedule(sample, "2027-01-20 08:30", HELD + timedelta(hours=2))  # the time it was held
