"""The typed read services the portal's pages render: HR's selection at a glance, the
commander's screening queue and the Chief's standings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from qualify.errors import NotPermitted
from qualify.services.overview import selection_overview
from qualify.services.results import results
from qualify.services.schedule import schedule_interview
from qualify.services.screening import screening_queue
from qualify.services.standings import standings
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    CRITERIA,
    Sample,
    declared,
    in_screening,
    interviewed,
    scorecard,
)

ALL_FOURS = dict.fromkeys(CRITERIA, "4")


def test_the_commander_sees_each_check_with_sensitive_ones_withheld(
    session: Session, sample: Sample
) -> None:
    in_screening(sample)
    ids = sample.ids
    queue = screening_queue(
        session=session, selection_id=sample.selection_id, actor=as_user("cmdr.obrien")
    )
    entry = next(e for e in queue.entries if e.candidate_id == ids["MPD-1181"])
    by_check = {line.check: line for line in entry.checks.results}
    assert by_check["physical_fitness"].status == "withheld"
    assert by_check["drug_free"].reason == "withheld (sensitive)"
    assert by_check["full_time_certified"].status == "pass"
    assert by_check["full_time_certified"].label  # the workflow's words, not only the key
    assert entry.checks.eligibility == "not eligible"  # the overall finding still shows
    hr = screening_queue(
        session=session, selection_id=sample.selection_id, actor=as_user("hr.alvarez")
    )
    seen = next(e for e in hr.entries if e.candidate_id == ids["MPD-1181"])
    assert {line.check: line.status for line in seen.checks.results}["physical_fitness"] == "fail"


def test_the_queue_offers_exactly_the_triggers_the_viewer_may_fire_now(
    session: Session, sample: Sample
) -> None:
    in_screening(sample)
    queue = screening_queue(
        session=session, selection_id=sample.selection_id, actor=as_user("cmdr.obrien")
    )
    assert len(queue.entries) == 8
    moves = {m.trigger: m for m in queue.entries[0].moves}
    assert set(moves) == {"confirm_eligible", "declare_ineligible", "withdraw"}
    assert moves["declare_ineligible"].reason_required
    assert moves["declare_ineligible"].notice_required
    assert "qualifications_not_met" in moves["declare_ineligible"].reason_codes
    assert not moves["confirm_eligible"].reason_required
    assert moves["confirm_eligible"].to_state == "eligible"
    chief = screening_queue(
        session=session, selection_id=sample.selection_id, actor=as_user("chief.walsh")
    )
    assert {m.trigger for m in chief.entries[0].moves} == {"withdraw"}


def test_a_panelist_has_no_screening_queue(session: Session, sample: Sample) -> None:
    declared(sample)
    with pytest.raises(NotPermitted, match="rep.chen may see the checks of no candidate"):
        screening_queue(
            session=session, selection_id=sample.selection_id, actor=as_user("rep.chen")
        )


def test_hr_sees_candidates_by_state_and_each_panels_progress(
    session: Session, sample: Sample
) -> None:
    declared(sample)
    ids = sample.ids
    scorecard(sample, "rep.chen", "MPD-1042", ALL_FOURS)
    glance = selection_overview(
        session=session, selection_id=sample.selection_id, actor=as_user("hr.alvarez")
    )
    assert {(s.state, s.count) for s in glance.states} == {
        ("interview", 3),
        ("ineligible", 4),
        ("withdrawn", 1),
    }
    by_id = {g.candidate_id: g for g in glance.candidates}
    panel = by_id[ids["MPD-1042"]].panel
    assert panel is not None
    assert panel.sitting == ("cmdr.obrien", "rep.chen", "rep.douglas")
    assert panel.declared == panel.sitting
    assert panel.submitted == ("rep.chen",)
    assert panel.waiting_on == ("cmdr.obrien", "rep.douglas")
    assert by_id[ids["MPD-1118"]].panel is None  # not before the panel


def test_a_scorecard_is_overdue_a_day_after_the_interview_and_not_before(
    session: Session, sample: Sample
) -> None:
    declared(sample)
    ids = sample.ids
    schedule_interview(
        session=session,
        candidate_id=ids["MPD-1077"],
        at="2027-02-01 10:00",
        place="Room 1",
        actor=as_user("hr.alvarez"),
        now=sample.clock.tick(),
    )
    sample.clock.move_past(datetime(2027, 2, 1, 16, 0, tzinfo=UTC))  # after it is held
    scorecard(sample, "rep.chen", "MPD-1077", ALL_FOURS)

    def overdue(now: datetime) -> set[tuple[int, str]]:
        glance = selection_overview(
            session=session, selection_id=sample.selection_id, actor=as_user("hr.alvarez"), now=now
        )
        return {(o.candidate_id, o.panelist) for o in glance.overdue}

    # 10:00 in New Hampshire in February is 15:00 UTC: due 24 hours later.
    assert (ids["MPD-1077"], "cmdr.obrien") not in overdue(datetime(2027, 2, 2, 14, 59, tzinfo=UTC))
    late = overdue(datetime(2027, 2, 2, 15, 0, tzinfo=UTC))
    assert {(ids["MPD-1077"], "cmdr.obrien"), (ids["MPD-1077"], "rep.douglas")} <= late
    assert (ids["MPD-1077"], "rep.chen") not in late  # submitted


def test_only_the_roles_that_see_every_record_get_the_glance(
    session: Session, sample: Sample
) -> None:
    declared(sample)
    with pytest.raises(
        NotPermitted,
        match=r"Dr\. Helen Chen \(Milford School System representative\) may not see the selection ",
    ):
        selection_overview(
            session=session, selection_id=sample.selection_id, actor=as_user("rep.chen")
        )


def test_the_chiefs_standings_are_the_results_ranked_with_their_flags(
    session: Session, sample: Sample
) -> None:
    interviewed(sample)
    view = standings(
        session=session, selection_id=sample.selection_id, actor=as_user("chief.walsh")
    )
    plain = results(session=session, selection_id=sample.selection_id, actor=as_user("chief.walsh"))
    assert [s.candidate_id for s in view.candidates] == [
        row["candidate_id"] for row in plain["candidates"]
    ]
    first = view.candidates[0]
    assert first.rank == 1
    assert first.scored
    assert first.total == plain["candidates"][0]["total"]
    assert [s.flagged for s in view.candidates] == [
        tuple(c["criterion"] for c in row.get("criteria", []) if c["flagged"])
        for row in plain["candidates"]
    ]
    assert any(s.flagged for s in view.candidates)  # the sample panel disagrees somewhere
    hidden = [s for s in view.candidates if s.hidden]
    assert all(not s.criteria and s.rank is None for s in hidden)
    assert view.tie_breaks == tuple(plain["tie_breaks"])


def test_the_queue_leaves_out_candidates_the_panel_has_reached_and_final_ones(
    session: Session, sample: Sample
) -> None:
    declared(sample)
    queue = screening_queue(
        session=session, selection_id=sample.selection_id, actor=as_user("cmdr.obrien")
    )
    # Three in the interview, one withdrawn (final): the four found ineligible remain.
    assert {e.checks.state for e in queue.entries} == {"ineligible"}
    assert len(queue.entries) == 4
    assert all(e.moves == () for e in queue.entries)  # reinstating is the Chief's
