"""`qualify report`: an appointed officer's quarterly activity reports."""

from __future__ import annotations

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table
from qualify.errors import BadInput

report_app = typer.Typer(
    help="An appointed officer's quarterly activity reports: enter them, list what is due.",
    no_args_is_help=True,
)


def _fields(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"--field {item!r}: use NAME=VALUE")
        if name in values:
            raise BadInput(f"--field {name}: given twice")
        values[name] = value
    return values


@report_app.command("add")
def report_add(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    quarter: str = typer.Option(
        ..., "--quarter", metavar="QUARTER", help="The quarter reported on, e.g. 2027Q3."
    ),
    fields: list[str] = typer.Option(
        [], "--field", help="NAME=VALUE, e.g. meetings=4; repeat for each field."
    ),
    reason: str | None = typer.Option(
        None,
        "--reason",
        metavar="TEXT",
        help="Correct the report on file for the quarter: why. Give only the fields that change.",
    ),
) -> None:
    """Enter an appointed officer's quarterly activity report, as a role of the workflow's
    enter_reports (SRO: HR, the Detective Sergeant, or the officer's own supervisor). A second
    report for the same quarter is refused; give --reason to correct the one on file, which is
    kept as an earlier version."""
    from qualify.services.reports import add_report

    values = _fields(fields)
    context = app_context(ctx)
    with context.session() as session:
        filed = add_report(
            session=session,
            candidate_id=candidate_id,
            quarter=quarter,
            fields=values,
            reason=reason,
            actor=context.actor,
        )
    report = filed.report
    what = "corrected" if filed.corrected else "recorded"
    late = "; entered after its due date" if filed.late else ""
    typer.echo(
        f"{what} the {report.quarter} activity report of candidate {candidate_id} (version "
        f"{report.version}){late}, audit event #{filed.event_id}"
    )


@report_app.command("due")
def report_due(
    ctx: typer.Context,
    as_of: str | None = typer.Option(
        None, "--as-of", metavar="DATE", help="The day to measure on (default: today)."
    ),
    selection: int | None = typer.Option(
        None, "--selection", min=1, max=ID_MAX, help="Only this selection's officers."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the quarterly reports due and overdue from each officer you may see: every quarter
    from the one of appointment (as the workflow says) until removal; a quarter's report is due
    from its last day until its due date, overdue from the day after."""
    from qualify.cli.people import parse_date
    from qualify.services.reports import due_reports

    day = parse_date(as_of, "--as-of") if as_of is not None else None
    context = app_context(ctx)
    with context.session() as session:
        rows = due_reports(session=session, actor=context.actor, as_of=day, selection_id=selection)
    if as_json:
        print_json(rows)
        return
    if not rows:
        when = f" as of {day.isoformat()}" if day else ""
        typer.echo(f"no activity report is due or overdue{when}")
        return
    print_table(
        ["candidate", "officer", "supervisor", "quarter", "due", "status"],
        [
            [
                str(r["candidate_id"]),
                str(r["name"]),
                str(r["supervisor"] or "-"),
                str(r["quarter"]),
                str(r["due"]),
                f"overdue by {r['days_overdue']} day{'s' if r['days_overdue'] != 1 else ''}"
                if r["status"] == "overdue"
                else "due",
            ]
            for r in rows
        ],
    )
