"""`qualify training`: directing courses, recording their completion, and where they stand."""

from __future__ import annotations

from pathlib import Path

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table

training_app = typer.Typer(
    help="Direct the training an officer attends before the appointment, and record it.",
    no_args_is_help=True,
)


@training_app.command("assign")
def assign(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    courses: list[str] = typer.Argument(
        ..., metavar="COURSE...", help="Course ids of the workflow's training, e.g. basic_sro."
    ),
    by: str = typer.Option(
        ..., "--by", metavar="DATE", help="The date the courses are due (YYYY-MM-DD)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="A note for the record."),
    far_ahead: bool = typer.Option(
        False,
        "--far-ahead",
        help="Confirm a --by date more than 90 days ahead of today (refused without it).",
    ),
) -> None:
    """Direct courses for a candidate, due by a date (the roles of the workflow's transition
    that directs training, SRO: the Detective Sergeant or the Support Division Commander).
    A selected officer moves into training (the training assignment letter is printed); one in
    training gets the courses added (an amended training assignment is printed, listing every
    course then directed)."""
    from qualify.services.firing import PacketPlace
    from qualify.services.training import assign_training

    context = app_context(ctx)
    settings = context.settings
    with context.session() as session:
        done = assign_training(
            session=session,
            candidate_id=candidate_id,
            courses=courses,
            due_on=by,
            actor=context.actor,
            reason=reason,
            packets=PacketPlace(settings.templates_dir, settings.records_dir),
            far_ahead=far_ahead,
        )
    moved = f"{done.from_state} -> {done.to_state}; " if done.from_state != done.to_state else ""
    typer.echo(
        f"candidate {candidate_id}: {moved}directed {', '.join(done.courses)}, due "
        f"{done.due_on}, audit event #{done.event_id}"
    )
    for path in done.packets:
        typer.echo(f"wrote {path}")


@training_app.command("due")
def due(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    course: str = typer.Argument(..., metavar="COURSE", help="A directed course's id."),
    by: str = typer.Option(
        ..., "--by", metavar="DATE", help="The date the course is now due (YYYY-MM-DD)."
    ),
    reason: str = typer.Option(
        ..., "--reason", help="Why the date changes (a mistyped date, a session moved); audited."
    ),
    far_ahead: bool = typer.Option(
        False,
        "--far-ahead",
        help="Confirm a --by date more than 90 days ahead of today (refused without it).",
    ),
) -> None:
    """Correct the date a directed course is due, with a reason (the roles that direct
    training). The change is audited with the old and new dates, and an amended training
    assignment is printed, listing every course directed with the dates now due. A course
    recorded complete keeps its date."""
    from qualify.services.firing import PacketPlace
    from qualify.services.training_due import change_due_date

    context = app_context(ctx)
    settings = context.settings
    with context.session() as session:
        done = change_due_date(
            session=session,
            candidate_id=candidate_id,
            course=course,
            due_on=by,
            reason=reason,
            actor=context.actor,
            packets=PacketPlace(settings.templates_dir, settings.records_dir),
            far_ahead=far_ahead,
        )
    typer.echo(
        f"candidate {candidate_id}: {done.course} now due {done.due_on} (was {done.was}), "
        f"audit event #{done.event_id}"
    )
    for path in done.packets:
        typer.echo(f"wrote {path}")


@training_app.command("complete")
def complete(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    course: str = typer.Argument(..., metavar="COURSE", help="A directed course's id."),
    on: str = typer.Option(
        ..., "--on", metavar="DATE", help="The date the course was completed (YYYY-MM-DD)."
    ),
    file: Path | None = typer.Option(
        None, "--file", help="The certificate (PDF, PNG or JPEG), stored by its sha256."
    ),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help="Why, kept in the audit log; needed for a course finished sooner than its hours "
        "allow at 8 hours a day since it was directed.",
    ),
) -> None:
    """Record that a directed course was completed, as evidence (with the certificate when
    given). Not a date in the future, nor before the course was directed; sooner than its
    hours allow at 8 hours a day (a 40-hour course the day it was directed) only with a
    --reason."""
    from qualify.services.training import complete_training

    context = app_context(ctx)
    with context.session() as session:
        record = complete_training(
            session=session,
            files_dir=context.settings.files_dir,
            candidate_id=candidate_id,
            course=course,
            on=on,
            file=file,
            actor=context.actor,
            max_file_bytes=context.settings.max_evidence_bytes,
            reason=reason,
        )
    typer.echo(
        f"recorded {course} completed on {on.strip()} for candidate {candidate_id} "
        f"(evidence #{record.id})"
    )


@training_app.command("status")
def status(
    ctx: typer.Context,
    candidate_id: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the courses directed for a candidate: who directed them, when they are due, and
    when they were completed."""
    from qualify.services.training import training_status

    context = app_context(ctx)
    with context.session() as session:
        found = training_status(session=session, candidate_id=candidate_id, actor=context.actor)
    if as_json:
        print_json(found)
        return
    if not found["courses"]:
        typer.echo(f"candidate {candidate_id} ({found['state']}): no training directed")
        return
    print_table(
        ["course", "hours", "directed by", "directed", "due", "completed", "certificate"],
        [
            [
                c["course"],
                f"{c['hours']:g}",
                c["directed_by"],
                c["directed_on"],
                c["due_on"],
                (c["completed_on"] + (" (late)" if c["late"] else ""))
                if c["completed_on"]
                else c["status"],
                c["file"] or "-",
            ]
            for c in found["courses"]
        ],
    )
    done = "complete" if found["complete"] else "not complete"
    typer.echo(
        f"candidate {candidate_id} ({found['state']}): training {done}, "
        f"{found['hours_completed']:g} of {found['hours_directed']:g} hours"
    )
