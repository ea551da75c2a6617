"""The Chief's first decision on the eligible list waits until every candidate still in the
running is through the interview: the list it fixes, and the rank each letter states, then
stay true. An officer who withdrew or was found ineligible does not hold it up; once decided,
no one is sent back into the running (a reinstatement) to be ranked later."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from qualify.errors import RuleViolation
from qualify.services import panel, scorecards
from qualify.services.advance import advance
from qualify.services.packets import print_candidate
from qualify.services.results import results
from qualify.services.standings import decisions
from qualify.store.tables import AuditEvent
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    CHIEF,
    COMMANDER,
    CRITERIA,
    HR,
    NOT_SELECTED,
    PANEL,
    SCORES,
    Sample,
    advanced,
    an_officer,
    declared,
    interviewed,
    scorecard,
    selected,
    states,
)
from tests.integration.test_packets import TEMPLATES, text_of

# Natarajan scored 5 on appearance by every panelist: she passes and ranks above Reyes.
NATARAJAN_HIGH = {"appearance_attitude": "5"}
REASON = "Ranked first."


def _cards(sample: Sample, employee: str, panelists: tuple[str, ...] = PANEL) -> None:
    for panelist in panelists:
        numbers = SCORES[employee][panelist]
        scores = {c: str(n) for c, n in zip(CRITERIA, numbers, strict=True)}
        if employee == "MPD-1103":
            scores |= NATARAJAN_HIGH
        scorecard(
            sample, panelist, employee, scores, dict.fromkeys(CRITERIA, "Seen in the interview.")
        )


def _two_scored_one_in_interview(sample: Sample) -> None:
    """Whitfield and Reyes scored and their interviews closed; Natarajan interviewed, with only
    the commander's scorecard in."""
    declared(sample)
    _cards(sample, "MPD-1042")
    _cards(sample, "MPD-1077")
    _cards(sample, "MPD-1103", (COMMANDER,))
    advanced(sample, "record_scores", HR, ["MPD-1042", "MPD-1077"])


def _decide(sample: Sample, employee: str, trigger: str = "select", **told: str) -> None:
    advance(
        session=sample.session,
        candidate_id=sample.ids[employee],
        trigger=trigger,
        actor=as_user(CHIEF),
        reason=told.pop("reason", REASON),
        now=sample.clock.tick(),
        **told,  # type: ignore[arg-type]
    )


def _ranks(sample: Sample) -> dict[str, int | None]:
    shown = results(session=sample.session, selection_id=sample.selection_id, actor=as_user(HR))
    names = {cid: employee for employee, cid in sample.ids.items()}
    return {names[r["candidate_id"]]: r.get("rank") for r in shown["candidates"]}


def test_a_decision_waits_for_an_interview_not_closed_and_says_whose_scorecards_are_missing(
    sample: Sample,
) -> None:
    _two_scored_one_in_interview(sample)
    before = states(sample)
    for trigger, told in (
        ("select", {}),
        ("not_select", {"reason_code": "higher_ranked_selected"}),
    ):
        employee = "MPD-1042" if trigger == "select" else "MPD-1077"
        with pytest.raises(RuleViolation) as refused:
            _decide(sample, employee, trigger, **told)
        said = str(refused.value)
        assert said.startswith(
            'cannot "Select the officer as School Resource Officer" for Dana Whitfield yet: '
            if trigger == "select"
            else 'cannot "Do not select the officer" for Luis Reyes yet: '
        )
        assert (
            "the first decision fixes the eligible list and the rank each letter states, and 1 "
            "candidate is not through the interview yet: Priya Natarajan, at Interview: still "
            'to come, scorecards from Dr. Helen Chen and Robert Douglas, then "Close the '
            'interview once every seat has scored"; decide once that candidate is through it '
            'or has left the selection ("The officer withdraws")'
        ) in said
    assert states(sample) == before
    refusals = sample.session.exec(
        select(AuditEvent).where(AuditEvent.action == "advance_refused")
    ).all()
    assert len(refusals) == 2


def test_the_last_interview_closed_lets_the_decision_through(sample: Sample) -> None:
    _two_scored_one_in_interview(sample)
    _cards(sample, "MPD-1103", ("rep.chen", "rep.douglas"))
    with pytest.raises(RuleViolation, match='Priya Natarajan, at Interview: still to come, "'):
        _decide(sample, "MPD-1042")  # every scorecard in, the interview still open
    advanced(sample, "record_scores", HR, ["MPD-1103"])
    _decide(sample, "MPD-1042")
    assert states(sample)["MPD-1042"] == "selected"


def test_the_officer_ranked_late_now_ranks_before_any_letter_and_the_letters_stay_true(
    sample: Sample, tmp_path: Path, session: Session
) -> None:
    """The scenario found last session: the Chief decided while Natarajan's interview was open,
    Reyes's notice said "ranked 2", then her scores put her second. Now the decision waits for
    her; once it is taken, Reyes's notice states the rank he keeps."""
    _two_scored_one_in_interview(sample)
    assert _ranks(sample)["MPD-1077"] == 2  # as it stood with her interview open
    with pytest.raises(RuleViolation):
        _decide(sample, "MPD-1042")
    _cards(sample, "MPD-1103", ("rep.chen", "rep.douglas"))
    advanced(sample, "record_scores", HR, ["MPD-1103"])
    _decide(sample, "MPD-1042")
    _decide(sample, "MPD-1077", "not_select", reason_code="higher_ranked_selected")
    ranks = _ranks(sample)
    assert (ranks["MPD-1042"], ranks["MPD-1103"], ranks["MPD-1077"]) == (1, 2, 3)
    (notice,) = (
        p
        for p in print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=tmp_path,
            candidate_id=sample.ids["MPD-1077"],
            actor=as_user(HR),
            stage="not_selected",
        )
        if "notice_not_selected" in p.name
    )
    assert "are ranked 3 on the eligible list" in " ".join(text_of(notice).split())
    # Nothing can now come between them: the interviews are all closed.
    assert _ranks(sample) == ranks


def test_officers_withdrawn_or_found_ineligible_do_not_hold_the_decision(sample: Sample) -> None:
    """The sample has four officers found ineligible and one who withdrew before his interview;
    an officer added late waits in screening until he too withdraws."""
    interviewed(sample)
    an_officer(sample, "MPD-2007", "Kim", "Early")
    advanced(sample, "begin_screening", HR, ["MPD-2007"])
    with pytest.raises(RuleViolation) as refused:
        _decide(sample, "MPD-1042")
    assert (
        'Kim Early, at Eligibility screening: still to come, "Confirm the officer meets '
        'qualifications 1-4", "Schedule the panel interview", then "Close the interview once '
        'every seat has scored"; decide once that candidate is through it or has left the '
        'selection ("Declare the officer ineligible" or "The officer withdraws")'
    ) in str(refused.value)
    advanced(sample, "withdraw", HR, ["MPD-2007"], reason="Took a post in another unit.")
    waiting = states(sample)
    assert sorted(waiting.values()).count("ineligible") == 4
    assert waiting["MPD-1199"] == waiting["MPD-2007"] == "withdrawn"
    _decide(sample, "MPD-1042")
    assert states(sample)["MPD-1042"] == "selected"


def test_many_waiting_are_counted_and_the_first_named(sample: Sample) -> None:
    interviewed(sample)
    for n in range(7):
        an_officer(sample, f"MPD-30{n:02}", "Officer", f"Number{n}")
    with pytest.raises(RuleViolation) as refused:
        _decide(sample, "MPD-1042")
    said = str(refused.value)
    assert (
        "and 7 candidates are not through the interview yet: Officer Number0, at Nominated" in said
    )
    assert "Officer Number4, at Nominated" in said
    assert "Officer Number5" not in said
    assert "; and 2 more; decide once each of them is through it" in said


def test_once_decided_an_ineligible_officer_is_not_reinstated_into_the_ranking(
    sample: Sample,
) -> None:
    interviewed(sample)
    _decide(sample, "MPD-1042")
    with pytest.raises(RuleViolation) as refused:
        advanced(sample, "reinstate", CHIEF, ["MPD-1118"], reason="The certificate was on file.")
    said = str(refused.value)
    assert said.startswith(
        'cannot "Override an ineligibility finding and screen again" for Tom Brennan: '
        "selection 1 has been decided; on "
    )
    assert (
        'Michael Walsh (Chief of Police) recorded "Select the officer as School Resource '
        'Officer" for Dana Whitfield, so its ranking is the eligible list the letters cite and '
        "nobody joins it now; to consider Tom Brennan again, open a new selection"
    ) in said
    assert states(sample)["MPD-1118"] == "ineligible"


def test_before_the_decision_a_reinstated_officer_is_waited_for(sample: Sample) -> None:
    interviewed(sample)
    advanced(sample, "reinstate", CHIEF, ["MPD-1118"], reason="The certificate was on file.")
    with pytest.raises(RuleViolation, match="Tom Brennan, at Eligibility screening: still to"):
        _decide(sample, "MPD-1042")


def test_the_chiefs_page_says_why_no_decision_is_offered_in_the_same_words(
    sample: Sample,
) -> None:
    _two_scored_one_in_interview(sample)
    with pytest.raises(RuleViolation) as refused:
        _decide(sample, "MPD-1042")
    page = decisions(session=sample.session, selection_id=sample.selection_id, actor=as_user(CHIEF))
    assert page.waiting is not None
    assert page.waiting in str(refused.value)
    offered = {r.standing.name: [m.trigger for m in r.moves] for r in page.rows}
    assert "select" not in offered["Dana Whitfield"]
    assert "not_select" not in offered["Luis Reyes"]
    assert "withdraw" in offered["Priya Natarajan"]  # the way out is still offered
    _cards(sample, "MPD-1103", ("rep.chen", "rep.douglas"))
    advanced(sample, "record_scores", HR, ["MPD-1103"])
    page = decisions(session=sample.session, selection_id=sample.selection_id, actor=as_user(CHIEF))
    assert page.waiting is None
    offered = {r.standing.name: [m.trigger for m in r.moves] for r in page.rows}
    assert "select" in offered["Dana Whitfield"]
    # A commander takes no decision on the list: nothing waits on them.
    assert (
        decisions(
            session=sample.session, selection_id=sample.selection_id, actor=as_user(COMMANDER)
        ).waiting
        is None
    )


def test_once_decided_the_scores_of_an_officer_still_scored_stand(sample: Sample) -> None:
    """Natarajan (who failed) is left at Interview scored after Reyes's notice said "ranked 2":
    a correction that would raise her above him is refused (scores recorded stand)."""
    selected(sample, not_selected={"MPD-1077": NOT_SELECTED["MPD-1077"]})
    ranks = _ranks(sample)
    with pytest.raises(RuleViolation):
        scorecards.score(
            session=sample.session,
            candidate_id=sample.ids["MPD-1103"],
            actor=as_user("rep.chen"),
            scores={"appearance_attitude": "5"},
            comments={"appearance_attitude": "Read my notes again."},
            submit=True,
            reason="Misread my notes.",
            now=sample.clock.tick(),
        )
    assert _ranks(sample) == ranks


def test_once_decided_the_panel_is_not_changed(sample: Sample) -> None:
    selected(sample)
    with pytest.raises(RuleViolation) as refused:
        panel.assign_panel(
            session=sample.session,
            selection_id=sample.selection_id,
            seats=[
                ("commander", COMMANDER),
                ("school_rep", "rep.douglas"),
                ("school_rep", "rep.chen"),
            ],
            reason="Dr. Chen left the district.",
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
    said = str(refused.value)
    assert said.startswith("cannot change the panel of selection 1: it has been decided; on ")
    assert said.endswith("the letters cite, and the panel's scorecards rank it")
