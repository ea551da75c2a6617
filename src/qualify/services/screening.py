"""The screening queue: each candidate's checks and the triggers the viewer may fire now.

What the commander's page shows; sensitive checks are withheld from a role that may not see
them (`eligibility.check_candidates`), and the triggers are those of the workflow file that
the viewer's roles may fire from the candidate's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from qualify.actor import Actor
from qualify.services.access import actor_user, get_selection, workflow_of
from qualify.services.eligibility import CandidateCheckLines, before_interview, check_report
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


def move(spec: Workflow, transition: TransitionSpec) -> Move:
    return Move(
        trigger=transition.trigger,
        label=transition.label or transition.trigger.replace("_", " "),
        to_state=transition.dest,
        to_label=spec.states[transition.dest].label,
        reason_required=transition.reason_required,
        reason_required_if_outranked=transition.reason_required_if_outranked,
        notice_required=transition.notice_required,
        reason_codes=dict(transition.reason_codes),
    )


def moves(spec: Workflow, state: str, roles: list[str]) -> tuple[Move, ...]:
    """The triggers a holder of `roles` may fire from `state` (as `advance.may_fire`)."""
    return tuple(move(spec, t) for t in spec.triggers_from(state) if set(t.roles) & set(roles))


def screening_queue(*, session: Session, selection_id: int, actor: Actor) -> ScreeningQueue:
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
