"""The selection's positions: who holds one, and refusing a move that would take one more than
the workflow's `positions` (SRO: one; selecting or recalling a second officer is refused while
the first is selected, in training or appointed)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from qualify.errors import RuleViolation
from qualify.store.tables import Candidate, Selection
from qualify.workflow.moves import and_list, refused
from qualify.workflow.spec import TransitionSpec, Workflow


def holders(session: Session, selection_id: int, spec: Workflow) -> list[tuple[int, str, str]]:
    """(candidate id, name, state) of each candidate holding a position, by id. Columns, not
    records: what the database holds now, never a record the session read earlier."""
    held = spec.position_states()
    if not held:
        return []
    rows = session.exec(
        select(Candidate.id, Candidate.name, Candidate.state)
        .where(Candidate.selection_id == selection_id, col(Candidate.state).in_(held))
        .order_by(col(Candidate.id))
    )
    return [(int(cid or 0), name, state) for cid, name, state in rows]


def refuse_if_filled(
    session: Session,
    *,
    selection: Selection,
    spec: Workflow,
    candidate: Candidate,
    transition: TransitionSpec,
    lock: bool,
) -> None:
    """Refuse firing `transition` on `candidate` when it takes a position and every position is
    held by someone else, naming the holders and what frees one in the workflow's words. With
    `lock`, the selection's row is locked first (PostgreSQL), so two people taking the last
    position at the same moment queue and the second sees the first; on SQLite the advance
    already holds the database's write lock when it writes."""
    if not spec.takes_position(candidate.state, transition.dest):
        return
    if lock:
        session.exec(select(Selection.id).where(Selection.id == selection.id).with_for_update())
    holding = [h for h in holders(session, selection.id or 0, spec) if h[0] != candidate.id]
    if len(holding) < spec.positions:
        return
    who = and_list([f"{name} ({spec.states[state].label})" for _, name, state in holding])
    held = spec.position_states()
    # What frees a position, about its holder ("one of them" where several hold them).
    holder = holding[0][1] if len(holding) == 1 else "one of them"
    frees = sorted(
        {
            t.label_for(holder)
            for t in spec.transitions
            if t.dest not in held and set(t.source) & held
        }
    )
    filled = (
        f"the position is held by {who}"
        if spec.positions == 1
        else f"all {spec.positions} positions are held: {who}"
    )
    it = "it" if spec.positions == 1 else "one"
    quoted = " or ".join(f'"{label}"' for label in frees)
    then = f"; {quoted} frees {it}" if frees else ""
    raise RuleViolation(f"{refused(transition, candidate.name)}: {filled}{then}")
