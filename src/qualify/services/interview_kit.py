"""What a panelist sees: the interviews they sit on, and one candidate's interview kit.

A panelist sees only the candidates they sit for while the panel interviews them (the rule of
`visibility`): name, rank, unit, the rubric, their own declaration and scorecard, and the other
panelists' submitted scores once their own is submitted. Any other candidate is "not found",
in the same words as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import NotPermitted, QualifyError
from qualify.services.panel import Declared, declare_choice
from qualify.services.scorecards import refuse_submission, score, scores_recorded
from qualify.store.frozen import workflow_of
from qualify.store.interviews import Interview, InterviewLoader, interview_of
from qualify.store.lookups import alternates_of, check_id, no_candidate, seats_of
from qualify.store.people import people
from qualify.store.permissions import actor_user
from qualify.store.schedules import Slot, newest_details, slot_of
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    PanelAlternate,
    PanelSeat,
    Scorecard,
    Selection,
    User,
)
from qualify.store.visibility import sits_for
from qualify.workflow.documents import local_date, local_time, weekday_date
from qualify.workflow.scoring import barred_reason
from qualify.workflow.spec import Workflow

STATUS_TEXT = {
    "declare": "declare conflicts",
    "conflict": "conflict declared",
    "barred": "may not score",
    "to_score": "to score",
    "draft": "draft",
    "submitted": "submitted",
}


@dataclass(frozen=True)
class Held:
    """When and where an interview takes place, as the pages word it (the selection's time
    zone, as the packets word dates)."""

    day: str  # Wednesday, January 20, 2027
    time: str  # 9:00 a.m. (EST)
    place: str
    at: datetime  # the moment itself, aware

    @property
    def text(self) -> str:
        return f"{self.day}, {self.time}, {self.place}"


def held_at(slot: Slot | None, spec: Workflow) -> Held | None:
    """The slot as the pages word it."""
    if slot is None:
        return None
    tz = spec.time_zone
    return Held(weekday_date(local_date(slot.at, tz)), local_time(slot.at, tz), slot.place, slot.at)


@dataclass(frozen=True)
class InterviewRow:
    """One candidate on a panelist's list."""

    candidate_id: int
    name: str
    rank: str
    unit: str
    selection_id: int
    selection_title: str
    seat: str
    status: str  # a key of STATUS_TEXT
    version: int = 0  # of the panelist's newest scorecard
    held: Held | None = None  # when and where the interview is, once HR has set it
    # Why the scorecards are closed (the interview's scores recorded), else None.
    closed: str | None = None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def _status(
    spec: Workflow,
    candidate: Candidate,
    actor: Actor,
    declared: ConflictDeclaration | None,
    card: Scorecard | None,
) -> str:
    if declared is not None and declared.conflict is not None:
        return "conflict"
    if barred_reason(spec, candidate.supervisor, actor.name, None):
        return "barred"
    if declared is None:
        return "declare"
    if card is None:
        return "to_score"
    return "draft" if card.status == "draft" else "submitted"


def _sits(
    session: Session,
    user: User,
    selection: Selection,
    candidate: Candidate,
    panel: tuple[list[PanelSeat], list[PanelAlternate]] | None = None,
) -> bool:
    """Whether the user sits for the candidate now: the panel interviews them, and the user
    holds a seat or sits in one for them as an alternate."""
    spec = workflow_of(selection).spec
    return candidate.state in spec.panel.scoring_states and sits_for(
        session, user, selection, candidate.id or 0, panel
    )


def my_interviews(*, session: Session, actor: Actor) -> list[InterviewRow]:
    """The candidates the actor sits for now, each with where their own scoring stands."""
    user = actor_user(session, actor)
    seated = {
        s.selection_id: s.seat
        for s in session.exec(select(PanelSeat).where(PanelSeat.panelist == actor.name))
    }
    for alternate in session.exec(
        select(PanelAlternate).where(PanelAlternate.panelist == actor.name)
    ):
        seated.setdefault(alternate.selection_id, alternate.seat)
    rows: list[InterviewRow] = []
    for selection_id in sorted(seated):
        selection = session.get(Selection, selection_id)
        assert selection is not None
        spec = workflow_of(selection).spec
        panel = seats_of(session, selection_id), alternates_of(session, selection_id)
        # Each candidate with when and where their interview is, in the same statement.
        found = session.exec(
            select(Candidate, newest_details(col(Candidate.id)))
            .where(
                Candidate.selection_id == selection_id,
                col(Candidate.state).in_(spec.panel.scoring_states),
            )
            .order_by(col(Candidate.id))
        ).all()
        slots = {c.id: slot_of(details) for c, details in found}
        candidates = [c for c, _ in found if _sits(session, user, selection, c, panel)]
        ids = [c.id for c in candidates]
        declared = {
            d.candidate_id: d
            for d in session.exec(
                select(ConflictDeclaration)
                .where(
                    col(ConflictDeclaration.candidate_id).in_(ids),
                    ConflictDeclaration.panelist == actor.name,
                )
                .order_by(col(ConflictDeclaration.id))
            )
        }
        cards = {
            c.candidate_id: c
            for c in session.exec(
                select(Scorecard)
                .where(col(Scorecard.candidate_id).in_(ids), Scorecard.panelist == actor.name)
                .order_by(col(Scorecard.version))
            )
        }
        for c in candidates:
            assert c.id is not None
            card = cards.get(c.id)
            rows.append(
                InterviewRow(
                    candidate_id=c.id,
                    name=c.name,
                    rank=c.rank,
                    unit=c.unit,
                    selection_id=selection_id,
                    selection_title=selection.title,
                    seat=seated[selection_id],
                    status=_status(spec, c, actor, declared.get(c.id), card),
                    version=card.version if card else 0,
                    held=held_at(slots.get(c.id), spec),
                )
            )
    return rows


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str
    weight: float
    anchors: list[tuple[int, str]]


@dataclass(frozen=True)
class Correction:
    """A submitted version after the first: why, and each value it changed (old, new)."""

    version: int
    reason: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class OtherCard:
    panelist: str  # as documents name them
    version: int
    scores: dict[str, int]


@dataclass(frozen=True)
class Kit:
    """One candidate's interview kit, for the panelist acting."""

    candidate_id: int
    name: str
    rank: str
    unit: str
    selection_title: str
    seat: str
    seat_label: str  # how the workflow names the seat ("Department Commander")
    scale: tuple[int, int]
    criteria: list[Criterion]
    status: str
    declared: bool  # the panelist has declared (no conflict, or one)
    conflict: str | None
    barred: str | None  # why the panelist may not score this candidate
    card: Scorecard | None  # the panelist's newest version
    corrections: list[Correction] = field(default_factory=list)
    # The other panelists' submitted scorecards; None until the panelist's own is submitted.
    others: list[OtherCard] | None = None
    held: Held | None = None  # when and where the interview is, once HR has set it
    # Why the scorecards are closed (the interview's scores recorded), else None.
    closed: str | None = None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def _seat_label(spec: Workflow, seat: str) -> str:
    """The seat's label, else the label of the role that holds it, else its id in words."""
    found = spec.panel.seats.get(seat)
    role = spec.roles.get(found.role) if found else None
    return (found.label if found else "") or (role.label if role else "") or seat.replace("_", " ")


def seated_interview(
    session: Session,
    candidate_id: int,
    actor: Actor,
    *,
    with_cards: bool = True,
    lock: bool = False,
    only_mine: bool = False,
) -> Interview:
    """The interview of a candidate the actor sits for while the panel interviews them (an
    `InterviewLoader`); any other candidate is "no candidate N", in the same words as one that
    does not exist."""
    check_id(candidate_id, "candidate")
    try:
        interview = interview_of(
            session, candidate_id, actor, with_cards=with_cards, lock=lock, only_mine=only_mine
        )
    except NotPermitted:  # no seat, or an alternate who does not sit for this candidate
        raise no_candidate(candidate_id) from None
    candidate = interview.candidate
    spec = workflow_of(interview.selection).spec
    if candidate.state not in spec.panel.scoring_states:
        raise no_candidate(candidate_id)
    return interview


def interview_kit(*, session: Session, candidate_id: int, actor: Actor) -> Kit:
    """The candidate's kit as the actor may see it; "no candidate N" unless they sit for the
    candidate while the panel interviews them."""
    return _kit_of(session, seated_interview(session, candidate_id, actor, only_mine=True), actor)


def _kit_of(session: Session, interview: Interview, actor: Actor) -> Kit:
    """The kit from the interview; read for the panelist's own work (not `whole`), the other
    panelists' submitted scorecards are read once the panelist's own is submitted."""
    candidate = interview.candidate
    selection = interview.selection
    spec = workflow_of(selection).spec
    declared = interview.declared(actor.name)
    card = interview.card(actor.name)
    mine = [c for c in interview.submitted() if c.panelist == actor.name]
    others = None
    if mine:
        names = people(session)
        latest: dict[str, Scorecard] = {}
        submitted = (
            interview.submitted() if interview.whole else submitted_cards(session, candidate.id)
        )
        for other in submitted:
            if other.panelist != actor.name:
                latest[other.panelist] = other
        others = [
            OtherCard(names.get(p, {"name": p})["name"], c.version, dict(c.scores))
            for p, c in sorted(latest.items())
        ]
    assert candidate.id is not None
    return Kit(
        candidate_id=candidate.id,
        name=candidate.name,
        rank=candidate.rank,
        unit=candidate.unit,
        selection_title=selection.title,
        seat=interview.seat.seat,
        seat_label=_seat_label(spec, interview.seat.seat),
        scale=(spec.rubric.scale_min, spec.rubric.scale_max),
        criteria=[
            Criterion(
                c.id,
                c.label,
                c.weight,
                sorted((int(level), text) for level, text in c.anchors.items()),
            )
            for c in spec.rubric.criteria
        ],
        status=_status(spec, candidate, actor, declared, card),
        declared=declared is not None,
        conflict=declared.conflict if declared else None,
        barred=barred_reason(
            spec, candidate.supervisor, actor.name, declared.conflict if declared else None
        ),
        card=card,
        corrections=_corrections(mine),
        others=others,
        held=held_at(interview.slot, spec),
        closed=scores_recorded(session, spec, interview, actor),
    )


def submitted_cards(session: Session, candidate_id: int | None) -> list[Scorecard]:
    """Every panelist's submitted scorecard versions on the candidate, oldest first."""
    return list(
        session.exec(
            select(Scorecard)
            .where(Scorecard.candidate_id == candidate_id, Scorecard.status == "submitted")
            .order_by(col(Scorecard.version), col(Scorecard.id))
        )
    )


def declare_conflict(
    *, session: Session, candidate_id: int, actor: Actor, declaration: str, description: str = ""
) -> Declared:
    """The panelist's declaration as the form makes it (`panel.declare_choice`), on a candidate
    they sit for."""
    return declare_choice(
        session=session,
        candidate_id=candidate_id,
        actor=actor,
        declaration=declaration,
        description=description,
        load=seated_interview,
    )


def save_scores(
    *,
    session: Session,
    candidate_id: int,
    actor: Actor,
    scores: dict[str, str],
    comments: dict[str, str],
    submit: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> Scorecard:
    """The panelist's draft, submission or correction (`scorecards.score`), on a candidate
    they sit for."""
    return score(
        session=session,
        candidate_id=candidate_id,
        actor=actor,
        scores=scores,
        comments=comments,
        submit=submit,
        reason=reason,
        now=now,
        load=seated_interview,
    )


def save_to_confirm(
    *,
    session: Session,
    candidate_id: int,
    actor: Actor,
    scores: dict[str, str],
    comments: dict[str, str],
    now: datetime | None = None,
) -> None:
    """The submission's first step: save what the form holds as the draft (if anything), then
    refuse what submitting it would refuse. The interview is read once, for both, and only the
    panelist's own part of it."""
    interview = seated_interview(session, candidate_id, actor, only_mine=True)
    if scores or comments:
        card = score(
            session=session,
            candidate_id=candidate_id,
            actor=actor,
            scores=scores,
            comments=comments,
            now=now,
            load=already_read(interview),
        )
        if card not in interview.cards:  # a first draft: a new scorecard
            interview = replace(interview, cards=[*interview.cards, card])
    refuse_submission(session, interview, actor, now)


def already_read(interview: Interview) -> InterviewLoader:
    """A loader that gives the interview this transaction has read already (as the first
    reader was asked: `submit_draft` reads it locked, as a submission needs)."""

    def load(
        session: Session,
        candidate_id: int,
        actor: Actor,
        *,
        with_cards: bool = True,
        lock: bool = False,
        only_mine: bool = False,
    ) -> Interview:
        assert interview.candidate.id == candidate_id
        return interview

    return load


@dataclass(frozen=True)
class Confirmation:
    """The confirmation step: the kit, whether there is a draft to confirm, and why submitting
    it would be refused (None: it would not)."""

    kit: Kit
    draft: bool
    refusal: QualifyError | None


def to_confirm(
    *, session: Session, candidate_id: int, actor: Actor, now: datetime | None = None
) -> Confirmation:
    """The kit with the saved draft to confirm, checked as submitting it would check it."""
    interview = seated_interview(session, candidate_id, actor, only_mine=True)
    kit = _kit_of(session, interview, actor)
    if kit.card is None or kit.card.status != "draft":
        return Confirmation(kit, draft=False, refusal=None)
    try:
        refuse_submission(session, interview, actor, now)
    except QualifyError as exc:
        return Confirmation(kit, draft=True, refusal=exc)
    return Confirmation(kit, draft=True, refusal=None)


def submit_draft(
    *, session: Session, candidate_id: int, actor: Actor, now: datetime | None = None
) -> bool:
    """Submit the panelist's saved draft; False, changing nothing, when their scorecard is
    submitted already (the confirmation sent again: Back, or a reload). The interview is read
    once, locked as a submission reads it."""
    interview = seated_interview(session, candidate_id, actor, lock=True)
    latest = interview.card(actor.name)
    if latest is not None and latest.status == "submitted":
        return False
    score(
        session=session,
        candidate_id=candidate_id,
        actor=actor,
        scores={},
        comments={},
        submit=True,
        now=now,
        load=already_read(interview),
    )
    return True


def _corrections(mine: list[Scorecard]) -> list[Correction]:
    """Each of the panelist's corrections, with the values it changed."""
    found = []
    for before, after in pairwise(mine):
        changes: dict[str, tuple[Any, Any]] = {}
        for key in sorted({*before.scores, *after.scores}):
            if before.scores.get(key) != after.scores.get(key):
                changes[key] = (before.scores.get(key), after.scores.get(key))
        for key in sorted({*before.comments, *after.comments}):
            if before.comments.get(key, "") != after.comments.get(key, ""):
                changes[f"comment on {key}"] = (
                    before.comments.get(key, ""),
                    after.comments.get(key, ""),
                )
        found.append(Correction(after.version, after.reason or "", changes))
    return found
