"""The quarterly activity report as a packet, for the Superintendent and the Chief: the latest
version of one quarter's report, anchored to the audit event that recorded it (a reprint is
byte-identical), with every earlier version's changes and reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from qualify.actor import Actor
from qualify.errors import NotPermitted
from qualify.packets.context import kind_of
from qualify.packets.files import Packet, record_and_write
from qualify.packets.people import People, display_name
from qualify.packets.render import w3c_time
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.report_records import (
    appointed_on,
    report_calendar,
    report_versions,
    reports_spec,
)
from qualify.store.tables import ActivityReport, AuditEvent, Candidate
from qualify.workflow.documents import local_date, local_time, long_date, record_reference
from qualify.workflow.reports import Quarter
from qualify.workflow.spec import ActivityReportsSpec, Workflow


def report_file_name(
    selection_id: int, candidate_id: int, quarter: str, template: str, event_id: int
) -> str:
    """Named by the quarter and the event that recorded the version printed."""
    return (
        f"selection-{selection_id}_candidate-{candidate_id:04d}_report-{quarter}_{template}"
        f"_event-{event_id}.pdf"
    )


def _event_of(session: Session, report: ActivityReport) -> AuditEvent:
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.subject == f"activity_report:{report.id}", AuditEvent.outcome == "ok"
        )
    ).first()
    assert event is not None, f"activity report {report.id} has no audit event"
    return event


def _value(field_kind: str, value: Any) -> str:
    if value is None or value == "":
        return "none given" if field_kind == "text" else "not given"
    return str(value)


def report_context(
    session: Session,
    spec: Workflow,
    candidate: Candidate,
    quarter: Quarter,
    reports: list[ActivityReport],
    event: AuditEvent,
) -> dict[str, Any]:
    """What the activity report template prints, in words."""
    config: ActivityReportsSpec = reports_spec(spec)
    people = People(session, spec)
    tz = spec.time_zone
    latest = reports[-1]
    assert candidate.id is not None
    assert event.id is not None
    kind = kind_of(spec, config.packet)
    due = report_calendar(spec).due(quarter)
    entered = local_date(latest.entered_at, tz)
    first = local_date(reports[0].entered_at, tz)
    labels = {f.id: f.label for f in config.fields}
    kinds = {f.id: f.kind for f in config.fields}
    corrections = []
    for before, after in pairwise(reports):
        changed = [
            f"{label}: {_value(kinds[name], before.figures.get(name))}"
            f" → {_value(kinds[name], after.figures.get(name))}"
            for name, label in labels.items()
            if before.figures.get(name) != after.figures.get(name)
        ]
        corrections.append(
            {
                "version": after.version,
                "date": long_date(local_date(after.entered_at, tz)),
                "by": people.named(after.entered_by),
                "reason": after.reason or "",
                "changes": changed,
            }
        )
    rank = candidate.rank.strip()
    name = display_name(candidate)
    letterhead = spec.letterhead.strip()
    made = local_date(event.at, tz)
    return {
        "workflow": {
            "name": spec.name,
            "version": spec.version,
            "letterhead": letterhead,
            "letterhead_first_line": letterhead.splitlines()[0],
            "position": spec.position or spec.title,
        },
        "officer": {
            "name": name,
            "addressed": " ".join(x for x in (rank, name) if x),
            "employee_id": candidate.employee_id,
            "unit": candidate.unit,
            "supervisor": people.named(candidate.supervisor) if candidate.supervisor else "",
            "appointed_on": long_date(appointed_on(session, spec, candidate)),
        },
        "report": {
            "label": config.label,
            "quarter": quarter.id,
            "period": f"{long_date(quarter.first_day)} to {long_date(quarter.last_day)}",
            "to": config.to,
            "due": long_date(due),
            "first_entered": long_date(first),
            "on_time": first <= due,
            "first_by": people.named(reports[0].entered_by),
            "entered": long_date(entered),
            "version": latest.version,
            "counts": [
                {"label": f.label, "value": _value("count", latest.figures.get(f.id))}
                for f in config.fields
                if f.kind == "count"
            ],
            "notes": [
                {"label": f.label, "text": _value("text", latest.figures.get(f.id))}
                for f in config.fields
                if f.kind == "text"
            ],
            "corrections": corrections,
        },
        "packet": {
            "id": f"S{candidate.selection_id}-C{candidate.id}-report-{quarter.id}-E{event.id}",
            "ref": record_reference(candidate.selection_id, candidate.id, event.id),
            "title": f"{kind.title}, {quarter.id}",
            "created": w3c_time(event.at),
            "generated_at": f"{long_date(made)}, {local_time(event.at, tz)}",
            "audit_event": event.id,
            "audit_hash": event.hash,
        },
    }


def render_report(
    session: Session, templates_dir: Path, candidate: Candidate, quarter_text: str
) -> Packet:
    """The latest version of a quarter's report as a packet, not yet written."""
    from qualify.packets.render import html_to_pdf, render_html

    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    assert candidate.id is not None
    quarter, reports = report_versions(session, candidate.id, quarter_text)
    event = _event_of(session, reports[-1])
    context = report_context(session, spec, candidate, quarter, reports, event)
    template = reports_spec(spec).packet
    pdf = html_to_pdf(render_html(templates_dir, template, context), templates_dir)
    return Packet(
        packet_id=context["packet"]["id"],
        file_name=report_file_name(
            candidate.selection_id, candidate.id, quarter.id, template, event.id or 0
        ),
        pdf=pdf,
        candidate_id=candidate.id,
        stage=f"report {quarter.id}",
        template=template,
        event_id=event.id or 0,
    )


def print_report(
    *,
    session: Session,
    templates_dir: Path,
    output_dir: Path,
    candidate_id: int,
    quarter: str,
    actor: Actor,
    now: datetime | None = None,
    force: bool = False,
) -> list[Path]:
    """Print the quarterly activity report of an officer for the roles of the packet's
    audience (who also need the right to print packets); the printing is audited. A different
    file of the same name in `output_dir` is replaced only with `force`."""
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    config = reports_spec(spec)
    user = actor_user(session, actor)
    role = role_for(user, spec.permissions.print_packets, "print packets")
    audience = kind_of(spec, config.packet).audience
    if role not in audience and not any(r in audience for r in user.roles):
        raise NotPermitted(
            f"{user.name} may not print the {config.label.lower()}: it goes to "
            f"{' and '.join(audience)}"
        )
    packet = render_report(session, templates_dir, candidate, quarter)
    session.rollback()  # rendering only read
    return record_and_write(
        session,
        [packet],
        output_dir,
        actor,
        role,
        now or datetime.now(UTC),
        selection.id or 0,
        force=force,
    )
