"""The Chief's page: results and ranking with flags, and the decisions (select, not select,
appoint, remove) the Chief may take now; each posts to `/candidates/{id}/advance`
(`routes.advance`), where the service enforces the reason for passing over a higher-ranked
candidate."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qualify.services.standings import decisions
from qualify.web.auth import Actor, page, permission
from qualify.web.forms import path_id
from qualify.web.moves import Failed, done_notice, render_forms
from qualify.web.portal import portal_of
from qualify.web.routes.screening import choose


@page(roles=permission("view_results"))
async def decisions_home(request: Request, actor: Actor) -> Response:
    return await choose(request, actor, "decisions", "Results and decisions")


@page(roles=permission("view_results"))
async def decisions_page(request: Request, actor: Actor) -> Response:
    return await show_decisions(request, actor, path_id(request, "selection_id"))


async def show_decisions(
    request: Request, actor: Actor, selection_id: int, failed: Failed | None = None
) -> Response:
    """The results; `failed` is a refused form, shown again with its message and what was
    typed."""
    view = await actor.call(
        request,
        decisions,
        read_only=True,
        selection_id=selection_id,
        now=portal_of(request).now(),
    )
    names = {d.standing.candidate_id: (d.standing.name, d.state_label) for d in view.rows}
    return render_forms(
        request,
        "decisions.html",
        {
            "title": f"Results: {view.title}",
            "view": view,
            "back": f"/selections/{selection_id}/decisions",
        },
        failed,
        (f"{e.standing.candidate_id}-{m.trigger}" for e in view.rows for m in e.moves),
        done_notice(request, names, view.trigger_labels),
    )


routes = [
    Route("/decisions", decisions_home, methods=["GET"]),
    Route("/selections/{selection_id}/decisions", decisions_page, methods=["GET"]),
]
