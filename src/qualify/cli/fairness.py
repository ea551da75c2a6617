"""`qualify fairness`: voluntary self-identification, the applicant-flow log and the
adverse-impact report."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from qualify.cli.context import FORCE_HELP, ID_MAX, app_context, print_json, write_output
from qualify.safecsv import csv_bytes
from qualify.workflow.fairness import (
    DECLINED,
    DIMENSIONS,
    FOUR_FIFTHS,
    NOT_RECORDED_LABEL,
    RACE_ETHNICITY,
    SEX,
)

fairness_app = typer.Typer(
    help="Self-identification, the applicant-flow log and the adverse-impact report.",
    no_args_is_help=True,
)


@fairness_app.command("identify")
def identify(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    sex: str = typer.Option(..., "--sex", metavar="CATEGORY", help=f"One of: {', '.join(SEX)}."),
    race_ethnicity: str = typer.Option(
        ...,
        "--race-ethnicity",
        metavar="CATEGORY",
        help=f"One of: {', '.join(RACE_ETHNICITY)}.",
    ),
) -> None:
    """Record a candidate's voluntary self-identification (EEO-4 categories), or that they
    declined. Kept apart from the candidate's record; only view_eeo reads it."""
    from qualify.services.fairness import record_self_identification

    context = app_context(ctx)
    with context.session() as session:
        record_self_identification(
            session=session,
            candidate_id=candidate_id,
            sex=sex,
            race_ethnicity=race_ethnicity,
            actor=context.actor,
        )
    typer.echo(f"recorded the self-identification of candidate {candidate_id}")


@fairness_app.command("flow")
def flow(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    csv_path: Path = typer.Option(..., "--csv", metavar="FILE", help="Write the log here."),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Write the applicant-flow log: one row per candidate, each stage reached and when; sex
    and race_ethnicity read not_recorded for a candidate whose self-identification (or that
    they declined) was never recorded."""
    from qualify.services.fairness import applicant_flow

    context = app_context(ctx)
    with context.session() as session:
        log = applicant_flow(session=session, selection_id=selection_id, actor=context.actor)
    write_output(csv_path, csv_bytes(log.header, log.rows), option="--csv", force=force)
    typer.echo(f"wrote {csv_path} ({len(log.rows)} candidates)")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def report_lines(report: Any) -> list[str]:
    """The report as text, each caution next to the figure it qualifies."""
    lines = [
        f"Adverse-impact report: selection {report.selection_id}, {report.selection_title}",
        f"{report.candidates} candidates, {report.self_identified} self-identified; "
        f"four-fifths rule: a group's rate below {FOUR_FIFTHS:.0%} of the highest group's.",
    ]
    for stage in report.stages:
        lines.append("")
        apart = []
        if stage.undecided:
            apart.append(f"{stage.undecided} still undecided at this stage, left out until decided")
        if stage.excluded:
            were = "is" if stage.excluded == 1 else "are"
            apart.append(f"{stage.excluded} withdrew and {were} left out")
        lines.append(
            f"{stage.label}: {stage.passed} of {stage.entered} passed"
            + (f" ({'; '.join(apart)})" if apart else "")
        )
        for dim, analysis in stage.analyses.items():
            names = DIMENSIONS[dim]
            lines.append(f"  by {dim.replace('_', '/')}:")
            for count in analysis.counts:
                lines.append(
                    f"    {names[count.group]}: {count.passed} of {count.entered} "
                    f"({_pct(count.rate)})"
                )
            for group, words in (
                (analysis.declined, names[DECLINED]),
                (analysis.not_recorded, NOT_RECORDED_LABEL),
            ):
                if group.entered:
                    lines.append(f"    {words}: {group.passed} of {group.entered}")
            for comp in analysis.comparisons:
                flag = "BELOW four-fifths" if comp.below_four_fifths else "not below four-fifths"
                sig = "significant" if comp.significant else "not significant"
                lines.append(
                    f"    {names[comp.group]} vs {names[comp.reference]}: impact ratio "
                    f"{comp.impact_ratio:.2f} ({flag}); expected {comp.expected:.1f}, "
                    f"shortfall {comp.shortfall:.1f}; Fisher p = {comp.fisher_p:.2f} ({sig})"
                )
                if comp.caution:
                    lines.append(f"      {comp.caution}")
            if not stage.entered:
                lines.append("    no comparison: no one has a decision at this stage yet")
            elif not analysis.comparisons:
                lines.append("    no comparison: fewer than two self-identified groups")
    return lines


@fairness_app.command("report")
def report(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    pdf: Path | None = typer.Option(None, "--pdf", metavar="FILE", help="Also write a PDF."),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Selection rates per group at each stage and overall: impact ratios, the four-fifths
    flag, shortfall and Fisher's exact test, with a caution where numbers are small."""
    from qualify.services.fairness import fairness_report

    context = app_context(ctx)
    with context.session() as session:
        found = fairness_report(session=session, selection_id=selection_id, actor=context.actor)
    if pdf is not None:
        from qualify.services.fairness import report_pdf

        write_output(
            pdf, report_pdf(found, context.settings.templates_dir), option="--pdf", force=force
        )
    if as_json:
        print_json(asdict(found))
    else:
        for line in report_lines(found):
            typer.echo(line)
    if pdf is not None and not as_json:
        typer.echo(f"wrote {pdf}")
