"""Packets: the PDF record of each stage, anchored to the audit event that entered the stage.

A packet's times, ids and hashes come from that event, and its facts from the records, so the
same records always give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, RuleViolation, Step
from qualify.packets.context import build_context
from qualify.store import audit
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import AuditEvent, Candidate
from qualify.workflow.evidence import sees_sensitive
from qualify.workflow.spec import Workflow


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
    selection_id: int, candidate_id: int, stage: str, template: str, event_id: int, copy: str = ""
) -> str:
    """A packet's file name carries the audit event that made it (the one that entered the
    stage), so entering a stage again makes new files and the earlier ones stay; and, when the
    copies for readers who see sensitive records and for those who do not differ, whose copy
    it is (`_hr-chief-copy`, `_commander-copy`: `packet_context.copy_readers`)."""
    return (
        f"selection-{selection_id}_candidate-{candidate_id:04d}_{stage}_{template}"
        f"_event-{event_id}" + (f"_{copy}-copy" if copy else "") + ".pdf"
    )


def written_copy(
    records_dir: Path,
    selection_id: int,
    candidate_id: int,
    stage: str,
    template: str,
    event_id: int,
) -> bool:
    """Whether the records folder holds the packet, whoever's copy it is."""
    stem = file_name(selection_id, candidate_id, stage, template, event_id)[: -len(".pdf")]
    return (records_dir / f"{stem}.pdf").exists() or any(records_dir.glob(f"{stem}_*-copy.pdf"))


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


# The events that amend the training of a candidate already in training: courses added
# (services/training.py) and a due date corrected (services/training_due.py); each seals the
# workflow's amended letters (`training.amended_packets`).
TRAINING_AMENDED = ("training_directed", "training_due_changed")


def amending_events(
    session: Session, spec: Workflow, candidate_id: int, stage: str, entered: AuditEvent
) -> list[AuditEvent]:
    """The additions of training (and corrections of a due date) while the candidate was in
    `stage`, after the event that entered it, oldest first: each seals the workflow's amended
    letters (none when the workflow prints none)."""
    if not spec.training.amended_packets or stage not in spec.training_states():
        return []
    found = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.candidate_id == candidate_id,
            col(AuditEvent.action).in_(TRAINING_AMENDED),
            AuditEvent.outcome == "ok",
            col(AuditEvent.id) > (entered.id or 0),
        )
        .order_by(col(AuditEvent.id))
    )
    return [e for e in found if json.loads(e.details).get("stage", stage) == stage]


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
        file_name=file_name(
            candidate.selection_id,
            candidate.id,
            stage,
            template,
            event.id or 0,
            context["packet"]["copy"],
        ),
        pdf=pdf,
        candidate_id=candidate.id,
        stage=stage,
        template=template,
        event_id=event.id or 0,
        # A packet every reader gets the same has nothing withheld (see `copy_readers`).
        withheld=not viewer_sensitive and bool(context["packet"]["copy"]),
    )


def write_files(
    packets: list[Packet], output_dir: Path, *, records: bool = False, force: bool = False
) -> list[Path]:
    """Write each packet's file. In the records folder (`records`) an existing file is never
    replaced; elsewhere (a reprint to a folder the user named) a file of the same name and the
    same bytes is the same packet, written afresh, and one that differs (another reader's copy,
    a file of the user's) is replaced only with `force`: otherwise nothing is written and
    the refusal names it."""
    from qualify.packets.render import write_atomic
    from qualify.records import write_new

    if not records and not force:
        for packet in packets:
            path = output_dir / packet.file_name
            if path.is_dir() or (path.exists() and path.read_bytes() != packet.pdf):
                raise BadInput(
                    f"{path} exists and is not this packet; name another folder",
                    field="output_dir",
                    step=Step("confirm_replace"),
                )
    written = []
    for packet in packets:
        path = output_dir / packet.file_name
        if records:
            write_new(path, packet.pdf)
        else:
            write_atomic(path, packet.pdf)
        written.append(path)
    return written


def sealed(packet: Packet) -> tuple[Packet, str]:
    """A written packet as its audit event needs it: without its bytes, with their sha256."""
    return replace(packet, pdf=b""), hashlib.sha256(packet.pdf).hexdigest()


def record_packets(
    session: Session,
    packets: list[tuple[Packet, str]],
    actor: Actor,
    role: str,
    at: datetime,
    selection_id: int,
) -> None:
    """Audit each written packet (given with its sha256, see `sealed`), in the caller's
    transaction."""
    for packet, sha256 in packets:
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
                "sha256": sha256,
                "stage": packet.stage,
                "event": packet.event_id,
            }
            | ({"sensitive": "withheld"} if packet.withheld else {}),
        )


def record_and_write(
    session: Session,
    packets: list[Packet],
    output_dir: Path,
    actor: Actor,
    role: str,
    at: datetime,
    selection_id: int,
    *,
    records: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write the files (an existing different one replaced only with `force`, see
    `write_files`), then audit each packet and commit. The files come first: a packet
    exists only for an event already committed, so a crash between the two leaves a true
    packet that lacks its `packet_generated` event, never an event without its file."""
    written = write_files(packets, output_dir, records=records, force=force)
    record_packets(session, [sealed(p) for p in packets], actor, role, at, selection_id)
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
    """Every packet the workflow prints on entering `stage`, and the amended letters of the
    training added while there (each sealed by its own event), rendered for a reader whose role
    sees sensitive records or not (the one who obtains them: `sees_sensitive` of their roles)."""
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    sealed_by = [(event, list(spec.packets.get(stage, [])))] + [
        (later, list(spec.training.amended_packets))
        for later in amending_events(session, spec, candidate.id or 0, stage, event)
    ]
    return [
        render(session, templates_dir, candidate, stage, t, e, viewer_sensitive=viewer_sensitive)
        for e, templates in sealed_by
        for t in templates
    ]


def _stage_of(details: dict[str, Any]) -> str:
    """The stage a packet-owing event's packets belong to: the one a state change entered, or
    the one training was added in."""
    return str(details.get("to") or details["stage"])


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
    """Committed state changes (and additions of training) whose packets are missing from the
    records folder, with the templates each still needs. An advance asked to write packets
    names them in its event."""
    query = (
        select(AuditEvent)
        .where(
            col(AuditEvent.action).in_(("state_changed", *TRAINING_AMENDED)),
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
            if not written_copy(
                records_dir,
                event.selection_id or 0,
                event.candidate_id,
                _stage_of(details),
                template,
                event.id,
            )
        ]
        if missing:
            found.append((event, missing))
    return found


def write_owed(
    session: Session,
    templates_dir: Path,
    records_dir: Path,
    actor: Actor,
    *,
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
        stage = _stage_of(json.loads(event.details))
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
