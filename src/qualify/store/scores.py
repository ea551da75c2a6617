"""Interview scores computed from the records: what scoring needs about each candidate (the
panel that sat, its declarations and submitted scorecards), the interview guards' view of a
candidate, and the ranking. The scorecards and declarations are the source of truth."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from qualify.store.frozen import workflow_of
from qualify.store.lookups import alternates_of, seats_of
from qualify.store.recorded import current_key
from qualify.store.tables import (
    AuditEvent,
    Candidate,
    ConflictDeclaration,
    Scorecard,
    Selection,
    User,
)
from qualify.workflow.facts import InterviewFacts
from qualify.workflow.scoring import (
    CandidateResult,
    Card,
    Exact,
    PanelInput,
    aggregate,
    missing_words,
    score_candidate,
    sitting,
)
from qualify.workflow.spec import Workflow


def panel_input(
    spec: Workflow,
    candidate: tuple[int, str, str],
    seats: tuple[tuple[str, str], ...],
    declared: Iterable[Any],
    submitted: Iterable[Any],
    *,
    comments: bool = False,
    alternates: tuple[tuple[str, str], ...] = (),
) -> PanelInput:
    """What scoring needs about one candidate, from its (id, employee id, supervisor), the
    panel's (seat, panelist) pairs and its alternates, its declarations in the order made and
    its submitted scorecards by version (rows or records with the tables' field names). An
    alternate sits for a holder who may not score the candidate (see `sitting`)."""
    candidate_id, employee_id, supervisor = candidate
    conflicts = {d.panelist: d.conflict for d in declared}  # the newest declaration stands
    versions: dict[str, list[Any]] = defaultdict(list)
    for card in submitted:
        versions[card.panelist].append(card)
    sat, barred, swaps = sitting(spec, supervisor, seats, alternates, conflicts)
    cards = {}
    for _, panelist in sat:
        mine = versions.get(panelist)
        if mine:
            newest = mine[-1]
            cards[panelist] = Card(
                panelist=panelist,
                seat=newest.seat,
                scores=newest.scores,
                comments=newest.comments if comments else {},
                version=newest.version,
                reason=newest.reason,
                previous=dict(mine[-2].scores) if len(mine) > 1 else None,
            )
    return PanelInput(candidate_id, employee_id, sat, barred, cards, swaps)


@dataclass(frozen=True)
class Before:
    """The interview's records as they stood just before an audit event (the one a packet is
    sealed by): the panel then, and the declarations and submitted scorecards recorded by an
    earlier event of the chain. (The chain's order, not the clocks.)"""

    seats: tuple[tuple[str, str], ...]
    alternates: tuple[tuple[str, str], ...]
    declarations: frozenset[int]
    scorecards: frozenset[int]

    @classmethod
    def event(cls, session: Session, selection_id: int, event_id: int) -> Before:
        earlier = session.exec(
            select(AuditEvent.action, AuditEvent.details, AuditEvent.records)
            .where(
                AuditEvent.selection_id == selection_id,
                col(AuditEvent.action).in_(_INTERVIEW_ACTIONS),
                col(AuditEvent.id) < event_id,
            )
            .order_by(col(AuditEvent.id))
        )
        panel: dict[str, Any] = {}
        written: dict[str, set[int]] = defaultdict(set)
        for action, details, records in earlier:
            if action in ("panel_assigned", "panel_changed"):
                panel = json.loads(details)
            for key in json.loads(records or "{}"):
                table, _, row = current_key(key).partition(":")
                written[table].add(int(row))

        def pairs(name: str) -> tuple[tuple[str, str], ...]:
            # As seats_of and alternates_of order them: by seat, then position.
            return tuple(sorted(((s, p) for s, p in panel.get(name, [])), key=lambda x: x[0]))

        return cls(
            pairs("seats"),
            pairs("alternates"),
            frozenset(written["conflict_declaration"]),
            frozenset(written["scorecard"]),
        )


_INTERVIEW_ACTIONS = (
    "panel_assigned",
    "panel_changed",
    "conflict_declared",
    "no_conflict_declared",
    "scorecard_submitted",
    "scorecard_corrected",
)


def panel_inputs(
    session: Session,
    selection: Selection,
    candidates: list[Candidate] | None = None,
    *,
    comments: bool = False,
    before: Before | None = None,
) -> list[PanelInput]:
    """What scoring needs, for every candidate of the selection (or the ones given), by id; with
    the panelists' comments only when asked, as ranking does not read them; as the records
    stood `before` an event, when given."""
    spec = workflow_of(selection).spec
    assert selection.id is not None
    people = (
        [(c.id, c.employee_id, c.supervisor) for c in candidates]
        if candidates is not None
        else session.execute(
            sa_select(
                col(Candidate.id), col(Candidate.employee_id), col(Candidate.supervisor)
            ).where(col(Candidate.selection_id) == selection.id)
        ).all()
    )
    wanted: dict[int, tuple[int, str, str]] = {}
    for cid, employee, supervisor in people:
        assert cid is not None
        wanted[cid] = (cid, employee, supervisor)
    if before is not None:
        seats, alternates = before.seats, before.alternates
    else:
        seats = tuple((s.seat, s.panelist) for s in seats_of(session, selection.id))
        alternates = tuple((a.seat, a.panelist) for a in alternates_of(session, selection.id))
    # A few candidates (an advance): ask for theirs; many: read the selection's in one go.
    few = len(wanted) <= 50
    declared_query = sa_select(
        col(ConflictDeclaration.id),
        col(ConflictDeclaration.candidate_id),
        col(ConflictDeclaration.panelist),
        col(ConflictDeclaration.conflict),
    ).order_by(col(ConflictDeclaration.id))
    cards_query = sa_select(
        *(
            col(c)
            for c in (
                Scorecard.id,
                Scorecard.candidate_id,
                Scorecard.panelist,
                Scorecard.seat,
                Scorecard.version,
                Scorecard.scores,
                Scorecard.comments if comments else Scorecard.reason,
                Scorecard.reason,
            )
        )
    ).where(col(Scorecard.status) == "submitted")
    if few:
        declared_query = declared_query.where(
            col(ConflictDeclaration.candidate_id).in_(list(wanted))
        )
        cards_query = cards_query.where(col(Scorecard.candidate_id).in_(list(wanted)))
    else:
        declared_query = declared_query.join(Candidate).where(
            col(Candidate.selection_id) == selection.id
        )
        cards_query = cards_query.join(Candidate).where(col(Candidate.selection_id) == selection.id)
    declared: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(declared_query):
        if before is None or row.id in before.declarations:
            declared[row.candidate_id].append(row)
    submitted: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(cards_query.order_by(col(Scorecard.version))):
        if before is None or row.id in before.scorecards:
            submitted[row.candidate_id].append(row)
    return [
        panel_input(
            spec,
            person,
            seats,
            declared.get(cid, ()),
            submitted.get(cid, ()),
            comments=comments,
            alternates=alternates,
        )
        for cid, person in sorted(wanted.items())
    ]


def interview_facts(
    session: Session, selection: Selection, candidates: list[Candidate]
) -> dict[int, InterviewFacts]:
    """The interview guards' view of each candidate; what the panel lacks in words (the seat
    by its label, the panelist by name), as a check's reason prints it."""
    spec = workflow_of(selection).spec
    rubric = spec.rubric
    exact = Exact.of(rubric)
    facts = {}
    names: dict[str, str] | None = None
    for panel in panel_inputs(session, selection, candidates):
        result = score_candidate(rubric, panel, exact)
        if result.missing and names is None:
            names = {u.name: u.display_name for u in session.exec(select(User))}
        facts[panel.candidate_id] = InterviewFacts(
            seats=len(panel.seats),
            complete=result.complete,
            missing=tuple(missing_words(m, spec, names or {}) for m in result.missing),
            passed=result.passed,
            failures=result.failures,
            total=result.total,
        )
    return facts


def ranking(
    session: Session, selection: Selection, *, before: Before | None = None, named: bool = False
) -> list[CandidateResult]:
    """Every candidate's interview result, ranked, computed from the records (as they stood
    `before` an event, when given). `named`: a tie's note names the neighbour (for a reader
    who sees every candidate ranked), else says "candidate N"."""
    names: dict[int, str] | None = None
    if named:
        rows = session.exec(
            select(Candidate.id, Candidate.name).where(Candidate.selection_id == selection.id)
        ).all()
        names = {cid or 0: name for cid, name in rows}
    return aggregate(
        workflow_of(selection).spec.rubric,
        panel_inputs(session, selection, before=before),
        names,
    )
