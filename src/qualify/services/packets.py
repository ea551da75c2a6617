"""Printing packets: a candidate's, a selection's, and those owed (see `packet_files`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from qualify.errors import BadInput, RuleViolation
from qualify.services.frozen import workflow_of
from qualify.services.lookups import get_candidate, get_selection
from qualify.services.packet_files import (
    Packet,
    Repaired,
    entering_event,
    record_and_write,
    stage_packets,
    write_owed,
)
from qualify.services.permissions import actor_user, role_for
from qualify.store.tables import AuditEvent
from qualify.workflow.evidence import sees_sensitive
from qualify.workflow.loader import suggest


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


def repair(
    *,
    session: Session,
    templates_dir: Path,
    records_dir: Path,
    actor: str,
    candidate_id: int | None = None,
    selection_id: int | None = None,
) -> Repaired:
    """Write every packet a committed event is owed (in the scope given) into the records
    folder, and remove temporary files that killed writers left there; the actor needs the
    right to print packets in each selection concerned (see `packet_files.write_owed`)."""
    return write_owed(
        session,
        templates_dir,
        records_dir,
        actor,
        candidate_id=candidate_id,
        selection_id=selection_id,
    )
