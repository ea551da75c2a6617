"""`qualify advance` and `qualify audit`: moving candidates on, and the record of it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from qualify.cli.context import app_context, print_json, print_table
from qualify.errors import BadInput, PacketsOwed, QualifyError

if TYPE_CHECKING:
    from qualify.services.advance import Advanced

audit_app = typer.Typer(help="Read and verify the tamper-evident audit log.", no_args_is_help=True)


def advance(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE"),
    trigger: str = typer.Argument(..., help="A trigger of the workflow, e.g. confirm_eligible."),
    reason: str | None = typer.Option(None, "--reason", help="Why; required for some triggers."),
) -> None:
    """Fire a workflow trigger on a candidate, as the acting user."""
    from qualify.services.advance import Advanced, PacketPlace
    from qualify.services.advance import advance as run_advance

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
            )
        except PacketsOwed as owed:
            if isinstance(owed.done, Advanced):
                _print_advanced(owed.done)
            raise
    _print_advanced(done)
    for path in done.packets:
        typer.echo(f"wrote {path}")


def _print_advanced(done: Advanced) -> None:
    passed = f" ({len(done.checks)} checks passed)" if done.checks else ""
    typer.echo(
        f"candidate {done.candidate_id}: {done.from_state} -> {done.to_state}{passed}, "
        f"audit event #{done.event_id}"
    )


@audit_app.command("log")
def audit_log(
    ctx: typer.Context,
    candidate: int | None = typer.Option(None, "--candidate", help="Only this candidate."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List audit events, oldest first."""
    from qualify.services.audit_view import visible_events

    context = app_context(ctx)
    with context.session() as session:
        found = visible_events(session=session, actor=context.actor, candidate_id=candidate)
    if as_json:
        print_json(found)
        return
    print_table(
        ["id", "at (UTC)", "actor", "role", "action", "subject", "outcome"],
        [
            [
                str(e["id"]),
                e["at"][:19],
                e["actor"],
                e["role"],
                e["action"],
                e["subject"],
                e["outcome"],
            ]
            for e in found
        ],
    )


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Walk the hash chain, replay every candidate's state and recompute the stored interview
    results; exit 1 naming the first problem."""
    from qualify.services.access import actor_user
    from qualify.services.integrity import verify
    from qualify.services.retention import purge_notes

    context = app_context(ctx)
    with context.session() as session:
        actor_user(session, context.actor)
        result = verify(session)
        purged = purge_notes(session)
    if not result.ok:
        raise QualifyError(f"audit log does not verify: {result.problem}")
    typer.echo(f"audit log verified: {result.count} events; head {result.head_hash}")
    for note in purged:
        typer.echo(note)


def packet(
    ctx: typer.Context,
    candidate_id: int | None = typer.Argument(None, metavar="[CANDIDATE]"),
    stage: str | None = typer.Option(None, "--stage", help="A stage the candidate entered."),
    selection: int | None = typer.Option(None, "--selection", help="Every packet of a selection."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Folder (default: out)."),
    jobs: int = typer.Option(1, "--jobs", min=1, max=64, help="Parallel processes."),
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Write into the records folder every packet a recorded change is owed (a crash "
        "or failure stopped it), and remove temporary files killed writers left there.",
    ),
) -> None:
    """Print packets: a candidate's for a stage (default: their current one), or a selection's.
    Every run first repairs the records folder for what it prints (see --repair)."""
    from qualify.services import packets

    if repair:
        if output is not None or stage is not None:
            raise BadInput("--repair writes to the records folder; -o and --stage do not apply")
    elif (candidate_id is None) == (selection is None):
        raise BadInput("give a CANDIDATE or --selection ID (one of them), or --repair")
    context = app_context(ctx)
    settings = context.settings
    folder = output or settings.output_dir
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
            return
        if candidate_id is not None:
            paths = packets.print_candidate(
                session=session,
                templates_dir=settings.templates_dir,
                output_dir=folder,
                candidate_id=candidate_id,
                actor=context.actor,
                stage=stage,
            )
        else:
            assert selection is not None
            count = len(packets.selection_jobs(session, selection))
            with typer.progressbar(length=count, label="rendering", file=sys.stderr) as bar:
                paths = packets.print_selection(
                    session=session,
                    database_url=settings.database_url,
                    templates_dir=settings.templates_dir,
                    output_dir=folder,
                    selection_id=selection,
                    actor=context.actor,
                    jobs=jobs,
                    progress=bar.update,
                )
    for path in paths:
        typer.echo(f"wrote {path}")
