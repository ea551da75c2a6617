"""What a page offers: for each candidate, the triggers the viewer may fire on them now, with
what firing each asks for. A trigger is offered only where none of the rules that `firing`
refuses with stands against it (`firing.refuse_by_rules`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from qualify.actor import Actor
from qualify.errors import QualifyError
from qualify.services.firing import guard_results, refuse_by_rules
from qualify.store.clock import utcnow
from qualify.store.frozen import machine_of, workflow_of
from qualify.store.lookups import get_selection
from qualify.store.open_interviews import open_interviews
from qualify.store.permissions import unknown_user
from qualify.store.tables import Candidate, Selection, User
from qualify.workflow.eligible_list import list_decisions
from qualify.workflow.moves import Move, move
from qualify.workflow.spec import TransitionSpec


def firable(
    session: Session,
    *,
    selection: Selection,
    candidates: list[Candidate],
    actor: Actor,
    at: datetime | None = None,
) -> dict[int, list[TransitionSpec]]:
    """For each candidate, the transitions `actor` may fire on it now: from its state, with one
    of their roles, and no rule of `refuse_by_rules` against it (what they would write, a
    reason or a notice, is asked for on firing)."""
    when = at or utcnow()
    users = {u.name: u for u in session.exec(select(User))}
    user = users.get(actor.name)
    if user is None:
        raise unknown_user(actor.name)
    spec = machine_of(selection).spec
    loaded = machine_of(selection).loaded
    roles = {name: tuple(u.roles) for name, u in users.items()}
    offered: dict[int, list[TransitionSpec]] = {c.id or 0: [] for c in candidates}
    mine = [t for t in spec.transitions if set(t.roles) & set(user.roles)]
    decisions = list_decisions(spec)
    open_now: bool | None = None  # asked once, for the first decision on the eligible list
    for transition in mine:
        here = [c for c in candidates if c.state in transition.source]
        if not here:
            continue
        if transition.trigger in decisions:
            if open_now is None:
                open_now = open_interviews(session, selection, spec) is not None
            if open_now:
                continue  # the decision waits for them, whoever it is on (firing says why)
        guards = guard_results(session, selection, loaded, here, transition, roles, when)
        for candidate in here:
            try:
                refuse_by_rules(
                    session,
                    selection=selection,
                    spec=spec,
                    transition=transition,
                    candidate=candidate,
                    user=user,
                    guards=guards[candidate.id or 0],
                    at=when,
                    interviews_closed=transition.trigger in decisions,
                )
            except QualifyError:
                continue
            offered[candidate.id or 0].append(transition)
    return offered


def moves_now(
    session: Session,
    selection: Selection,
    candidate_ids: Iterable[int],
    actor: Actor,
    at: datetime | None = None,
) -> dict[int, tuple[Move, ...]]:
    """For each candidate, the triggers the actor may fire on them now (`at`, else the clock's
    time): the workflow's transitions from their state for the actor's roles that no rule
    refuses (the rules `advance` refuses with: guards, training, positions, the eligible
    list)."""
    spec = workflow_of(selection).spec
    wanted = set(candidate_ids)
    candidates = [
        c
        for c in session.exec(select(Candidate).where(Candidate.selection_id == selection.id))
        if c.id in wanted
    ]
    offered = firable(session, selection=selection, candidates=candidates, actor=actor, at=at)
    return {c.id or 0: tuple(move(spec, t, c.name) for t in offered[c.id or 0]) for c in candidates}


@dataclass(frozen=True)
class MoveToConfirm:
    """A trigger that asks for nothing, shown for a last look before it fires: the candidate,
    where they are, and the move. None of it when the actor may not fire it on them now (it
    fired already, a rule stands against it, or there is no such candidate): the page goes
    back, saying nothing of the candidate."""

    candidate_id: int
    name: str = ""
    state_label: str = ""
    selection_title: str = ""
    move: Move | None = None


def move_to_confirm(
    *, session: Session, candidate_id: int, trigger: str, actor: Actor
) -> MoveToConfirm:
    """The confirmation step of firing `trigger` on a candidate: what it will do, when the
    actor may fire it now."""
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        return MoveToConfirm(candidate_id)
    selection = get_selection(session, candidate.selection_id)
    offered = moves_now(session, selection, [candidate_id], actor).get(candidate_id, ())
    found = next((m for m in offered if m.trigger == trigger), None)
    if found is None:
        return MoveToConfirm(candidate_id)
    return MoveToConfirm(
        candidate_id=candidate_id,
        name=candidate.name,
        state_label=workflow_of(selection).spec.states[candidate.state].label,
        selection_title=selection.title,
        move=found,
    )
