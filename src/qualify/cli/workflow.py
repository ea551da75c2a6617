"""`qualify workflow`: validate, show and draw workflow files."""

from __future__ import annotations

from pathlib import Path

import typer

from qualify.cli.context import FORCE_HELP, app_context, print_json, write_output
from qualify.errors import WorkflowError

app = typer.Typer(help="Validate, show and draw workflow files.", no_args_is_help=True)


@app.command()
def validate(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Workflow files to validate."),
) -> None:
    """Validate workflow files; list every problem with its file and line (exit 2 if any)."""
    from qualify.workflow import files

    valid, problems = files.validate(app_context(ctx).settings, paths)
    for loaded in valid:
        spec = loaded.spec
        typer.echo(
            f"{loaded.source}: ok ({spec.name} version {spec.version}, {loaded.sha256[:12]})"
        )
    if problems:
        raise WorkflowError(problems)


@app.command()
def show(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Workflow name, e.g. sro-selection."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a workflow's states, transitions (who may fire them, guards), panel and rubric."""
    from qualify.workflow import files

    loaded = files.find(app_context(ctx).settings, name)
    spec = loaded.spec
    if as_json:
        print_json(
            {"sha256": loaded.sha256, "source": loaded.source, **spec.model_dump(mode="json")}
        )
        return
    typer.echo(f"{spec.title} ({spec.name} version {spec.version})")
    typer.echo(f"file {loaded.source}, sha256 {loaded.sha256}")
    typer.echo("\nStates:")
    for state_name, state in spec.states.items():
        mark = " (initial)" if state.initial else " (final)" if state.final else ""
        typer.echo(f"  {state_name}{mark}: {state.label}")
    typer.echo("\nTransitions:")
    for t in spec.transitions:
        line = f"  {t.trigger}: {', '.join(t.source)} -> {t.dest}, by {', '.join(t.roles)}"
        if t.reason_required:
            line += "; reason required"
        if t.directs_training:
            line += "; directs training (qualify training assign)"
        if t.requires_training:
            line += "; waits for every directed course to be complete"
        typer.echo(line)
        if t.guards:
            typer.echo(f"      guarded by: {', '.join(t.guards)}")
        if t.categories:
            typer.echo(f"      --category: {', '.join(t.categories)}")
        if t.eligible_list:
            typer.echo(
                f"      from the eligible list, valid {spec.eligible_list_months} months from "
                "the selection decision; in rank order unless --skip-reason"
            )
    typer.echo("\nEvidence kinds (qualify evidence add CANDIDATE KIND):")
    for kind_id, kind in spec.evidence.items():
        marks = [m for m, on in (("sensitive", kind.sensitive), ("several", kind.multiple)) if on]
        marked = f" ({', '.join(marks)})" if marks else ""
        typer.echo(f"  {kind_id}{marked}: {kind.label}")
        fields = [
            f"{name} ({'/'.join(f.choices) if f.choices else f.type}"
            f"{'' if f.required else ', optional'})"
            for name, f in kind.fields.items()
        ]
        typer.echo(f"      fields: {', '.join(fields)}")
    if spec.training.courses:
        typer.echo("\nTraining courses (qualify training assign CANDIDATE COURSE... --by DATE):")
        for course in spec.training.courses:
            typer.echo(f"  {course.id}: {course.label}, {course.hours:g} hours")
    typer.echo("\nChecks:")
    for check_id, check in spec.checks.items():
        typer.echo(f"  {check_id} ({check.kind}): {check.label}")
    typer.echo("\nPanel:")
    for seat_id, seat in spec.panel.seats.items():
        typer.echo(f"  {seat_id}: {seat.count} x {seat.role}")
    if spec.panel.excluded:
        typer.echo(f"  may not sit for a candidate: {', '.join(spec.panel.excluded)}")
    rubric = spec.rubric
    typer.echo(
        f"\nRubric (scale {rubric.scale_min}-{rubric.scale_max}, pass mark {rubric.pass_mark}, "
        f"flag at a spread of {rubric.disagreement_threshold}):"
    )
    for c in rubric.criteria:
        minimum = (
            f", mean above {c.minimum_mean_above}"
            if c.minimum_mean_above is not None
            else f", mean at least {c.minimum_mean}"
            if c.minimum_mean is not None
            else ""
        )
        typer.echo(f"  {c.id} (weight {c.weight}{minimum}): {c.label}")
    if rubric.tie_breaks:
        typer.echo(f"  ties broken by: {', '.join(rubric.tie_breaks)}")


@app.command()
def diagram(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Workflow name."),
    fmt: str = typer.Option("mermaid", "--format", help="mermaid or svg (svg needs Graphviz)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file."),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Draw the workflow as a Mermaid state diagram or an SVG (through Graphviz `dot`)."""
    from qualify.workflow import files

    text = files.diagram(files.find(app_context(ctx).settings, name), fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_output(output, text.encode("utf-8"), option="-o", force=force)
        typer.echo(f"wrote {output}")
