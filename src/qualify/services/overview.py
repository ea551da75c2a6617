"""A selection at a glance, for HR: candidates by state, each candidate's panel progress, and
the scorecards that are overdue.

A scorecard is overdue when the candidate's interview (as HR scheduled it) took place more
than `SCORECARD_DUE` ago and a panelist who sits for the candidate has not submitted one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.store.clock import utcnow
from qualify.store.courses import added_in_training
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.panel_gaps import EmptySeat, conflicts_of, empty_seats
from qualify.store.permissions import actor_user, role_for
from qualify.store.schedules import interview_slots
from qualify.store.scores import panel_inputs
from qualify.store.tables import Candidate, User
from qualify.store.visibility import record_roles
from qualify.workflow.spec import Workflow

SCORECARD_DUE = timedelta(hours=24)  # after the interview's scheduled time


def _amended(
    session: Session, spec: Workflow, selection_id: int, people: list[Candidate]
) -> set[int]:
    """The candidates in training who had courses added there: they have amended letters
    (the newest is the one offered)."""
    training = {c.id for c in people if c.state in spec.training_states()}
    if not training or not spec.training.amended_packets:
        return set()
    return added_in_training(session, selection_id) & training


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class PanelProgress:
    """Where one candidate's panel stands: the panelists who sit for them, who has declared
    (no) conflict, who has submitted, and the seats no one may fill (the holder barred, no
    alternate sitting) until HR changes the panel."""

    sitting: tuple[str, ...]
    declared: tuple[str, ...]
    submitted: tuple[str, ...]
    interview_at: datetime | None  # as scheduled, in the selection's time zone
    empty: tuple[EmptySeat, ...] = ()

    @property
    def waiting_on(self) -> tuple[str, ...]:
        barred = {e.panelist for e in self.empty}
        return tuple(p for p in self.sitting if p not in self.submitted and p not in barred)


@dataclass(frozen=True)
class PacketLink:
    template: str
    title: str


@dataclass(frozen=True)
class Glance:
    """One candidate at a glance; `panel` only for a candidate the panel is interviewing."""

    candidate_id: int
    name: str
    employee_id: str
    state: str
    state_label: str
    panel: PanelProgress | None
    packets: tuple[PacketLink, ...]  # what the workflow prints for the current stage
    closed: bool = False  # in a final state: the record takes no new evidence
    in_training: bool = False  # in a state where training is directed and recorded


@dataclass(frozen=True)
class OverdueCard:
    candidate_id: int
    name: str
    panelist: str
    interview_at: datetime


@dataclass(frozen=True)
class SelectionOverview:
    selection_id: int
    title: str
    workflow: str
    version: str
    as_of: date
    states: tuple[StateCount, ...]  # in the workflow's order, with no empty state
    candidates: tuple[Glance, ...]
    overdue: tuple[OverdueCard, ...]
    people: dict[str, str] = field(default_factory=dict)  # user name -> how the page names them

    def named(self, user: str) -> str:
        return self.people.get(user) or user


def _schedules(session: Session, ids: list[int]) -> dict[int, datetime]:
    """The newest interview time HR scheduled for each of these candidates."""
    return {cid: slot.at for cid, slot in interview_slots(session, ids).items()}


def selection_overview(
    *, session: Session, selection_id: int, actor: Actor, now: datetime | None = None
) -> SelectionOverview:
    """The selection at a glance, for the roles that see every candidate's record."""
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    role_for(actor_user(session, actor), record_roles(spec), "see the selection at a glance")
    at = now or utcnow()
    people = list(
        session.exec(
            select(Candidate)
            .where(Candidate.selection_id == selection_id)
            .order_by(col(Candidate.id))
        )
    )
    interviewing = [c for c in people if c.state in spec.panel.scoring_states]
    ids = [c.id for c in interviewing if c.id is not None]
    declared = conflicts_of(session, ids)
    schedules = _schedules(session, ids)
    progress: dict[int, PanelProgress] = {}
    for panel in panel_inputs(session, selection, interviewing) if interviewing else []:
        sitting = tuple(p for _, p in panel.seats)
        progress[panel.candidate_id] = PanelProgress(
            sitting=sitting,
            declared=tuple(p for p in sitting if p in declared.get(panel.candidate_id, {})),
            submitted=tuple(p for p in sitting if p in panel.cards),
            interview_at=schedules.get(panel.candidate_id),
            empty=empty_seats(panel, declared.get(panel.candidate_id, {})),
        )
    panelists = {p for panel in progress.values() for p in panel.sitting}
    amended = _amended(session, spec, selection_id, people)
    counts = Counter(c.state for c in people)
    overdue = [
        OverdueCard(c.id, c.name, panelist, when)
        for c in interviewing
        if c.id is not None
        and (when := progress[c.id].interview_at) is not None
        and when + SCORECARD_DUE <= at
        for panelist in progress[c.id].waiting_on
    ]
    assert selection.id is not None
    return SelectionOverview(
        selection_id=selection.id,
        title=selection.title,
        workflow=selection.workflow_name,
        version=selection.workflow_version,
        as_of=selection.as_of,
        states=tuple(
            StateCount(state, s.label, counts[state])
            for state, s in spec.states.items()
            if counts[state]
        ),
        candidates=tuple(
            Glance(
                candidate_id=c.id,
                name=c.name,
                employee_id=c.employee_id,
                state=c.state,
                state_label=spec.states[c.state].label,
                panel=progress.get(c.id),
                closed=spec.states[c.state].final,
                packets=tuple(
                    PacketLink(t, spec.packet_kinds[t].title if t in spec.packet_kinds else t)
                    for t in [
                        *spec.packets.get(c.state, ()),
                        *(spec.training.amended_packets if c.id in amended else ()),
                    ]
                ),
                in_training=c.state in spec.training_states(),
            )
            for c in people
            if c.id is not None
        ),
        overdue=tuple(overdue),
        people={
            u.name: u.display_name
            for u in session.exec(select(User).where(col(User.name).in_(panelists)))
        },
    )
