"""Checking the records hold up: the audit chain, and every candidate's state against its events."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from qualify.services import audit
from qualify.services.access import workflow_of
from qualify.services.results import expected_results
from qualify.store.tables import AuditEvent, Candidate, InterviewResult, Selection


def replayed_states(session: Session, *, up_to_event: int | None = None) -> dict[int, str]:
    """Each candidate's state as its audit events tell it: the workflow's initial state, then
    every state change in order (up to and including event `up_to_event`, if given)."""
    initial = {s.id: workflow_of(s).spec.initial_state for s in session.exec(select(Selection))}
    states: dict[int, str] = {}
    for candidate_id, selection_id in session.exec(select(Candidate.id, Candidate.selection_id)):
        assert candidate_id is not None
        states[candidate_id] = initial[selection_id]
    query = (
        select(AuditEvent)
        .where(AuditEvent.action == "state_changed", AuditEvent.outcome == "ok")
        .order_by(col(AuditEvent.id))
    )
    if up_to_event is not None:
        query = query.where(col(AuditEvent.id) <= up_to_event)
    changes = session.exec(query)
    for event in changes:
        assert event.candidate_id is not None
        states[event.candidate_id] = json.loads(event.details)["to"]
    return states


def state_mismatches(session: Session) -> list[str]:
    """Candidates whose stored state differs from the replay of their audit events."""
    replayed = replayed_states(session)
    problems = []
    for candidate in session.exec(select(Candidate).order_by(col(Candidate.id))):
        assert candidate.id is not None
        if replayed[candidate.id] != candidate.state:
            problems.append(
                f"candidate {candidate.id} is in state {candidate.state}, but its audit events "
                f"lead to {replayed[candidate.id]}"
            )
    return problems


def result_mismatches(session: Session) -> list[str]:
    """Candidates whose stored interview result differs from one computed from their records."""
    problems = []
    for selection in session.exec(select(Selection).order_by(col(Selection.id))):
        expected = {row["candidate_id"]: row for row in expected_results(session, selection)}
        stored = {
            row.candidate_id: row
            for row in session.exec(
                select(InterviewResult).where(InterviewResult.selection_id == selection.id)
            )
        }
        for cid in sorted(expected.keys() | stored.keys()):
            want, have = expected.get(cid), stored.get(cid)
            if have is None:
                problems.append(f"candidate {cid} has no stored interview result")
            elif want is None:
                problems.append(
                    f"candidate {cid} has a stored interview result but no declaration or scorecard"
                )
            elif (have.complete, have.sort_key, have.summary) != (
                want["complete"],
                want["sort_key"],
                want["summary"],
            ):
                problems.append(
                    f"candidate {cid}'s stored interview result differs from its scorecards and "
                    "declarations"
                )
    return problems


def verify(session: Session) -> audit.Verification:
    """The chain first; then that the stored states agree with the log, and the stored
    interview results with the scorecards and declarations."""
    chain = audit.verify(session)
    if not chain.ok:
        return chain
    mismatches = state_mismatches(session) or result_mismatches(session)
    if mismatches:
        return audit.Verification(False, chain.count, chain.head_hash, mismatches[0])
    return chain
