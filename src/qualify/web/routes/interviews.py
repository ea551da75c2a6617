"""The panelist's pages: "My interviews", and each candidate's declaration and interview kit.

GET  /interviews                      the candidates I sit for, with where my scoring stands
GET  /interviews/{id}                 declare conflicts first; then the kit (or my locked card)
POST /interviews/{id}/declare         `declaration` = none | conflict, `conflict` text
POST /interviews/{id}/draft           `score-<criterion>`, `comment-<criterion>`: save the draft
                                      (JSON answer for the kit's script, else back to the kit)
POST /interviews/{id}/submit          save, then to the confirmation step; with `confirm`: submit
                                      (sent again once submitted: the locked card, with a note)
GET  /interviews/{id}/confirm         the confirmation step
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
    declare_conflict,
    interview_kit,
    my_interviews,
    save_scores,
    save_to_confirm,
    submit_draft,
    to_confirm,
)
from qualify.web.auth import Actor, page, panel_roles, status_of
from qualify.web.errors import beside, error_lines, inputs, words
from qualify.web.portal import portal_of

NOTICES = {
    "declared": "Your declaration is recorded.",
    "saved": "Draft saved.",
    "submitted": "Your scorecard is submitted and locked.",
    "corrected": "Your correction is submitted.",
    "already": "Your scorecard was already submitted and locked; nothing was sent again.",
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
    placed = beside(error) if error else {}
    notice = NOTICES.get(request.query_params.get("done", ""), "")
    response: Response = portal_of(request).render(
        request,
        template,
        {
            "title": kit.name,
            "kit": kit,
            "values": values,
            "error": words(error) if error else "",
            "error_lines": error_lines(error) if error else [],
            "error_fields": set(placed),
            "field_errors": placed,
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
    described = _field(form, "conflict")
    try:
        await actor.call(
            request,
            declare_conflict,
            candidate_id=_id(request),
            declaration=_field(form, "declaration"),
            description=described,
        )
    except QualifyError as exc:
        return await _refused(request, actor, exc, {"conflict": described})
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
            request,
            save_scores,
            candidate_id=_id(request),
            scores=scores,
            comments=comments,
            now=portal_of(request).now(),
        )
    except QualifyError as exc:
        if _wants_json(request) and not isinstance(exc, NotFound):
            return JSONResponse(
                {
                    "saved": False,
                    "error": words(exc),
                    "fields": inputs(exc),
                    "beside": beside(exc),
                },
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
            submitted = await actor.call(
                request, submit_draft, candidate_id=_id(request), now=portal_of(request).now()
            )
        except QualifyError as exc:
            return await _refused(request, actor, exc)
        # Sent again (Back, reload) once submitted: done before, nothing sent again.
        return _back(_id(request), "submitted" if submitted else "already")
    # The first step: save what the form holds, and go to the confirmation step, unless the
    # service would refuse to submit it.
    scores, comments = _scorecard_form(form)
    try:
        await actor.call(
            request,
            save_to_confirm,
            candidate_id=_id(request),
            scores=scores,
            comments=comments,
            now=portal_of(request).now(),
        )
    except QualifyError as exc:
        return await _refused(request, actor, exc, {"scores": scores, "comments": comments})
    return RedirectResponse(f"/interviews/{_id(request)}/confirm", status_code=303)


@page(roles=panel_roles)
async def confirm(request: Request, actor: Actor) -> Response:
    """The confirmation step, a page of its own (so Back and reload never post again): the
    saved draft to submit, or the kit when there is nothing to confirm."""
    step = await actor.call(
        request,
        to_confirm,
        candidate_id=_id(request),
        read_only=True,
        now=portal_of(request).now(),
    )
    if not step.draft:
        return RedirectResponse(f"/interviews/{_id(request)}", status_code=303)
    if step.refusal is not None:
        return _render_kit(request, step.kit, error=step.refusal)
    return _render_kit(request, step.kit, template="interviews/confirm.html")


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
            now=portal_of(request).now(),
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
    Route("/interviews/{candidate_id:int}/confirm", confirm, methods=["GET"]),
    Route("/interviews/{candidate_id:int}/correct", correct, methods=["POST"]),
]
