"""Panel alternates: an alternate sits for a candidate whose seat holder may not score them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from qualify.errors import BadInput, NotPermitted, RuleViolation
from qualify.services.advance import advance
from qualify.services.export import load_profile, public_record
from qualify.services.panel import declare, declare_choice
from qualify.services.results import results
from qualify.services.scorecards import score
from qualify.services.users import edit_user
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, InterviewResult, Selection
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    AFTER_INTERVIEWS,
    CRITERIA,
    HR,
    Sample,
    a_user,
    declared,
    screened,
    with_panel,
)

ALL_FOURS = dict.fromkeys(CRITERIA, "4")
PROFILES = Path(__file__).resolve().parents[2] / "profiles"
IBARRA = {"full_name": "Dr. Elena Ibarra", "title": "Principal, Milford Middle School"}
NAKAMURA = {"full_name": "Ken Nakamura", "title": "Counselor, Milford High School"}


def submit(session: Session, cid: int, panelist: str) -> None:
    score(
        session=session,
        candidate_id=cid,
        actor=as_user(panelist),
        scores=ALL_FOURS,
        comments={},
        submit=True,
        now=AFTER_INTERVIEWS,
    )


@pytest.fixture
def panel(sample: Sample) -> tuple[Selection, dict[str, int]]:
    """The sample selection up to its declarations, with rep.ibarra as the school
    representatives' alternate."""
    screened(sample)
    a_user(sample, "rep.ibarra", "school_rep", **IBARRA)
    with_panel(sample, alternates=[("school_rep", "rep.ibarra")])
    declared(sample)
    return sample.selection, sample.ids


def _row(data: dict[str, object], cid: int) -> dict[str, object]:
    return next(r for r in data["candidates"] if r["candidate_id"] == cid)  # type: ignore[attr-defined, index]


def nephew_declared(session: Session, cid: int) -> object:
    """rep.douglas declares a conflict with the candidate; who sits instead, as audited."""
    declare(
        session=session, candidate_id=cid, actor=as_user("rep.douglas"), conflict="He is my nephew."
    )
    conflict = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "conflict_declared")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert conflict is not None
    return json.loads(conflict.details)["sits_instead"]


def test_the_alternate_named_first_sits_first(sample: Sample, session: Session) -> None:
    screened(sample)
    a_user(sample, "rep.ibarra", "school_rep", **IBARRA)
    a_user(sample, "rep.nakamura", "school_rep", **NAKAMURA)
    with_panel(sample, alternates=[("school_rep", "rep.ibarra"), ("school_rep", "rep.nakamura")])
    declared(sample)
    assert nephew_declared(session, sample.ids["MPD-1077"]) == "rep.ibarra"


def test_an_alternate_sits_for_the_whole_interview_of_a_conflicted_holder(
    session: Session, panel: tuple[Selection, dict[str, int]]
) -> None:
    selection, ids = panel
    luis, dana = ids["MPD-1077"], ids["MPD-1042"]
    # Not sitting for anyone yet: an alternate is refused, saying when they sit.
    with pytest.raises(
        NotPermitted,
        match="Dr. Elena Ibarra is an alternate for the Milford School System representative seat",
    ):
        declare(session=session, candidate_id=luis, actor=as_user("rep.ibarra"))
    session.rollback()
    assert nephew_declared(session, luis) == "rep.ibarra"
    declare(session=session, candidate_id=luis, actor=as_user("rep.ibarra"))
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
        session=session,
        candidate_id=luis,
        trigger="record_scores",
        actor=as_user("hr.alvarez"),
        now=AFTER_INTERVIEWS,
    )
    assert verify(session).ok
    # The public record's panel names the alternate who scored, beside the seat holders.
    profile = load_profile(PROFILES, "public")
    record, _ = public_record(session, selection, profile)
    assert record["panel"][-1] == {
        "seat": "Milford School System representative, alternate (sat for 1 candidate)",
        "panelist": "Dr. Elena Ibarra, Principal, Milford Middle School",
    }
    assert len(record["panel"]) == 4


def test_with_no_eligible_alternate_the_results_say_exactly_why(
    sample: Sample, session: Session, panel: tuple[Selection, dict[str, int]]
) -> None:
    selection, ids = panel
    edit_user(
        session=session,
        workflows_dir=sample.settings.workflows_dir,
        name="rep.ibarra",
        full_name="Elena Ibarra",
        reason="she goes by Elena Ibarra",
        actor=as_user(HR),
        now=sample.clock.tick(),
    )
    luis = ids["MPD-1077"]
    declare(
        session=session,
        candidate_id=luis,
        actor=as_user("rep.douglas"),
        conflict="He is my nephew.",
    )
    declare(
        session=session, candidate_id=luis, actor=as_user("rep.ibarra"), conflict="I trained him."
    )
    with pytest.raises(NotPermitted, match="Elena Ibarra declared a conflict of interest"):
        submit(session, luis, "rep.ibarra")
    session.rollback()
    submit(session, luis, "cmdr.obrien")
    submit(session, luis, "rep.chen")
    shown = _row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez")), luis
    )
    assert shown["complete"] is False
    # The seat by its label and everyone by name, though the stored result keeps user names.
    shown_why = (
        "Robert Douglas (Milford School System representative seat): declared a conflict of "
        "interest: He is my nephew.; no eligible alternate (Elena Ibarra may not sit)"
    )
    assert shown["missing"] == [shown_why]
    stored = session.exec(select(InterviewResult).where(InterviewResult.candidate_id == luis))
    assert stored.one().summary["missing"] == [
        "school_rep rep.douglas: declared a conflict of interest: He is my nephew.; "
        "no eligible alternate (rep.ibarra may not sit)"
    ]
    with pytest.raises(RuleViolation, match=re.escape(f"panel incomplete: {shown_why}")):
        advance(
            session=session,
            candidate_id=luis,
            trigger="record_scores",
            actor=as_user("hr.alvarez"),
            now=AFTER_INTERVIEWS,
        )
    session.rollback()
    assert verify(session).ok


def test_a_conflict_found_after_declaring_none_hands_the_seat_to_the_alternate(
    session: Session, panel: tuple[Selection, dict[str, int]]
) -> None:
    """`declare_choice`, as the portal's form makes it: nothing chosen is refused, words under "no
    conflict" are refused (nothing recorded), and a conflict after "none" bars the holder."""
    _, ids = panel
    luis = ids["MPD-1077"]
    events = len(session.exec(select(AuditEvent)).all())
    with pytest.raises(BadInput) as unchosen:
        declare_choice(
            session=session, candidate_id=luis, actor=as_user("rep.douglas"), declaration=""
        )
    assert unchosen.value.fields == ("declaration",)
    with pytest.raises(BadInput) as mixed:
        declare_choice(
            session=session,
            candidate_id=luis,
            actor=as_user("rep.douglas"),
            declaration="none",
            description="He is my nephew.",
        )
    assert mixed.value.fields == ("conflict",)
    assert "you chose no conflict of interest but described one" in str(mixed.value)
    session.rollback()
    assert len(session.exec(select(AuditEvent)).all()) == events  # nothing recorded
    done = declare_choice(
        session=session,
        candidate_id=luis,
        actor=as_user("rep.douglas"),
        declaration="conflict",
        description="He is my nephew.",
    )
    assert done.changed
    assert done.record.conflict == "He is my nephew."
    latest = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert latest is not None
    assert latest.action == "conflict_declared"
    assert json.loads(latest.details)["sits_instead"] == "rep.ibarra"
