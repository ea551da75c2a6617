"""The `qualify` command: global options, sub-apps, and the one place errors become exit codes."""

from __future__ import annotations

import gc
import sys

import typer

import qualify
from qualify.cli.context import AppContext, app_context
from qualify.cli.errors import render as render_error
from qualify.cli.usage import conventional_help, one_line
from qualify.config import Settings
from qualify.errors import QualifyError

app = typer.Typer(
    name="qualify",
    help="Run a fair, documented selection of candidates for a sensitive position.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"qualify {qualify.__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db_url: str | None = typer.Option(
        None,
        "--db",
        help="Database URL (default: $QUALIFY_DATABASE_URL, else sqlite:///qualify.db).",
    ),
    as_user: str | None = typer.Option(
        None, "--as", help="Act as this user (default: $QUALIFY_USER, else your login name)."
    ),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Run a fair, documented selection of candidates for a sensitive position."""
    context = AppContext(settings=Settings.from_env(database_url=db_url), as_user=as_user)
    ctx.obj = context
    ctx.call_on_close(context.close)


@app.command()
def init(
    ctx: typer.Context,
    admin: str | None = typer.Option(
        None,
        "--admin",
        metavar="NAME",
        help="Create the first user, NAME, as the administrator (adds users, opens selections).",
    ),
    roles: list[str] = typer.Option(
        [], "--role", help="A workflow role the administrator also holds; repeat for more."
    ),
    full_name: str = typer.Option("", "--full-name", metavar="TEXT", help="The admin's full name."),
    title: str = typer.Option("", "--title", metavar="TEXT", help="The admin's title."),
) -> None:
    """Create the database, or upgrade it to this version's schema. Safe to run again. A new
    database gets its first user only here: --admin NAME."""
    from sqlmodel import select

    from qualify.errors import BadInput
    from qualify.store import db
    from qualify.store.tables import User

    context = app_context(ctx)
    if (roles or full_name or title) and admin is None:
        raise BadInput("--role, --full-name and --title go with --admin NAME")
    before, after = db.upgrade(context.engine)
    shown = context.engine.url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"database {shown} is up to date (schema {after})")
    else:
        typer.echo(f"database {shown} is ready (schema {before or 'none'} -> {after})")
    from qualify.services.audit_admin import INIT_ACTOR, install_key

    with context.session() as session:
        key = install_key(
            session=session,
            path=context.settings.audit_key,
            actor=context.origin.actor(INIT_ACTOR),
        )
    made = "created" if key.created else "in use"
    typer.echo(f"audit key {key.key_id} at {key.path} ({made}; keep it apart from the database)")
    if key.sealed_events:
        typer.echo(f"audit log: {key.sealed_events} earlier events sealed with the key")
    with context.session() as session:
        if admin is not None:
            from qualify.services.users import create_admin

            user = create_admin(
                session=session,
                workflows_dir=context.settings.workflows_dir,
                actor=context.origin.actor(admin),
                roles=roles,
                full_name=full_name,
                title=title,
            )
            typer.echo(f"added the administrator {user.name} ({', '.join(user.roles)})")
        elif session.exec(select(User.id).limit(1)).first() is None:
            typer.echo("no users yet: run 'qualify init --admin NAME' to add the administrator")


def _add_sub_apps() -> None:
    from qualify.cli import (
        candidates,
        decisions,
        demo,
        fairness,
        interview,
        people,
        position,
        records,
        reports,
        serve,
        training,
        workflow,
    )

    app.add_typer(workflow.app, name="workflow")
    app.add_typer(people.users, name="user")
    app.add_typer(people.selections, name="selection")
    app.add_typer(candidates.candidates, name="candidate")
    app.add_typer(candidates.evidence, name="evidence")
    app.command("check")(candidates.check)
    app.command("advance")(decisions.advance)
    app.add_typer(decisions.audit_app, name="audit")
    app.add_typer(interview.panel_app, name="panel")
    app.command("declare")(interview.declare)
    app.command("attest", hidden=True, context_settings=interview.ANY_ARGUMENTS)(interview.attest)
    app.command("score")(interview.score)
    app.command("results")(interview.results)
    app.command("packet")(decisions.packet)
    app.command("demo")(demo.demo)
    app.add_typer(fairness.fairness_app, name="fairness")
    app.add_typer(records.records_app, name="records")
    app.add_typer(position.position_app, name="position")
    app.add_typer(reports.report_app, name="report")
    app.command("serve")(serve.serve)
    app.add_typer(training.training_app, name="training")


_add_sub_apps()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code. Every error is reported here, once: a usage error
    or a QualifyError prints one line on stderr (a list of problems, one line each)."""
    from typer._click import exceptions as click_errors

    conventional_help()
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else argv
    for arg in args:
        if "\x00" in arg:  # only possible in-process: the OS cannot pass one in argv
            typer.echo(f"error: {arg!r}: contains a NUL byte", err=True)
            return 2
    try:
        # Not standalone: usage errors come here as exceptions, to print them our way.
        code = command.main(args=args, prog_name="qualify", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.format_message())  # `qualify` or `qualify user` alone: the help
        return 0
    except click_errors.ClickException as exc:
        typer.echo(one_line(exc), err=True)
        return exc.exit_code
    except typer.Abort:
        typer.echo("error: aborted; nothing was saved", err=True)
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except QualifyError as exc:
        for line in render_error(exc).splitlines() or [type(exc).__name__]:
            typer.echo(f"error: {line}", err=True)
        return exc.exit_code
    return code if isinstance(code, int) else 0


def run() -> None:
    """Console-script entry point. The objects made by importing qualify and its libraries live
    until the process ends, so they are frozen out of the cyclic garbage collector's passes:
    a 10,000-candidate listing runs 10-20% faster, and the process exits sooner."""
    gc.freeze()
    sys.exit(main())
