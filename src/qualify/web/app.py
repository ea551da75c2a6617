"""The portal's Starlette application: `create_app(settings)`, which `qualify serve` runs (in
each of its processes, `app_from_env`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from qualify.config import Settings
from qualify.web.auth import NOT_FOUND, error_page
from qualify.web.limits import MB, BodyLimit
from qualify.web.portal import HERE, Portal
from qualify.web.routes import all_routes
from qualify.web.security import SecurityHeaders
from qualify.web.turns import Turns

# Evidence uploads are the largest bodies: a file at the limit and the form's other fields.
FORM_ROOM = 1 * MB


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Starlette:
    """The portal on the database `settings` names (at the current schema, else one clear
    error). `clock` replaces the real clock (tests of timeouts and expiry)."""
    portal = Portal.make(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        portal.engine.dispose()

    app = Starlette(
        routes=[
            *all_routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(BodyLimit, max_body=settings.max_evidence_bytes + FORM_ROOM),
            Middleware(Turns, at_once=settings.portal.at_once),
        ],
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.portal = portal
    return app


def app_from_env() -> Starlette:
    """The portal on the settings of the environment (QUALIFY_*): what each process of
    `qualify serve --workers N` runs, the command having put its database there."""
    return create_app(Settings.from_env())


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: NOT_FOUND, 405: "this page does not take that request"}
    return error_page(request, exc.status_code, messages.get(exc.status_code, exc.detail))
