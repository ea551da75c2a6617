"""Advancing candidates: who may, on what evidence, with what reason, and what the log keeps."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import qualify.services.firing as firing_module
from qualify.cli.errors import render
from qualify.config import Settings
from qualify.errors import BadInput, Conflict, NotPermitted, RuleViolation
from qualify.services.advance import advance
from qualify.services.evidence import add_evidence
from qualify.services.scenario import Scenario, candidate_ids
from qualify.store import audit
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, Candidate, Selection
from tests.helpers.actors import as_user

Sro = tuple[Scenario, Selection]


def cid(session: Session, sro: Sro, employee: str) -> int:
    return candidate_ids(session, sro[1].id or 0)[employee]


def go(
    session: Session,
    candidate: int,
    trigger: str,
    actor: str,
    reason: str | None = None,
    **told: str,
) -> str:
    return advance(
        session=session,
        candidate_id=candidate,
        trigger=trigger,
        actor=as_user(actor),
        reason=reason,
        **told,  # type: ignore[arg-type]
    ).to_state


def last_event(session: Session) -> AuditEvent:
    event = audit.head(session)
    assert event is not None
    return event


def test_an_eligible_officer_moves_to_eligible_with_a_snapshot_of_the_checks(
    session: Session, sro: Sro
) -> None:
    dana = cid(session, sro, "MPD-1042")
    assert go(session, dana, "begin_screening", "hr.alvarez") == "screening"
    assert go(session, dana, "confirm_eligible", "cmdr.obrien") == "eligible"
    event = last_event(session)
    details = json.loads(event.details)
    assert (event.actor, event.role, event.action, event.outcome) == (
        "cmdr.obrien",
        "commander",
        "state_changed",
        "ok",
    )
    assert (details["from"], details["to"], details["version"]) == (
        "screening",
        "eligible",
        session.get(Candidate, dana).version,
    )  # type: ignore[union-attr]
    assert [c["check"] for c in details["checks"]] == [
        "full_time_certified",
        "two_years_full_time",
        "probation_completed",
        "good_conduct",
        "supervisor_recommendation",
        "physical_fitness",
        "drug_free",
        "tobacco_free",
    ]
    assert all(c["status"] == "pass" for c in details["checks"])
    # Sensitive reasons stay out of the log; the rest are kept.
    by_check = {c["check"]: c for c in details["checks"]}
    assert "reason" not in by_check["drug_free"]
    assert by_check["two_years_full_time"]["reason"].startswith("7 years 5 months")


def test_a_failing_guard_refuses_and_names_each_failed_check(session: Session, sro: Sro) -> None:
    tom = cid(session, sro, "MPD-1118")
    go(session, tom, "begin_screening", "hr.alvarez")
    with pytest.raises(RuleViolation) as info:
        go(session, tom, "confirm_eligible", "cmdr.obrien")
    message = str(info.value)
    # Each by its label in the workflow, failed or pending (nothing on file decides it yet).
    assert message.startswith(
        'cannot "Confirm the officer meets qualifications 1-4" for Tom Brennan: of 8 checks, '
        "2 failed: "
    )
    assert "Certified full-time police officer: failed: full_time_certified = no" in message
    assert (
        "At least 2 years of full-time police experience: failed: 1 year 11 months 30 days"
        in message
    )
    assert session.get(Candidate, tom).state == "screening"  # type: ignore[union-attr]
    refused = last_event(session)
    assert (refused.action, refused.outcome, refused.actor) == (
        "advance_refused",
        "refused",
        "cmdr.obrien",
    )
    assert json.loads(refused.details)["refusal"] == message


def test_sensitive_failures_are_not_spelled_out_to_a_commander(session: Session, sro: Sro) -> None:
    sofia = cid(session, sro, "MPD-1181")
    go(session, sofia, "begin_screening", "hr.alvarez")
    with pytest.raises(RuleViolation) as info:
        go(session, sofia, "confirm_eligible", "cmdr.obrien")
    assert str(info.value).endswith(
        "of 8 checks, 3 failed: the sensitive checks are withheld (sensitive)"
    )
    assert "drug_free" not in str(info.value)
    assert "drug_screen" not in str(info.value)


def test_the_wrong_role_is_told_who_may_and_what_they_may_do(session: Session, sro: Sro) -> None:
    dana = cid(session, sro, "MPD-1042")
    go(session, dana, "begin_screening", "hr.alvarez")
    with pytest.raises(NotPermitted) as info:
        go(session, dana, "confirm_eligible", "hr.alvarez")
    assert str(info.value) == (
        'Marisol Alvarez (administrator, Human Resources) may not "Confirm the officer meets '
        'qualifications 1-4" for Dana Whitfield: that needs the role Department Commander; at '
        'Eligibility screening, you may "The officer withdraws"'
    )


def test_a_trigger_from_the_wrong_state_is_refused(session: Session, sro: Sro) -> None:
    dana = cid(session, sro, "MPD-1042")
    with pytest.raises(
        RuleViolation,
        match=r"Dana Whitfield is at Nominated now; from there you may \"The officer withdraws\"",
    ):
        go(session, dana, "appoint", "chief.walsh")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_required_reason_cannot_be_missing_or_blank(
    session: Session, sro: Sro, reason: str | None
) -> None:
    dana = cid(session, sro, "MPD-1042")
    go(session, dana, "begin_screening", "hr.alvarez")
    with pytest.raises(BadInput) as refused:
        go(session, dana, "declare_ineligible", "cmdr.obrien", reason, notice="Not eligible.")
    assert render(refused.value).startswith("--reason: declare_ineligible needs a reason")
    done = go(
        session, dana, "declare_ineligible", "cmdr.obrien", "no certification", notice="Sorry."
    )
    assert done == "ineligible"
    assert json.loads(last_event(session).details)["reason"] == "no certification"


def test_what_the_candidate_is_told_is_a_reason_code_or_a_notice_apart_from_the_reason(
    session: Session, sro: Sro
) -> None:
    dana, luis = cid(session, sro, "MPD-1042"), cid(session, sro, "MPD-1077")
    tom = cid(session, sro, "MPD-1118")  # not certified full-time: a qualification not met
    for officer in (dana, luis, tom):
        go(session, officer, "begin_screening", "hr.alvarez")
    with pytest.raises(BadInput) as refused:
        go(session, dana, "declare_ineligible", "cmdr.obrien", "internal only")
    assert render(refused.value).startswith(
        "--notice: declare_ineligible sends the candidate a letter"
    )
    with pytest.raises(BadInput, match=r"no reason code 'records_incomplet' \(did you mean"):
        go(session, dana, "declare_ineligible", "cmdr.obrien", "x", reason_code="records_incomplet")
    with pytest.raises(BadInput, match="give one of them, not both"):
        go(
            session,
            dana,
            "declare_ineligible",
            "cmdr.obrien",
            "x",
            notice="y",
            reason_code="records_incomplete",
        )
    go(
        session,
        tom,
        "declare_ineligible",
        "cmdr.obrien",
        "Not certified full-time",
        reason_code=("qualifications_not_met"),
    )
    details = json.loads(last_event(session).details)
    assert details["reason"] == "Not certified full-time"
    assert details["reason_code"] == "qualifications_not_met"
    assert details["notice"].startswith("On the records on file, you do not meet")
    go(session, luis, "declare_ineligible", "cmdr.obrien", "internal", notice="In my words.")
    assert json.loads(last_event(session).details)["notice"] == "In my words."


def test_an_unknown_user_is_refused_and_the_attempt_logged(session: Session, sro: Sro) -> None:
    dana = cid(session, sro, "MPD-1042")
    with pytest.raises(NotPermitted, match="unknown user 'mallory'"):
        go(session, dana, "begin_screening", "mallory")
    assert (last_event(session).actor, last_event(session).outcome) == ("mallory", "refused")


def test_a_stale_version_is_a_conflict_and_nothing_is_saved(
    session: Session, sro: Sro, monkeypatch: pytest.MonkeyPatch
) -> None:
    dana = cid(session, sro, "MPD-1042")
    real = firing_module.get_candidate

    def stale(s: Session, candidate_id: int, **kw: bool) -> Candidate:
        seen = real(s, candidate_id, **kw)
        return Candidate.model_validate(seen.model_dump() | {"version": seen.version - 1})

    monkeypatch.setattr(firing_module, "get_candidate", stale)
    before = session.exec(select(AuditEvent).where(AuditEvent.action == "state_changed")).all()
    with pytest.raises(Conflict) as info:
        go(session, dana, "begin_screening", "hr.alvarez")
    assert str(info.value) == (
        f"candidate {dana} was changed by someone else; nothing was saved; run the command again"
    )
    assert session.get(Candidate, dana).state == "nominated"  # type: ignore[union-attr]
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "state_changed")).all() == before
    )


def test_evidence_added_during_an_advance_makes_the_advance_conflict(
    session: Session,
    settings: Settings,
    sro: Sro,
    monkeypatch: pytest.MonkeyPatch,
    engine_for: Callable[[str], Engine],
) -> None:
    dana = cid(session, sro, "MPD-1042")
    go(session, dana, "begin_screening", "hr.alvarez")
    real_evaluate = firing_module.evaluate
    other = engine_for(settings.database_url)

    def evaluate_while_hr_adds_evidence(*args: object) -> object:
        # Another person, on another connection, commits new evidence mid-advance.
        with Session(other) as hr_session:
            add_evidence(
                session=hr_session,
                files_dir=settings.files_dir,
                candidate_id=dana,
                kind="drug_screen",
                fields={"tested_on": "2026-11-09"},
                result="fail",
                actor=as_user("hr.alvarez"),
            )
        return real_evaluate(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(firing_module, "evaluate", evaluate_while_hr_adds_evidence)
    with pytest.raises(Conflict, match=f"candidate {dana} was changed by someone else"):
        go(session, dana, "confirm_eligible", "cmdr.obrien")
    monkeypatch.setattr(firing_module, "evaluate", real_evaluate)
    assert session.get(Candidate, dana).state == "screening"  # type: ignore[union-attr]
    with pytest.raises(RuleViolation, match="of 8 checks, 1 failed: the sensitive checks"):
        go(session, dana, "confirm_eligible", "cmdr.obrien")


# Tampering: each case drops the append-only trigger, as an attacker with database access would.
def _drop_guards(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.exec(text("DROP TRIGGER audit_event_no_update"))  # type: ignore[call-overload]
        session.exec(text("DROP TRIGGER audit_event_no_delete"))  # type: ignore[call-overload]
    else:
        session.exec(text("DROP TRIGGER audit_event_append_only ON audit_event"))  # type: ignore[call-overload]


def _tamper(session: Session, *statements: str) -> str:
    assert verify(session).ok
    _drop_guards(session)
    for statement in statements:
        session.exec(text(statement))  # type: ignore[call-overload]
    session.commit()
    result = verify(session)
    assert not result.ok
    return result.problem


def test_verify_names_an_edited_event(session: Session, sro: Sro) -> None:
    problem = _tamper(session, "UPDATE audit_event SET actor = 'someone.else' WHERE id = 5")
    assert problem == "event #5 (user_added) was edited: its content no longer matches its hash"


def test_verify_names_where_an_event_was_deleted(session: Session, sro: Sro) -> None:
    problem = _tamper(session, "DELETE FROM audit_event WHERE id = 9")
    assert problem.startswith("event #10 does not follow the event before it (#8)")


def test_verify_names_an_inserted_event(session: Session, sro: Sro) -> None:
    first = session.exec(select(AuditEvent).where(AuditEvent.id == 3)).one()
    forged = (
        "INSERT INTO audit_event (id, at, actor, role, action, subject, outcome, details, prev_hash, hash)"
        f" VALUES (1000, '2027-01-08 09:00:00', 'x', 'hr', 'user_added', 'user:x', 'ok', '{{}}',"
        f" '{first.hash}', 'forged')"
    )
    problem = _tamper(session, forged)
    assert problem.startswith("event #1000 does not follow the event before it")


def test_verify_names_reordered_events(session: Session, sro: Sro) -> None:
    problem = _tamper(
        session,
        "UPDATE audit_event SET id = 100000 WHERE id = 4",
        "UPDATE audit_event SET id = 4 WHERE id = 5",
        "UPDATE audit_event SET id = 5 WHERE id = 100000",
    )
    assert problem.startswith("event #4 does not follow the event before it (#3)")


def test_verify_names_a_state_that_disagrees_with_the_log(session: Session, sro: Sro) -> None:
    dana = cid(session, sro, "MPD-1042")
    session.exec(text(f"UPDATE candidate SET state = 'appointed' WHERE id = {dana}"))  # type: ignore[call-overload]
    session.commit()
    assert verify(session).problem == (
        f"candidate {dana} is in state appointed, but its audit events lead to nominated"
    )


def test_audit_events_are_in_order_and_chained(session: Session, sro: Sro) -> None:
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert {e.action for e in events} >= {
        "user_added",
        "selection_opened",
        "candidates_imported",
        "evidence_added",
    }


def test_bad_input_is_not_recorded_as_a_refused_decision_but_a_refusal_by_the_rules_is(
    session: Session, sro: Sro
) -> None:
    """A typo or a missing option is the user's input, not a decision refused: the log (and so
    the packets' audit excerpts) keeps no `advance_refused` for it."""
    dana = cid(session, sro, "MPD-1042")
    go(session, dana, "begin_screening", "hr.alvarez")
    before = last_event(session).id
    with pytest.raises(BadInput, match="no trigger 'confirm_elegible'"):
        go(session, dana, "confirm_elegible", "cmdr.obrien")
    with pytest.raises(BadInput, match="needs a reason"):
        go(session, dana, "declare_ineligible", "cmdr.obrien", notice="Not eligible.")
    with pytest.raises(BadInput, match="sends the candidate a letter"):
        go(session, dana, "declare_ineligible", "cmdr.obrien", "no certification")
    assert last_event(session).id == before
    with pytest.raises(NotPermitted):
        go(session, dana, "confirm_eligible", "rep.chen")
    refused = last_event(session)
    assert (refused.action, refused.outcome, refused.actor) == (
        "advance_refused",
        "refused",
        "rep.chen",
    )
