"""One candidate's interview as a panelist acting on it reads it: the panel, the seat the
panelist sits in (an alternate's for a barred holder), the declarations and the scorecards;
and whether scoring has begun in a selection."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from sqlalchemy import and_, bindparam
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from qualify.actor import Actor
from qualify.errors import NotPermitted
from qualify.store.frozen import workflow_of
from qualify.store.lookups import alternates_of, no_candidate
from qualify.store.permissions import actor_user
from qualify.store.schedules import Slot, newest_details, slot_of
from qualify.store.scores import panel_input
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    PanelAlternate,
    PanelSeat,
    Scorecard,
    Selection,
)
from qualify.workflow.scoring import PanelInput, sitting
from qualify.workflow.spec import Workflow


def scoring_has_begun(session: Session, selection_id: int) -> bool:
    found = session.exec(
        select(Scorecard.id).join(Candidate).where(Candidate.selection_id == selection_id).limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class Interview:
    """One candidate's interview records, read for a panelist acting on them."""

    candidate: Candidate
    selection: Selection
    seat: PanelSeat  # the acting panelist's (an alternate's: the seat they sit in)
    seats: list[PanelSeat]
    declarations: list[ConflictDeclaration]  # in the order made
    cards: list[Scorecard]  # every panelist's, every version, oldest first
    alternates: list[PanelAlternate] = field(default_factory=list)
    # False: read for the acting seat holder's own work (`only_mine`): the seats, declarations
    # and scorecards are theirs alone, and there are no alternates.
    whole: bool = True
    slot: Slot | None = None  # when and where the interview takes place, if HR has set it

    def declared(self, panelist: str) -> ConflictDeclaration | None:
        """The panelist's standing declaration."""
        return next((d for d in reversed(self.declarations) if d.panelist == panelist), None)

    def card(self, panelist: str, *, submitted: bool = False) -> Scorecard | None:
        """The panelist's newest scorecard (or newest submitted one)."""
        return next(
            (
                c
                for c in reversed(self.cards)
                if c.panelist == panelist and (c.status == "submitted" or not submitted)
            ),
            None,
        )

    def submitted(self) -> list[Scorecard]:
        """Every submitted scorecard version, oldest first."""
        return [c for c in self.cards if c.status == "submitted"]

    def panel_input(self, spec: Workflow, submitted: list[Scorecard]) -> PanelInput:
        """The candidate as scoring sees it, with these submitted scorecards."""
        assert self.whole, "the panel's result needs the whole interview"
        c = self.candidate
        assert c.id is not None
        seats = tuple((s.seat, s.panelist) for s in self.seats)
        return panel_input(
            spec,
            (c.id, c.employee_id, c.supervisor),
            seats,
            self.declarations,
            submitted,
            alternates=tuple((a.seat, a.panelist) for a in self.alternates),
        )


class InterviewLoader(Protocol):
    """How a service reads the interview it acts on: `interview_of`, or a stricter reader of
    the same records (the portal's says "no candidate" to a panelist who does not sit for it)."""

    def __call__(
        self,
        session: Session,
        candidate_id: int,
        actor: Actor,
        *,
        with_cards: bool = True,
        lock: bool = False,
        only_mine: bool = False,
    ) -> Interview: ...


def interview_of(
    session: Session,
    candidate_id: int,
    actor: Actor,
    *,
    with_cards: bool = True,
    lock: bool = False,
    only_mine: bool = False,
) -> Interview:
    """The candidate with its selection, its panel and the actor's seat on it, its
    declarations and (unless not needed) its scorecards, in four queries (the first reads when
    and where the interview is scheduled too). Only registered users are seated and users are
    never removed, so the user is looked up only to explain a refusal.
    With `lock`, the candidate's row stays locked until the transaction ends (PostgreSQL;
    SQLite's writers already hold the database's write lock). With `only_mine`, a seat holder's
    interview has only their own seat, declarations and scorecards (`whole` is False: a draft
    or their kit needs no one else's, and a 20-seat panel's are most of the reading); an
    alternate's is read whole, since everyone's say whom they sit for."""
    mine = {"candidate_id": candidate_id, "panelist": actor.name}
    found = session.exec(_interview_query(only_mine, lock), params=mine).all()
    if not found:
        raise no_candidate(candidate_id)
    candidate, selection = found[0][0], found[0][1]
    seats = [s for _, _, s, _ in found if s is not None]
    seat = next((s for s in seats if s.panelist == actor.name), None)
    if only_mine and seat is None:  # an alternate, or no one on this panel
        return interview_of(session, candidate_id, actor, with_cards=with_cards, lock=lock)
    alternates = alternates_of(session, candidate.selection_id) if seat is None else []
    if seat is None and not any(a.panelist == actor.name for a in alternates):
        user = actor_user(session, actor)
        raise NotPermitted(
            f"{user.display_name} holds no seat on the panel of selection "
            f"{candidate.selection_id} ({selection.title})"
        )
    declarations = session.exec(_declarations_query(only_mine), params=mine).all()
    if seat is None:
        seat = _alternate_seat(
            session, selection, candidate, seats, alternates, list(declarations), actor
        )
    elif not alternates and not only_mine:
        alternates = alternates_of(session, candidate.selection_id)
    cards = session.exec(_cards_query(only_mine), params=mine).all() if with_cards else []
    return Interview(
        candidate,
        selection,
        seat,
        seats,
        list(declarations),
        list(cards),
        alternates,
        whole=not only_mine,
        slot=slot_of(found[0][3]),
    )


# The interview's statements are built once each (the portal reads an interview on nearly every
# panelist request): the candidate and the panelist are bound when they run.


@cache
def _interview_query(only_mine: bool, lock: bool) -> Select[Candidate, Selection, PanelSeat, str]:
    """The candidate, its selection, the panel's seats (only the panelist's with `only_mine`)
    and the newest schedule's details, one row a seat."""
    seated = col(PanelSeat.selection_id) == col(Candidate.selection_id)
    if only_mine:
        seated = and_(seated, col(PanelSeat.panelist) == bindparam("panelist"))
    query = (
        select(Candidate, Selection, PanelSeat, newest_details(col(Candidate.id)))
        .join(Selection, col(Selection.id) == col(Candidate.selection_id))
        .outerjoin(PanelSeat, seated)
        .where(col(Candidate.id) == bindparam("candidate_id"))
        .order_by(col(PanelSeat.seat), col(PanelSeat.position))
        # The frozen workflow text is loaded only when this process has not parsed it yet.
        .options(defer(Selection.workflow_text))  # type: ignore[arg-type]
        # The version as stored now, even if this session loaded the candidate before: the
        # optimistic lock compares against it.
        .execution_options(populate_existing=True)
    )
    return query.with_for_update(of=Candidate) if lock else query


@cache
def _declarations_query(only_mine: bool) -> SelectOfScalar[ConflictDeclaration]:
    """The candidate's declarations (only the panelist's), in the order made."""
    query = select(ConflictDeclaration).where(
        col(ConflictDeclaration.candidate_id) == bindparam("candidate_id")
    )
    if only_mine:
        query = query.where(col(ConflictDeclaration.panelist) == bindparam("panelist"))
    return query.order_by(col(ConflictDeclaration.id))


@cache
def _cards_query(only_mine: bool) -> SelectOfScalar[Scorecard]:
    """The candidate's scorecards (only the panelist's), every version, oldest first."""
    query = select(Scorecard).where(col(Scorecard.candidate_id) == bindparam("candidate_id"))
    if only_mine:
        query = query.where(col(Scorecard.panelist) == bindparam("panelist"))
    return query.order_by(col(Scorecard.version), col(Scorecard.id))


def _alternate_seat(
    session: Session,
    selection: Selection,
    candidate: Candidate,
    seats: list[PanelSeat],
    alternates: list[PanelAlternate],
    declarations: list[ConflictDeclaration],
    actor: Actor,
) -> PanelSeat:
    """The seat an alternate sits in for this candidate; refuse when they sit in none. One who
    declared a conflict with the candidate is told it stands, as a holder is."""
    spec = workflow_of(selection).spec
    conflicts = {d.panelist: d.conflict for d in declarations}
    if conflicts.get(actor.name) is not None:
        # Their own conflict bars them: show the seat they were ready for, so the refusal says so.
        mine = next(a for a in alternates if a.panelist == actor.name)
        return _seat_for(candidate, mine.seat, mine.position, actor.name)
    pairs = tuple((s.seat, s.panelist) for s in seats)
    spare = tuple((a.seat, a.panelist) for a in alternates)
    _, _, swaps = sitting(spec, candidate.supervisor, pairs, spare, conflicts)
    for swap in swaps:
        if swap.sat == actor.name:
            position = next(s.position for s in seats if s.panelist == swap.holder)
            return _seat_for(candidate, swap.seat, position, actor.name)
    mine = next(a for a in alternates if a.panelist == actor.name)
    # The candidate by the id asked for: an alternate who does not sit for them may not see them.
    seat_label = spec.panel.seats[mine.seat].label or mine.seat.replace("_", " ")
    raise NotPermitted(
        f"{actor_user(session, actor).display_name} is an alternate for the {seat_label} seat "
        f"of selection {candidate.selection_id} ({selection.title}) and does not sit for "
        f"candidate {candidate.id}: an alternate "
        "sits only for a candidate whose seat holder may not score them (their supervisor, or a "
        "declared conflict), in the order HR named the alternates"
    )


def _seat_for(candidate: Candidate, seat: str, position: int, panelist: str) -> PanelSeat:
    """A seat as an alternate holds it for one candidate (not a stored row)."""
    return PanelSeat(
        selection_id=candidate.selection_id,
        seat=seat,
        position=position,
        panelist=panelist,
        assigned_at=candidate.created_at,
        assigned_by="",
    )
