"""`qualify serve`: the web portal on the configured database."""

from __future__ import annotations

import typer

from qualify.cli.context import app_context

DEFAULT_PORT = 8000  # `make serve` uses it


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Start the web portal, where people sign in and work in a browser (Ctrl-C stops it).
    Give users their first password with 'qualify user invite NAME'."""
    import uvicorn

    from qualify.web.app import create_app

    context = app_context(ctx)
    app = create_app(context.settings)
    shown = context.engine.url.render_as_string(hide_password=True)
    typer.echo(f"qualify portal on {shown}: http://{host}:{port}/ (Ctrl-C stops it)")
    warning = context.settings.portal.port_warning(host, port)
    if warning:
        typer.echo(f"warning: {warning}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
