"""Voluntary self-identification, the applicant-flow log and the adverse-impact report.

Self-identification is kept apart from the candidate's record: only the roles a selection's
workflow lists under `record_eeo` enter it and only those under `view_eeo` read it, and the
audit log records that it was entered, never what (a hash would not do: with eight categories
it could be read back by trying each)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, NotPermitted
from qualify.packets.render import html_to_pdf, render_html, w3c_time
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import (
    AuditEvent,
    Candidate,
    InterviewResult,
    Selection,
    SelfIdentification,
)
from qualify.suggest import suggest
from qualify.workflow.fairness import (
    DIMENSIONS,
    FOUR_FIFTHS,
    NOT_RECORDED,
    NOT_RECORDED_LABEL,
    SIGNIFICANCE,
    UNCOMPARED,
    Analysis,
    Outcomes,
    StageRule,
    Track,
    analyse,
    stage_outcomes,
    whole_process,
)
from qualify.workflow.loader import INTERVIEW_PASSED

# Where a person stands whose interview the panel did not pass, while they wait at the end of
# the interview for the decision that follows: no stage may name it, but it is not a stage's
# entry, so a person standing there has an outcome at the interview.
INTERVIEW_FAILED = "interview_failed"


def _choice(typed: str, choices: dict[str, str], field: str) -> str:
    """The category `typed` names, in any case and with dashes or spaces for underscores."""
    value = typed.strip().lower().replace("-", "_").replace(" ", "_")
    if value not in choices:
        raise BadInput(
            f"unknown category '{typed}'{suggest(value, choices)}; "
            f"choose one of {', '.join(choices)}",
            field=field,
        )
    return value


def _permitted(session: Session, selection: Selection, actor: Actor, key: str, doing: str) -> str:
    allowed: list[str] = getattr(workflow_of(selection).spec.permissions, key)
    user = actor_user(session, actor)
    if not allowed:
        raise NotPermitted(
            f"{user.display_name} may not {doing}: the workflow of {selection.title} lets no "
            f"role {doing}"
        )
    return role_for(user, allowed, doing)


def record_self_identification(
    *,
    session: Session,
    candidate_id: int,
    sex: str,
    race_ethnicity: str,
    actor: Actor,
    now: datetime | None = None,
) -> SelfIdentification:
    """Record (or replace) what a candidate chose to self-identify, or that they declined."""
    at = now or utcnow()
    sex = _choice(sex, DIMENSIONS["sex"], "sex")
    race_ethnicity = _choice(race_ethnicity, DIMENSIONS["race_ethnicity"], "race_ethnicity")
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    role = _permitted(session, selection, actor, "record_eeo", "record self-identification")
    record = session.get(SelfIdentification, candidate_id)
    if record is None:
        record = SelfIdentification(
            candidate_id=candidate_id,
            sex=sex,
            race_ethnicity=race_ethnicity,
            recorded_at=at,
            recorded_by=actor.name,
        )
    else:
        record.sex, record.race_ethnicity = sex, race_ethnicity
        record.recorded_at, record.recorded_by = at, actor.name
    session.add(record)
    audit.record(
        session,
        actor=actor,
        role=role,
        action="self_identification_recorded",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details={"values": "withheld: self-identification is read only with view_eeo"},
    )
    session.commit()
    return record


@dataclass(frozen=True)
class Person:
    """One candidate as the fairness report sees them."""

    candidate_id: int
    employee_id: str
    state: str
    reached: dict[str, datetime]  # state (or interview_passed) -> first time reached
    standing: str  # the state, or the panel's result while waiting at the end of the interview
    interview: str  # pass, fail, or "" when not scored
    reason_code: str
    reason: str
    groups: dict[str, str]  # dimension -> category (NOT_RECORDED when nothing was recorded)


def _people(session: Session, selection: Selection) -> list[Person]:
    spec = workflow_of(selection).spec
    candidates = list(
        session.exec(
            select(Candidate)
            .where(Candidate.selection_id == selection.id)
            .order_by(col(Candidate.id))
        )
    )
    ids = [c.id for c in candidates]
    reached: dict[int, dict[str, datetime]] = {
        c.id or 0: {spec.initial_state: c.created_at} for c in candidates
    }
    last: dict[int, dict[str, Any]] = {}
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.selection_id == selection.id,
            AuditEvent.action == "state_changed",
            AuditEvent.outcome == "ok",
        )
        .order_by(col(AuditEvent.id))
    )
    mistaken: set[int] = set()
    for event in events:
        if event.candidate_id is None:
            continue
        details = json.loads(event.details)
        if details.get("entered_by_mistake"):
            mistaken.add(event.candidate_id)
        reached[event.candidate_id].setdefault(details["to"], event.at)
        last[event.candidate_id] = details
    interview = {
        row.candidate_id: row
        for row in session.exec(
            select(InterviewResult).where(InterviewResult.selection_id == selection.id)
        )
    }
    identified = {
        row.candidate_id: row
        for row in session.exec(
            select(SelfIdentification).where(col(SelfIdentification.candidate_id).in_(ids))
        )
    }
    people = []
    for c in candidates:
        cid = c.id or 0
        if cid in mistaken:  # never an applicant: taken out as entered by mistake
            continue
        result = interview.get(cid)
        outcome = ""
        if result is not None and result.complete:
            outcome = "pass" if result.summary.get("passed") else "fail"
            if outcome == "pass":
                scored = reached[cid].get(spec.panel.scoring_states[-1])
                reached[cid].setdefault(INTERVIEW_PASSED, scored or c.created_at)
        standing = c.state
        if outcome and c.state == spec.panel.scoring_states[-1]:
            standing = INTERVIEW_PASSED if outcome == "pass" else INTERVIEW_FAILED
        me = identified.get(cid)
        people.append(
            Person(
                candidate_id=cid,
                employee_id=c.employee_id,
                state=c.state,
                reached=reached[cid],
                standing=standing,
                interview=outcome,
                reason_code=str(last.get(cid, {}).get("reason_code") or ""),
                reason=str(last.get(cid, {}).get("reason") or ""),
                groups={
                    "sex": me.sex if me else NOT_RECORDED,
                    "race_ethnicity": me.race_ethnicity if me else NOT_RECORDED,
                },
            )
        )
    return people


@dataclass(frozen=True)
class FlowLog:
    """The applicant-flow log: one row per candidate, the stages reached and when."""

    selection_id: int
    header: list[str]
    rows: list[list[str]]


def applicant_flow(*, session: Session, selection_id: int, actor: Actor) -> FlowLog:
    """Every candidate with their self-identification, each state reached and when, the
    final disposition and the reason code of the last decision."""
    selection = get_selection(session, selection_id)
    _permitted(session, selection, actor, "view_eeo", "read the applicant-flow log")
    spec = workflow_of(selection).spec
    states = list(spec.states)
    header = [
        "candidate_id",
        "employee_id",
        "sex",
        "race_ethnicity",
        *(f"{s}_at" for s in states),
        "interview_result",
        "disposition",
        "reason_code",
    ]
    rows = []
    for p in _people(session, selection):
        when = p.reached
        times = [when[s].isoformat(timespec="seconds") if s in when else "" for s in states]
        rows.append(
            [
                str(p.candidate_id),
                p.employee_id,
                p.groups["sex"],
                p.groups["race_ethnicity"],
                *times,
                p.interview,
                p.state,
                p.reason_code,
            ]
        )
    return FlowLog(selection_id, header, rows)


@dataclass(frozen=True)
class StageReport:
    """One stage (or the whole process): who entered, and the analysis per dimension."""

    id: str
    label: str
    entered: int  # who has an outcome at the stage, counted in its rates
    passed: int
    excluded: int  # left before passing it (withdrew), left out
    undecided: int  # still where they entered it, no decision yet: left out
    analyses: dict[str, Analysis]


@dataclass(frozen=True)
class FairnessReport:
    selection_id: int
    selection_title: str
    workflow: str
    generated_at: datetime
    candidates: int
    self_identified: int
    stages: list[StageReport]


def _stage(rule: StageRule, outcomes: Outcomes, by_id: dict[int, Person]) -> StageReport:
    return StageReport(
        id=rule.id,
        label=rule.label,
        entered=len(outcomes.decided),
        passed=sum(outcomes.decided.values()),
        excluded=len(outcomes.excluded),
        undecided=len(outcomes.undecided),
        analyses={
            dim: analyse((by_id[pid].groups[dim], ok) for pid, ok in outcomes.decided.items())
            for dim in DIMENSIONS
        },
    )


def fairness_report(
    *, session: Session, selection_id: int, actor: Actor, now: datetime | None = None
) -> FairnessReport:
    """Selection rates per group at each stage that removes candidates and over the whole
    process, with impact ratios, the four-fifths flag, shortfall and Fisher's exact test."""
    selection = get_selection(session, selection_id)
    _permitted(session, selection, actor, "view_eeo", "read the fairness report")
    spec = workflow_of(selection).spec
    people = _people(session, selection)
    by_id = {p.candidate_id: p for p in people}
    excluded_states = set(spec.fairness.excluded)
    tracks = {
        p.candidate_id: Track(
            frozenset(p.reached), frozenset(set(p.reached) & excluded_states), p.standing
        )
        for p in people
    }
    rules = [
        StageRule(s.id, s.label, tuple(s.entered), tuple(s.passed)) for s in spec.fairness.stages
    ]
    found = [stage_outcomes(rule, tracks) for rule in rules]
    stages = [_stage(rule, outcomes, by_id) for rule, outcomes in zip(rules, found, strict=True)]
    if rules:
        whole = StageRule(
            "overall", "The process as a whole", (spec.initial_state,), rules[-1].passed
        )
        stages.append(_stage(whole, whole_process(whole, found, tracks), by_id))
    identified = sum(1 for p in people if any(v not in UNCOMPARED for v in p.groups.values()))
    return FairnessReport(
        selection_id=selection_id,
        selection_title=selection.title,
        workflow=f"{spec.name} {spec.version}",
        generated_at=now or utcnow(),
        candidates=len(people),
        self_identified=identified,
        stages=stages,
    )


def report_pdf(report: FairnessReport, templates_dir: Path) -> bytes:
    """PDF bytes of the report; the same report gives the same bytes."""
    context = {
        "report": report,
        "names": DIMENSIONS,
        "not_recorded": NOT_RECORDED_LABEL,
        "four_fifths": FOUR_FIFTHS,
        "significance": SIGNIFICANCE,
        "created": w3c_time(report.generated_at),
        "generated": report.generated_at.strftime("%B %-d, %Y %H:%M UTC"),
    }
    return html_to_pdf(render_html(templates_dir, "fairness_report", context), templates_dir)
