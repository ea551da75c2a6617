"""`GET /`: the start page, listing the pages the signed-in user's roles may open."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qualify.web.auth import Actor, page
from qualify.web.portal import portal_of


@page()
async def home(request: Request, actor: Actor) -> Response:
    response: Response = portal_of(request).render(request, "home.html", {})
    return response


routes = [Route("/", home, methods=["GET"])]
