"""`qualify position`: what the position costs, for the school board."""

from __future__ import annotations

from pathlib import Path

import typer

from qualify.cli.context import FORCE_HELP, ID_MAX, app_context, print_json, write_output

position_app = typer.Typer(
    help="The position itself: its funding options, for the school board.", no_args_is_help=True
)


@position_app.command("brief")
def brief(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        metavar="FILE",
        help="The PDF to write (default: selection-N_position-brief.pdf here; with --json, "
        "none unless -o names one).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the options as JSON."),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Print the one-page position brief: each funding option in the selection's workflow, its
    yearly cost computed from the figures in the file, the rule used, and its assumptions."""
    from qualify.services.position_brief import position_brief

    context = app_context(ctx)
    with context.session() as session:
        found = position_brief(
            session=session,
            selection_id=selection_id,
            actor=context.actor,
            templates_dir=context.settings.templates_dir,
        )
    # --json prints JSON only: the PDF is written there only when -o names a file.
    path = output if output or as_json else Path(f"selection-{selection_id}_position-brief.pdf")
    if path is not None:
        write_output(path, found.pdf, option="-o", force=force)
    if as_json:
        print_json(
            {
                "selection_id": found.selection_id,
                "title": found.title,
                "file": None if path is None else str(path),
                "options": [
                    {
                        "id": o.id,
                        "label": o.label,
                        "cost": o.cost,
                        "low": round(o.low),
                        "high": round(o.high),
                        "rule": o.rule,
                        "assumptions": list(o.assumptions),
                    }
                    for o in found.options
                ],
            }
        )
        return
    typer.echo(found.title)
    for o in found.options:
        typer.echo(f"  {o.id}. {o.label}: {o.cost}\n      {o.rule}")
    typer.echo(f"wrote {path}")
