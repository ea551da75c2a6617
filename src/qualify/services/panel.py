"""The interview panel: seats and conflict-of-interest declarations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from qualify import limits
from qualify.errors import BadInput, NotPermitted, Problem, RuleViolation
from qualify.services import audit
from qualify.services.clock import utcnow
from qualify.services.frozen import workflow_of
from qualify.services.lookups import alternates_of, get_selection, no_candidate, seats_of
from qualify.services.permissions import actor_user, role_for
from qualify.services.results import panel_input, refresh_results, store_results
from qualify.services.rows import claim, insert_row
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    PanelAlternate,
    PanelSeat,
    Scorecard,
    Selection,
    User,
)
from qualify.workflow.loader import suggest
from qualify.workflow.scoring import PanelInput, sitting
from qualify.workflow.spec import Workflow


def scoring_has_begun(session: Session, selection_id: int) -> bool:
    found = session.exec(
        select(Scorecard.id).join(Candidate).where(Candidate.selection_id == selection_id).limit(1)
    ).first()
    return found is not None


def assign_panel(
    *,
    session: Session,
    selection_id: int,
    seats: list[tuple[str, str]],
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
    alternates: list[tuple[str, str]] | None = None,
) -> list[PanelSeat]:
    """Fill every seat the workflow declares, with alternates per seat in order (each sits for a
    candidate whose seat holder may not score them); once scoring began, a change needs a
    reason."""
    at = now or utcnow()
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    role = role_for(actor_user(session, actor), spec.permissions.manage_panel, "assign the panel")
    problems: list[Problem] = []
    by_seat: dict[str, list[str]] = defaultdict(list)
    spare: dict[str, list[str]] = defaultdict(list)
    named = [("seats", seat, user) for seat, user in seats]
    named += [("alternates", seat, user) for seat, user in alternates or []]
    for option, seat, user in named:
        if seat not in spec.panel.seats:
            problems.append(
                Problem(
                    f"no seat '{seat}'{suggest(seat, spec.panel.seats)} "
                    f"(seats: {', '.join(spec.panel.seats)})",
                    option,
                    f"{seat}={user}",
                )
            )
            continue
        (by_seat if option == "seats" else spare)[seat].append(user)
    users = {u.name: u for u in session.exec(select(User))}
    for seat, declared in spec.panel.seats.items():
        given = by_seat.get(seat, [])
        if len(given) != declared.count:
            problems.append(
                Problem(f"the workflow has {declared.count}, {len(given)} given", "seats", seat)
            )
        for option, people in (("seats", given), ("alternates", spare.get(seat, []))):
            for user in people:
                if user not in users:
                    problems.append(
                        Problem(
                            f"'{user}' is not a registered user{suggest(user, users)}",
                            option,
                            f"{seat}={user}",
                        )
                    )
                elif declared.role not in users[user].roles:
                    problems.append(
                        Problem(
                            f"{user} does not hold the role {declared.role}",
                            option,
                            f"{seat}={user}",
                        )
                    )
    everyone = [u for _, _, u in named]
    for user in sorted({u for u in everyone if everyone.count(u) > 1}):
        problems.append(
            Problem(
                f"{user} is named more than once; one person holds one seat or is one alternate",
                "seats",
            )
        )
    if problems:
        raise BadInput(problems=problems)
    previous_rows = seats_of(session, selection_id)
    previous = [(s.seat, s.panelist) for s in previous_rows]
    previous_alternates = [(a.seat, a.panelist) for a in alternates_of(session, selection_id)]
    reason = (reason or "").strip() or None
    limits.check("reason", reason, limits.REASON)
    if previous and scoring_has_begun(session, selection_id) and reason is None:
        raise BadInput("scoring has begun, so changing the panel needs a reason", field="reason")
    session.execute(delete(PanelSeat).where(PanelSeat.selection_id == selection_id))  # type: ignore[arg-type]
    session.execute(
        delete(PanelAlternate).where(PanelAlternate.selection_id == selection_id)  # type: ignore[arg-type]
    )
    rows = [
        PanelSeat(
            selection_id=selection_id,
            seat=seat,
            position=i,
            panelist=user,
            assigned_at=at,
            assigned_by=actor,
        )
        for seat in spec.panel.seats
        for i, user in enumerate(by_seat[seat], start=1)
    ]
    spares = [
        PanelAlternate(
            selection_id=selection_id,
            seat=seat,
            position=i,
            panelist=user,
            assigned_at=at,
            assigned_by=actor,
        )
        for seat in spec.panel.seats
        for i, user in enumerate(spare[seat], start=1)
    ]
    session.add_all(rows)
    session.add_all(spares)
    session.flush()
    alternate_details = (
        {"alternates": [[a.seat, a.panelist] for a in spares]} if spares else {}
    ) | ({"previous_alternates": previous_alternates} if previous_alternates else {})
    audit.record(
        session,
        actor=actor,
        role=role,
        action="panel_assigned" if not previous else "panel_changed",
        subject=f"selection:{selection_id}",
        at=at,
        selection_id=selection_id,
        details={
            "seats": [[r.seat, r.panelist] for r in rows],
            "previous": previous,
            "reason": reason,
        }
        | alternate_details,
        removed=[f"panel_seat:{s.id}" for s in previous_rows],
    )
    refresh_results(session, selection)  # every stored result names the seats
    session.commit()
    return rows


def supervision_warnings(*, session: Session, selection_id: int) -> list[str]:
    """For each seat holder who supervises a candidate of the selection (and so may not score
    them, when the workflow excludes the candidate's supervisor): who sits instead, or that the
    panel will be incomplete for that candidate."""
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    if "candidate_supervisor" not in spec.panel.excluded:
        return []
    seats = tuple((s.seat, s.panelist) for s in seats_of(session, selection_id))
    alternates = tuple((a.seat, a.panelist) for a in alternates_of(session, selection_id))
    holders = {p for _, p in seats}
    warnings = []
    for candidate in session.exec(
        select(Candidate)
        .where(Candidate.selection_id == selection_id, col(Candidate.supervisor).in_(holders))
        .order_by(col(Candidate.id))
    ):
        declared = session.exec(
            select(ConflictDeclaration)
            .where(ConflictDeclaration.candidate_id == candidate.id)
            .order_by(col(ConflictDeclaration.id))
        ).all()
        conflicts = {d.panelist: d.conflict for d in declared}
        _, barred, swaps = sitting(spec, candidate.supervisor, seats, alternates, conflicts)
        who = f"candidate {candidate.id} ({candidate.name})"
        for swap in swaps:
            if swap.holder == candidate.supervisor:
                warnings.append(
                    f"{swap.holder} supervises {who}: the alternate {swap.sat} sits in the "
                    f"{swap.seat} seat for them"
                )
        if candidate.supervisor in barred:
            why = barred[candidate.supervisor]
            alternates_note = why.split("; ", 1)[1] if "; " in why else "no alternate is named"
            warnings.append(
                f"{candidate.supervisor} supervises {who} and may not score them: "
                f"{alternates_note}; the panel will be incomplete for them"
            )
    return warnings


@dataclass(frozen=True)
class Declared:
    """A panelist's standing declaration, and whether this call recorded it."""

    record: ConflictDeclaration
    changed: bool


def declare(
    *,
    session: Session,
    candidate_id: int,
    actor: str,
    conflict: str | None = None,
    now: datetime | None = None,
    load: InterviewLoader | None = None,
) -> Declared:
    """A panelist declares no conflict of interest with a candidate, or declares one. Repeating
    the standing declaration writes nothing (no record, no audit event). `load` reads the
    interview (`interview_of`, unless the caller refuses more, as the portal does)."""
    at = now or utcnow()
    conflict = conflict.strip() if conflict is not None else None
    try:
        limits.check("conflict", conflict, limits.CONFLICT)
    except BadInput as exc:
        raise exc.about("conflict") from None
    if conflict == "":
        raise BadInput("describe the conflict of interest", field="conflict").about("conflict")
    # Scorecards matter only to a conflict: with none declared, nobody can have scored yet.
    # Declarations on a candidate are made one at a time (the candidate's row is locked until
    # this one commits), so a conflict is never followed by a "no conflict" that did not see it.
    interview = (load or interview_of)(
        session, candidate_id, actor, with_cards=conflict is not None, lock=True
    )
    candidate = interview.candidate
    latest = interview.declared(actor)
    if latest is not None and latest.conflict is not None and conflict is None:
        raise RuleViolation(
            f"{actor} declared a conflict with candidate {candidate_id} ({latest.conflict}); "
            "it stands: ask HR to change the panel"
        )
    if latest is not None and latest.conflict == conflict:
        # The same declaration again changes nothing, so it records nothing.
        session.rollback()
        return Declared(latest, changed=False)
    if conflict is not None and interview.card(actor, submitted=True):
        raise RuleViolation(
            f"{actor} already submitted a scorecard for candidate {candidate_id}; "
            "ask HR to change the panel, with a reason"
        )
    if conflict is not None:
        # A conflict bars the panelist: the interview guards and the stored result change, so
        # the candidate changes, and of two people changing it at once the second stops here.
        claim(session, candidate)
    record = ConflictDeclaration(
        candidate_id=candidate_id, panelist=actor, conflict=conflict, at=at
    )
    insert_row(session, record)
    selection = interview.selection
    declared = replace(interview, declarations=[*interview.declarations, record])
    panel = declared.panel_input(workflow_of(selection).spec, interview.submitted())
    details: dict[str, Any] = {"conflict": conflict}
    if conflict is not None:
        # Who sits in the seat for this candidate now: the record says who sat and why.
        mine = interview.seat
        holder = next(
            (
                x.panelist
                for x in interview.seats
                if (x.seat, x.position) == (mine.seat, mine.position)
            ),
            actor,
        )
        swap = next((x for x in panel.substitutions if x.holder == holder), None)
        details["sits_instead"] = swap.sat if swap else None
        if swap is None and holder in panel.barred:
            details["panel"] = "incomplete"
    audit.record(
        session,
        actor=actor,
        role=interview.seat.seat,
        action="conflict_declared" if conflict else "no_conflict_declared",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=candidate.selection_id,
        candidate_id=candidate_id,
        details=details,
    )
    # A conflict bars the panelist, which changes the result. The first declaration on a
    # candidate makes them one the panel has met, with a stored result from then on; later
    # declarations of no conflict change nothing.
    if conflict is not None or not interview.declarations:
        store_results(session, selection, [panel], overwrite=conflict is not None)
    session.commit()
    return Declared(record, changed=True)


DECLARATIONS = ("none", "conflict")


def declare_choice(
    *,
    session: Session,
    candidate_id: int,
    actor: str,
    declaration: str,
    description: str = "",
    now: datetime | None = None,
    load: InterviewLoader | None = None,
) -> Declared:
    """A declaration as a form makes it: `declaration` is what the panelist chose, "none" or
    "conflict", and `description` the conflict in their words. Nothing is chosen for them, and
    words describing a conflict are never dropped under "no conflict": both are refused,
    recording nothing. A panelist who declared none may declare a conflict later (`declare`)."""
    choice = declaration.strip()
    described = description.strip()
    if choice not in DECLARATIONS:
        raise BadInput(
            "choose whether you have a conflict of interest with this candidate",
            field="declaration",
        ).about("declaration")
    if choice == "none" and described:
        raise BadInput(
            "you chose no conflict of interest but described one; choose that you have a "
            "conflict of interest, or clear the description. Nothing was recorded",
            field="conflict",
        ).about("conflict")
    return declare(
        session=session,
        candidate_id=candidate_id,
        actor=actor,
        conflict=described if choice == "conflict" else None,
        now=now,
        load=load,
    )


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
        actor: str,
        *,
        with_cards: bool = True,
        lock: bool = False,
    ) -> Interview: ...


def interview_of(
    session: Session,
    candidate_id: int,
    actor: str,
    *,
    with_cards: bool = True,
    lock: bool = False,
) -> Interview:
    """The candidate, its panel and the actor's seat on it, its declarations and (unless not
    needed) its scorecards, in four queries. Only registered users are seated and users are
    never removed, so the user is looked up only to explain a refusal. With `lock`, the
    candidate's row stays locked until the transaction ends (PostgreSQL; SQLite's writers
    already hold the database's write lock)."""
    query = (
        select(Candidate, Selection, PanelSeat)
        .join(Selection, col(Selection.id) == col(Candidate.selection_id))
        .outerjoin(PanelSeat, col(PanelSeat.selection_id) == col(Candidate.selection_id))
        .where(Candidate.id == candidate_id)
        .order_by(col(PanelSeat.seat), col(PanelSeat.position))
        # The frozen workflow text is loaded only when this process has not parsed it yet.
        .options(defer(Selection.workflow_text))  # type: ignore[arg-type]
        # The version as stored now, even if this session loaded the candidate before: the
        # optimistic lock compares against it.
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=Candidate)
    found = session.exec(query).all()
    if not found:
        raise no_candidate(candidate_id)
    candidate, selection = found[0][0], found[0][1]
    seats = [s for _, _, s in found if s is not None]
    seat = next((s for s in seats if s.panelist == actor), None)
    alternates = alternates_of(session, candidate.selection_id) if seat is None else []
    if seat is None and not any(a.panelist == actor for a in alternates):
        actor_user(session, actor)
        raise NotPermitted(
            f"{actor} holds no seat on the panel of selection {candidate.selection_id}"
        )
    declarations = session.exec(
        select(ConflictDeclaration)
        .where(ConflictDeclaration.candidate_id == candidate_id)
        .order_by(col(ConflictDeclaration.id))
    ).all()
    if seat is None:
        seat = _alternate_seat(selection, candidate, seats, alternates, list(declarations), actor)
    elif not alternates:
        alternates = alternates_of(session, candidate.selection_id)
    cards = (
        session.exec(
            select(Scorecard)
            .where(Scorecard.candidate_id == candidate_id)
            .order_by(col(Scorecard.version), col(Scorecard.id))
        ).all()
        if with_cards
        else []
    )
    return Interview(candidate, selection, seat, seats, list(declarations), list(cards), alternates)


def _alternate_seat(
    selection: Selection,
    candidate: Candidate,
    seats: list[PanelSeat],
    alternates: list[PanelAlternate],
    declarations: list[ConflictDeclaration],
    actor: str,
) -> PanelSeat:
    """The seat an alternate sits in for this candidate; refuse when they sit in none. One who
    declared a conflict with the candidate is told it stands, as a holder is."""
    spec = workflow_of(selection).spec
    conflicts = {d.panelist: d.conflict for d in declarations}
    if conflicts.get(actor) is not None:
        # Their own conflict bars them: show the seat they were ready for, so the refusal says so.
        mine = next(a for a in alternates if a.panelist == actor)
        return _seat_for(candidate, mine.seat, mine.position, actor)
    pairs = tuple((s.seat, s.panelist) for s in seats)
    spare = tuple((a.seat, a.panelist) for a in alternates)
    _, _, swaps = sitting(spec, candidate.supervisor, pairs, spare, conflicts)
    for swap in swaps:
        if swap.sat == actor:
            position = next(s.position for s in seats if s.panelist == swap.holder)
            return _seat_for(candidate, swap.seat, position, actor)
    mine = next(a for a in alternates if a.panelist == actor)
    raise NotPermitted(
        f"{actor} is an alternate for the {mine.seat} seat of selection {candidate.selection_id} "
        f"and does not sit for candidate {candidate.id}: an alternate sits only for a candidate "
        "whose seat holder may not score them (their supervisor, or a declared conflict), in the "
        "order HR named the alternates"
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


def panel_view(*, session: Session, selection_id: int, actor: str) -> dict[str, Any]:
    actor_user(session, actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    return {
        "selection_id": selection_id,
        "seats": [
            {"seat": s.seat, "role": spec.panel.seats[s.seat].role, "panelist": s.panelist}
            for s in seats_of(session, selection_id)
        ],
        "alternates": [
            {"seat": a.seat, "order": a.position, "panelist": a.panelist}
            for a in alternates_of(session, selection_id)
        ],
        "excluded": spec.panel.excluded,
    }


def latest_card(
    session: Session, candidate_id: int, panelist: str, *, submitted: bool = False
) -> Scorecard | None:
    query = select(Scorecard).where(
        Scorecard.candidate_id == candidate_id, Scorecard.panelist == panelist
    )
    if submitted:
        query = query.where(Scorecard.status == "submitted")
    return session.exec(query.order_by(col(Scorecard.version).desc())).first()
