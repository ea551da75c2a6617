"""The interview panel: seats and conflict-of-interest declarations."""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete
from sqlmodel import Session, col, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, Problem, RuleViolation
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.closed import hold_open
from qualify.store.eligible_list import decided_words
from qualify.store.frozen import workflow_of
from qualify.store.interviews import InterviewLoader, interview_of, scoring_has_begun
from qualify.store.lookups import alternates_of, get_selection, seats_of
from qualify.store.permissions import actor_user, role_for
from qualify.store.rows import claim, insert_row
from qualify.store.stored_results import refresh_results, store_results
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    PanelAlternate,
    PanelSeat,
    User,
)
from qualify.store.visibility import candidate_words
from qualify.suggest import suggest
from qualify.workflow.moves import and_list
from qualify.workflow.scoring import NO_ALTERNATE, barred_words, sitting
from qualify.workflow.spec import Workflow


def assign_panel(
    *,
    session: Session,
    selection_id: int,
    seats: list[tuple[str, str]],
    actor: Actor,
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
    # Closing the selection holds it too: a panel never lands in a selection being closed.
    hold_open(session, selection)
    problems: list[Problem] = []
    by_seat: dict[str, list[str]] = defaultdict(list)
    spare: dict[str, list[str]] = defaultdict(list)
    named = [("seats", seat, user) for seat, user in seats]
    named += [("alternates", seat, user) for seat, user in alternates or []]
    # A seat mistyped (`comander`) is one problem: the seat it was meant for is not also short.
    meant: set[str] = set()
    for option, seat, user in named:
        if seat not in spec.panel.seats:
            if option == "seats":
                meant.update(difflib.get_close_matches(seat, list(spec.panel.seats), n=1))
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
        if len(given) != declared.count and not (seat in meant and len(given) < declared.count):
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
                            f"{users[user].display_name} does not hold the role "
                            f"{spec.roles[declared.role].label}",
                            option,
                            f"{seat}={user}",
                        )
                    )
    everyone = [u for _, _, u in named]
    for user in sorted({u for u in everyone if everyone.count(u) > 1}):
        times = Counter((option, seat) for option, seat, u in named if u == user)
        places = [
            f"{'an alternate for ' if option == 'alternates' else ''}the "
            f"{_seat_words(spec, seat)} seat"
            + ("" if n == 1 else " twice" if n == 2 else f" {n} times")
            for (option, seat), n in times.items()
        ]
        who = users[user].display_name if user in users else user
        problems.append(
            Problem(
                f"{who} is named more than once ({and_list(places)}); one person holds one "
                "seat or is one alternate",
                "seats",
            )
        )
    if problems:
        raise BadInput(problems=problems)
    previous_rows = seats_of(session, selection_id)
    previous = [(s.seat, s.panelist) for s in previous_rows]
    if previous:
        # The panel's scorecards are what the eligible list ranks by: once decided, it stays.
        decided = decided_words(session, selection)
        if decided is not None:
            raise RuleViolation(
                f"cannot change the panel of selection {selection_id}: it has been decided; "
                f"{decided}, so its ranking is the eligible list the letters cite, and the "
                "panel's scorecards rank it"
            )
    previous_alternates = [(a.seat, a.panelist) for a in alternates_of(session, selection_id)]
    reason = (reason or "").strip() or None
    limits.check("reason", reason, limits.REASON)
    if previous and scoring_has_begun(session, selection_id) and reason is None:
        raise BadInput("scoring has begun, so changing the panel needs a reason", field="reason")
    session.execute(delete(PanelSeat).where(PanelSeat.selection_id == selection_id))  # type: ignore[arg-type]
    session.execute(
        delete(PanelAlternate).where(PanelAlternate.selection_id == selection_id)  # type: ignore[arg-type]
    )
    rows = _placed(PanelSeat, spec.panel.seats, by_seat, selection_id, at, actor.name)
    spares = _placed(PanelAlternate, spec.panel.seats, spare, selection_id, at, actor.name)
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


Placed = TypeVar("Placed", PanelSeat, PanelAlternate)


def _placed(
    table: type[Placed],
    seats: Iterable[str],
    names: dict[str, list[str]],
    selection_id: int,
    at: datetime,
    by: str,
) -> list[Placed]:
    """Seat holders or alternates as rows: each seat's people, in the order given."""
    return [
        table(
            selection_id=selection_id,
            seat=seat,
            position=i,
            panelist=user,
            assigned_at=at,
            assigned_by=by,
        )
        for seat in seats
        for i, user in enumerate(names[seat], start=1)
    ]


def _seat_words(spec: Workflow, seat: str) -> str:
    """A seat by its label in the workflow (a seat the workflow does not declare by its name)."""
    declared = spec.panel.seats.get(seat)
    return (declared.label if declared else "") or seat.replace("_", " ")


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
    names = {u.name: u.display_name for u in session.exec(select(User))}

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
        who = candidate.name
        for swap in swaps:
            if swap.holder == candidate.supervisor:
                warnings.append(
                    f"{names.get(swap.holder, swap.holder)} supervises {who}: the alternate "
                    f"{names.get(swap.sat, swap.sat)} sits in the "
                    f"{_seat_words(spec, swap.seat)} seat for them"
                )
        if candidate.supervisor in barred:
            why = barred_words(barred[candidate.supervisor], names)
            _, found, tried = why.rpartition(NO_ALTERNATE)
            alternates_note = NO_ALTERNATE[2:] + tried if found else "no alternate is named"
            warnings.append(
                f"{names.get(candidate.supervisor, candidate.supervisor)} supervises {who} and "
                f"may not score them: {alternates_note}; the panel will be incomplete for them"
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
    actor: Actor,
    conflict: str | None = None,
    now: datetime | None = None,
    load: InterviewLoader = interview_of,
) -> Declared:
    """A panelist declares no conflict of interest with a candidate, or declares one. Repeating
    the standing declaration writes nothing (no record, no audit event). `load` reads the
    interview (`interview_of`, unless the caller refuses more, as the portal does)."""
    at = now or utcnow()
    conflict = conflict.strip() if conflict is not None else None
    limits.check("conflict", conflict, limits.CONFLICT)
    if conflict == "":
        raise BadInput("describe the conflict of interest", field="conflict")
    # Scorecards matter only to a conflict: with none declared, nobody can have scored yet.
    # Declarations on a candidate are made one at a time (the candidate's row is locked until
    # this one commits), so a conflict is never followed by a "no conflict" that did not see it.
    interview = load(session, candidate_id, actor, with_cards=conflict is not None, lock=True)
    candidate = interview.candidate
    latest = interview.declared(actor.name)
    if latest is not None and latest.conflict is not None and conflict is None:
        user = actor_user(session, actor)
        who = candidate_words(session, user, candidate, interview.selection)
        raise RuleViolation(
            f"{user.display_name} declared a conflict with {who} ({latest.conflict}); "
            "it stands: ask HR to change the panel"
        )
    if latest is not None and latest.conflict == conflict:
        # The same declaration again changes nothing, so it records nothing.
        session.rollback()
        return Declared(latest, changed=False)
    if conflict is not None and interview.card(actor.name, submitted=True):
        user = actor_user(session, actor)
        who = candidate_words(session, user, candidate, interview.selection)
        raise RuleViolation(
            f"{user.display_name} already submitted a scorecard for {who}; "
            "ask HR to change the panel, with a reason"
        )
    if conflict is not None:
        # A conflict bars the panelist: the interview guards and the stored result change, so
        # the candidate changes, and of two people changing it at once the second stops here.
        claim(session, candidate)
    record = ConflictDeclaration(
        candidate_id=candidate_id, panelist=actor.name, conflict=conflict, at=at
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
            actor.name,
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
    actor: Actor,
    declaration: str,
    description: str = "",
    now: datetime | None = None,
    load: InterviewLoader = interview_of,
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
        )
    if choice == "none" and described:
        raise BadInput(
            "you chose no conflict of interest but described one; choose that you have a "
            "conflict of interest, or clear the description. Nothing was recorded",
            field="conflict",
        )
    return declare(
        session=session,
        candidate_id=candidate_id,
        actor=actor,
        conflict=described if choice == "conflict" else None,
        now=now,
        load=load,
    )


def panel_view(*, session: Session, selection_id: int, actor: Actor) -> dict[str, Any]:
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
