"""The activity reports page: each quarterly report due or overdue from the officers the viewer
may see (appointed, or removed with their last quarter's report owed; as `report due` lists
them), with the workflow's fields to enter it when the viewer may enter that officer's reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from qualify.actor import Actor
from qualify.errors import NotPermitted
from qualify.services.reports import due_reports, entering_role
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user
from qualify.store.report_records import report_calendar, reports_spec
from qualify.store.tables import ActivityReport
from qualify.workflow.documents import local_date
from qualify.workflow.reports import read_quarter
from qualify.workflow.spec import ReportFieldSpec


@dataclass(frozen=True)
class Owed:
    """One report due or overdue: `row` is `due_reports`'s; `fields` the report's fields when
    the viewer may enter it (empty when they only see it)."""

    row: dict[str, object]
    label: str  # what the workflow calls the report
    fields: tuple[ReportFieldSpec, ...]

    @property
    def key(self) -> str:
        return f"{self.row['candidate_id']}-{self.row['quarter']}"


@dataclass(frozen=True)
class ReportsBoard:
    owed: tuple[Owed, ...]
    entered: str = ""  # what the viewer just entered, in words ('' when nothing)


def reports_board(
    *, session: Session, actor: Actor, now: datetime | None = None, entered: int | None = None
) -> ReportsBoard:
    """Every report due or overdue that the viewer may see, most overdue first; and, when
    `entered` is the id of a report the viewer entered, a note of it."""
    user = actor_user(session, actor)
    rows = due_reports(session=session, actor=actor, now=now)
    owed = []
    for row in rows:
        candidate = get_candidate(session, int(str(row["candidate_id"])))
        spec = workflow_of(get_selection(session, candidate.selection_id)).spec
        config = reports_spec(spec)
        try:
            entering_role(spec, user, candidate)
            fields = tuple(config.fields)
        except NotPermitted:
            fields = ()
        owed.append(Owed(row, config.label, fields))
    return ReportsBoard(tuple(owed), _entered(session, actor, entered))


def _entered(session: Session, actor: Actor, report_id: int | None) -> str:
    """'the 2027Q1 activity report of Dana Whitfield (version 1)', for a report the actor
    entered; '' for any other."""
    report = session.get(ActivityReport, report_id) if report_id else None
    if report is None or report.entered_by != actor.name:
        return ""
    candidate = get_candidate(session, report.candidate_id)
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    late = ""
    due = report_calendar(spec).due(read_quarter(report.quarter))
    if local_date(report.entered_at, spec.time_zone) > due:
        late = f", after its due date {due.isoformat()}"
    return (
        f"the {report.quarter} {reports_spec(spec).label.lower()} of {candidate.name} "
        f"(version {report.version}){late}"
    )
