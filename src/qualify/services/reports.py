"""Quarterly activity reports of appointed officers: entering one (or correcting it with a
reason, keeping the earlier version), and listing what is due and overdue.

What a report holds, in which states an officer owes it and when each quarter's is due is the
workflow's `activity_reports`; who may enter it is `permissions.enter_reports` (roles that see
every candidate's record enter anyone's; the others only their own officers')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, Gathered, NotPermitted, QualifyError, RuleViolation, Step
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import (
    actor_user,
    display_name,
    person,
    roles_in_words,
    spec_labels,
)
from qualify.store.report_records import (
    Service,
    report_calendar,
    reporting_service,
    reports_spec,
    versions,
)
from qualify.store.rows import taken_meanwhile
from qualify.store.tables import ActivityReport, Candidate, Selection, User
from qualify.store.visibility import record_roles
from qualify.workflow.documents import local_date
from qualify.workflow.reports import (
    Quarter,
    ReportCalendar,
    outstanding,
    parse_fields,
    read_quarter,
)
from qualify.workflow.spec import Workflow


@dataclass(frozen=True)
class Filed:
    """A report as entered: the new row and the audit event that recorded it."""

    report: ActivityReport
    event_id: int
    corrected: bool
    late: bool


def overseeing_roles(spec: Workflow) -> set[str]:
    """The roles that see every reporting officer: those that see every candidate's record,
    and those the workflow says supervise every officer in a reporting state."""
    return set(record_roles(spec)) | set(reports_spec(spec).supervised_by)


def entering_role(spec: Workflow, user: User, candidate: Candidate) -> str:
    """The role in which `user` enters `candidate`'s reports; refuse when none allows it."""
    allowed = spec.permissions.enter_reports
    everyone = [r for r in allowed if r in overseeing_roles(spec)]
    for role in user.roles:
        if role in everyone:
            return role
    if candidate.supervisor == user.name:
        for role in user.roles:
            if role in allowed:
                return role
    labels = spec_labels(spec)
    own = [r for r in allowed if r not in everyone]
    needs = roles_in_words(everyone, labels)
    if own:
        needs += f", or being the officer's own supervisor as {roles_in_words(own, labels)}"
    # The candidate by id, as asked: the name is not this user's to see.
    raise NotPermitted(
        f"{person(user, labels)} may not enter activity reports for candidate {candidate.id}: "
        f"that needs the role {needs}"
    )


def add_report(
    *,
    session: Session,
    candidate_id: int,
    quarter: str,
    fields: dict[str, str],
    actor: Actor,
    reason: str | None = None,
    now: datetime | None = None,
) -> Filed:
    """Enter an officer's report for a quarter they owe by the workflow's rule (one that ended
    while they held the position, counting the quarter they left in). A report
    on file for the quarter is corrected only with a `reason`: the given fields change, the
    others are carried over, and the earlier version stays. A refusal by the rules is audited."""
    at = now or utcnow()
    limits.check("reason", reason, limits.REASON)
    try:
        return _add(session, candidate_id, quarter, fields, actor, reason, at)
    except (NotPermitted, RuleViolation) as refusal:
        audit.record_refusal(
            session,
            candidate_id=candidate_id,
            action="report_refused",
            actor=actor,
            at=at,
            refusal=refusal,
            details={"quarter": limits.clip(quarter, 20)},
        )
        raise


def _add(
    session: Session,
    candidate_id: int,
    quarter_text: str,
    fields: dict[str, str],
    actor: Actor,
    reason: str | None,
    at: datetime,
) -> Filed:
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    config = reports_spec(spec)
    user = actor_user(session, actor)
    role = entering_role(spec, user, candidate)
    # Who before the figures: an officer who never held the position is refused whatever
    # fields are given (the quarter's own rules follow the fields, as before).
    service = reporting_service(session, spec, candidate)
    if service is None:
        state = spec.states[candidate.state].label if candidate.state in spec.states else ""
        reporting = " or ".join(spec.states[s].label for s in config.states)
        raise RuleViolation(
            f"{candidate.name} is at {state or candidate.state}, not {reporting}: only an "
            "officer in that state reports quarterly"
        )
    gathered = Gathered()  # the reason, the quarter and each field: every problem at once
    with gathered.check():
        if reason is not None and not reason.strip():
            raise BadInput("write why the report is corrected", field="reason")
    read: Quarter | None = None
    with gathered.check():
        read = read_quarter(quarter_text)
    earlier = versions(session, candidate_id, read.id) if read is not None else []
    values: dict[str, int | str] = {}
    with gathered.check():
        # Without a quarter it is not known whether this corrects a report: no count is missing.
        values = parse_fields(config, fields, require_all=read is not None and not earlier)
    gathered.refuse()
    assert read is not None
    quarter = read
    today = local_date(at, spec.time_zone)
    calendar = report_calendar(spec)
    _check_quarter(calendar, quarter, service, today)
    due = calendar.due(quarter)
    figures: dict[str, Any] = dict(values)
    if earlier:
        last = earlier[-1]
        if reason is None:
            raise RuleViolation(
                f"{candidate.name}'s report for {quarter.id} is on file (version "
                f"{last.version}, entered {local_date(last.entered_at, spec.time_zone)} by "
                f"{display_name(session, last.entered_by)})",
                step=Step("correct_report"),
            )
        if not values:
            raise BadInput("name at least one field the correction changes", field="fields")
        figures = {**last.figures, **values}
        if figures == last.figures:
            raise BadInput(
                f"the correction changes nothing: version {last.version} of "
                f"{quarter.id} holds the same values",
                field="fields",
            )
    elif reason is not None:
        raise BadInput(
            f"there is no report for {quarter.id} on file to correct",
            field="reason",
            step=Step("enter_report"),
        )
    record = ActivityReport(
        candidate_id=candidate_id,
        quarter=quarter.id,
        version=len(earlier) + 1,
        figures=figures,
        reason=reason.strip() if reason else None,
        entered_at=at,
        entered_by=actor.name,
    )
    with taken_meanwhile(session, lambda: _entered_meanwhile(candidate, quarter)):
        session.add(record)
        session.flush()
    late = today > due
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="report_corrected" if earlier else "report_added",
        subject=f"activity_report:{record.id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details={
            "quarter": quarter.id,
            "version": record.version,
            "figures": figures,
            "due": due.isoformat(),
            "late": late,
            "reason": record.reason,
            "supersedes": earlier[-1].id if earlier else None,
        },
    )
    with taken_meanwhile(session, lambda: _entered_meanwhile(candidate, quarter)):
        session.commit()
    return Filed(record, event.id or 0, corrected=bool(earlier), late=late)


def _check_quarter(
    calendar: ReportCalendar, quarter: Quarter, service: Service, today: date
) -> None:
    """A report covers a quarter the officer owes, and is entered from its last day on."""
    start, first = service.start, calendar.first(service.start)
    if quarter.last_day < start:
        raise RuleViolation(
            f"{quarter.id} ended on {quarter.last_day.isoformat()}, before the officer was "
            f"appointed on {start.isoformat()}: there is no report to make for it"
        )
    if quarter < first:
        raise RuleViolation(
            f"the officer was appointed on {start.isoformat()}: the first report covers "
            f"{first.id} ({first.words}), {quarter.id} included"
        )
    last = calendar.last(start, service.left)
    if last is not None and quarter > last:
        term_end = calendar.term_end(start)
        if service.left is not None and (term_end is None or service.left <= term_end):
            why = f"left the position on {service.left.isoformat()}"
        else:
            assert term_end is not None  # a last quarter has a day of leaving or a term's end
            why = f"reached the end of the position's term on {term_end.isoformat()}"
        raise RuleViolation(f"the officer {why}: the last report covers {last.id} ({last.words})")
    if today < quarter.last_day:
        raise RuleViolation(
            f"{quarter.id} runs until {quarter.last_day.isoformat()}: its report can be entered "
            f"from that day on (today is {today.isoformat()})"
        )


def _entered_meanwhile(candidate: Candidate, quarter: Quarter) -> QualifyError:
    # By name: the one entering may see the officer (`entering_role` let them in).
    return RuleViolation(
        f"someone else entered {candidate.name}'s report for {quarter.id} ({quarter.words}) "
        "at the same time; nothing was saved",
        step=Step("review_report"),
    )


def due_reports(
    *,
    session: Session,
    actor: Actor,
    as_of: date | None = None,
    selection_id: int | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every report due or overdue on `as_of` (default: today in each workflow's time zone)
    from the appointed officers the actor may see: all of them for roles that see every
    candidate's record, else the officers the actor supervises. Most overdue first."""
    user = actor_user(session, actor)
    at = now or utcnow()
    query = select(Selection).order_by(col(Selection.id))
    if selection_id is not None:
        query = query.where(Selection.id == get_selection(session, selection_id).id)
    found: list[dict[str, Any]] = []
    allowed_somewhere = False
    for selection in session.exec(query):
        spec = workflow_of(selection).spec
        config = spec.activity_reports
        if config is None:
            continue
        sees_all = any(r in overseeing_roles(spec) for r in user.roles)
        enters_own = any(r in spec.permissions.enter_reports for r in user.roles)
        if not (sees_all or enters_own):
            continue
        allowed_somewhere = True
        day = as_of or local_date(at, spec.time_zone)
        calendar = report_calendar(spec)
        officers = select(Candidate).where(
            Candidate.selection_id == selection.id,
            col(Candidate.state).in_(_reporting_or_after(spec, config.states)),
        )
        if not sees_all:
            officers = officers.where(Candidate.supervisor == user.name)
        for candidate in session.exec(officers.order_by(col(Candidate.id))):
            filed = session.exec(
                select(ActivityReport.quarter).where(ActivityReport.candidate_id == candidate.id)
            ).all()
            service = reporting_service(session, spec, candidate)
            if service is None:  # left before reaching a reporting state
                continue
            for owed in outstanding(calendar, service.start, service.left, filed, day):
                found.append(
                    {
                        "candidate_id": candidate.id,
                        "selection_id": selection.id,
                        "employee_id": candidate.employee_id,
                        "name": candidate.name,
                        "supervisor": candidate.supervisor,
                        "appointed_on": service.start.isoformat(),
                        "left_on": service.left.isoformat() if service.left else None,
                        "quarter": owed.quarter.id,
                        "period": owed.quarter.words,
                        "due": owed.due.isoformat(),
                        "status": "overdue" if owed.overdue else "due",
                        "days_overdue": max((day - owed.due).days, 0),
                        "as_of": day.isoformat(),
                    }
                )
    anything = selection_id is not None or session.exec(select(Selection.id)).first() is not None
    if not allowed_somewhere and anything:
        raise NotPermitted(
            f"{user.display_name} may not list activity reports: that needs a role that sees "
            "officers' records, or one that enters their reports"
        )
    found.sort(key=lambda r: (r["due"], r["candidate_id"]))
    return found


def _reporting_or_after(spec: Workflow, states: list[str]) -> set[str]:
    """The reporting states and every state reachable from them: an officer who left the
    position still owes the reports of the quarters served."""
    found = set(states)
    grown = True
    while grown:
        reached = {t.dest for t in spec.transitions if found & set(t.source)}
        grown = not reached <= found
        found |= reached
    return found
