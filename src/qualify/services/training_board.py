"""The training page: for each officer of a selection whose training is directed or may be
directed now, the courses and where each stands (as `training status` lists them), which
directed courses the viewer may record complete, and the trigger that directs training when
the viewer may fire it now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.services.offers import moves_now
from qualify.services.training import training_status
from qualify.store.clock import utcnow
from qualify.store.courses import recording_roles
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import Candidate, TrainingDirection
from qualify.store.visibility import record_roles
from qualify.workflow.documents import local_date
from qualify.workflow.moves import Move


@dataclass(frozen=True)
class Trainee:
    """One officer on the page: `status` is `training_status`'s answer; `to_record` the
    directed courses not yet recorded complete, (id, label), when the viewer may record them;
    `moves` the triggers that direct training the viewer may fire now."""

    candidate_id: int
    name: str
    state_label: str
    status: dict[str, Any]
    to_record: tuple[tuple[str, str], ...]
    moves: tuple[Move, ...]


@dataclass(frozen=True)
class TrainingBoard:
    selection_id: int
    title: str
    trainees: tuple[Trainee, ...]
    today: date  # in the selection's time zone: a course is completed on a day that has come
    # Each trigger's label in the workflow (`{name}` for the candidate's), for the page's words.
    trigger_labels: dict[str, str] = field(default_factory=dict)


def training_board(
    *, session: Session, selection_id: int, actor: Actor, now: datetime | None = None
) -> TrainingBoard:
    """The officers whose training the viewer may follow: for the roles that direct or record
    training, and those that see every candidate's record."""
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    user = actor_user(session, actor)
    recorders = recording_roles(spec)
    readers = recorders + [r for r in record_roles(spec) if r not in recorders]
    role_for(user, readers, "see the officers' training")
    may_record = bool(set(user.roles) & set(recorders))
    directing = {s for t in spec.transitions if t.directs_training for s in t.source}
    directed = set(
        session.exec(
            select(TrainingDirection.candidate_id)
            .join(Candidate, col(Candidate.id) == col(TrainingDirection.candidate_id))
            .where(Candidate.selection_id == selection_id)
        )
    )
    found = [
        c
        for c in session.exec(
            select(Candidate)
            .where(Candidate.selection_id == selection_id)
            .order_by(col(Candidate.id))
        )
        if c.id in directed or c.state in spec.training_states() or c.state in directing
    ]
    offered = moves_now(session, selection, [c.id or 0 for c in found], actor)
    trainees = []
    for candidate in found:
        cid = candidate.id or 0
        moves = tuple(m for m in offered[cid] if m.courses)
        if candidate.state in directing and not moves and cid not in directed:
            continue  # awaiting a direction this viewer may not give
        status = training_status(session=session, candidate_id=cid, actor=actor)
        open_courses = tuple(
            (c["course"], c["label"]) for c in status["courses"] if not c["completed_on"]
        )
        recordable = may_record and candidate.state in spec.training_states()
        trainees.append(
            Trainee(
                candidate_id=cid,
                name=candidate.name,
                state_label=spec.states[candidate.state].label,
                status=status,
                to_record=open_courses if recordable else (),
                moves=moves,
            )
        )
    today = local_date(now or utcnow(), spec.time_zone)
    return TrainingBoard(
        selection_id, selection.title, tuple(trainees), today, spec.trigger_labels()
    )
