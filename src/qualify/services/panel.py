"""The interview panel: seats and conflict-of-interest declarations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from qualify import limits
from qualify.errors import BadInput, NotPermitted, RuleViolation
from qualify.services import audit
from qualify.services.access import (
    actor_user,
    claim,
    get_selection,
    insert_row,
    no_candidate,
    role_for,
    seats_of,
    utcnow,
    workflow_of,
)
from qualify.services.results import panel_input, refresh_results, store_results
from qualify.store.tables import Attestation, Candidate, PanelSeat, Scorecard, User
from qualify.workflow.loader import suggest
from qualify.workflow.scoring import PanelInput
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
) -> list[PanelSeat]:
    """Fill every seat the workflow declares; once scoring began, a change needs a reason."""
    at = now or utcnow()
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    role = role_for(actor_user(session, actor), spec.permissions.manage_panel, "assign the panel")
    problems = []
    by_seat: dict[str, list[str]] = defaultdict(list)
    for seat, user in seats:
        if seat not in spec.panel.seats:
            problems.append(
                f"--seat {seat}={user}: no seat '{seat}'{suggest(seat, spec.panel.seats)} "
                f"(seats: {', '.join(spec.panel.seats)})"
            )
            continue
        by_seat[seat].append(user)
    users = {u.name: u for u in session.exec(select(User))}
    for seat, declared in spec.panel.seats.items():
        given = by_seat.get(seat, [])
        if len(given) != declared.count:
            problems.append(f"--seat {seat}: the workflow has {declared.count}, {len(given)} given")
        for user in given:
            if user not in users:
                problems.append(f"--seat {seat}={user}: '{user}' is not a registered user")
            elif declared.role not in users[user].roles:
                problems.append(
                    f"--seat {seat}={user}: {user} does not hold the role {declared.role}"
                )
    everyone = [u for _, u in seats]
    for user in sorted({u for u in everyone if everyone.count(u) > 1}):
        problems.append(f"--seat: {user} is named more than once; one person holds one seat")
    if problems:
        raise BadInput("\n".join(problems))
    previous_rows = seats_of(session, selection_id)
    previous = [(s.seat, s.panelist) for s in previous_rows]
    reason = (reason or "").strip() or None
    limits.check("reason", reason, limits.REASON)
    if previous and scoring_has_begun(session, selection_id) and reason is None:
        raise BadInput("--reason: scoring has begun, so changing the panel needs a reason")
    session.execute(delete(PanelSeat).where(PanelSeat.selection_id == selection_id))  # type: ignore[arg-type]
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
    session.add_all(rows)
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
        },
        removed=[f"panel_seat:{s.id}" for s in previous_rows],
    )
    refresh_results(session, selection)  # every stored result names the seats
    session.commit()
    return rows


@dataclass(frozen=True)
class Declared:
    """A panelist's standing declaration, and whether this call recorded it."""

    record: Attestation
    changed: bool


def attest(
    *,
    session: Session,
    candidate_id: int,
    actor: str,
    conflict: str | None = None,
    now: datetime | None = None,
) -> Declared:
    """A panelist declares no conflict of interest with a candidate, or declares one. Repeating
    the standing declaration writes nothing (no record, no audit event)."""
    at = now or utcnow()
    conflict = conflict.strip() if conflict is not None else None
    limits.check("conflict", conflict, limits.CONFLICT)
    if conflict == "":
        raise BadInput("--conflict: describe the conflict of interest")
    # Scorecards matter only to a conflict: with none declared, nobody can have scored yet.
    interview = interview_of(session, candidate_id, actor, with_cards=conflict is not None)
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
    record = Attestation(candidate_id=candidate_id, panelist=actor, conflict=conflict, at=at)
    insert_row(session, record)
    audit.record(
        session,
        actor=actor,
        role=interview.seat.seat,
        action="conflict_declared" if conflict else "no_conflict_declared",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=candidate.selection_id,
        candidate_id=candidate_id,
        details={"conflict": conflict},
    )
    # A conflict bars the panelist, which changes the result. The first declaration on a
    # candidate makes them one the panel has met, with a stored result from then on; later
    # declarations of no conflict change nothing.
    if conflict is not None or not interview.declarations:
        selection = get_selection(session, candidate.selection_id)
        declared = replace(interview, declarations=[*interview.declarations, record])
        store_results(
            session,
            selection,
            [declared.panel_input(workflow_of(selection).spec, interview.submitted())],
            overwrite=conflict is not None,
        )
    session.commit()
    return Declared(record, changed=True)


@dataclass(frozen=True)
class Interview:
    """One candidate's interview records, read for a panelist acting on them."""

    candidate: Candidate
    seat: PanelSeat  # the acting panelist's
    seats: list[PanelSeat]
    declarations: list[Attestation]  # in the order made
    cards: list[Scorecard]  # every panelist's, every version, oldest first

    def declared(self, panelist: str) -> Attestation | None:
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
            spec, (c.id, c.employee_id, c.supervisor), seats, self.declarations, submitted
        )


def interview_of(
    session: Session, candidate_id: int, actor: str, *, with_cards: bool = True
) -> Interview:
    """The candidate, its panel and the actor's seat on it, its declarations and (unless not
    needed) its scorecards, in three queries. Only registered users are seated and users are
    never removed, so the user is looked up only to explain a refusal."""
    found = session.exec(
        select(Candidate, PanelSeat)
        .outerjoin(PanelSeat, col(PanelSeat.selection_id) == col(Candidate.selection_id))
        .where(Candidate.id == candidate_id)
        .order_by(col(PanelSeat.seat), col(PanelSeat.position))
        # The version as stored now, even if this session loaded the candidate before: the
        # optimistic lock compares against it.
        .execution_options(populate_existing=True)
    ).all()
    if not found:
        raise no_candidate(candidate_id)
    candidate = found[0][0]
    seats = [s for _, s in found if s is not None]
    seat = next((s for s in seats if s.panelist == actor), None)
    if seat is None:
        actor_user(session, actor)
        raise NotPermitted(
            f"{actor} holds no seat on the panel of selection {candidate.selection_id}"
        )
    declarations = session.exec(
        select(Attestation)
        .where(Attestation.candidate_id == candidate_id)
        .order_by(col(Attestation.id))
    ).all()
    cards = (
        session.exec(
            select(Scorecard)
            .where(Scorecard.candidate_id == candidate_id)
            .order_by(col(Scorecard.version), col(Scorecard.id))
        ).all()
        if with_cards
        else []
    )
    return Interview(candidate, seat, seats, list(declarations), list(cards))


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
