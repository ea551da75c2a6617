"""Panel alternates: an alternate sits for a candidate whose seat holder may not score them."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from qualify.config import Settings
from qualify.errors import NotPermitted, RuleViolation
from qualify.services.advance import advance
from qualify.services.integrity import verify
from qualify.services.panel import assign_panel, attest
from qualify.services.results import results
from qualify.services.scenario import Scenario, candidate_ids, run_steps
from qualify.services.scorecards import score
from qualify.services.users import add_user
from qualify.store.tables import AuditEvent, Selection
from tests.helpers.actors import as_user

PANEL_STEP = 6  # the scenario's panel step; the ones after it schedule and declare
FIRST_SCORE_STEP = 13
ALL_FOURS = dict.fromkeys(
    [
        "appearance_attitude",
        "role_model",
        "liaison",
        "not_disciplinarian",
        "prevention_education",
        "emergency_planning",
    ],
    "4",
)


def submit(session: Session, cid: int, panelist: str) -> None:
    score(
        session=session,
        candidate_id=cid,
        actor=as_user(panelist),
        scores=ALL_FOURS,
        comments={},
        submit=True,
    )


@pytest.fixture
def panel(
    session: Session, settings: Settings, sro: tuple[Scenario, Selection]
) -> tuple[Selection, dict[str, int]]:
    """The demo up to its declarations, with rep.ibarra as the school reps' alternate."""
    scenario, selection = sro
    run_steps(session, scenario, selection, until=PANEL_STEP)
    add_user(
        session=session,
        workflows_dir=settings.workflows_dir,
        name="rep.ibarra",
        roles=["school_rep"],
        actor=as_user("hr.alvarez"),
    )
    assign_panel(
        session=session,
        selection_id=selection.id or 0,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.douglas"),
        ],
        alternates=[("school_rep", "rep.ibarra")],
        actor=as_user("hr.alvarez"),
    )
    run_steps(session, scenario, selection, start=PANEL_STEP + 1, until=FIRST_SCORE_STEP)
    return selection, candidate_ids(session, selection.id or 0)


def _row(data: dict[str, object], cid: int) -> dict[str, object]:
    return next(r for r in data["candidates"] if r["candidate_id"] == cid)  # type: ignore[attr-defined, index]


def test_an_alternate_sits_for_the_whole_interview_of_a_conflicted_holder(
    session: Session, panel: tuple[Selection, dict[str, int]]
) -> None:
    selection, ids = panel
    luis, dana = ids["MPD-1077"], ids["MPD-1042"]
    # Not sitting for anyone yet: an alternate is refused, saying when they sit.
    with pytest.raises(NotPermitted, match="rep.ibarra is an alternate for the school_rep seat"):
        attest(session=session, candidate_id=luis, actor=as_user("rep.ibarra"))
    session.rollback()
    attest(
        session=session,
        candidate_id=luis,
        actor=as_user("rep.douglas"),
        conflict="He is my nephew.",
    )
    conflict = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "conflict_declared")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert conflict is not None
    assert json.loads(conflict.details)["sits_instead"] == "rep.ibarra"
    attest(session=session, candidate_id=luis, actor=as_user("rep.ibarra"))
    for panelist in ("cmdr.obrien", "rep.chen", "rep.ibarra"):
        submit(session, luis, panelist)
    # rep.ibarra sits only for Luis: Dana's panel is its holders.
    with pytest.raises(NotPermitted, match="does not sit for candidate"):
        submit(session, dana, "rep.ibarra")
    session.rollback()
    shown = _row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez")), luis
    )
    assert shown["complete"] is True
    assert sorted(shown["criteria"][0]["scores"]) == ["cmdr.obrien", "rep.chen", "rep.ibarra"]  # type: ignore[index]
    assert shown["substitutions"] == [
        {
            "seat": "school_rep",
            "holder": "rep.douglas",
            "sat": "rep.ibarra",
            "why": "declared a conflict of interest: He is my nephew.",
        }
    ]
    advance(
        session=session, candidate_id=luis, trigger="record_scores", actor=as_user("hr.alvarez")
    )
    assert verify(session).ok


def test_with_no_eligible_alternate_the_results_say_exactly_why(
    session: Session, panel: tuple[Selection, dict[str, int]]
) -> None:
    selection, ids = panel
    luis = ids["MPD-1077"]
    attest(
        session=session,
        candidate_id=luis,
        actor=as_user("rep.douglas"),
        conflict="He is my nephew.",
    )
    attest(
        session=session, candidate_id=luis, actor=as_user("rep.ibarra"), conflict="I trained him."
    )
    with pytest.raises(NotPermitted, match="rep.ibarra declared a conflict of interest"):
        submit(session, luis, "rep.ibarra")
    session.rollback()
    submit(session, luis, "cmdr.obrien")
    submit(session, luis, "rep.chen")
    shown = _row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez")), luis
    )
    assert shown["complete"] is False
    assert shown["missing"] == [
        "school_rep rep.douglas: declared a conflict of interest: He is my nephew.; "
        "no eligible alternate (rep.ibarra may not sit)"
    ]
    with pytest.raises(RuleViolation, match="no eligible alternate"):
        advance(
            session=session, candidate_id=luis, trigger="record_scores", actor=as_user("hr.alvarez")
        )
    session.rollback()
    assert verify(session).ok
