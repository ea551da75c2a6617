"""The Chief's page: results and ranking with flags, and the decisions (select, not select,
appoint, remove) the Chief may take now; each posts to `/candidates/{id}/advance`, where the
service enforces the reason for passing over a higher-ranked candidate."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qualify.services.standings import decisions
from qualify.web.auth import Actor, page, permission
from qualify.web.forms import path_id
from qualify.web.portal import portal_of
from qualify.web.routes.screening import choose


@page(roles=permission("view_results"))
async def decisions_home(request: Request, actor: Actor) -> Response:
    return await choose(request, actor, "decisions", "Results and decisions")


@page(roles=permission("view_results"))
async def decisions_page(request: Request, actor: Actor) -> Response:
    view = await actor.call(
        request, decisions, read_only=True, selection_id=path_id(request, "selection_id")
    )
    response: Response = portal_of(request).render(
        request, "decisions.html", {"title": f"Results: {view.title}", "view": view}
    )
    return response


routes = [
    Route("/decisions", decisions_home, methods=["GET"]),
    Route("/selections/{selection_id}/decisions", decisions_page, methods=["GET"]),
]
