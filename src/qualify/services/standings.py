"""Interview results as typed records: what the Chief's page and `results` show.

`results.results` builds the listing as plain data (fast over 10,000 candidates, and what
`results --json` prints); `standings` reads the same listing into these records, which both
front doors render.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.services.offers import moves_now
from qualify.services.results import results
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.open_interviews import open_interviews
from qualify.store.panel_gaps import EmptySeat, conflicts_of, empty_seats
from qualify.store.scores import panel_inputs
from qualify.store.tables import Candidate, Selection, User
from qualify.workflow.eligible_list import list_decisions
from qualify.workflow.moves import Move


@dataclass(frozen=True)
class CriterionLine:
    """One criterion's scores for one candidate."""

    criterion: str
    scores: dict[str, int]  # panelist -> score
    mean: float
    spread: int
    flagged: bool  # the panel disagrees (spread at the workflow's threshold or more)
    minimum_met: bool


@dataclass(frozen=True)
class Correction:
    """A submitted scorecard corrected by its panelist, with the reason and the old scores."""

    panelist: str
    version: int
    reason: str
    previous: dict[str, int] | None
    scores: dict[str, int]

    def changed(self, label: Callable[[str], str]) -> str:
        """The scores the correction changed, in words, in the rubric's order: each criterion
        by `label` with its old and new score ("Liaison ... 4 → 3"); "no score changed" when
        only comments did."""
        before = self.previous or {}
        changes = [
            f"{label(k)} {before.get(k, 'none')} → {self.scores.get(k, 'none')}"
            for k in dict.fromkeys([*self.scores, *before])
            if before.get(k) != self.scores.get(k)
        ]
        return ", ".join(changes) or "no score changed"


@dataclass(frozen=True)
class Swap:
    """An alternate who sat in a seat for a holder who could not score the candidate."""

    seat: str
    holder: str
    sat: str
    why: str


@dataclass(frozen=True)
class Standing:
    """One candidate's interview result as the viewer may see it. `hidden` says why the scores
    are not shown (then criteria, total and ranking are empty)."""

    candidate_id: int
    name: str
    employee_id: str
    status: str  # pending, not_scored, pass or fail
    status_text: str
    submitted: int
    seats: int
    complete: bool
    hidden: str | None = None
    missing: tuple[str, ...] = ()
    criteria: tuple[CriterionLine, ...] = ()
    total: float | None = None
    passed: bool | None = None
    failures: tuple[str, ...] = ()
    flags: int = 0
    corrections: tuple[Correction, ...] = ()
    substitutions: tuple[Swap, ...] = ()
    rank: int | None = None
    tie_break: str | None = None

    @property
    def scored(self) -> bool:
        """Whether the panel's verdict is in (pass or fail), never for an interview unscored."""
        return self.status in ("pass", "fail")

    @property
    def flagged(self) -> tuple[str, ...]:
        """The criteria on which the panel disagrees."""
        return tuple(c.criterion for c in self.criteria if c.flagged)

    @property
    def below_minimum(self) -> tuple[str, ...]:
        """The criteria whose mean is under the workflow's minimum."""
        return tuple(c.criterion for c in self.criteria if not c.minimum_met)


@dataclass(frozen=True)
class Standings:
    """A selection's interview results and ranking, as the viewer may see them."""

    selection_id: int
    pass_mark: float
    disagreement_threshold: int
    tie_breaks: tuple[str, ...]
    criteria: tuple[str, ...]
    candidates: tuple[Standing, ...]
    criterion_labels: dict[str, str] = field(default_factory=dict)

    def criterion(self, criterion: str) -> str:
        """A criterion's label (its id in words when the workflow has no such criterion)."""
        return self.criterion_labels.get(criterion) or criterion.replace("_", " ")

    @classmethod
    def of(cls, data: dict[str, Any]) -> Standings:
        """The records of a listing as `results.results` returns it."""
        return cls(
            selection_id=data["selection_id"],
            pass_mark=data["pass_mark"],
            disagreement_threshold=data["disagreement_threshold"],
            tie_breaks=tuple(data["tie_breaks"]),
            criteria=tuple(data["criteria"]),
            candidates=tuple(_standing(row) for row in data["candidates"]),
            criterion_labels=dict(data.get("criterion_labels", {})),
        )


def _standing(row: dict[str, Any]) -> Standing:
    return Standing(
        candidate_id=row["candidate_id"],
        name=row["name"],
        employee_id=row["employee_id"],
        status=row["status"],
        status_text=row["status_text"],
        submitted=row["submitted"],
        seats=row["seats"],
        complete=row["complete"],
        hidden=row.get("hidden"),
        missing=tuple(row.get("missing", ())),
        criteria=tuple(
            CriterionLine(
                criterion=c["criterion"],
                scores=dict(c["scores"]),
                mean=c["mean"],
                spread=c["spread"],
                flagged=c["flagged"],
                minimum_met=c["minimum_met"],
            )
            for c in row.get("criteria", ())
        ),
        total=row.get("total"),
        passed=row.get("passed"),
        failures=tuple(row.get("failures", ())),
        flags=row.get("flags", 0),
        corrections=tuple(
            Correction(
                panelist=c["panelist"],
                version=c["version"],
                reason=c["reason"],
                previous=c["previous"],
                scores=dict(c["scores"]),
            )
            for c in row.get("corrections", ())
        ),
        substitutions=tuple(
            Swap(seat=s["seat"], holder=s["holder"], sat=s["sat"], why=s["why"])
            for s in row.get("substitutions", ())
        ),
        rank=row.get("rank"),
        tie_break=row.get("tie_break"),
    )


def standings(*, session: Session, selection_id: int, actor: Actor) -> Standings:
    """Interview results and ranking as the actor may see them (see `results.results`)."""
    return Standings.of(results(session=session, selection_id=selection_id, actor=actor))


@dataclass(frozen=True)
class Decision:
    """One candidate of the Chief's page: the standing, the state, the triggers the viewer
    may fire on them now (select, not select, appoint, remove, ...), and, while the interview
    is pending, the seats no one may fill until HR changes the panel."""

    standing: Standing
    state: str
    state_label: str
    moves: tuple[Move, ...]
    empty: tuple[EmptySeat, ...] = ()


@dataclass(frozen=True)
class Decisions:
    standings: Standings
    title: str
    rows: tuple[Decision, ...]
    # How a page names a panelist (user name -> full name) and a criterion (id -> label).
    people: dict[str, str] = field(default_factory=dict)
    criterion_labels: dict[str, str] = field(default_factory=dict)
    # Each trigger's label in the workflow (`{name}` for the candidate's).
    trigger_labels: dict[str, str] = field(default_factory=dict)
    # Why the viewer's decisions on the eligible list wait (the words `advance` refuses one
    # with): candidates not through the interview yet. None when nothing waits on them.
    waiting: str | None = None

    def criterion(self, criterion: str) -> str:
        """A criterion's label (its id in words when the workflow has no such criterion)."""
        return self.criterion_labels.get(criterion) or criterion.replace("_", " ")

    def worded(self, text: str) -> str:
        """A generated line ("appearance_attitude mean 3.00 is not above 3") with each
        criterion named by its label."""
        for criterion, label in self.criterion_labels.items():
            text = re.sub(rf"\b{re.escape(criterion)}\b", label, text)
        return text


def decisions(
    *, session: Session, selection_id: int, actor: Actor, now: datetime | None = None
) -> Decisions:
    """The standings with, for each candidate, what the actor may decide now (`now`, else the
    clock's time)."""
    view = standings(session=session, selection_id=selection_id, actor=actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    states = dict(
        session.exec(
            select(Candidate.id, Candidate.state).where(Candidate.selection_id == selection_id)
        ).all()
    )
    offered = moves_now(
        session, selection, [r.candidate_id for r in view.candidates], actor, at=now
    )
    empty = _empty_seats(session, selection, [r for r in view.candidates if r.status == "pending"])
    users = list(session.exec(select(User)).all())
    viewer = next((u for u in users if u.name == actor.name), None)
    decides = [
        t
        for t in spec.transitions
        if t.trigger in list_decisions(spec) and viewer and set(t.roles) & set(viewer.roles)
    ]
    waiting = None
    if any(states[c] in t.source for t in decides for c in states):
        still = open_interviews(session, selection, spec)
        waiting = still.words() if still is not None else None
    return Decisions(
        standings=view,
        title=selection.title,
        rows=tuple(
            Decision(
                standing=row,
                state=states[row.candidate_id],
                state_label=spec.states[states[row.candidate_id]].label,
                moves=offered[row.candidate_id],
                empty=empty.get(row.candidate_id, ()),
            )
            for row in view.candidates
        ),
        people={u.name: u.display_name for u in users},
        criterion_labels={c.id: c.label for c in spec.rubric.criteria},
        trigger_labels=spec.trigger_labels(),
        waiting=waiting,
    )


def _empty_seats(
    session: Session, selection: Selection, pending: list[Standing]
) -> dict[int, tuple[EmptySeat, ...]]:
    """The seats no one may fill for each of these candidates whose interview is pending."""
    if not pending:
        return {}
    people = list(
        session.exec(
            select(Candidate).where(col(Candidate.id).in_([r.candidate_id for r in pending]))
        )
    )
    conflicts = conflicts_of(session, [r.candidate_id for r in pending])
    return {
        panel.candidate_id: empty_seats(panel, conflicts.get(panel.candidate_id, {}))
        for panel in panel_inputs(session, selection, people)
    }
