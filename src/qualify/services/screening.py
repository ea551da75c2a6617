"""The screening queue: each candidate's checks and the triggers the viewer may fire now.

What the commander's page shows; sensitive checks are withheld from a role that may not see
them (`eligibility.check_candidates`), and the triggers are those of the workflow file that
the viewer's roles may fire from the candidate's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from qualify.services.checking import before_interview
from qualify.services.eligibility import CandidateCheckLines, check_report
from qualify.services.frozen import workflow_of
from qualify.services.lookups import get_selection
from qualify.services.permissions import actor_user
from qualify.workflow.moves import Move, moves


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


def screening_queue(*, session: Session, selection_id: int, actor: str) -> ScreeningQueue:
    """The screening queue of a selection, as the actor may see it."""
    viewer = actor_user(session, actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    report = check_report(
        session=session, candidate_id=None, selection_id=selection_id, actor=actor
    )
    waiting = before_interview(spec)
    entries = tuple(
        QueueEntry(row, spec.states[row.state].label, moves(spec, row.state, viewer.roles))
        for row in report.candidates
        if row.state in waiting and not spec.states[row.state].final
    )
    return ScreeningQueue(
        selection_id=selection_id,
        title=selection.title,
        as_of=selection.as_of,
        checks=tuple((check, spec.checks[check].label) for check in report.checks),
        entries=entries,
    )
