"""`qualify serve`: the web portal on the configured database."""

from __future__ import annotations

import os
from typing import Any

import typer

from qualify.cli.context import app_context
from qualify.errors import BadInput
from qualify.store import db

DEFAULT_PORT = 8000  # `make serve` uses it
# Server processes on PostgreSQL unless --workers says otherwise: one per core of a small
# server. SQLite is served by one process, whose writers queue in turn inside it.
POSTGRES_WORKERS = 2
MAX_WORKERS = 32


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        max=MAX_WORKERS,
        help=f"Server processes (PostgreSQL only; default {POSTGRES_WORKERS} there, 1 on SQLite).",
    ),
) -> None:
    """Start the web portal, where people sign in and work in a browser (Ctrl-C stops it).
    Give users their first password with 'qualify user invite NAME'."""
    import uvicorn

    from qualify.web.app import create_app

    context = app_context(ctx)
    url = context.settings.database_url
    sqlite = context.engine.url.get_backend_name() == "sqlite"
    if sqlite and workers is not None and workers > 1:
        raise BadInput(
            f"--workers {workers}: a SQLite database is served by one process (its writers "
            "queue in turn inside it); use --workers 1, or PostgreSQL for more"
        )
    count = workers or (1 if sqlite else POSTGRES_WORKERS)
    shown = context.engine.url.render_as_string(hide_password=True)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "server_header": False,
    }
    if count == 1:
        app = create_app(context.settings)
        say_serving(shown, host, port, count)
        warn_port(context.settings.portal.port_warning(host, port))
        uvicorn.run(app, **options)
        return
    # Each process makes its own app from the same settings (`app_from_env`), so the database
    # is checked here first, once: a database that is missing or at another schema stops the
    # command before any process starts. `serve` never migrates (only `init` does).
    db.require_current_schema(context.engine)
    context.engine.dispose()
    os.environ["QUALIFY_DATABASE_URL"] = url
    say_serving(shown, host, port, count)
    warn_port(context.settings.portal.port_warning(host, port))
    uvicorn.run("qualify.web.app:app_from_env", factory=True, workers=count, **options)


def say_serving(shown: str, host: str, port: int, workers: int) -> None:
    processes = "" if workers == 1 else f" in {workers} processes"
    typer.echo(f"qualify portal on {shown}: http://{host}:{port}/{processes} (Ctrl-C stops it)")


def warn_port(warning: str | None) -> None:
    if warning:
        typer.echo(f"warning: {warning}", err=True)
