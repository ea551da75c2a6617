"""The panelist's pages: "My interviews", and each candidate's declaration and interview kit.

GET  /interviews                      the candidates I sit for, with where my scoring stands
GET  /interviews/{id}                 declare conflicts first; then the kit (or my locked card)
POST /interviews/{id}/declare         `declaration` = none | conflict, `conflict` text
POST /interviews/{id}/draft           `score-<criterion>`, `comment-<criterion>`: save the draft
                                      (JSON answer for the kit's script, else back to the kit)
POST /interviews/{id}/submit          save, then the confirmation step; with `confirm`: submit
POST /interviews/{id}/correct         a correction of my submitted card, with `reason`

Every rule is the services': a refusal is shown with the service's own words, next to the
fields it names. A candidate I do not sit for is "not found" (404)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from qualify.errors import NotFound, QualifyError
from qualify.services.interview_kit import (
    Kit,
    declare_conflicts,
    interview_kit,
    my_interviews,
    save_scores,
    to_confirm,
)
from qualify.web.auth import Actor, page, panel_roles, status_of
from qualify.web.errors import words
from qualify.web.portal import portal_of

NOTICES = {
    "declared": "Your declaration is recorded.",
    "saved": "Draft saved.",
    "submitted": "Your scorecard is submitted and locked.",
    "corrected": "Your correction is submitted.",
}


@page(roles=panel_roles)
async def interviews(request: Request, actor: Actor) -> Response:
    rows = await actor.call(request, my_interviews, read_only=True)
    response: Response = portal_of(request).render(
        request, "interviews/list.html", {"title": "My interviews", "rows": rows}
    )
    return response


def _id(request: Request) -> int:
    value: int = request.path_params["candidate_id"]
    return value


async def _kit(request: Request, actor: Actor) -> Kit:
    return await actor.call(request, interview_kit, candidate_id=_id(request), read_only=True)


def _render_kit(
    request: Request,
    kit: Kit,
    *,
    error: QualifyError | None = None,
    typed: dict[str, Any] | None = None,
    template: str = "interviews/kit.html",
) -> Response:
    """The candidate's page; a refusal shows next to the fields it names (else at the top),
    and what the panelist typed stays in the form."""
    card = kit.card
    values: dict[str, Any] = {
        "scores": dict(card.scores) if card else {},
        "comments": dict(card.comments) if card else {},
        "reason": "",
        "conflict": "",
    }
    for key, value in (typed or {}).items():
        if isinstance(values.get(key), dict):
            values[key] = {**values[key], **value}
        else:
            values[key] = value
    fields = set(error.fields) if error else set()
    notice = NOTICES.get(request.query_params.get("done", ""), "")
    response: Response = portal_of(request).render(
        request,
        template,
        {
            "title": kit.name,
            "kit": kit,
            "values": values,
            "error": words(error) if error else "",
            "error_fields": fields,
            "notice": notice if not error else "",
        },
        status_code=status_of(error) if error else 200,
    )
    return response


def _back(kit_id: int, done: str) -> Response:
    return RedirectResponse(f"/interviews/{kit_id}?done={done}", status_code=303)


@page(roles=panel_roles)
async def candidate(request: Request, actor: Actor) -> Response:
    return _render_kit(request, await _kit(request, actor))


@page(roles=panel_roles)
async def declare(request: Request, actor: Actor) -> Response:
    form = await request.form()
    choice = _field(form, "declaration")
    conflict = _field(form, "conflict") if choice == "conflict" else None
    try:
        await actor.call(request, declare_conflicts, candidate_id=_id(request), conflict=conflict)
    except QualifyError as exc:
        return await _refused(request, actor, exc, {"conflict": conflict or ""})
    return _back(_id(request), "declared")


async def _refused(
    request: Request, actor: Actor, error: QualifyError, typed: dict[str, Any] | None = None
) -> Response:
    """The kit again with a service's refusal; a candidate the panelist does not sit for is
    not found (404), as when opening it."""
    if isinstance(error, NotFound):
        raise error
    return _render_kit(request, await _kit(request, actor), error=error, typed=typed)


def _scorecard_form(form: FormData) -> tuple[dict[str, str], dict[str, str]]:
    """The scores chosen (`score-<criterion>`) and the comments typed (`comment-<criterion>`),
    by criterion; the service refuses a criterion the rubric does not have."""
    scores, comments = {}, {}
    for key, value in form.multi_items():
        kind, _, criterion = key.partition("-")
        if not isinstance(value, str):
            continue
        if kind == "score" and value:
            scores[criterion] = value
        elif kind == "comment":
            comments[criterion] = value
    return scores, comments


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


@page(roles=panel_roles)
async def draft(request: Request, actor: Actor) -> Response:
    scores, comments = _scorecard_form(await request.form())
    try:
        await actor.call(
            request, save_scores, candidate_id=_id(request), scores=scores, comments=comments
        )
    except QualifyError as exc:
        if _wants_json(request) and not isinstance(exc, NotFound):
            return JSONResponse(
                {"saved": False, "error": words(exc), "fields": list(exc.fields)},
                status_code=status_of(exc),
            )
        return await _refused(request, actor, exc, {"scores": scores, "comments": comments})
    if _wants_json(request):
        return JSONResponse({"saved": True})
    return _back(_id(request), "saved")


@page(roles=panel_roles)
async def submit(request: Request, actor: Actor) -> Response:
    form = await request.form()
    if _field(form, "confirm") == "yes":
        try:
            await actor.call(
                request, save_scores, candidate_id=_id(request), scores={}, comments={}, submit=True
            )
        except QualifyError as exc:
            return await _refused(request, actor, exc)
        return _back(_id(request), "submitted")
    # The first step: save what the form holds, and show it to confirm, unless the service
    # would refuse to submit it.
    scores, comments = _scorecard_form(form)
    try:
        kit = await actor.call(
            request, to_confirm, candidate_id=_id(request), scores=scores, comments=comments
        )
    except QualifyError as exc:
        return await _refused(request, actor, exc, {"scores": scores, "comments": comments})
    return _render_kit(request, kit, template="interviews/confirm.html")


@page(roles=panel_roles)
async def correct(request: Request, actor: Actor) -> Response:
    form = await request.form()
    scores, comments = _scorecard_form(form)
    reason = _field(form, "reason")
    try:
        await actor.call(
            request,
            save_scores,
            candidate_id=_id(request),
            scores=scores,
            comments=comments,
            submit=True,
            reason=reason,
        )
    except QualifyError as exc:
        typed = {"scores": scores, "comments": comments, "reason": reason}
        return await _refused(request, actor, exc, typed)
    return _back(_id(request), "corrected")


routes = [
    Route("/interviews", interviews, methods=["GET"]),
    Route("/interviews/{candidate_id:int}", candidate, methods=["GET"]),
    Route("/interviews/{candidate_id:int}/declare", declare, methods=["POST"]),
    Route("/interviews/{candidate_id:int}/draft", draft, methods=["POST"]),
    Route("/interviews/{candidate_id:int}/submit", submit, methods=["POST"]),
    Route("/interviews/{candidate_id:int}/correct", correct, methods=["POST"]),
]
