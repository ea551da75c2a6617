"""Seats that cannot be filled for a candidate: the holder may not score them (a declared
conflict of interest, or the candidate's supervisor) and no alternate took the seat. The
panel cannot complete for that candidate until HR changes it; the portal's pages say so."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from qualify.store.tables import ConflictDeclaration
from qualify.workflow.scoring import PanelInput


@dataclass(frozen=True)
class EmptySeat:
    """A seat no one may fill for one candidate."""

    seat: str
    panelist: str  # the holder, who may not score the candidate
    conflict: str | None  # the conflict they declared (None: the candidate's supervisor)

    def sentence(self, name: str) -> str:
        """What a page says, with the holder named as `name`."""
        why = (
            "declared a conflict" if self.conflict is not None else "is the candidate's supervisor"
        )
        return f"{name} {why}; no alternate sits: HR must change the panel"


def conflicts_of(session: Session, candidate_ids: list[int]) -> dict[int, dict[str, str | None]]:
    """Each candidate's standing declarations: panelist -> conflict (None: no conflict)."""
    found: dict[int, dict[str, str | None]] = {}
    if not candidate_ids:
        return found
    rows = session.execute(
        sa_select(
            col(ConflictDeclaration.candidate_id),
            col(ConflictDeclaration.panelist),
            col(ConflictDeclaration.conflict),
        )
        .where(col(ConflictDeclaration.candidate_id).in_(candidate_ids))
        .order_by(col(ConflictDeclaration.id))
    )
    for cid, panelist, conflict in rows:
        found.setdefault(cid, {})[panelist] = conflict  # the newest declaration stands
    return found


def empty_seats(panel: PanelInput, conflicts: dict[str, str | None]) -> tuple[EmptySeat, ...]:
    """The seats of this candidate's panel whose holder is barred with no alternate sitting."""
    return tuple(
        EmptySeat(seat, panelist, conflicts.get(panelist))
        for seat, panelist in panel.seats
        if panelist in panel.barred
    )
