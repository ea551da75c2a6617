"""Checking the records hold up: the audit chain, and every candidate's state against its events."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from qualify import auditkey
from qualify.store import audit, checkpoints, recorded
from qualify.store.frozen import workflow_of
from qualify.store.stored_results import expected_results
from qualify.store.tables import (
    ActivityReport,
    AuditEvent,
    Candidate,
    ConflictDeclaration,
    Evidence,
    InterviewResult,
    PanelSeat,
    Scorecard,
    Selection,
    TrainingDirection,
    User,
)


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


def record_mismatches(
    session: Session, ring: auditkey.Keyring, latest: dict[str, tuple[str, int, str]]
) -> list[str]:
    """Records a decision rests on that differ from the latest event that created or changed
    them, that no event created, or that an event created and are gone."""
    latest = _by_current_names(latest)
    problems = []
    seen: set[str] = set()
    for table, model in recorded.TRACKED.items():
        # populate_existing: compare what the database holds, not rows this session cached
        query = select(model).order_by(col(model.id)).execution_options(populate_existing=True)  # type: ignore[attr-defined]
        rows = session.exec(query)
        for row in rows:
            key = recorded.row_key(row)
            seen.add(key)
            name = _describe(table, row)
            known = latest.get(key)
            if known is None or known[0] == recorded.DELETED:
                allowed = recorded.UNRECORDED_OK.get(table)
                if allowed is None or not allowed(row):
                    problems.append(
                        f"{name} is on file, but no audit event created it: it was added "
                        "outside qualify"
                    )
                continue
            digest, event_id, kid = known
            if not audit.row_matches(ring, kid, key, row, digest):
                problems.append(
                    f"{name} differs from what audit event #{event_id} recorded: it was "
                    "changed outside qualify"
                )
    for key, (digest, event_id, _) in sorted(latest.items()):
        if key not in seen and digest != recorded.DELETED:
            table, _, row_id = key.partition(":")
            word = {"conflict_declaration": "declaration"}.get(table, table.replace("_", " "))
            problems.append(
                f"{word} #{row_id}, recorded by audit event #{event_id}, is "
                "missing: it was deleted outside qualify"
            )
    return problems


def _by_current_names(
    latest: dict[str, tuple[str, int, str]],
) -> dict[str, tuple[str, int, str]]:
    """Each record's latest event, keyed by its table's name of today: a record of a renamed
    table may have events under both names, and the later one counts."""
    found: dict[str, tuple[str, int, str]] = {}
    for key, event in latest.items():
        now = recorded.current_key(key)
        if now not in found or found[now][1] < event[1]:
            found[now] = event
    return found


def _describe(table: str, row: Any) -> str:
    """A record as a person would name it in a problem."""
    if isinstance(row, User):
        return f"user {row.name} (roles {', '.join(row.roles)})"
    if isinstance(row, Selection):
        return f"selection {row.id} (as of {row.as_of}, workflow {row.workflow_name})"
    if isinstance(row, Evidence):
        return f"evidence #{row.id} ({row.kind} of candidate {row.candidate_id})"
    if isinstance(row, ConflictDeclaration):
        return f"declaration #{row.id} ({row.panelist} on candidate {row.candidate_id})"
    if isinstance(row, Scorecard):
        return f"scorecard #{row.id} ({row.panelist} on candidate {row.candidate_id})"
    if isinstance(row, PanelSeat):
        return f"panel seat #{row.id} ({row.seat} {row.panelist}, selection {row.selection_id})"
    if isinstance(row, TrainingDirection):
        return f"training direction #{row.id} ({row.course} for candidate {row.candidate_id})"
    if isinstance(row, ActivityReport):
        return (
            f"activity report #{row.id} ({row.quarter} version {row.version} of candidate "
            f"{row.candidate_id})"
        )
    return f"{table} #{row.id}"


def checkpoint_mismatches(
    session: Session, ring: auditkey.Keyring, path: Path, head_id: int
) -> tuple[tuple[int, str] | None, list[str]]:
    """The latest checkpoint, and whether the log still holds it."""
    found = checkpoints.latest(path, ring)
    problems = list(found.problems)
    if found.checkpoint is not None:
        number, digest = found.checkpoint
        if number > head_id:
            problems.append(
                f"the log ends at event #{head_id}, but checkpoint {path} recorded event "
                f"#{number}: events were deleted from the end"
            )
        else:
            held = session.exec(select(AuditEvent.hash).where(AuditEvent.id == number)).first()
            if held != digest:
                problems.append(
                    f"event #{number} is not the one checkpoint {path} recorded: the log was "
                    "rewritten"
                )
    return found.checkpoint, problems


def verify(session: Session, *, checkpoint_path: Path | None = None) -> audit.Verification:
    """The keyed chain first; then every record a decision rests on against its latest event,
    the stored states against the log, the stored interview results against the scorecards
    and declarations, and the log against its latest checkpoint (when a file is given)."""
    ring = audit.keyring(session)
    walked = audit.walk(session, ring)
    chain = walked.result
    if walked.broken:  # what follows a break cannot be trusted, so the rest is not checked
        return chain
    problems = record_mismatches(session, ring, walked.records)
    problems += state_mismatches(session) or result_mismatches(session)
    mark = None
    if checkpoint_path is not None:
        mark, found = checkpoint_mismatches(session, ring, checkpoint_path, chain.head_id)
        problems += found
    return replace(chain, checkpoint=mark).failed(*problems)
