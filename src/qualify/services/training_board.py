"""The training page: for each officer of a selection whose training is directed or may be
directed now, the courses and where each stands (as `training status` lists them), which
directed courses the viewer may record complete, the trigger that directs training when the
viewer may fire it now, the courses the viewer may add for an officer already in training, and
the amended letters those additions printed, for a viewer who may download them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.services.offers import moves_now
from qualify.services.training import training_status
from qualify.store.clock import utcnow
from qualify.store.courses import added_in_training, directing_roles, recording_roles
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import Candidate, TrainingDirection
from qualify.store.visibility import record_roles
from qualify.workflow.documents import local_date
from qualify.workflow.moves import Move
from qualify.workflow.spec import CourseSpec, Workflow


@dataclass(frozen=True)
class Trainee:
    """One officer on the page: `status` is `training_status`'s answer; `to_record` the
    directed courses not yet recorded complete, (id, label), when the viewer may record them;
    `moves` the triggers that direct training the viewer may fire now; `to_add` the courses not
    yet directed, when the officer is in training and the viewer may add courses there;
    `letters` the amended letters (template, title) printed for courses added, when the viewer
    may download them."""

    candidate_id: int
    name: str
    state_label: str
    status: dict[str, Any]
    to_record: tuple[tuple[str, str], ...]
    moves: tuple[Move, ...]
    to_add: tuple[CourseSpec, ...] = ()
    letters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TrainingBoard:
    selection_id: int
    title: str
    trainees: tuple[Trainee, ...]
    today: date  # in the selection's time zone: a course is completed on a day that has come
    # Each trigger's label in the workflow (`{name}` for the candidate's), for the page's words.
    trigger_labels: dict[str, str] = field(default_factory=dict)
    # The letters printed on adding courses, by title, and who they go to, in words ("" when
    # the workflow prints none): the form says so, for a viewer who may not download them.
    amended_titles: str = ""
    amended_to: str = ""


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
    may_print = bool(set(user.roles) & set(spec.permissions.print_packets))
    amended = added_in_training(session, selection_id) if spec.training.amended_packets else set()
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
        in_training = candidate.state in spec.training_states()
        recordable = may_record and in_training
        adding = in_training and bool(set(user.roles) & set(directing_roles(spec, candidate.state)))
        directed_ids = {c["course"] for c in status["courses"]}
        trainees.append(
            Trainee(
                candidate_id=cid,
                name=candidate.name,
                state_label=spec.states[candidate.state].label,
                status=status,
                to_record=open_courses if recordable else (),
                moves=moves,
                to_add=tuple(c for c in spec.training.courses if c.id not in directed_ids)
                if adding
                else (),
                letters=_letters(spec) if may_print and in_training and cid in amended else (),
            )
        )
    today = local_date(now or utcnow(), spec.time_zone)
    return TrainingBoard(
        selection_id,
        selection.title,
        tuple(trainees),
        today,
        spec.trigger_labels(),
        _in_words([title for _, title in _letters(spec)]),
        _amended_to(spec),
    )


def _letters(spec: Workflow) -> tuple[tuple[str, str], ...]:
    """The workflow's amended letters, (template, title)."""
    kinds = spec.packet_kinds
    return tuple((t, kinds[t].title if t in kinds else t) for t in spec.training.amended_packets)


def _amended_to(spec: Workflow) -> str:
    """Who receives the amended letters, by their roles' labels: "Human Resources and Chief
    of Police"."""
    roles: list[str] = []
    for t in spec.training.amended_packets:
        kind = spec.packet_kinds.get(t)
        roles += [r for r in (kind.audience if kind else []) if r not in roles]
    return _in_words([spec.roles[r].label if r in spec.roles else r for r in roles])


def _in_words(items: list[str]) -> str:
    """ "A, B and C"."""
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)
