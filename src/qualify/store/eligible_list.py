"""The eligible list: when a selection's ranking became one, until when it can be used, who is
next on it, and the refusal to add candidates once it is decided. A trigger marked
`eligible_list` (recall) uses it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from qualify import limits
from qualify.errors import BadInput, RuleViolation, Step
from qualify.store import audit
from qualify.store.frozen import workflow_of
from qualify.store.scores import ranking
from qualify.store.tables import AuditEvent, Candidate, Selection, User
from qualify.workflow.documents import local_date, long_date
from qualify.workflow.eligible_list import EligibleList, list_decisions
from qualify.workflow.moves import and_list, refused
from qualify.workflow.scoring import CandidateResult
from qualify.workflow.spec import TransitionSpec, Workflow


def eligible_list(
    session: Session, selection: Selection, spec: Workflow, *, up_to: int | None = None
) -> EligibleList | None:
    """The selection's eligible list, or None before the selection decision (or when the
    workflow keeps none); as it stood at audit event `up_to`, when given. The clock starts on
    the day, in the selection's time zone, of the first decision that put an officer in the
    state a recall leads to (the Chief's `select`); recalls themselves never restart it."""
    months = spec.eligible_list_months
    recalls = [t for t in spec.transitions if t.eligible_list]
    if months is None or not recalls:
        return None
    dests = {t.dest for t in recalls}
    decisions = {t.trigger for t in spec.transitions if t.dest in dests and not t.eligible_list}
    query = select(AuditEvent).where(
        AuditEvent.selection_id == selection.id, AuditEvent.action == "state_changed"
    )
    if up_to is not None:
        query = query.where(col(AuditEvent.id) <= up_to)
    events = session.exec(query.order_by(col(AuditEvent.id)))
    for event in events:
        if json.loads(event.details).get("trigger") in decisions:
            return EligibleList.from_decision(local_date(event.at, spec.time_zone), months)
    return None


def first_decision(session: Session, selection: Selection, spec: Workflow) -> AuditEvent | None:
    """The selection's first decision on its eligible list (see `list_decisions`), or None."""
    triggers = list_decisions(spec)
    if not triggers:
        return None
    # Narrowed in SQL by the trigger's text in the stored details (audit.canonical writes
    # `"trigger":"select"`), then read: a selection has many state changes, few decisions.
    said = [
        col(AuditEvent.details).contains(audit.canonical({"trigger": t})[1:-1], autoescape=True)
        for t in sorted(triggers)
    ]
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.selection_id == selection.id,
            AuditEvent.action == "state_changed",
            or_(*said),
        )
        .order_by(col(AuditEvent.id))
    )
    for event in session.exec(query):
        if json.loads(event.details).get("trigger") in triggers:
            return event
    return None


def decided_words(session: Session, selection: Selection) -> str | None:
    """How the selection was decided, when it was: `on 15 January 2027 Michael Walsh (Chief of
    Police) recorded "Select the officer as School Resource Officer" for Dana Whitfield`; None
    before its first decision on the eligible list."""
    spec = workflow_of(selection).spec
    decided = first_decision(session, selection, spec)
    if decided is None:
        return None
    trigger = json.loads(decided.details).get("trigger")
    transition = next(t for t in spec.transitions if t.trigger == trigger)
    candidate = session.get(Candidate, decided.candidate_id) if decided.candidate_id else None
    name = candidate.name if candidate is not None else f"candidate {decided.candidate_id}"
    day = long_date(local_date(decided.at, spec.time_zone))
    user = session.exec(select(User).where(User.name == decided.actor)).first()
    role = spec.roles.get(decided.role)
    who = user.display_name if user is not None else decided.actor
    who += f" ({role.label})" if role is not None else ""
    return f'on {day} {who} recorded "{transition.label_for(name)}" for {name}'


def refuse_if_decided(session: Session, selection: Selection, doing: str) -> None:
    """Refuse `doing` (adding candidates) once the selection is decided: its ranking is the
    eligible list, and the letters sent state each officer's rank on it, so a candidate added
    now and interviewed would make them untrue."""
    decided = decided_words(session, selection)
    if decided is not None:
        raise RuleViolation(
            f"cannot {doing} selection {selection.id}: it has been decided; {decided}, so its "
            "ranking is the eligible list the letters cite; open a new selection for more "
            "candidates"
        )


@dataclass(frozen=True)
class RecallOrder:
    """Where a recall stands on the eligible list: the list, the passing officers waiting in
    its source state by rank, and the recalled officer's place among them."""

    listed: EligibleList
    order: list[CandidateResult]
    position: int


def recall_order(
    session: Session,
    *,
    selection: Selection,
    transition: TransitionSpec,
    candidate: Candidate,
    at: datetime,
) -> RecallOrder:
    """Refuse a recall before the eligible list exists, after it expired, or of an officer who
    did not pass the interview; else say where the officer stands on it."""
    spec = workflow_of(selection).spec
    doing = refused(transition, candidate.name)
    listed = eligible_list(session, selection, spec)
    if listed is None:
        raise RuleViolation(
            f"{doing}: selection {selection.id} has no eligible list yet; it starts on the day "
            "of the selection decision"
        )
    today = local_date(at, spec.time_zone)
    if not listed.valid_on(today):
        raise RuleViolation(
            f"{doing}: the eligible list of selection {selection.id} expired on "
            f"{long_date(listed.expires)} ({spec.eligible_list_months} months from the selection "
            f"decision on {long_date(listed.established)}); its last valid day was "
            f"{long_date(listed.last_valid_day)}"
        )
    waiting = set(
        session.exec(
            select(Candidate.id).where(
                Candidate.selection_id == selection.id,
                col(Candidate.state).in_(transition.source),
            )
        )
    )
    order = [r for r in ranking(session, selection) if r.passed and r.candidate_id in waiting]
    position = next((i for i, r in enumerate(order) if r.candidate_id == candidate.id), None)
    if position is None:
        raise RuleViolation(f"{doing}: the officer did not pass the interview")
    return RecallOrder(listed, order, position)


def recall_details(
    session: Session,
    *,
    selection: Selection,
    spec: Workflow,
    transition: TransitionSpec,
    candidate: Candidate,
    at: datetime,
    skip_reason: str | None,
) -> dict[str, Any]:
    """What the audit event of a recall records; refuse it after the list expired, before it
    exists, or out of rank order without a reason to skip the officers ranked above."""
    limits.check("skip_reason", skip_reason, limits.REASON)
    skip = " ".join((skip_reason or "").split())
    doing = refused(transition, candidate.name)
    where = recall_order(
        session=session, selection=selection, transition=transition, candidate=candidate, at=at
    )
    listed, order, position = where.listed, where.order, where.position
    above = [r.candidate_id for r in order[:position]]
    if above and not skip:
        first = order[0]
        names = {c.id: c.name for c in (session.get(Candidate, cid) for cid in above) if c}
        one = len(above) == 1
        raise RuleViolation(
            f"{doing}: the next officer on the eligible list is {names.get(first.candidate_id)} "
            f"(rank {first.rank}); recall that officer, or say why "
            f"{and_list([names.get(cid, '') for cid in above])} {'is' if one else 'are'} "
            "passed over",
            step=Step("give_skip_reason"),
        )
    if skip and not above:
        raise BadInput(
            f"{candidate.name} is next on the eligible list; nobody is passed over",
            field="skip_reason",
        )
    return {
        "eligible_list": {
            "established": listed.established.isoformat(),
            "expires": listed.expires.isoformat(),
            "rank": order[position].rank,
        }
    } | ({"passed_over": above, "skip_reason": skip} if above else {})
