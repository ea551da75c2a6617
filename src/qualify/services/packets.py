"""Packets: the PDF record of each stage, anchored to the audit event that entered the stage.

A packet's times, ids and hashes come from that event, and its facts from the records, so the
same records always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from qualify.errors import BadInput, RuleViolation
from qualify.services import audit
from qualify.services.frozen import workflow_of
from qualify.services.lookups import get_candidate, get_selection
from qualify.services.packet_context import build_context
from qualify.services.permissions import actor_user, role_for
from qualify.store.tables import AuditEvent, Candidate
from qualify.workflow.evidence import sees_sensitive
from qualify.workflow.loader import suggest


@dataclass(frozen=True)
class Packet:
    """One rendered packet, not yet written."""

    packet_id: str
    file_name: str
    pdf: bytes
    candidate_id: int
    stage: str
    template: str
    event_id: int
    withheld: bool = False  # sensitive checks and evidence withheld: its reader may not see them


def file_name(
    selection_id: int, candidate_id: int, stage: str, template: str, event_id: int
) -> str:
    """A packet's file name carries the audit event that made it (the one that entered the
    stage), so entering a stage again makes new files and the earlier ones stay."""
    return (
        f"selection-{selection_id}_candidate-{candidate_id:04d}_{stage}_{template}"
        f"_event-{event_id}.pdf"
    )


def entering_event(session: Session, candidate_id: int, stage: str) -> AuditEvent:
    """The newest state change that brought the candidate into `stage`."""
    for event in session.exec(
        select(AuditEvent)
        .where(AuditEvent.candidate_id == candidate_id, AuditEvent.action == "state_changed")
        .order_by(col(AuditEvent.id).desc())
    ):
        if json.loads(event.details)["to"] == stage:
            return event
    raise RuleViolation(f"candidate {candidate_id} never entered the stage {stage}")


def render(
    session: Session,
    templates_dir: Path,
    candidate: Candidate,
    stage: str,
    template: str,
    event: AuditEvent,
    *,
    viewer_sensitive: bool,
) -> Packet:
    """Render one packet in memory, for a reader whose role sees sensitive records or not."""
    from qualify.packets.render import html_to_pdf, render_html, template_names

    needs = template_names(templates_dir, template)
    context = build_context(
        session, candidate, stage, template, event, needs, viewer_sensitive=viewer_sensitive
    )
    pdf = html_to_pdf(render_html(templates_dir, template, context), templates_dir)
    assert candidate.id is not None
    return Packet(
        packet_id=context["packet"]["id"],
        file_name=file_name(candidate.selection_id, candidate.id, stage, template, event.id or 0),
        pdf=pdf,
        candidate_id=candidate.id,
        stage=stage,
        template=template,
        event_id=event.id or 0,
        withheld=not viewer_sensitive,
    )


def record_and_write(
    session: Session,
    packets: list[Packet],
    output_dir: Path,
    actor: str,
    role: str,
    at: datetime,
    selection_id: int,
    *,
    records: bool = False,
) -> list[Path]:
    """Write the files, then audit each packet and commit. The files come first: a packet
    exists only for an event already committed, so a crash between the two leaves a true
    packet that lacks its `packet_generated` event, never an event without its file. In the
    records folder (`records`) an existing file is never replaced; elsewhere (a reprint to a
    folder the user named) the same name is the same packet, written afresh."""
    from qualify.packets.render import write_atomic
    from qualify.records import write_new

    written = []
    for packet in packets:
        path = output_dir / packet.file_name
        if records:
            write_new(path, packet.pdf)
        else:
            write_atomic(path, packet.pdf)
        written.append(path)
    for packet in packets:
        audit.record(
            session,
            actor=actor,
            role=role,
            action="packet_generated",
            subject=f"packet:{packet.packet_id}",
            at=at,
            selection_id=selection_id,
            candidate_id=packet.candidate_id,
            details={
                "packet": packet.packet_id,
                "file": packet.file_name,
                "sha256": hashlib.sha256(packet.pdf).hexdigest(),
                "stage": packet.stage,
                "event": packet.event_id,
            }
            | ({"sensitive": "withheld"} if packet.withheld else {}),
        )
    session.commit()
    return written


def stage_packets(
    session: Session,
    templates_dir: Path,
    candidate: Candidate,
    stage: str,
    event: AuditEvent,
    *,
    viewer_sensitive: bool,
) -> list[Packet]:
    """Every packet the workflow prints on entering `stage`, rendered for a reader whose role
    sees sensitive records or not (the one who obtains them: `sees_sensitive` of their roles)."""
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    return [
        render(
            session, templates_dir, candidate, stage, t, event, viewer_sensitive=viewer_sensitive
        )
        for t in spec.packets.get(stage, [])
    ]


def print_candidate(
    *,
    session: Session,
    templates_dir: Path,
    output_dir: Path,
    candidate_id: int,
    actor: str,
    stage: str | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Print a candidate's packets for a stage they entered (default: their current stage)."""
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    user = actor_user(session, actor)
    role = role_for(user, spec.permissions.print_packets, "print packets")
    viewer_sensitive = sees_sensitive(spec, user.roles)
    stage = stage or candidate.state
    if stage not in spec.states:
        raise BadInput(
            f"{spec.name} has no state '{stage}'{suggest(stage, spec.states)} "
            f"(states: {', '.join(spec.states)})",
            field="stage",
        )
    if not spec.packets.get(stage):
        raise RuleViolation(f"the workflow prints no packet for the stage {stage}")
    event = entering_event(session, candidate_id, stage)
    packets = stage_packets(
        session, templates_dir, candidate, stage, event, viewer_sensitive=viewer_sensitive
    )
    return record_and_write(
        session, packets, output_dir, actor, role, now or datetime.now(UTC), selection.id or 0
    )


def selection_jobs(session: Session, selection_id: int) -> list[tuple[int, str]]:
    """(candidate, stage) for every stage with packets that each candidate entered."""
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    jobs = set()
    for event in session.exec(
        select(AuditEvent).where(
            AuditEvent.selection_id == selection_id, AuditEvent.action == "state_changed"
        )
    ):
        to = json.loads(event.details)["to"]
        if spec.packets.get(to) and event.candidate_id is not None:
            jobs.add((event.candidate_id, to))
    return sorted(jobs)


def _render_job(
    database_url: str, templates_dir: Path, job: tuple[int, str], viewer_sensitive: bool
) -> list[Packet]:
    """Render one (candidate, stage) while only reading, so workers run beside each other."""
    from qualify.store import db

    candidate_id, stage = job
    with db.session_scope(db.reading(_worker_engine(database_url))) as session:
        candidate = get_candidate(session, candidate_id)
        event = entering_event(session, candidate_id, stage)
        return stage_packets(
            session, templates_dir, candidate, stage, event, viewer_sensitive=viewer_sensitive
        )


def _exit_with_parent(lifeline: Any) -> None:
    """In a worker: exit as soon as the process that started the pool has gone."""
    import os
    import threading

    def watch() -> None:
        try:
            lifeline.poll(None)  # nothing is ever sent: this returns when the sender is gone
        finally:
            os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


_ENGINES: dict[str, Any] = {}


def _worker_engine(url: str) -> Any:
    from qualify.store import db

    if url not in _ENGINES:
        _ENGINES[url] = db.make_engine(url)
    return _ENGINES[url]


BATCH = 25  # packets recorded per write transaction


def print_selection(
    *,
    session: Session,
    database_url: str,
    templates_dir: Path,
    output_dir: Path,
    selection_id: int,
    actor: str,
    jobs: int = 1,
    progress: Any = None,
) -> list[Path]:
    """Every packet of every stage each candidate entered. `jobs` processes render; this one
    records them in the audit log and writes the files, a batch per transaction."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from qualify.store import db

    selection = get_selection(session, selection_id)
    user = actor_user(session, actor)
    spec = workflow_of(selection).spec
    role = role_for(user, spec.permissions.print_packets, "print packets")
    viewer_sensitive = sees_sensitive(spec, user.roles)
    work = selection_jobs(session, selection_id)
    session.close()
    engine = _worker_engine(database_url)
    done: list[Path] = []
    pending: list[Packet] = []

    def record(force: bool = False) -> None:
        if pending and (force or len(pending) >= BATCH):
            with db.session_scope(engine) as writer:
                paths = record_and_write(
                    writer, pending, output_dir, actor, role, datetime.now(UTC), selection_id
                )
            done.extend(paths)
            pending.clear()

    def collect(rendered: list[Packet]) -> None:
        pending.extend(rendered)
        record()
        if progress:
            progress(1)

    if jobs <= 1:
        for job in work:
            collect(_render_job(database_url, templates_dir, job, viewer_sensitive))
    else:
        # A fork server that has imported WeasyPrint already: workers start warm, and none of
        # them inherits this process's database connections.
        context = get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", "qualify.services.packets"])
        # Workers hold the reading end of a pipe only this process can write to: when this
        # process dies, even by SIGKILL, the pipe reports its end and the workers exit.
        lifeline, keep = context.Pipe(duplex=False)
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_exit_with_parent,
            initargs=(lifeline,),
        ) as pool:
            futures = [
                pool.submit(_render_job, database_url, templates_dir, job, viewer_sensitive)
                for job in work
            ]
            for future in as_completed(futures):
                collect(future.result())
        keep.close()
        lifeline.close()
    record(force=True)
    return sorted(done)


@dataclass(frozen=True)
class Repaired:
    """What a repair did in the records folder."""

    written: list[Path]
    removed: list[Path]  # temporary files left by killed writers


def owed(
    session: Session,
    records_dir: Path,
    *,
    candidate_id: int | None = None,
    selection_id: int | None = None,
) -> list[tuple[AuditEvent, list[str]]]:
    """Committed state changes whose packets are missing from the records folder, with the
    templates each still needs. An advance asked to write packets names them in its event."""
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.action == "state_changed",
            AuditEvent.outcome == "ok",
            col(AuditEvent.details).contains('"packets":'),
        )
        .order_by(col(AuditEvent.id))
    )
    if candidate_id is not None:
        query = query.where(AuditEvent.candidate_id == candidate_id)
    if selection_id is not None:
        query = query.where(AuditEvent.selection_id == selection_id)
    found = []
    for event in session.exec(query):
        details = json.loads(event.details)
        assert event.id is not None
        assert event.candidate_id is not None
        missing = [
            template
            for template in details.get("packets") or []
            if not (
                records_dir
                / file_name(
                    event.selection_id or 0, event.candidate_id, details["to"], template, event.id
                )
            ).exists()
        ]
        if missing:
            found.append((event, missing))
    return found


def repair(
    *,
    session: Session,
    templates_dir: Path,
    records_dir: Path,
    actor: str,
    candidate_id: int | None = None,
    selection_id: int | None = None,
    role: str | None = None,
    viewer_sensitive: bool | None = None,
    now: datetime | None = None,
) -> Repaired:
    """Write every packet a committed event is owed (in the scope given) into the records
    folder, and remove temporary files that killed writers left there. `role` is the acting
    role when an advance repairs its own candidate; otherwise the actor needs the right to
    print packets in each selection concerned."""
    from qualify.records import remove_stale_temporaries

    session.rollback()
    session.connection(execution_options={"qualify_read_only": True})
    if role is None:
        actor_user(session, actor)
    removed = remove_stale_temporaries(records_dir)
    items = owed(session, records_dir, candidate_id=candidate_id, selection_id=selection_id)
    by_selection: dict[int, list[Packet]] = {}
    roles: dict[int, str] = {}
    sees: dict[int, bool] = {}
    for event, templates in items:
        sid = event.selection_id or 0
        if sid not in roles:
            spec = workflow_of(get_selection(session, sid)).spec
            user = actor_user(session, actor)
            roles[sid] = role or role_for(user, spec.permissions.print_packets, "print packets")
            # The packets are the actor's to obtain: made for what their role may see.
            sees[sid] = (
                sees_sensitive(spec, user.roles) if viewer_sensitive is None else viewer_sensitive
            )
        candidate = get_candidate(session, event.candidate_id or 0)
        stage = json.loads(event.details)["to"]
        by_selection.setdefault(sid, []).extend(
            render(session, templates_dir, candidate, stage, t, event, viewer_sensitive=sees[sid])
            for t in templates
        )
    # Rendering only read; end that transaction before writing (on SQLite a read snapshot
    # cannot become a write once someone else has committed).
    session.rollback()
    at = now or datetime.now(UTC)
    written: list[Path] = []
    for sid, packets in sorted(by_selection.items()):
        written += record_and_write(
            session, packets, records_dir, actor, roles[sid], at, sid, records=True
        )
    return Repaired(written, removed)
