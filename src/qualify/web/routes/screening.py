"""The commander's screening queue and the one form that fires any trigger (advance).

`GET /screening` opens the queue of the selection (or lists them when there are several),
`GET /selections/{id}/screening` shows each check's result and reason (sensitive checks
withheld) with a button for each trigger the user may fire now, and `POST
/candidates/{id}/advance` fires one: the Chief's decisions post here too.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.services.advance import PacketPlace, advance
from qualify.services.screening import screening_queue
from qualify.services.selections import list_selections
from qualify.web.auth import Actor, page, run_service, safe_next
from qualify.web.forms import optional, path_id, record_holders, text
from qualify.web.portal import portal_of


async def choose(request: Request, actor: Actor, view: str, heading: str) -> Response:
    """The selection a page is about: straight to it when there is one, else a list."""
    found = await run_service(request, list_selections, read_only=True)
    if len(found) == 1:
        return RedirectResponse(f"/selections/{found[0].id}/{view}", status_code=303)
    response: Response = portal_of(request).render(
        request, "choose.html", {"title": heading, "view": view, "selections": found}
    )
    return response


@page(roles=record_holders)
async def screening_home(request: Request, actor: Actor) -> Response:
    return await choose(request, actor, "screening", "Screening queue")


@page(roles=record_holders)
async def screening(request: Request, actor: Actor) -> Response:
    queue = await actor.call(
        request, screening_queue, read_only=True, selection_id=path_id(request, "selection_id")
    )
    response: Response = portal_of(request).render(
        request, "screening.html", {"title": f"Screening: {queue.title}", "queue": queue}
    )
    return response


@page()
async def advance_candidate(request: Request, actor: Actor) -> Response:
    """Fire one trigger; the service decides who may, and what it needs (a reason, a notice)."""
    candidate_id = path_id(request, "candidate_id")
    form = await request.form()
    settings = portal_of(request).settings
    done = await actor.call(
        request,
        advance,
        candidate_id=candidate_id,
        trigger=text(form, "trigger", 100),
        reason=optional(form, "reason"),
        notice=optional(form, "notice"),
        reason_code=optional(form, "reason_code"),
        packets=PacketPlace(settings.templates_dir, settings.records_dir),
    )
    response: Response = portal_of(request).render(
        request,
        "advanced.html",
        {"title": "Done", "done": done, "back": safe_next(text(form, "back", 300))},
    )
    return response


routes = [
    Route("/screening", screening_home, methods=["GET"]),
    Route("/selections/{selection_id}/screening", screening, methods=["GET"]),
    Route("/candidates/{candidate_id}/advance", advance_candidate, methods=["POST"]),
]
