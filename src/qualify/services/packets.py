"""Printing packets: a candidate's, a selection's, and those owed (see `packets/files.py`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from qualify.actor import Actor
from qualify.errors import BadInput, RuleViolation
from qualify.packets.files import (
    Packet,
    Repaired,
    entering_event,
    record_and_write,
    record_packets,
    sealed,
    stage_packets,
    write_files,
    write_owed,
)
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import AuditEvent
from qualify.suggest import suggest
from qualify.workflow.evidence import sees_sensitive


def print_candidate(
    *,
    session: Session,
    templates_dir: Path,
    output_dir: Path,
    candidate_id: int,
    actor: Actor,
    stage: str | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> list[Path]:
    """Print a candidate's packets for a stage they entered (default: their current stage); a
    different file of the same name in `output_dir` is replaced only with `force`."""
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
        session,
        packets,
        output_dir,
        actor,
        role,
        now or datetime.now(UTC),
        selection.id or 0,
        force=force,
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


def _render(
    session: Session, templates_dir: Path, job: tuple[int, str], viewer_sensitive: bool
) -> list[Packet]:
    """Render the packets of one (candidate, stage), only reading."""
    candidate_id, stage = job
    candidate = get_candidate(session, candidate_id)
    event = entering_event(session, candidate_id, stage)
    return stage_packets(
        session, templates_dir, candidate, stage, event, viewer_sensitive=viewer_sensitive
    )


# In a worker process only: the engine it reads with, made when it starts (a session cannot
# cross processes; each worker reads on connections of its own).
_WORKER: dict[str, Any] = {}


def _start_worker(lifeline: Any, database_url: str) -> None:
    """In a worker: open its engine, and exit as soon as the process that started the pool
    has gone. Workers hold the reading end of a pipe only that process can write to: when it
    dies, even by SIGKILL, the pipe reports its end."""
    import os
    import threading

    from qualify.store import db

    _WORKER["engine"] = db.reading(db.make_engine(database_url))

    def watch() -> None:
        try:
            lifeline.poll(None)  # nothing is ever sent: this returns when the sender is gone
        finally:
            os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _render_job(templates_dir: Path, job: tuple[int, str], viewer_sensitive: bool) -> list[Packet]:
    """In a worker: render one (candidate, stage) on the worker's own connection."""
    from qualify.store import db

    with db.session_scope(_WORKER["engine"]) as session:
        return _render(session, templates_dir, job, viewer_sensitive)


def print_selection(
    *,
    session: Session,
    templates_dir: Path,
    output_dir: Path,
    selection_id: int,
    actor: Actor,
    jobs: int = 1,
    progress: Callable[[int], object] | None = None,
    force: bool = False,
) -> list[Path]:
    """Every packet of every stage each candidate entered: each file written as it is rendered,
    then every packet recorded in the audit log in one transaction (a crash before it commits
    leaves true files without their events, never an event without its file). With `jobs`
    above 1, that many processes render, each reading the database on its own connection. A
    different file of the same name in `output_dir` is replaced only with `force` (refused,
    the packets written before it stay, unrecorded, as after a crash)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    # Decide and render on a read snapshot (on SQLite no write lock while rendering).
    session.rollback()
    session.connection(execution_options={"qualify_read_only": True})
    selection = get_selection(session, selection_id)
    user = actor_user(session, actor)
    spec = workflow_of(selection).spec
    role = role_for(user, spec.permissions.print_packets, "print packets")
    viewer_sensitive = sees_sensitive(spec, user.roles)
    work = selection_jobs(session, selection_id)
    done: list[Path] = []
    kept: list[tuple[Packet, str]] = []  # written, without their bytes (see `sealed`)

    def collect(rendered: list[Packet]) -> None:
        done.extend(write_files(rendered, output_dir, force=force))
        kept.extend(sealed(packet) for packet in rendered)
        if progress:
            progress(1)

    if jobs <= 1:
        for job in work:
            collect(_render(session, templates_dir, job, viewer_sensitive))
    else:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        url = engine.url.render_as_string(hide_password=False)
        # A fork server that has imported WeasyPrint already: workers start warm, and none of
        # them inherits this process's database connections.
        context = get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", "qualify.services.packets"])
        lifeline, keep = context.Pipe(duplex=False)
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(lifeline, url),
        ) as pool:
            futures = [
                pool.submit(_render_job, templates_dir, job, viewer_sensitive) for job in work
            ]
            for future in as_completed(futures):
                collect(future.result())
        keep.close()
        lifeline.close()
    # Rendering only read; end that transaction before writing (on SQLite a read snapshot
    # cannot become a write once someone else has committed).
    session.rollback()
    record_packets(session, kept, actor, role, datetime.now(UTC), selection_id)
    session.commit()
    return sorted(done)


def repair(
    *,
    session: Session,
    templates_dir: Path,
    records_dir: Path,
    actor: Actor,
    candidate_id: int | None = None,
    selection_id: int | None = None,
) -> Repaired:
    """Write every packet a committed event is owed (in the scope given) into the records
    folder, and remove temporary files that killed writers left there; the actor needs the
    right to print packets in each selection concerned (see `packets/files.py`, `write_owed`)."""
    return write_owed(
        session,
        templates_dir,
        records_dir,
        actor,
        candidate_id=candidate_id,
        selection_id=selection_id,
    )
