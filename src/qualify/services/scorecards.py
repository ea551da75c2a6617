"""Scorecards: drafts that may change, submissions that are locked, corrections as new versions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, NotPermitted, Problem, RuleViolation, Step
from qualify.packets.people import People
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.interviews import Interview, InterviewLoader, interview_of
from qualify.store.permissions import actor_user
from qualify.store.rows import changed_by_someone_else, claim, insert_row
from qualify.store.schedules import too_early
from qualify.store.stored_results import store_results
from qualify.store.tables import AuditEvent, Candidate, Scorecard
from qualify.store.visibility import candidate_words
from qualify.suggest import suggest
from qualify.workflow.documents import local_date, long_date, weekday_time
from qualify.workflow.moves import and_list
from qualify.workflow.scoring import barred_reason
from qualify.workflow.spec import Workflow

SUBMIT_REFUSED = "nothing was saved"  # `score`: the refusal comes before anything is written
DRAFT_KEPT = "your draft is saved, not submitted"  # `check_submission`, after a save
DRAFT_ONLY = "your scores can be saved as a draft until then"  # `may_score`, before a draft


def _parse_scores(spec: Workflow, values: dict[str, str]) -> tuple[dict[str, int], list[Problem]]:
    """The scores that are whole numbers on the scale of a criterion of the rubric, and a
    problem for each one that is not."""
    rubric = spec.rubric
    ids = [c.id for c in rubric.criteria]
    scores, problems = {}, []
    for key, text in values.items():
        if key not in ids:
            problems.append(
                Problem(
                    f"unknown criterion{suggest(key, ids)} (criteria: {', '.join(ids)})",
                    f"scores.{key}",
                    key,
                )
            )
            continue
        try:
            score = int(text)
        except ValueError:
            problems.append(Problem("not a whole number", f"scores.{key}", f"{key}={text}"))
            continue
        if not rubric.scale_min <= score <= rubric.scale_max:
            problems.append(
                Problem(
                    f"off the scale {rubric.scale_min}-{rubric.scale_max}",
                    f"scores.{key}",
                    f"{key}={score}",
                )
            )
            continue
        scores[key] = score
    return scores, problems


def _text_problems(spec: Workflow, comments: dict[str, str], reason: str | None) -> list[Problem]:
    """A problem for each comment on a criterion the rubric does not have, and for each
    comment or reason that is too long."""
    problems = [
        Problem("unknown criterion", f"comments.{key}", key)
        for key in comments
        if spec.criterion(key) is None
    ]
    for field, text, limit, shown in [
        ("reason", reason, limits.REASON, None),
        *((f"comments.{c}", comment, limits.COMMENT, c) for c, comment in comments.items()),
    ]:
        try:
            limits.check(field, text, limit, shown=shown)
        except BadInput as exc:
            problems.extend(exc.problems_found)
    return problems


def _written(comments: dict[str, str]) -> dict[str, str]:
    """The comments a card keeps: a blank one (the portal sends every comment box, typed in or
    not) is no comment, and one cleared to blank is removed."""
    return {criterion: text for criterion, text in comments.items() if text.strip()}


def score(
    *,
    session: Session,
    candidate_id: int,
    actor: Actor,
    scores: dict[str, str],
    comments: dict[str, str],
    submit: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
    load: InterviewLoader = interview_of,
) -> Scorecard:
    """Save a draft scorecard, submit it (then it is locked), or correct a submitted one.
    `load` reads the interview (the portal's reader refuses more, see `panel.declare`)."""
    at = now or utcnow()
    # A submission changes the candidate (its interview result): submissions on a candidate
    # are made one at a time (its row stays locked until this one commits), so panelists
    # submitting at the same moment all succeed, each on what the one before wrote.
    # A draft reads only the panelist's own declaration and scorecards.
    interview = load(session, candidate_id, actor, lock=submit, only_mine=not submit)
    candidate, seat = interview.candidate, interview.seat
    selection = interview.selection
    spec = workflow_of(selection).spec
    _check_may_score(session, spec, interview, actor)
    reason = (reason or "").strip() or None
    # Every problem of what was given is named at once, then (for a submission) every
    # criterion still to score or to explain, before anything is written.
    parsed, problems = _parse_scores(spec, scores)
    problems += _text_problems(spec, comments, reason)
    latest = interview.card(actor.name)
    assert candidate.id is not None
    if submit and (latest is None or latest.status == "draft" or reason is not None):
        problems += _incomplete(
            spec,
            {**latest.scores, **parsed} if latest else parsed,
            {**latest.comments, **comments} if latest else comments,
            named={p.field for p in problems},
        )
    if problems:
        raise BadInput(problems=problems, hint=SUBMIT_REFUSED if submit else None)
    if submit:
        _refuse_before_interview(spec, interview, at)
    if latest is not None and latest.status == "draft":
        card = latest
        card.scores = {**card.scores, **parsed}
        card.comments = _written({**card.comments, **comments})
        session.flush()
        if submit:
            _lock_draft(session, card, candidate, at)
    else:
        if latest is not None and (not submit or reason is None):
            raise RuleViolation(_locked(session, interview, actor), step=Step("correct_scorecard"))
        # A first scorecard, or a correction: a new version (a correction is submitted at once).
        card = Scorecard(
            candidate_id=candidate_id,
            panelist=actor.name,
            seat=seat.seat,
            version=latest.version + 1 if latest else 1,
            status="submitted" if submit else "draft",
            scores={**latest.scores, **parsed} if latest else parsed,
            comments=_written({**latest.comments, **comments} if latest else comments),
            reason=reason if latest else None,
            created_at=at,
            submitted_at=at if submit else None,
        )
        if submit:
            # The interview guards read submissions, so a submission changes the candidate too;
            # of two people submitting at once, the second stops here.
            claim(session, candidate)
        insert_row(session, card)
    if submit:
        _record_submission(session, actor, candidate, card, seat.seat, at)
        # A draft changes no result; a submission does (the candidate's row exists already,
        # written when the panelist declared).
        earlier = [c for c in interview.submitted() if c is not card]
        store_results(session, selection, [interview.panel_input(spec, [*earlier, card])])
    session.commit()
    return card


def _words(session: Session, interview: Interview, actor: Actor) -> tuple[str, str]:
    """The panelist and the candidate as a refusal names them: the panelist by display name,
    the candidate by name where the panelist may see them, else by the id asked for."""
    user = actor_user(session, actor)
    return user.display_name, candidate_words(
        session, user, interview.candidate, interview.selection
    )


def _locked(session: Session, interview: Interview, actor: Actor) -> str:
    panelist, candidate = _words(session, interview, actor)
    return (
        f"{panelist}'s scorecard for {candidate} is submitted and locked; a correction is a "
        "new version"
    )


def _check_may_score(session: Session, spec: Workflow, interview: Interview, actor: Actor) -> None:
    """Refuse unless the candidate is being interviewed and the actor, who holds a seat, has
    declared no conflict and is not barred."""
    candidate = interview.candidate
    if candidate.state not in spec.panel.scoring_states:
        _, who = _words(session, interview, actor)
        state = spec.states[candidate.state].label if candidate.state in spec.states else ""
        taken = " or ".join(spec.states[s].label for s in spec.panel.scoring_states)
        raise RuleViolation(
            f"{who} is at {state or candidate.state}; scorecards are taken at {taken}"
        )
    closed = scores_recorded(session, spec, interview, actor)
    if closed is not None:
        raise RuleViolation(closed)
    declared = interview.declared(actor.name)
    barred = barred_reason(
        spec, candidate.supervisor, actor.name, declared.conflict if declared else None
    )
    if barred:
        panelist, who = _words(session, interview, actor)
        raise NotPermitted(f"{panelist} may not score {who}: {panelist} {barred}")
    if declared is None:
        panelist, who = _words(session, interview, actor)
        raise RuleViolation(
            f"{panelist} must first declare any conflict of interest with {who}",
            step=Step("declare_conflicts", str(candidate.id)),
        )


def scores_recorded(
    session: Session, spec: Workflow, interview: Interview, actor: Actor
) -> str | None:
    """Why no scorecard may change any more, or None: the interview was closed and its scores
    recorded (SRO: record_scores, which prints the panel results packet). A correction after
    that would make the printed results untrue and could reorder officers already decided, so
    the recorded results stand; the people who decide from them are told instead."""
    candidate = interview.candidate
    if candidate.state not in spec.scores_recorded_states():
        return None
    closing = {t.trigger for t in spec.transitions if spec.closes_interview(t)}
    event = next(
        (
            e
            for e in session.exec(
                select(AuditEvent)
                .where(
                    AuditEvent.candidate_id == candidate.id,
                    AuditEvent.action == "state_changed",
                    AuditEvent.outcome == "ok",
                )
                .order_by(col(AuditEvent.id).desc())
            )
            if json.loads(e.details).get("trigger") in closing
        ),
        None,
    )
    _, who = _words(session, interview, actor)
    when = ""
    if event is not None:
        names = People(session, spec)
        when = (
            f" on {long_date(local_date(event.at, spec.time_zone))} by "
            f"{names.named(event.actor, event.role)}"
        )
    titles = [
        spec.packet_kinds[p].title if p in spec.packet_kinds else p
        for p in spec.packets.get(candidate.state, [])
    ]
    printed = (
        f"{',' if when else ''} and printed in the {and_list(titles)} packet" if titles else ""
    )
    deciders = sorted(
        {
            r
            for t in spec.triggers_from(candidate.state)
            if not spec.states[t.dest].final and not spec.closes_interview(t)
            for r in t.roles
        }
    )
    tell = and_list([spec.roles[r].label if r in spec.roles else r for r in deciders])
    instead = (
        f"; if a score {'on it ' if titles else ''}is wrong, tell the {tell} in writing before "
        "the decision"
        if tell
        else ""
    )
    return (
        f"{who}'s interview scores were recorded{when}{printed}; the scorecards are closed, so "
        f"a correction cannot change those results{instead}"
    )


def _refuse_before_interview(
    spec: Workflow, interview: Interview, at: datetime, hint: str = SUBMIT_REFUSED
) -> None:
    """Refuse a submission made before the candidate's interview as scheduled: scores record
    what the panelist saw and heard in it. A draft may be saved at any time; with no time
    scheduled, nothing is refused."""
    slot = interview.slot
    if slot is not None and too_early(slot, at):
        raise RuleViolation(
            # By name: only a panelist who sits for the candidate gets this far.
            f"{interview.candidate.name}'s interview is scheduled for "
            f"{weekday_time(slot.at, spec.time_zone)}; a scorecard is submitted after the "
            f"interview, not before (now {weekday_time(at, spec.time_zone)})",
            hint=hint,
        )


def may_score(
    *,
    session: Session,
    candidate_id: int,
    actor: Actor,
    reason: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Refuse, before anyone types a score, what `score` would refuse whatever the scores: no
    seat, not declared, barred, not in a scoring state, or a locked scorecard with no reason
    for a correction. Before the interview as scheduled, say why the scores can only be saved
    as a draft for now (None: they may be submitted)."""
    interview = interview_of(session, candidate_id, actor)
    spec = workflow_of(interview.selection).spec
    _check_may_score(session, spec, interview, actor)
    latest = interview.card(actor.name)
    if latest is not None and latest.status == "submitted" and not (reason or "").strip():
        raise RuleViolation(_locked(session, interview, actor), step=Step("give_correction_reason"))
    try:
        _refuse_before_interview(spec, interview, now or utcnow(), hint=DRAFT_ONLY)
    except RuleViolation as early:
        return str(early)
    return None


def check_submission(
    *, session: Session, candidate_id: int, actor: Actor, load: InterviewLoader = interview_of
) -> None:
    """Refuse, before a confirmation step, what submitting the actor's saved draft would
    refuse (with the same words); change nothing."""
    refuse_submission(session, load(session, candidate_id, actor), actor)


def refuse_submission(
    session: Session, interview: Interview, actor: Actor, now: datetime | None = None
) -> None:
    """Refuse what submitting the actor's saved draft in this interview would refuse."""
    spec = workflow_of(interview.selection).spec
    _check_may_score(session, spec, interview, actor)
    latest = interview.card(actor.name)
    if latest is None or latest.status != "draft":
        panelist, who = _words(session, interview, actor)
        raise RuleViolation(f"{panelist} has no draft scorecard for {who} to submit")
    _require_complete(spec, latest, DRAFT_KEPT)
    _refuse_before_interview(spec, interview, now or utcnow(), DRAFT_KEPT)


def _require_complete(spec: Workflow, card: Scorecard, hint: str = SUBMIT_REFUSED) -> None:
    """Refuse a scorecard that could not be submitted, naming every criterion at fault."""
    problems = _incomplete(spec, card.scores, card.comments)
    if problems:
        raise BadInput(problems=problems, hint=hint)


def _incomplete(
    spec: Workflow,
    scores: dict[str, int],
    comments: dict[str, str],
    named: Collection[str | None] = (),
) -> list[Problem]:
    """A submitted scorecard scores every criterion, with evidence for the extremes: a
    problem for each criterion without a score and each extreme score without a comment (but
    none about an input `named` by another problem already). The message names the
    criterion by its label; the field carries its id (the CLI's --set or --comment, the
    portal's field)."""
    rubric = spec.rubric
    problems = []
    for c in rubric.criteria:
        given = scores.get(c.id)
        if given is None and f"scores.{c.id}" not in named:
            problems.append(
                Problem(
                    f"cannot submit: no score yet for {c.label}",
                    f"scores.{c.id}",
                    c.id,
                )
            )
        elif (
            given in (rubric.scale_min, rubric.scale_max)
            and not comments.get(c.id, "").strip()
            and f"comments.{c.id}" not in named
        ):
            problems.append(
                Problem(
                    f"cannot submit: a score of {rubric.scale_min} or {rubric.scale_max} needs "
                    f"evidence, a comment on what you saw or heard: {c.label}",
                    f"comments.{c.id}",
                    c.id,
                )
            )
    return problems


def _lock_draft(session: Session, card: Scorecard, candidate: Candidate, at: datetime) -> None:
    """Submit a saved draft, unless someone submitted it first."""
    assert candidate.id is not None
    locked = session.execute(
        update(Scorecard)
        .where(Scorecard.id == card.id, Scorecard.status == "draft")  # type: ignore[arg-type]
        .values(status="submitted", submitted_at=at)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise changed_by_someone_else(candidate.id)
    # The loaded card is told, so that its audit event hashes what the row now holds.
    set_committed_value(card, "status", "submitted")
    set_committed_value(card, "submitted_at", at)
    claim(session, candidate)


def _record_submission(
    session: Session, actor: Actor, candidate: Candidate, card: Scorecard, seat: str, at: datetime
) -> None:
    digest = hashlib.sha256(audit.canonical(card.scores).encode()).hexdigest()
    corrected = card.version > 1  # a correction is any version after the first
    audit.record(
        session,
        actor=actor,
        role=seat,
        action="scorecard_corrected" if corrected else "scorecard_submitted",
        subject=f"scorecard:{card.id}",
        at=at,
        selection_id=candidate.selection_id,
        candidate_id=candidate.id,
        # Scores stay out of the log (panelists are blind until they submit); their hash binds them.
        details={"version": card.version, "scores_sha256": digest, "reason": card.reason},
        rows=[card],
    )


def scorecard_view(*, session: Session, candidate_id: int, actor: Actor) -> dict[str, Any]:
    """The actor's own scorecard for a candidate, with the rubric's anchors."""
    interview = interview_of(session, candidate_id, actor)
    candidate = interview.candidate
    spec = workflow_of(interview.selection).spec
    card = interview.card(actor.name)
    return {
        "candidate_id": candidate_id,
        "name": candidate.name,
        "scale": [spec.rubric.scale_min, spec.rubric.scale_max],
        "criteria": [
            {"id": c.id, "label": c.label, "weight": c.weight, "anchors": c.anchors}
            for c in spec.rubric.criteria
        ],
        "scorecard": None
        if card is None
        else {
            "version": card.version,
            "status": card.status,
            "scores": card.scores,
            "comments": card.comments,
            "reason": card.reason,
        },
    }
