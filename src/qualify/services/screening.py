"""The screening queue: each candidate's checks and the triggers the viewer may fire now.

What the commander's page shows; sensitive checks are withheld from a role that may not see
them (`eligibility.check_candidates`), and the triggers are those of the workflow file that
the viewer may fire now (`advance.firable`: their roles, and no rule against it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from qualify.services.advance import firable
from qualify.services.eligibility import CandidateCheckLines, before_interview, check_report
from qualify.services.frozen import workflow_of
from qualify.services.lookups import get_selection
from qualify.services.permissions import actor_user
from qualify.store.tables import Candidate, Selection
from qualify.workflow.spec import TransitionSpec, Workflow


@dataclass(frozen=True)
class Move:
    """A trigger the viewer may fire on a candidate now, and what firing it asks for."""

    trigger: str
    label: str
    to_state: str
    to_label: str
    reason_required: bool  # an internal reason must be given
    reason_required_if_outranked: bool  # ... when a higher-ranked candidate is passed over
    notice_required: bool  # the candidate is sent a letter: its words, or a reason code
    reason_codes: dict[str, str]  # code -> the words the letter states


@dataclass(frozen=True)
class QueueEntry:
    """One candidate in the queue."""

    checks: CandidateCheckLines
    state_label: str
    moves: tuple[Move, ...]

    @property
    def candidate_id(self) -> int:
        return self.checks.candidate_id


@dataclass(frozen=True)
class ScreeningQueue:
    """The candidates of a selection whose record the viewer may see and who have not reached
    the interview (nominated, in screening, found eligible or ineligible: the states before
    the panel's scoring states, final ones left out), with their checks as of the selection's
    date and the viewer's triggers."""

    selection_id: int
    title: str
    as_of: date
    checks: tuple[tuple[str, str], ...]  # (check, label) in the workflow's order
    entries: tuple[QueueEntry, ...]


def move(spec: Workflow, transition: TransitionSpec, name: str) -> Move:
    """The button for firing `transition` on the candidate called `name`."""
    return Move(
        trigger=transition.trigger,
        label=transition.label_for(name),
        to_state=transition.dest,
        to_label=spec.states[transition.dest].label,
        reason_required=transition.reason_required,
        reason_required_if_outranked=transition.reason_required_if_outranked,
        notice_required=transition.notice_required,
        reason_codes=dict(transition.reason_codes),
    )


def moves_now(
    session: Session, selection: Selection, candidate_ids: Iterable[int], actor: str
) -> dict[int, tuple[Move, ...]]:
    """For each candidate, the triggers the actor may fire on them now: the workflow's
    transitions from their state for the actor's roles that no rule refuses (the rules
    `advance` refuses with: guards, training, positions, the eligible list)."""
    spec = workflow_of(selection).spec
    wanted = set(candidate_ids)
    candidates = [
        c
        for c in session.exec(select(Candidate).where(Candidate.selection_id == selection.id))
        if c.id in wanted
    ]
    offered = firable(session, selection=selection, candidates=candidates, actor=actor)
    return {c.id or 0: tuple(move(spec, t, c.name) for t in offered[c.id or 0]) for c in candidates}


def screening_queue(*, session: Session, selection_id: int, actor: str) -> ScreeningQueue:
    """The screening queue of a selection, as the actor may see it."""
    viewer = actor_user(session, actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    report = check_report(
        session=session, candidate_id=None, selection_id=selection_id, actor=actor
    )
    waiting = before_interview(spec)
    rows = [r for r in report.candidates if r.state in waiting and not spec.states[r.state].final]
    offered = moves_now(session, selection, (r.candidate_id for r in rows), viewer.name)
    entries = tuple(
        QueueEntry(row, spec.states[row.state].label, offered.get(row.candidate_id, ()))
        for row in rows
    )
    return ScreeningQueue(
        selection_id=selection_id,
        title=selection.title,
        as_of=selection.as_of,
        checks=tuple((check, spec.checks[check].label) for check in report.checks),
        entries=entries,
    )
