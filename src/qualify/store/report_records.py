"""Activity reports on file, read by entering, listing and printing them: the workflow's report
(or a refusal when it has none), the day an officer started reporting, and a quarter's
versions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from qualify.errors import NotFound, RuleViolation, Step
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.tables import ActivityReport, AuditEvent, Candidate
from qualify.workflow.documents import local_date
from qualify.workflow.reports import Quarter, ReportCalendar, read_quarter
from qualify.workflow.spec import ActivityReportsSpec, Workflow


def reports_spec(spec: Workflow) -> ActivityReportsSpec:
    """The workflow's report, or a refusal saying it has none."""
    if spec.activity_reports is None:
        raise RuleViolation(f"the workflow {spec.name} defines no quarterly activity report")
    return spec.activity_reports


@dataclass(frozen=True)
class Service:
    """When an officer held a reporting state: from `start`, until `left` (None while still
    in it), each a day in the workflow's time zone."""

    start: date
    left: date | None


def reporting_service(session: Session, spec: Workflow, candidate: Candidate) -> Service | None:
    """The officer's service in a state that reports (the latest, if they entered one twice),
    or None if they never entered one."""
    states = set(reports_spec(spec).states)
    start: date | None = None
    left: date | None = None
    for at, details in session.exec(
        select(AuditEvent.at, AuditEvent.details)
        .where(
            AuditEvent.candidate_id == candidate.id,
            AuditEvent.action == "state_changed",
            AuditEvent.outcome == "ok",
        )
        .order_by(col(AuditEvent.id))
    ):
        change = json.loads(details)
        if change["to"] in states and change.get("from") not in states:
            start, left = local_date(at, spec.time_zone), None
        elif start is not None and left is None and change["to"] not in states:
            left = local_date(at, spec.time_zone)
    return None if start is None else Service(start, left)


def appointed_on(session: Session, spec: Workflow, candidate: Candidate) -> date:
    """The day (in the workflow's time zone) the officer entered a state that reports."""
    service = reporting_service(session, spec, candidate)
    if service is None:
        named = reports_spec(spec).states
        states = [spec.states[s].label if s in spec.states else s for s in named]
        # By name: only a reader of the officer's reports gets here.
        raise RuleViolation(f"{candidate.name} never entered {' or '.join(states)}")
    return service.start


def report_calendar(spec: Workflow) -> ReportCalendar:
    """The workflow's rule for the quarters owed and their due days."""
    return ReportCalendar.of(reports_spec(spec), spec)


def versions(session: Session, candidate_id: int, quarter: str) -> list[ActivityReport]:
    """Every version of one quarter's report, oldest first."""
    return list(
        session.exec(
            select(ActivityReport)
            .where(ActivityReport.candidate_id == candidate_id, ActivityReport.quarter == quarter)
            .order_by(col(ActivityReport.version))
        )
    )


def report_versions(
    session: Session, candidate_id: int, quarter_text: str
) -> tuple[Quarter, list[ActivityReport]]:
    """The quarter and its report's versions; refuse a quarter with no report on file."""
    candidate = get_candidate(session, candidate_id)
    reports_spec(workflow_of(get_selection(session, candidate.selection_id)).spec)
    quarter = read_quarter(quarter_text)
    found = versions(session, candidate_id, quarter.id)
    if not found:
        raise NotFound(
            f"no activity report for {quarter.id} of candidate {candidate_id}",
            step=Step("list_reports_due"),
        )
    return quarter, found
