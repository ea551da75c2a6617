"""What the panel assignment form asks for: each seat, who holds it now, and who may."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.store.frozen import workflow_of
from qualify.store.interviews import scoring_has_begun
from qualify.store.lookups import alternates_of, get_selection, seats_of
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import User


@dataclass(frozen=True)
class Person:
    name: str
    display_name: str


@dataclass(frozen=True)
class SeatForm:
    seat: str
    label: str
    role: str
    count: int
    holders: tuple[str, ...]  # now, in seat order ("" for a place not filled)
    alternates: tuple[str, ...]  # now, in the order they step in
    eligible: tuple[Person, ...]  # every user holding the seat's role


@dataclass(frozen=True)
class PanelForm:
    selection_id: int
    title: str
    seats: tuple[SeatForm, ...]
    scoring_begun: bool  # then a change needs a reason
    excluded: tuple[str, ...]  # who may not score a candidate, by the workflow's rules


def panel_form(*, session: Session, selection_id: int, actor: Actor) -> PanelForm:
    """The selection's panel as HR changes it."""
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    role_for(actor_user(session, actor), spec.permissions.manage_panel, "assign the panel")
    users = list(session.exec(select(User).order_by(col(User.name))))
    seated = seats_of(session, selection_id)
    spare = alternates_of(session, selection_id)
    seats = []
    for seat, declared in spec.panel.seats.items():
        holders = [s.panelist for s in seated if s.seat == seat]
        seats.append(
            SeatForm(
                seat=seat,
                label=declared.label or seat.replace("_", " "),
                role=declared.role,
                count=declared.count,
                holders=tuple(holders + [""] * (declared.count - len(holders))),
                alternates=tuple(a.panelist for a in spare if a.seat == seat),
                eligible=tuple(
                    Person(u.name, u.display_name) for u in users if declared.role in u.roles
                ),
            )
        )
    return PanelForm(
        selection_id=selection_id,
        title=selection.title,
        seats=tuple(seats),
        scoring_begun=bool(seated) and scoring_has_begun(session, selection_id),
        excluded=tuple(spec.panel.excluded),
    )
