"""`qualify records`: retention, legal holds, purges and public-records exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table

records_app = typer.Typer(
    help="Keep a selection's records as the law says: retention, holds, purges, exports.",
    no_args_is_help=True,
)


@records_app.command("due")
def due(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """List selections whose retention period has ended and whose data is not purged yet."""
    from qualify.services.retention import records_due

    context = app_context(ctx)
    years = context.settings.retention_years
    with context.session() as session:
        found = records_due(session=session, actor=context.actor, years=years)
    rows: list[dict[str, Any]] = [
        {
            "selection_id": r.selection_id,
            "title": r.title,
            "last_action": r.last_action.date().isoformat(),
            "keep_until": r.keep_until.isoformat(),
            "hold": None if r.hold is None else {"id": r.hold.id, "reason": r.hold.reason},
        }
        for r in found
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo(
            f"no selection is past its retention period ({years} years after its last action)"
        )
        return
    print_table(
        ["selection", "title", "last action", "kept until", "legal hold"],
        [
            [
                str(r["selection_id"]),
                str(r["title"]),
                str(r["last_action"]),
                str(r["keep_until"]),
                f"#{r['hold']['id']}: {r['hold']['reason']}" if r["hold"] else "-",
            ]
            for r in rows
        ],
    )


@records_app.command("hold")
def hold(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="The dispute or charge."),
) -> None:
    """Place a legal hold: the selection's records cannot be purged until it is released."""
    from qualify.services.retention import place_hold

    context = app_context(ctx)
    with context.session() as session:
        placed = place_hold(
            session=session, selection_id=selection_id, reason=reason, actor=context.actor
        )
    typer.echo(f"selection {selection_id} is under legal hold #{placed.id}")


@records_app.command("release")
def release(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why the hold ends."),
) -> None:
    """Release a selection's legal hold."""
    from qualify.services.retention import release_hold

    context = app_context(ctx)
    with context.session() as session:
        released = release_hold(
            session=session, selection_id=selection_id, reason=reason, actor=context.actor
        )
    typer.echo(f"legal hold #{released.id} on selection {selection_id} is released")


@records_app.command("purge")
def purge(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why, for the record."),
) -> None:
    """Remove a selection's personal data after its retention period, leaving tombstones
    (the audit log stays whole and still verifies)."""
    from qualify.services.retention import purge as run_purge

    context = app_context(ctx)
    settings = context.settings
    with context.session() as session:
        done = run_purge(
            session=session,
            selection_id=selection_id,
            reason=reason,
            actor=context.actor,
            years=settings.retention_years,
            files_dir=settings.files_dir,
            records_dir=settings.records_dir,
        )
    typer.echo(
        f"purged selection {selection_id}: {done.tombstones} tombstones, "
        f"{done.files_removed} files removed, audit event #{done.event_id}"
    )


@records_app.command("export")
def export(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    profile: str = typer.Option(
        "public", "--profile", metavar="NAME", help="An export profile in profiles/."
    ),
    output: Path = typer.Option(..., "-o", "--output", metavar="DIR", help="A new folder."),
) -> None:
    """Write a public-records copy of a selection: the record as PDF and JSON, with what the
    profile withholds left out, and an index of each withheld item and the reason."""
    from qualify.services.export import export_records, load_profile

    context = app_context(ctx)
    settings = context.settings
    chosen = load_profile(settings.profiles_dir, profile)
    with context.session() as session:
        done = export_records(
            session=session,
            selection_id=selection_id,
            profile=chosen,
            templates_dir=settings.templates_dir,
            output_dir=output,
            actor=context.actor,
        )
    for path in done.files:
        typer.echo(f"wrote {path}")
    typer.echo(
        f"{len(done.withheld)} items withheld (see the index); audit event #{done.event_id}. "
        "Counsel must review the copy before it is released."
    )
