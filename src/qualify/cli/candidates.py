"""`qualify candidate`, `qualify evidence` and `qualify check`: the records HR keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table
from qualify.errors import BadInput

candidates = typer.Typer(
    help="Add, import, edit, remove (entered by mistake), list and show candidates.",
    no_args_is_help=True,
)
evidence = typer.Typer(help="Record evidence about a candidate.", no_args_is_help=True)

STATUS = {
    "pass": "pass",
    "fail": "FAIL",
    "pending": "pending",
    "withheld": "withheld",
    "not_applicable": "-",
}


@candidates.command("add")
def candidate_add(
    ctx: typer.Context,
    selection: int = typer.Option(..., "--selection", min=1, max=ID_MAX, help="Selection id."),
    employee_id: str = typer.Option(
        ..., "--employee-id", help="Employee id (unique per selection)."
    ),
    first_name: str = typer.Option("", "--first-name", help="Given name, e.g. Luis."),
    last_name: str = typer.Option("", "--last-name", help="Family name, e.g. Reyes."),
    name: str = typer.Option(
        "", "--name", help="Instead of the two: one name, 'Last, First' or 'First Last'."
    ),
    rank: str = typer.Option("", "--rank"),
    unit: str = typer.Option("", "--unit"),
    supervisor: str = typer.Option("", "--supervisor", help="User name of their supervisor."),
    email: str = typer.Option("", "--email"),
) -> None:
    """Add one candidate to a selection."""
    from qualify.services.candidates import add_candidate

    context = app_context(ctx)
    values = {
        "employee_id": employee_id,
        "first_name": first_name,
        "last_name": last_name,
        "name": name,
        "rank": rank,
        "unit": unit,
        "supervisor": supervisor,
        "email": email,
    }
    with context.session() as session:
        candidate = add_candidate(
            session=session, selection_id=selection, values=values, actor=context.actor
        )
    typer.echo(f"added candidate {candidate.id}: {candidate.name} ({candidate.state})")


@candidates.command("import")
def candidate_import(
    ctx: typer.Context,
    csv_path: Path = typer.Argument(
        ..., metavar="CSV", help="Roster: employee_id,first_name,last_name,rank,..."
    ),
    selection: int = typer.Option(..., "--selection", min=1, max=ID_MAX, help="Selection id."),
) -> None:
    """Import a roster CSV: every row, or (when any row is bad) none, with every problem listed."""
    from qualify.services.candidates import import_roster

    context = app_context(ctx)
    with context.session() as session:
        count = import_roster(
            session=session, selection_id=selection, path=csv_path, actor=context.actor
        )
    typer.echo(f"imported {count} candidates into selection {selection}")


@candidates.command("edit")
def candidate_edit(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    reason: str = typer.Option(..., "--reason", help="Why the record is corrected (audited)."),
    first_name: str | None = typer.Option(None, "--first-name", help="Given name."),
    last_name: str | None = typer.Option(None, "--last-name", help="Family name."),
    name: str | None = typer.Option(
        None, "--name", help="Instead of the two: one name, 'Last, First' or 'First Last'."
    ),
    rank: str | None = typer.Option(None, "--rank"),
    unit: str | None = typer.Option(None, "--unit"),
    supervisor: str | None = typer.Option(
        None, "--supervisor", help="User name of their supervisor ('' for none)."
    ),
    email: str | None = typer.Option(None, "--email"),
) -> None:
    """Correct a candidate's record, with a reason: audited with the old and new values, and
    refused once the candidate is in a final state. Checks use the new values from then on."""
    from qualify.services.candidate_edit import edit_candidate

    given = {
        "first_name": first_name,
        "last_name": last_name,
        "name": name,
        "rank": rank,
        "unit": unit,
        "supervisor": supervisor,
        "email": email,
    }
    context = app_context(ctx)
    with context.session() as session:
        changed = edit_candidate(
            session=session,
            candidate_id=candidate_id,
            changes={k: v for k, v in given.items() if v is not None},
            reason=reason,
            actor=context.actor,
        )
    for field, (old, new) in changed.items():
        typer.echo(
            f"candidate {candidate_id}: {field.replace('_', ' ')} {old or '-'} -> {new or '-'}"
        )


@candidates.command("remove")
def candidate_remove(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    reason: str = typer.Option(
        ..., "--reason", help="Why the candidate was entered by mistake (audited)."
    ),
) -> None:
    """Take out a candidate added or imported by mistake, before anything was done with them:
    withdrawn without a letter, with the reason in the audit log. Refused once they have
    evidence, a decision or anything else beyond being added (record a withdrawal then)."""
    from qualify.services.candidate_remove import remove_candidate

    context = app_context(ctx)
    with context.session() as session:
        done = remove_candidate(
            session=session, candidate_id=candidate_id, reason=reason, actor=context.actor
        )
    typer.echo(
        f"took out candidate {done.candidate_id} ({done.name}, {done.employee_id}) of selection "
        f"{done.selection_id} as entered by mistake: now {done.to_state}, no letter "
        f"(audit event #{done.event_id})"
    )


@candidates.command("list")
def candidate_list(
    ctx: typer.Context,
    selection: int | None = typer.Option(
        None, "--selection", min=1, max=ID_MAX, help="Only this selection."
    ),
    state: str | None = typer.Option(None, "--state", help="Only candidates in this state."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List candidates."""
    from qualify.services.candidates import list_candidates

    context = app_context(ctx)
    with context.session() as session:
        found = list_candidates(
            session=session, selection_id=selection, state=state, actor=context.actor
        )
    if as_json:
        print_json(found)
        return
    print_table(
        ["id", "selection", "employee", "name", "rank", "unit", "state"],
        [
            [
                str(c["id"]),
                str(c["selection_id"]),
                c.get("employee_id", "-"),
                c["name"],
                c["rank"],
                c["unit"],
                c["state"],
            ]
            for c in found
        ],
    )


@candidates.command("show")
def candidate_show(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="ID", min=1, max=ID_MAX),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a candidate: facts, evidence, check results, what you may do next, and history."""
    from qualify.services.candidates import describe_candidate

    context = app_context(ctx)
    with context.session() as session:
        data = describe_candidate(session=session, candidate_id=candidate_id, actor=context.actor)
    if as_json:
        print_json(data)
        return
    _print_candidate(data)


def _print_candidate(data: dict[str, Any]) -> None:
    if data["view"] == "interview":
        _print_interview_view(data)
        return
    typer.echo(f"candidate {data['id']}: {data['name']} (employee {data['employee_id']})")
    rank, unit, supervisor = (data[k] or "-" for k in ("rank", "unit", "supervisor"))
    typer.echo(f"  rank {rank}, unit {unit}, supervisor {supervisor}")
    typer.echo(f"  selection {data['selection']['id']}: {data['selection']['title']}")
    typer.echo(f"  state {data['state']} (version {data['version']})")
    if "may_fire" in data:
        typer.echo(f"  you may fire: {', '.join(data['may_fire']) or 'nothing from this state'}")
    typer.echo(f"\nChecks as of {data['selection']['as_of']} (overall: {data['eligibility']}):")
    for check in data["checks"]:
        typer.echo(f"  {STATUS[check['status']]:<7} {check['label']}: {check['reason']}")
    typer.echo("\nEvidence:")
    for item in data["evidence"]:
        mark = " (superseded)" if item["superseded"] else ""
        # A stored document by its file name (its sha256 is in --json).
        shown = {
            k: item["file"] if item["file"] and v == item["file_sha256"] else v
            for k, v in item["fields"].items()
        }
        fields = ", ".join(f"{k}={v}" for k, v in shown.items())
        typer.echo(f"  #{item['id']} {item['kind']}{mark}: {fields} (by {item['vouched_by']})")
    if not data["evidence"]:
        typer.echo("  none on file")
    if data["sensitive_evidence_hidden"]:
        typer.echo(
            f"  {data['sensitive_evidence_hidden']} sensitive records not shown to your role"
        )
    typer.echo("\nHistory:")
    for event in data["history"]:
        typer.echo(f"  {event['at']} {event['actor']} {event['action']} {event['outcome']}")


def _print_interview_view(data: dict[str, Any]) -> None:
    """A panelist's view: who the candidate is and the interview kit."""
    typer.echo(f"candidate {data['id']}: {data['name']}")
    rank, unit = (data[k] or "-" for k in ("rank", "unit"))
    typer.echo(f"  rank {rank}, unit {unit}")
    typer.echo(f"  selection {data['selection']['id']}: {data['selection']['title']}")
    typer.echo(f"  state {data['state']}")
    typer.echo(f"  your declaration: {data['your_declaration'] or 'none yet'}")
    card = data["your_scorecard"]
    mine = f"{card['status']}, version {card['version']}" if card else "not started"
    typer.echo(f"  your scorecard: {mine}")
    low, high = data["interview_kit"]["scale"]
    typer.echo(f"\nInterview kit (scale {low} to {high}):")
    for c in data["interview_kit"]["criteria"]:
        typer.echo(f"  {c['id']}: {c['label']} (weight {c['weight']})")
        for level, anchor in sorted(c["anchors"].items(), key=lambda kv: int(kv[0])):
            typer.echo(f"    {level}: {anchor}")


@evidence.command("add")
def evidence_add(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    kind: str = typer.Argument(..., help="An evidence kind of the workflow, e.g. service."),
    date: str | None = typer.Option(None, "--date", help="The kind's date field (YYYY-MM-DD)."),
    result: str | None = typer.Option(None, "--result", help="pass or fail."),
    file: Path | None = typer.Option(None, "--file", help="A document, stored by its sha256."),
    by: str | None = typer.Option(None, "--by", help="Who vouches for it (default: you)."),
    fields: list[str] = typer.Option([], "--field", help="NAME=VALUE; repeat for more."),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help="Why, kept in the audit log: what a record that replaces one corrects.",
    ),
) -> None:
    """Record evidence; a newer record of a kind supersedes the older, which is kept (say why
    with --reason when it corrects it)."""
    from qualify.services.evidence import add_evidence

    values: dict[str, str] = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"--field {item!r}: use NAME=VALUE")
        values[name.strip()] = value
    context = app_context(ctx)
    with context.session() as session:
        record = add_evidence(
            session=session,
            files_dir=context.settings.files_dir,
            candidate_id=candidate_id,
            kind=kind,
            fields=values,
            date=date,
            result=result,
            file=file,
            vouched_by=by,
            actor=context.actor,
            max_file_bytes=context.settings.max_evidence_bytes,
            reason=reason,
        )
    typer.echo(f"recorded {kind} evidence #{record.id} for candidate {candidate_id}")


def check(
    ctx: typer.Context,
    candidate_id: int | None = typer.Argument(None, metavar="CANDIDATE", min=1, max=ID_MAX),
    selection: int | None = typer.Option(
        None, "--selection", min=1, max=ID_MAX, help="Every candidate of a selection."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Evaluate the eligibility checks as of the selection's date: a row per candidate."""
    from qualify.services.eligibility import check_report

    if (candidate_id is None) == (selection is None):
        raise BadInput("give a CANDIDATE or --selection ID (one of them)")
    context = app_context(ctx)
    with context.session() as session:
        report = check_report(
            session=session, candidate_id=candidate_id, selection_id=selection, actor=context.actor
        )
    if as_json:
        print_json(report.as_json())
        return
    print_table(
        ["id", "name", *report.checks, "overall"],
        [
            [
                str(row.candidate_id),
                row.name,
                *(STATUS[r.status] for r in row.results),
                row.eligibility,
            ]
            for row in report.candidates
        ],
    )
    if any(not r.applies for row in report.candidates for r in row.results):
        typer.echo("- = does not apply at the candidate's stage")
    if candidate_id is not None:
        typer.echo("")
        for r in report.candidates[0].results:
            typer.echo(f"{r.check}: {STATUS[r.status]}: {r.reason}")
        typer.echo(f"overall: {report.candidates[0].eligibility}")
        if report.candidates[0].withheld_note:
            typer.echo(report.candidates[0].withheld_note)
