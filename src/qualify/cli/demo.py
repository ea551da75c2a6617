"""`qualify demo`: the whole SRO selection on sample data, with a summary."""

from __future__ import annotations

from pathlib import Path

import typer

from qualify.cli.context import app_context, print_table
from qualify.cli.serve import DEFAULT_PORT
from qualify.config import PROJECT_ROOT
from qualify.errors import QualifyError
from qualify.files import output_folder

SCENARIO = PROJECT_ROOT / "docs" / "examples" / "sro-demo.yaml"
SHORT = {"pass": "ok", "fail": "FAIL", "pending": "-", "not_applicable": "n/a"}


def demo(
    ctx: typer.Context,
    output: Path = typer.Option(
        Path("out"), "-o", "--output", help="Folder for the database and packets."
    ),
    scenario: Path = typer.Option(SCENARIO, "--scenario", help="The scenario file to run."),
    steps: int | None = typer.Option(
        None, "--steps", min=0, help="Stop after this many steps, to practise the rest by hand."
    ),
) -> None:
    """Run a whole School Resource Officer selection on sample data, start to finish."""
    from qualify.services.scenario import run_demo

    context = app_context(ctx)
    run = run_demo(
        settings=context.settings,
        output_dir=output_folder(output, label="-o"),
        scenario_path=scenario,
        origin=context.origin,
        steps=steps,
    )
    summary = run.summary
    typer.echo(
        f"{summary['title']} ({summary['workflow']}), qualifications as of {summary['as_of']}\n"
    )
    checks = summary["checks"]
    shown = [check_id for check_id, _ in summary["eligibility_checks"]]
    typer.echo("Eligibility checks (ok = pass, FAIL = fail, - = pending):")
    print_table(
        ["id", "name", *[f"c{i}" for i in range(1, len(shown) + 1)], "state now"],
        [
            [
                str(row["candidate_id"]),
                row["name"],
                *[SHORT[r["status"]] for r in row["results"] if r["check"] in shown],
                summary["states"][row["candidate_id"]],
            ]
            for row in checks["candidates"]
        ],
    )
    for i, (_, label) in enumerate(summary["eligibility_checks"], start=1):
        typer.echo(f"  c{i}: {label}")
    typer.echo("\nInterview results (1 commander, 2 school representatives):")
    for row in summary["results"]["candidates"]:
        if "hidden" in row:
            typer.echo(
                f"  -  {row['name']}: {row['status_text']} ({'; '.join(row.get('missing', []))})"
            )
            continue
        verdict = "PASS" if row["passed"] else "FAIL: " + "; ".join(row["failures"])
        flags = f", {row['flags']} disagreement flagged" if row["flags"] else ""
        place = f"{row['rank']}." if row["rank"] else "- "  # a failing officer is not ranked
        typer.echo(f"  {place} {row['name']}: weighted total {row['total']:.2f}, {verdict}{flags}")
    typer.echo("\nThe position now:")
    for state, label in summary["position_states"].items():
        names = [
            row["name"]
            for row in checks["candidates"]
            if summary["states"][row["candidate_id"]] == state
        ]
        if names:
            typer.echo(f"  {label}: {', '.join(names)}")
    typer.echo(f"Packets: {len(run.packets)} PDFs in {output}/")
    fairness = summary["fairness"]
    typer.echo(
        f"Fairness report: {fairness['pdf']} ({fairness['self_identified']} self-identified, "
        f"{fairness['flags']} comparisons below four-fifths)"
    )
    audit = summary["audit"]
    if not audit["ok"]:
        raise QualifyError(f"audit log does not verify: {audit['problem']}")
    typer.echo(
        f"Audit log verified: {audit['events']} events, head #{audit['head_id']} {audit['head']}"
    )
    typer.echo(
        "The story's events are dated on its own days; what you do on this database later is "
        "dated today,\nso the audit check notes each step back in time, saying it is the demo's "
        "dates."
    )
    typer.echo(
        f"\nLook around: qualify --db {run.database_url} --as {summary['hr']} candidate show 1"
    )
    portal = app_context(ctx).settings.portal
    typer.echo(
        f"\nThe portal: 'make serve' serves this database on port {DEFAULT_PORT} (or qualify --db "
        f"{run.database_url} serve --port N), then open {portal.url}/ (QUALIFY_PORTAL_URL, where"
        "\ninvitation links lead) and sign in as a demo user with their demo password (sample "
        "data only):"
    )
    print_table(
        ["user", "roles", "password"],
        [[u["name"], ", ".join(u["roles"]), u["password"]] for u in summary["portal_users"]],
    )
