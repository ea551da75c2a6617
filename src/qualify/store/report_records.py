"""Activity reports on file, read by entering, listing and printing them: the workflow's report
(or a refusal when it has none), the day an officer started reporting, and a quarter's
versions."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session, col, select

from qualify.errors import NotFound, RuleViolation, Step
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.tables import ActivityReport, AuditEvent, Candidate
from qualify.workflow.documents import local_date
from qualify.workflow.reports import (
    Quarter,
    calendar_quarter,
)
from qualify.workflow.spec import ActivityReportsSpec, Workflow


def reports_spec(spec: Workflow) -> ActivityReportsSpec:
    """The workflow's report, or a refusal saying it has none."""
    if spec.activity_reports is None:
        raise RuleViolation(f"the workflow {spec.name} defines no quarterly activity report")
    return spec.activity_reports


def appointed_on(session: Session, spec: Workflow, candidate: Candidate) -> date:
    """The day (in the workflow's time zone) the officer entered a state that reports."""
    states = reports_spec(spec).states
    for at, details in session.exec(
        select(AuditEvent.at, AuditEvent.details)
        .where(
            AuditEvent.candidate_id == candidate.id,
            AuditEvent.action == "state_changed",
            AuditEvent.outcome == "ok",
        )
        .order_by(col(AuditEvent.id).desc())
    ):
        if json.loads(details)["to"] in states:
            return local_date(at, spec.time_zone)
    raise RuleViolation(f"candidate {candidate.id} never entered {' or '.join(states)}")


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
    config = reports_spec(workflow_of(get_selection(session, candidate.selection_id)).spec)
    quarter = calendar_quarter(config, quarter_text)
    found = versions(session, candidate_id, quarter.id)
    if not found:
        raise NotFound(
            f"no activity report for {quarter.id} of candidate {candidate_id}",
            step=Step("list_reports_due"),
        )
    return quarter, found
