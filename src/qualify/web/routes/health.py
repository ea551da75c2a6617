"""`GET /healthz`: the portal is up and its database answers. No session needed."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from qualify.web.portal import portal_of


async def healthz(request: Request) -> Response:
    portal = portal_of(request)

    def ping() -> None:
        with portal.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
    except Exception:  # any failure to reach the database means not healthy
        return PlainTextResponse("database unreachable\n", status_code=503)
    return PlainTextResponse("ok\n")


routes = [Route("/healthz", healthz, methods=["GET"])]
