"""The interview panel and structured scoring, through the services."""

from __future__ import annotations

import json

import pytest
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from qualify.cli.errors import render
from qualify.config import Settings
from qualify.errors import BadInput, Conflict, NotPermitted, RuleViolation
from qualify.services.advance import advance
from qualify.services.candidates import add_candidate
from qualify.services.panel import assign_panel, declare
from qualify.services.results import results
from qualify.services.scorecards import score
from qualify.services.users import add_user, edit_user
from qualify.store import audit, db
from qualify.store.integrity import result_mismatches, verify
from qualify.store.rows import claim
from qualify.store.scores import ranking
from qualify.store.tables import (
    AuditEvent,
    Candidate,
    InterviewResult,
    Scorecard,
    Selection,
    User,
)
from tests.helpers.actors import as_user
from tests.helpers.builders import (
    AFTER_INTERVIEWS,
    CRITERIA,
    Sample,
    declared,
    in_interview,
    interviewed,
    panel_scored,
)

ALL_FOURS = dict.fromkeys(CRITERIA, "4")


@pytest.fixture
def interview(sample: Sample) -> Sample:
    """Three officers in interview, every panelist's declaration made, nothing scored."""
    return declared(sample)


def submit(session: Session, cid: int, panelist: str, **overrides: str) -> None:
    score(
        session=session,
        candidate_id=cid,
        actor=as_user(panelist),
        scores=ALL_FOURS | overrides,
        comments={},
        submit=True,
        now=AFTER_INTERVIEWS,
    )


def correct(session: Session, cid: int, panelist: str, reason: str, **scores: str) -> Scorecard:
    return score(
        session=session,
        candidate_id=cid,
        actor=as_user(panelist),
        scores=scores,
        comments={},
        submit=True,
        now=AFTER_INTERVIEWS,
        reason=reason,
    )


def add_second_rep(session: Session, settings: Settings) -> None:
    """rep.ibarra, a school representative who can take rep.douglas's seat."""
    add_user(
        session=session,
        workflows_dir=settings.workflows_dir,
        name="rep.ibarra",
        roles=["school_rep"],
        full_name="Dr. Elena Ibarra",
        title="Principal, Milford Middle School",
        actor=as_user("hr.alvarez"),
    )


def row(data: dict[str, object], cid: int) -> dict[str, object]:
    return next(r for r in data["candidates"] if r["candidate_id"] == cid)  # type: ignore[attr-defined, index]


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        (
            [("commander", "cmdr.obrien"), ("school_rep", "rep.chen")],
            "--seat school_rep: the workflow has 2, 1 given",
        ),
        (
            [("commander", "rep.chen"), ("school_rep", "rep.chen"), ("school_rep", "rep.douglas")],
            "Dr. Helen Chen does not hold the role Department Commander",
        ),
        (
            [("commander", "cmdr.obrien"), ("school_rep", "rep.chen"), ("school_rep", "rep.chen")],
            "Dr. Helen Chen is named more than once (the Milford School System representative "
            "seat twice); one person holds one seat",
        ),
        ([("comander", "cmdr.obrien")], "no seat 'comander' (did you mean 'commander'?)"),
    ],
)
def test_the_panel_must_match_the_workflows_seats(
    session: Session, sample: Sample, seats: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(BadInput) as info:
        assign_panel(
            session=session,
            selection_id=sample.selection_id,
            seats=seats,
            actor=as_user("hr.alvarez"),
        )
    assert message in render(info.value)  # as the command line says it


def test_a_mistyped_seat_is_one_problem_not_also_a_short_seat(
    session: Session, sample: Sample
) -> None:
    seats = [("comander", "cmdr.obrien"), ("school_rep", "rep.chen"), ("school_rep", "rep.douglas")]
    with pytest.raises(BadInput) as info:
        assign_panel(
            session=session,
            selection_id=sample.selection_id,
            seats=seats,
            actor=as_user("hr.alvarez"),
        )
    assert render(info.value) == (
        "--seat comander=cmdr.obrien: no seat 'comander' (did you mean 'commander'?) "
        "(seats: commander, school_rep)"
    )
    # A seat left short with no typo to account for it is still named.
    with pytest.raises(BadInput) as info:
        assign_panel(
            session=session,
            selection_id=sample.selection_id,
            seats=[("school_rep", "rep.chen"), ("school_rep", "rep.douglas"), ("chief", "x")],
            actor=as_user("hr.alvarez"),
        )
    assert "--seat commander: the workflow has 1, 0 given" in render(info.value)


def test_changing_the_panel_after_scoring_began_needs_a_reason_and_is_audited(
    session: Session, settings: Settings, interview: Sample
) -> None:
    selection, ids = interview.selection, interview.ids
    submit(session, ids["MPD-1042"], "cmdr.obrien")
    add_second_rep(session, settings)
    seats = [
        ("commander", "cmdr.obrien"),
        ("school_rep", "rep.douglas"),
        ("school_rep", "rep.ibarra"),
    ]
    with pytest.raises(BadInput, match="scoring has begun, so changing the panel needs a reason"):
        assign_panel(
            session=session,
            selection_id=selection.id or 0,
            seats=seats,
            actor=as_user("hr.alvarez"),
        )
    session.rollback()


def test_a_panelist_must_declare_before_scoring_and_a_conflict_bars_them(
    session: Session, interview: Sample
) -> None:
    selection, ids = interview.selection, interview.ids
    add_candidate(
        session=session,
        selection_id=selection.id or 0,
        values={"employee_id": "X1", "name": "New Person"},
        actor=as_user("hr.alvarez"),
    )
    session.rollback()
    dana = ids["MPD-1042"]
    declare(session=session, candidate_id=dana, actor=as_user("rep.chen"), conflict=None)
    with pytest.raises(
        RuleViolation,
        match=r"Robert Douglas declared a conflict with candidate \d+ \(Corporal .* it stands: ask HR",
    ):
        declare(
            session=session,
            candidate_id=ids["MPD-1199"],
            actor=as_user("rep.douglas"),
            conflict=None,
        )
    luis = ids["MPD-1077"]
    declare(
        session=session,
        candidate_id=luis,
        actor=as_user("rep.douglas"),
        conflict="He is my nephew.",
    )
    with pytest.raises(
        NotPermitted,
        match="Robert Douglas may not score Luis Reyes: Robert Douglas declared a conflict of interest: He is my nephew.",
    ):
        submit(session, luis, "rep.douglas")
    session.rollback()
    submit(session, luis, "cmdr.obrien")
    submit(session, luis, "rep.chen")
    shown = row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez")), luis
    )
    assert shown["complete"] is False
    assert shown["missing"] == [
        "Robert Douglas (Milford School System representative seat): declared a conflict of "
        "interest: He is my nephew."
    ]
    with pytest.raises(
        RuleViolation,
        match="Every seat of the interview panel submitted a scorecard: pending: panel incomplete: "
        r"Robert Douglas \(Milford School System representative seat\): declared a conflict",
    ):
        advance(
            session=session,
            candidate_id=luis,
            trigger="record_scores",
            actor=as_user("hr.alvarez"),
            now=AFTER_INTERVIEWS,
        )


def test_scoring_requires_a_declaration_first(session: Session, sample: Sample) -> None:
    dana = in_interview(sample).ids["MPD-1042"]  # panel set, interview scheduled, none declared
    with pytest.raises(RuleViolation, match="must first declare any conflict of interest"):
        submit(session, dana, "rep.chen")


def test_the_candidates_own_supervisor_cannot_score_them(
    session: Session, settings: Settings, interview: Sample
) -> None:
    selection = interview.selection
    edit_user(  # a school representative who also supervises an officer
        session=session,
        workflows_dir=settings.workflows_dir,
        name="rep.chen",
        add_roles=["supervisor"],
        actor=as_user("hr.alvarez"),
    )
    cid = add_candidate(
        session=session,
        selection_id=selection.id or 0,
        values={"employee_id": "X9", "name": "Pat Doe", "supervisor": "rep.chen"},
        actor=as_user("hr.alvarez"),
    ).id
    assert cid is not None
    session.exec(select(Candidate).where(Candidate.id == cid)).one().state = "interview"
    session.commit()
    declare(session=session, candidate_id=cid, actor=as_user("rep.chen"))
    with pytest.raises(
        NotPermitted,
        match="Dr. Helen Chen may not score Pat Doe: Dr. Helen Chen is the candidate's supervisor",
    ):
        submit(session, cid, "rep.chen")


@pytest.mark.parametrize(
    ("scores", "comments", "message"),
    [
        ({"liaison": "6"}, {}, "--set liaison=6: off the scale 1-5"),
        ({"liason": "3"}, {}, "--set liason: unknown criterion (did you mean 'liaison'?)"),
        ({"liaison": "three"}, {}, "--set liaison=three: not a whole number"),
        (
            {"role_model": "5"},
            {},
            "--comment role_model: cannot submit: a score of 1 or 5 needs evidence, a comment on "
            "what you saw or heard: Positive role model who builds trust with youth",
        ),
    ],
)
def test_bad_scores_are_refused(
    session: Session,
    interview: Sample,
    scores: dict[str, str],
    comments: dict[str, str],
    message: str,
) -> None:
    ids = interview.ids
    with pytest.raises(BadInput) as info:
        score(
            session=session,
            candidate_id=ids["MPD-1042"],
            actor=as_user("rep.chen"),
            scores=ALL_FOURS | scores,
            comments=comments,
            submit=True,
            now=AFTER_INTERVIEWS,
        )
    assert message in render(info.value)  # as the command line says it


def test_submitting_with_criteria_missing_is_refused_but_a_draft_is_kept(
    session: Session, interview: Sample
) -> None:
    ids = interview.ids
    dana = ids["MPD-1042"]
    score(
        session=session,
        candidate_id=dana,
        actor=as_user("rep.chen"),
        scores={"liaison": "3"},
        comments={},
    )
    score(
        session=session,
        candidate_id=dana,
        actor=as_user("rep.chen"),
        scores={"liaison": "2"},
        comments={},
    )  # drafts change
    with pytest.raises(BadInput) as info:
        score(
            session=session,
            candidate_id=dana,
            actor=as_user("rep.chen"),
            scores={},
            comments={},
            submit=True,
            now=AFTER_INTERVIEWS,
        )
    # Every criterion without a score is named, one line each, with its option.
    lines = render(info.value).splitlines()
    assert len(lines) == 5
    assert lines[0] == (
        "--set appearance_attitude: cannot submit: no score yet for Appearance and attitude in "
        "the school environment"
    )
    assert lines[1].startswith("--set role_model: cannot submit: no score yet for Positive role")
    assert "liaison" not in render(info.value)  # the draft scored it
    assert lines[-1].endswith("; nothing was saved")
    session.rollback()
    card = score(
        session=session,
        candidate_id=dana,
        actor=as_user("rep.chen"),
        scores=ALL_FOURS | {"liaison": "2"},
        comments={},
        submit=True,
        now=AFTER_INTERVIEWS,
    )
    assert (card.status, card.version, card.scores["liaison"]) == ("submitted", 1, 2)
    last = audit.head(session)
    assert last is not None
    assert last.action == "scorecard_submitted"


def test_a_submitted_scorecard_is_locked_and_a_correction_is_a_new_version(
    session: Session, interview: Sample
) -> None:
    selection, ids = interview.selection, interview.ids
    dana = ids["MPD-1042"]
    submit(session, dana, "rep.chen", liaison="2")
    with pytest.raises(
        RuleViolation, match="is submitted and locked; a correction is a new version"
    ):
        score(
            session=session,
            candidate_id=dana,
            actor=as_user("rep.chen"),
            scores={"liaison": "3"},
            comments={},
        )
    session.rollback()
    fixed = correct(
        session, dana, "rep.chen", "Misread my notes: she named three agencies.", liaison="3"
    )
    assert (fixed.version, fixed.status, fixed.scores["liaison"]) == (2, "submitted", 3)
    submit(session, dana, "cmdr.obrien")
    submit(session, dana, "rep.douglas")
    shown = row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez")), dana
    )
    assert shown["corrections"][0]["previous"]["liaison"] == 2
    assert shown["corrections"][0]["reason"] == "Misread my notes: she named three agencies."
    liaison = next(c for c in shown["criteria"] if c["criterion"] == "liaison")
    assert liaison["scores"]["rep.chen"] == 3
    actions = [
        e.action
        for e in session.exec(
            select(AuditEvent).where(AuditEvent.candidate_id == dana).order_by(col(AuditEvent.id))
        )
    ]
    assert actions.count("scorecard_submitted") == 3
    assert actions.count("scorecard_corrected") == 1


def test_panelists_are_blind_until_they_submit(session: Session, interview: Sample) -> None:
    selection, ids = interview.selection, interview.ids
    dana = ids["MPD-1042"]
    submit(session, dana, "cmdr.obrien", liaison="3", emergency_planning="2")
    # Before submitting, rep.chen's view holds no other panelist's scores anywhere.
    before = json.dumps(
        results(session=session, selection_id=selection.id or 0, actor=as_user("rep.chen"))
    )
    assert "cmdr.obrien" not in before
    assert '"scores"' not in before
    assert "hidden until you submit your own scorecard" in before
    events = audit.events(session, candidate_id=dana)
    assert all('"liaison"' not in e.details for e in events)
    submit(session, dana, "rep.chen")
    after = row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("rep.chen")), dana
    )
    assert after["criteria"][2]["scores"] == {"cmdr.obrien": 3, "rep.chen": 4}  # type: ignore[index]
    assert "rank" not in after


def test_reviewers_see_a_candidate_only_when_every_seat_submitted(
    session: Session, interview: Sample
) -> None:
    selection, ids = interview.selection, interview.ids
    dana = ids["MPD-1042"]
    submit(session, dana, "cmdr.obrien")
    submit(session, dana, "rep.chen")
    partial = row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("chief.walsh")), dana
    )
    assert partial["hidden"] == "hidden until every seat has submitted"
    assert "criteria" not in partial
    assert (partial["status"], partial["status_text"]) == (
        "pending",
        "pending (2 of 3 scorecards submitted)",
    )
    with pytest.raises(RuleViolation, match="submitted a scorecard: pending: panel incomplete"):
        advance(
            session=session,
            candidate_id=dana,
            trigger="record_scores",
            actor=as_user("hr.alvarez"),
            now=AFTER_INTERVIEWS,
        )
    submit(session, dana, "rep.douglas")
    full = row(
        results(session=session, selection_id=selection.id or 0, actor=as_user("chief.walsh")), dana
    )
    assert full["passed"] is True
    assert full["rank"] == 1
    assert (
        advance(
            session=session,
            candidate_id=dana,
            trigger="record_scores",
            actor=as_user("hr.alvarez"),
            now=AFTER_INTERVIEWS,
        ).to_state
        == "scored"
    )
    with pytest.raises(
        NotPermitted,
        match=r"Emeka Okafor \(Supervisor, writes recommendations\) may not see results",
    ):
        results(session=session, selection_id=selection.id or 0, actor=as_user("sgt.okafor"))


def test_the_demo_interview_results_and_decisions(session: Session, interview: Sample) -> None:
    selection, ids = interview.selection, interview.ids
    interviewed(interview)  # every scorecard submitted, then the scores recorded
    data = results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez"))
    ranked = [(r["name"], r.get("rank"), r.get("passed")) for r in data["candidates"]]
    assert ranked[:3] == [
        ("Dana Whitfield", 1, True),
        ("Luis Reyes", 2, True),
        ("Priya Natarajan", None, False),  # a higher total than Reyes, but she failed: not ranked
    ]
    assert row(data, ids["MPD-1077"])["flags"] == 1
    owen = row(data, ids["MPD-1199"])
    assert (
        "declared a conflict of interest: Corporal Fitzgerald is my neighbour" in owen["missing"][2]
    )
    # Priya's appearance mean is 3.0: not above average, so the select guard refuses her.
    with pytest.raises(
        RuleViolation,
        match=r"Interview passed \(pass mark and criterion minimums, such as above-average "
        r"appearance\): failed: interview not passed: Appearance and attitude in the school "
        r"environment mean 3.00 is not above 3",
    ):
        advance(
            session=session,
            candidate_id=ids["MPD-1103"],
            trigger="select",
            actor=as_user("chief.walsh"),
        )
    # Luis passed but ranks below Dana, who still waits: selecting him needs a reason.
    with pytest.raises(BadInput, match="Luis Reyes is ranked below Dana Whitfield, who passed"):
        advance(
            session=session,
            candidate_id=ids["MPD-1077"],
            trigger="select",
            actor=as_user("chief.walsh"),
        )
    done = advance(
        session=session,
        candidate_id=ids["MPD-1077"],
        trigger="select",
        actor=as_user("chief.walsh"),
        reason="Bilingual; the district asked for Spanish speakers.",
    )
    details = json.loads(
        session.exec(select(AuditEvent).where(AuditEvent.id == done.event_id)).one().details
    )
    assert details["passed_over"] == [ids["MPD-1042"]]
    assert details["reason"] == "Bilingual; the district asked for Spanish speakers."
    # The one position is Luis's now: selecting Dana as well is refused, naming him.
    with pytest.raises(RuleViolation, match=r"the position is held by Luis Reyes \(Selected\)"):
        advance(
            session=session,
            candidate_id=ids["MPD-1042"],
            trigger="select",
            actor=as_user("chief.walsh"),
        )


def reference(session: Session, selection: Selection) -> list[tuple[int, int | None, bool]]:
    """(candidate, rank, passed) for every candidate, scored from the scorecards themselves."""
    return [(r.candidate_id, r.rank, r.passed) for r in ranking(session, selection)]


def test_stored_results_follow_every_declaration_scorecard_and_panel_change(
    session: Session, settings: Settings, interview: Sample
) -> None:
    selection, ids = interview.selection, interview.ids
    sid = selection.id or 0
    panel_scored(interview)  # every scorecard submitted, the interview not closed yet
    assert result_mismatches(session) == []
    shown = results(session=session, selection_id=sid, actor=as_user("hr.alvarez"))["candidates"]
    listed = [(r["candidate_id"], r.get("rank"), r.get("passed")) for r in shown]
    assert [x for x in listed if x[1]] == [x for x in reference(session, selection) if x[1]]
    # A correction moves Dana's total, and the listing with it.
    dana = ids["MPD-1042"]
    before = row(results(session=session, selection_id=sid, actor=as_user("hr.alvarez")), dana)[
        "total"
    ]
    correct(session, dana, "rep.chen", "transposed two scores", liaison="2")
    after = row(results(session=session, selection_id=sid, actor=as_user("hr.alvarez")), dana)
    assert after["total"] < before  # type: ignore[operator]
    assert after["corrections"][0]["reason"] == "transposed two scores"  # type: ignore[index]
    # A new panelist has scored nobody: every interviewed candidate is incomplete again.
    add_second_rep(session, settings)
    assign_panel(
        session=session,
        selection_id=sid,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.ibarra"),
        ],
        actor=as_user("hr.alvarez"),
        reason="rep.douglas moved to another district",
    )
    changed = results(session=session, selection_id=sid, actor=as_user("hr.alvarez"))["candidates"]
    assert changed
    assert all(r["hidden"] for r in changed)
    assert all(any("Dr. Elena Ibarra" in m for m in r["missing"]) for r in changed)
    assert result_mismatches(session) == []


def test_audit_verify_catches_a_stored_result_that_differs_from_the_scorecards(
    session: Session, interview: Sample
) -> None:
    ids = interview.ids
    interviewed(interview)  # every scorecard submitted, then the scores recorded
    assert verify(session).ok
    stored = session.get(InterviewResult, ids["MPD-1077"])
    assert stored is not None
    stored.summary = {**stored.summary, "total": 4.9}
    session.add(stored)
    session.commit()
    result = verify(session)
    assert not result.ok
    assert result.problem == (
        f"candidate {ids['MPD-1077']}'s stored interview result differs from its scorecards "
        "and declarations"
    )


def test_the_migration_that_adds_stored_results_fills_them_from_the_records(
    session: Session, settings: Settings, interview: Sample
) -> None:
    selection = interview.selection
    interviewed(interview)  # every scorecard submitted, then the scores recorded
    shown = results(session=session, selection_id=selection.id or 0, actor=as_user("hr.alvarez"))
    full_names = {u.name: u.full_name for u in session.exec(select(User))}
    session.close()
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with engine.begin() as connection:  # back to the schema before the table existed
        command.downgrade(db.alembic_config(connection), "0003")
    assert db.upgrade(engine) == ("0003", db.head_revision())
    with Session(engine) as fresh:
        # Full names came after 0003, so going back dropped them: put them back, since the
        # results name the panelists by them.
        for user in fresh.exec(select(User)):
            user.full_name = full_names[user.name]
            fresh.add(user)
        fresh.commit()
        assert fresh.exec(select(InterviewResult)).all()
        assert result_mismatches(fresh) == []
        assert (
            results(session=fresh, selection_id=selection.id or 0, actor=as_user("hr.alvarez"))
            == shown
        )


def test_the_migration_fills_identical_rows_without_the_service_code(
    session: Session,
    interview: Sample,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = interview.ids
    panel_scored(interview)  # every scorecard submitted; corrected before the scores are recorded
    correct(session, ids["MPD-1077"], "rep.chen", "misread my notes", role_model="2")

    def stored(s: Session) -> list[tuple[object, ...]]:
        rows = s.exec(select(InterviewResult).order_by(col(InterviewResult.candidate_id)))
        return [(r.candidate_id, r.selection_id, r.complete, r.sort_key, r.summary) for r in rows]

    before = stored(session)
    assert any(r[2] for r in before)
    assert any(not r[2] for r in before)
    session.close()
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with engine.begin() as connection:
        command.downgrade(db.alembic_config(connection), "0003")

    # Later service code must not change what the migration writes: break it, and upgrade.
    import qualify.store.stored_results as service

    def changed(*args: object, **kwargs: object) -> None:
        raise AssertionError("migration 0004 used the service code")

    monkeypatch.setattr(service, "score_candidate", changed)
    monkeypatch.setattr(service, "stored_rows", changed)
    db.upgrade(engine)
    monkeypatch.undo()
    with Session(engine) as fresh:
        assert stored(fresh) == before
        assert result_mismatches(fresh) == []


def test_a_conflict_or_panel_change_stops_a_write_based_on_what_was_read_before_it(
    session: Session, settings: Settings, interview: Sample
) -> None:
    selection, ids = interview.selection, interview.ids
    dana = ids["MPD-1042"]
    for change in ("conflict", "panel"):
        seen = session.get(Candidate, dana)  # what a command in flight has read
        assert seen is not None
        session.expunge(seen)
        session.rollback()
        if change == "conflict":
            declare(
                session=session,
                candidate_id=dana,
                actor=as_user("rep.douglas"),
                conflict="a cousin",
            )
        else:
            add_second_rep(session, settings)
            assign_panel(
                session=session,
                selection_id=selection.id or 0,
                seats=[
                    ("commander", "cmdr.obrien"),
                    ("school_rep", "rep.chen"),
                    ("school_rep", "rep.ibarra"),
                ],
                actor=as_user("hr.alvarez"),
            )
        with pytest.raises(Conflict, match="changed by someone else"):
            claim(session, seen)
        session.rollback()


def test_once_the_scores_are_recorded_a_correction_is_refused_and_the_results_stand(
    session: Session, interview: Sample
) -> None:
    """The panel results packet printed when the interview closed stays true: a correction
    after it is refused, saying when and by whom the scores were recorded and what to do."""
    selection, ids = interview.selection, interview.ids
    sid = selection.id or 0
    interviewed(interview)  # every scorecard submitted, then HR records the scores
    dana = ids["MPD-1042"]
    shown = results(session=session, selection_id=sid, actor=as_user("hr.alvarez"))
    cards = session.exec(select(Scorecard.id)).all()
    events = session.exec(select(AuditEvent.id)).all()
    with pytest.raises(RuleViolation) as refused:
        correct(session, dana, "rep.chen", "transposed two scores", liaison="2")
    session.rollback()
    message = render(refused.value)
    assert "Dana Whitfield's interview scores were recorded on " in message
    assert "and printed in the Panel results packet; the scorecards are closed" in message
    assert "tell the Chief of Police in writing before the decision" in message
    assert session.exec(select(Scorecard.id)).all() == cards
    assert session.exec(select(AuditEvent.id)).all() == events
    assert results(session=session, selection_id=sid, actor=as_user("hr.alvarez")) == shown
