"""`qualify advance` and `qualify audit`: moving candidates on, and the record of it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qualify.cli.context import ID_MAX, AppContext, app_context, print_json, print_table
from qualify.errors import BadInput, PacketsOwed, QualifyError
from qualify.files import output_folder_for

if TYPE_CHECKING:
    from qualify.services.firing import Advanced

audit_app = typer.Typer(help="Read and verify the tamper-evident audit log.", no_args_is_help=True)


def advance(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    trigger: str = typer.Argument(..., help="A trigger of the workflow, e.g. confirm_eligible."),
    reason: str | None = typer.Option(
        None, "--reason", help="Why, for the record and internal packets; some triggers need it."
    ),
    notice: str | None = typer.Option(
        None, "--notice", help="What the letter tells the candidate, in your words."
    ),
    reason_code: str | None = typer.Option(
        None,
        "--reason-code",
        help="A standard wording for the letter, from the trigger's reason_codes.",
    ),
    category: str | None = typer.Option(
        None,
        "--category",
        help="The decision's category, from the trigger's categories (remove: the infraction).",
    ),
    skip_reason: str | None = typer.Option(
        None,
        "--skip-reason",
        help="recall: why the officers ranked above on the eligible list are passed over.",
    ),
) -> None:
    """Fire a workflow trigger on a candidate, as the acting user."""
    from qualify.services.advance import advance as run_advance
    from qualify.services.firing import Advanced, PacketPlace

    context = app_context(ctx)
    settings = context.settings
    with context.session() as session:
        try:
            done = run_advance(
                session=session,
                candidate_id=candidate_id,
                trigger=trigger,
                actor=context.actor,
                reason=reason,
                # Packets go to the records folder, never the folder the command runs in.
                packets=PacketPlace(settings.templates_dir, settings.records_dir),
                notice=notice,
                reason_code=reason_code,
                category=category,
                skip_reason=skip_reason,
            )
        except PacketsOwed as owed:
            if isinstance(owed.done, Advanced):
                _print_advanced(owed.done)
            raise
    _print_advanced(done)
    for path in done.packets:
        typer.echo(f"wrote {path}")


def _print_advanced(done: Advanced) -> None:
    count = len(done.checks)
    passed = f" ({count} {'check' if count == 1 else 'checks'} passed)" if count else ""
    typer.echo(
        f"candidate {done.candidate_id}: {done.from_state} -> {done.to_state}{passed}, "
        f"audit event #{done.event_id}"
    )


@audit_app.command("log")
def audit_log(
    ctx: typer.Context,
    candidate: int | None = typer.Option(
        None, "--candidate", min=1, max=ID_MAX, help="Only this candidate."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List audit events, oldest first: who did what, from which channel, and with what
    effect (a state change names its trigger, the states, its category, a recall's eligible
    list, anyone passed over and the whole reason)."""
    from qualify.services.audit_view import audit_listing, visible_events

    context = app_context(ctx)
    with context.session() as session:
        if as_json:
            print_json(visible_events(session=session, actor=context.actor, candidate_id=candidate))
            return
        listed = audit_listing(session=session, actor=context.actor, candidate_id=candidate)
    print_table(
        ["id", "at (UTC)", "actor", "role", "channel", "action", "subject", "outcome", "what"],
        [
            [
                str(e["id"]),
                e["at"][:19],
                e["actor"],
                e["role"],
                e["channel"] or "-",
                e["action"],
                e["subject"],
                e["outcome"],
                line.what,
            ]
            for line in listed
            for e in (line.event,)
        ],
    )


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    event: int | None = typer.Option(
        None, "--event", metavar="N", min=1, help="Also confirm that event N is in the chain."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (also when it fails)."),
) -> None:
    """Check the keyed hash chain with the audit key, every record a decision rests on against
    its latest event, every candidate's state against the log, the stored interview results,
    and the log against its latest checkpoint; exit 1 naming what is wrong."""
    from qualify.services.retention import purge_notes
    from qualify.store import checkpoints
    from qualify.store.audit import as_dict
    from qualify.store.integrity import verify
    from qualify.store.permissions import actor_user
    from qualify.store.tables import AuditEvent

    context = app_context(ctx)
    path = checkpoints.checkpoint_file(context.settings.records_dir)
    with context.session() as session:
        actor_user(session, context.actor)
        result = verify(session, checkpoint_path=path)
        named = session.get(AuditEvent, event) if event is not None else None
        shown = as_dict(named) if named is not None else None
        purged = purge_notes(session)
    problems = list(result.problems)
    if event is not None and result.ok and (shown is None or event > result.head_id):
        # The log verifies: a number it does not hold is a mistyped input, not a broken log.
        raise BadInput(
            f"no such event in the audit log; its newest is #{result.head_id}",
            field="event",
            value=str(event),
        )
    if as_json:
        print_json(
            {
                "ok": not problems,
                "events": result.count,
                "head": {"id": result.head_id, "hash": result.head_hash},
                "key_id": result.key_id,
                "checkpoint": None
                if result.checkpoint is None
                else {"id": result.checkpoint[0], "hash": result.checkpoint[1], "file": str(path)},
                "event": shown if event is not None and not problems else None,
                "problems": problems,
                "warnings": list(result.warnings),
                "purges": purged,
            }
        )
        if problems:
            raise typer.Exit(1)
        return
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if problems:
        raise QualifyError(
            f"audit log does not verify: {problems[0]}"
            + (
                f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; "
                "see --json)"
                if len(problems) > 1
                else ""
            )
        )
    typer.echo(
        f"audit log verified: {result.count} events; head #{result.head_id} {result.head_hash}"
    )
    if result.checkpoint is not None:
        typer.echo(f"latest checkpoint: event #{result.checkpoint[0]} ({path})")
    for note in purged:
        typer.echo(note)
    if shown is not None:
        typer.echo(
            f"event #{shown['id']} is in the verified chain: {shown['action']} "
            f"{shown['subject']} at {shown['at'][:19]} UTC, hash {shown['hash']}"
        )


@audit_app.command("checkpoint")
def audit_checkpoint(ctx: typer.Context) -> None:
    """Verify the record, then append its head (number and hash, signed with the audit key) to
    the checkpoint file in the records folder, outside the database."""
    from qualify.services.audit_admin import checkpoint_head
    from qualify.store import checkpoints
    from qualify.store.permissions import actor_user

    context = app_context(ctx)
    with context.session() as session:
        actor_user(session, context.actor)
        head_id, head_hash = checkpoint_head(
            session=session, records_dir=context.settings.records_dir, full=True
        )
    path = checkpoints.checkpoint_file(context.settings.records_dir)
    typer.echo(f"checkpoint: event #{head_id} {head_hash} appended to {path}")


@audit_app.command("key")
def audit_key(
    ctx: typer.Context,
    path_only: bool = typer.Option(False, "--path", help="Print only the key file's path."),
) -> None:
    """Say where this database's audit key file is, and which keys it holds (never the keys)."""
    from qualify import auditkey

    path = app_context(ctx).settings.audit_key
    if path_only:
        typer.echo(str(path))
        return
    ring = auditkey.load(path)
    ids = ", ".join(kid for kid, _ in ring.keys)
    typer.echo(f"audit key file {path}: keys {ids} (current {ring.current_id})")


@audit_app.command("rotate-key")
def audit_rotate_key(
    ctx: typer.Context,
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why the key is rotated."),
) -> None:
    """Add a new audit key to the key file; the rotation is recorded as an event signed with
    the old key, and later events are signed with the new one. Keep the old keys: they verify
    the events they signed."""
    from qualify.services.audit_admin import rotate_key

    context = app_context(ctx)
    with context.session() as session:
        old, new, event_id = rotate_key(session=session, actor=context.actor, reason=reason)
    typer.echo(
        f"audit key rotated: {old} -> {new} (audit event #{event_id}); "
        f"the key file {context.settings.audit_key} keeps both"
    )


def packet(
    ctx: typer.Context,
    candidate_id: int | None = typer.Argument(None, metavar="CANDIDATE", min=1, max=ID_MAX),
    stage: str | None = typer.Option(None, "--stage", help="A stage the candidate entered."),
    report: str | None = typer.Option(
        None,
        "--report",
        metavar="QUARTER",
        help="The candidate's quarterly activity report for QUARTER (e.g. 2027Q3) instead.",
    ),
    selection: int | None = typer.Option(
        None, "--selection", min=1, max=ID_MAX, help="Every packet of a selection."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Folder (default: out)."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Replace a file in the folder that has a packet's name but other contents.",
    ),
    jobs: int = typer.Option(1, "--jobs", min=1, max=64, help="Parallel processes."),
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Write into the records folder every packet a recorded change is owed (a crash "
        "or failure stopped it), and remove temporary files killed writers left there.",
    ),
) -> None:
    """Print packets: a candidate's for a stage (default: their current one; with the amended
    letters printed while there, such as an amended training assignment) or quarterly activity
    report (--report), or a selection's. Every run first repairs the records folder for what it
    prints (see --repair). A file in the folder with a packet's name and other contents is
    refused (nothing written) unless --force; a refused run leaves no folder it created."""
    if repair:
        if output is not None or stage is not None or report is not None:
            raise BadInput(
                "--repair writes to the records folder; -o, --stage and --report do not apply"
            )
    elif (candidate_id is None) == (selection is None):
        raise BadInput("give a CANDIDATE or --selection ID (one of them), or --repair")
    if report is not None and (stage is not None or candidate_id is None):
        raise BadInput("--report QUARTER prints one CANDIDATE's report; --stage does not apply")
    if repair and force:
        raise BadInput("--repair never replaces a file; --force does not apply")
    context = app_context(ctx)
    settings = context.settings
    asked = Asked(candidate_id, selection, stage, report, jobs, force)
    if repair:
        _print_packets(context, settings.records_dir, asked, repair=True)
        return
    where = output or settings.output_dir
    with output_folder_for(where, label="-o" if output else "output") as folder:
        _print_packets(context, folder, asked, repair=False)


@dataclass(frozen=True)
class Asked:
    """What `qualify packet` was asked to print, its options checked."""

    candidate_id: int | None
    selection: int | None
    stage: str | None
    report: str | None
    jobs: int
    force: bool


def _print_packets(context: AppContext, folder: Path, asked: Asked, *, repair: bool) -> None:
    """`qualify packet` once its options are checked: repair the records folder for what is
    asked, then (unless `repair`) print it into `folder`."""
    from qualify.services import packets

    settings = context.settings
    candidate_id, selection, stage, report = (
        asked.candidate_id,
        asked.selection,
        asked.stage,
        asked.report,
    )
    paths: list[Path] = []
    with context.session() as session:
        repaired = packets.repair(
            session=session,
            templates_dir=settings.templates_dir,
            records_dir=settings.records_dir,
            actor=context.actor,
            candidate_id=candidate_id,
            selection_id=selection,
        )
        removed = list(repaired.removed)
        if not repair and folder.resolve() != settings.records_dir.resolve():
            from qualify.records import remove_stale_temporaries

            removed += remove_stale_temporaries(folder)  # a killed reprint's, in -o DIR
        for path in removed:
            typer.echo(f"removed leftover {path}")
        for path in repaired.written:
            typer.echo(f"wrote {path}")
        if repair:
            if not repaired.written:
                typer.echo(f"no packet is owed; records folder {settings.records_dir}")
        elif candidate_id is not None and report is not None:
            from qualify.services.report_packet import print_report

            paths = print_report(
                session=session,
                templates_dir=settings.templates_dir,
                output_dir=folder,
                candidate_id=candidate_id,
                quarter=report,
                actor=context.actor,
                force=asked.force,
            )
        elif candidate_id is not None:
            paths = packets.print_candidate(
                session=session,
                templates_dir=settings.templates_dir,
                output_dir=folder,
                candidate_id=candidate_id,
                actor=context.actor,
                stage=stage,
                force=asked.force,
            )
        elif selection is not None:
            count = len(packets.selection_jobs(session, selection))
            with typer.progressbar(length=count, label="rendering", file=sys.stderr) as bar:
                paths = packets.print_selection(
                    session=session,
                    templates_dir=settings.templates_dir,
                    output_dir=folder,
                    selection_id=selection,
                    actor=context.actor,
                    jobs=asked.jobs,
                    progress=bar.update,
                    force=asked.force,
                )
    for path in paths:
        typer.echo(f"wrote {path}")
    # Every packet run leaves a checkpoint of the head its packets were sealed by.
    from qualify.services.audit_admin import checkpoint_head

    with context.session() as session:
        checkpoint_head(session=session, records_dir=settings.records_dir, full=False)
