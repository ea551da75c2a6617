"""`qualify advance` and `qualify audit`: moving candidates on, and the record of it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table
from qualify.errors import BadInput, QualifyError
from qualify.files import output_folder

audit_app = typer.Typer(help="Read and verify the tamper-evident audit log.", no_args_is_help=True)


def advance(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    trigger: str = typer.Argument(..., help="A trigger of the workflow, e.g. confirm_eligible."),
    reason: str | None = typer.Option(None, "--reason", help="Why; required for some triggers."),
) -> None:
    """Fire a workflow trigger on a candidate, as the acting user."""
    from qualify.services.advance import PacketPlace
    from qualify.services.advance import advance as run_advance

    context = app_context(ctx)
    settings = context.settings
    with context.session() as session:
        done = run_advance(
            session=session,
            candidate_id=candidate_id,
            trigger=trigger,
            actor=context.actor,
            reason=reason,
            packets=PacketPlace(settings.templates_dir, settings.output_dir),
        )
    passed = f" ({len(done.checks)} checks passed)" if done.checks else ""
    typer.echo(
        f"candidate {done.candidate_id}: {done.from_state} -> {done.to_state}{passed}, "
        f"audit event #{done.event_id}"
    )
    for path in done.packets:
        typer.echo(f"wrote {path}")


@audit_app.command("log")
def audit_log(
    ctx: typer.Context,
    candidate: int | None = typer.Option(
        None, "--candidate", min=1, max=ID_MAX, help="Only this candidate."
    ),
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
    candidate_id: int | None = typer.Argument(None, metavar="CANDIDATE", min=1, max=ID_MAX),
    stage: str | None = typer.Option(None, "--stage", help="A stage the candidate entered."),
    selection: int | None = typer.Option(
        None, "--selection", min=1, max=ID_MAX, help="Every packet of a selection."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Folder (default: out)."),
    jobs: int = typer.Option(1, "--jobs", min=1, max=64, help="Parallel processes."),
) -> None:
    """Print packets: a candidate's for a stage (default: their current one), or a selection's."""
    from qualify.services import packets

    if (candidate_id is None) == (selection is None):
        raise BadInput("give a CANDIDATE or --selection ID (one of them)")
    context = app_context(ctx)
    settings = context.settings
    folder = output_folder(output or settings.output_dir, label="-o" if output else "output")
    with context.session() as session:
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
