"""Loading the records a command names by id, refusing an id no record has, and a selection's
panel."""

from __future__ import annotations

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from qualify.errors import BadInput, NotFound, Step
from qualify.limits import ID_MAX
from qualify.store.tables import Candidate, PanelAlternate, PanelSeat, Selection


def check_id(record_id: int, what: str) -> None:
    """Refuse an id no record can have (the CLI's options are bounded the same way)."""
    if not 1 <= record_id <= ID_MAX:
        raise BadInput(f"{what} id {record_id} is out of range (1 to {ID_MAX})")


def get_selection(session: Session, selection_id: int) -> Selection:
    check_id(selection_id, "selection")
    # The frozen workflow text is loaded only when this process has not parsed it yet.
    selection = session.get(
        Selection,
        selection_id,
        options=[defer(Selection.workflow_text)],  # type: ignore[arg-type]
    )
    if selection is None:
        raise NotFound(f"no selection {selection_id}", step=Step("list_selections"))
    return selection


def get_candidate(session: Session, candidate_id: int, *, for_update: bool = False) -> Candidate:
    check_id(candidate_id, "candidate")
    candidate = session.get(Candidate, candidate_id, with_for_update=for_update)
    if candidate is None:
        raise no_candidate(candidate_id)
    return candidate


def no_candidate(candidate_id: int) -> NotFound:
    return NotFound(f"no candidate {candidate_id}", step=Step("list_candidates"))


def seats_of(session: Session, selection_id: int) -> list[PanelSeat]:
    return list(
        session.exec(
            select(PanelSeat)
            .where(PanelSeat.selection_id == selection_id)
            .order_by(col(PanelSeat.seat), col(PanelSeat.position))
        )
    )


def alternates_of(session: Session, selection_id: int) -> list[PanelAlternate]:
    return list(
        session.exec(
            select(PanelAlternate)
            .where(PanelAlternate.selection_id == selection_id)
            .order_by(col(PanelAlternate.seat), col(PanelAlternate.position))
        )
    )
