"""The commander's screening queue.

`GET /screening` opens the queue of the selection (or lists them when there are several),
`GET /selections/{id}/screening` shows each check's result and reason (sensitive checks
withheld) with a form for each trigger the user may fire now (posted to `routes.advance`), and
for HR, under an officer nothing was done with yet, the form that takes them out as entered by
mistake (`POST /candidates/{id}/remove`, also in `routes.advance`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.services.candidate_remove import ENTERED_BY_MISTAKE
from qualify.services.screening import screening_queue
from qualify.services.selections import list_selections
from qualify.web.auth import Actor, page
from qualify.web.forms import path_id, record_holders
from qualify.web.moves import Failed, done_notice, render_forms
from qualify.web.portal import portal_of

# The note after HR took an officer out (`{name}` stands for the officer's name).
TAKEN_OUT = "{name} taken out as entered by mistake (withdrawn, no letter)"


async def choose(request: Request, actor: Actor, view: str, heading: str) -> Response:
    """The selection a page is about: straight to it when there is one, else a list."""
    found = await actor.call(request, list_selections, read_only=True)
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
    return await show_screening(request, actor, path_id(request, "selection_id"))


async def show_screening(
    request: Request, actor: Actor, selection_id: int, failed: Failed | None = None
) -> Response:
    """The queue; `failed` is a refused form, shown again with its message and what was typed."""
    queue = await actor.call(request, screening_queue, read_only=True, selection_id=selection_id)
    names = {e.candidate_id: (e.checks.name, e.state_label) for e in queue.entries}
    return render_forms(
        request,
        "screening.html",
        {
            "title": f"Screening: {queue.title}",
            "queue": queue,
            "back": f"/selections/{selection_id}/screening",
        },
        failed,
        [
            *(f"{e.candidate_id}-{m.trigger}" for e in queue.entries for m in e.moves),
            *(f"{e.candidate_id}-{ENTERED_BY_MISTAKE}" for e in queue.entries if e.removable),
        ],
        done_notice(request, names, queue.trigger_labels | {ENTERED_BY_MISTAKE: TAKEN_OUT}),
    )


routes = [
    Route("/screening", screening_home, methods=["GET"]),
    Route("/selections/{selection_id}/screening", screening, methods=["GET"]),
]
