"""The forms that fire a trigger, from the screening queue and the results page.

POST /candidates/{id}/advance    `trigger`, and what it asks for: `reason`, the letter's
                                 `reason_code` or `notice`, a removal's `category`, a recall's
                                 `skip_reason`; a trigger that asks for nothing goes first to
                                 its confirmation step, and fires with `confirm`
GET  /candidates/{id}/confirm    that step: `trigger`, `back`
POST /candidates/{id}/remove     HR takes out an officer entered by mistake: `reason`, `back`;
                                 the same service as `qualify candidate remove` (no letter)
POST /candidates/{id}/training   the trigger that directs training: `course` (each one
                                 ticked), `due_on`, `reason`; the same service as
                                 `qualify training assign`

Both come back (`back`) to the page the form was on (the screening queue, results and
decisions, or the training page): after a trigger fires, that page is
fetched again with a note; a refusal shows that page again, the message beside the input it
is about and what was typed kept. The service decides who may and what each trigger needs.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.errors import NotFound, NotPermitted, QualifyError
from qualify.services.advance import advance
from qualify.services.candidate_remove import ENTERED_BY_MISTAKE, remove_candidate
from qualify.services.firing import PacketPlace
from qualify.services.offers import move_to_confirm
from qualify.services.training import assign_training
from qualify.web.auth import Actor, page, safe_next, status_of
from qualify.web.errors import lay_out
from qualify.web.forms import optional, path_id, text
from qualify.web.moves import Failed
from qualify.web.portal import portal_of
from qualify.web.routes.decisions import show_decisions
from qualify.web.routes.screening import show_screening
from qualify.web.routes.training import show_training

BACK = re.compile(r"/selections/(\d{1,9})/(screening|decisions|training)")
TYPED = ("reason", "notice", "reason_code", "category", "skip_reason")
# The service's field -> the form's input it is typed in.
INPUTS = {
    "reason": "reason",
    "notice": "notice",
    "reason_code": "reason_code",
    "notice+reason_code": "notice",
    "category": "category",
    "skip_reason": "skip_reason",
    "due_on": "due_on",
    "courses": "courses",
}


def _packets(request: Request) -> PacketPlace:
    settings = portal_of(request).settings
    return PacketPlace(settings.templates_dir, settings.records_dir)


@page()
async def advance_candidate(request: Request, actor: Actor) -> Response:
    """Fire one trigger; the service decides who may, and what it needs (a reason, a notice)."""
    candidate_id = path_id(request, "candidate_id")
    form = await request.form()
    trigger = text(form, "trigger", 100)
    if text(form, "confirm") != "yes" and not any(name in form for name in TYPED):
        # A trigger whose form asks for nothing is one click: it is confirmed on a page of its
        # own first (as a scorecard's submission is), so a slip fires nothing.
        query = urlencode({"trigger": trigger, "back": text(form, "back", 300)})
        return RedirectResponse(f"/candidates/{candidate_id}/confirm?{query}", status_code=303)
    try:
        await actor.call(
            request,
            advance,
            candidate_id=candidate_id,
            trigger=trigger,
            reason=optional(form, "reason"),
            notice=optional(form, "notice"),
            reason_code=optional(form, "reason_code"),
            category=optional(form, "category"),
            skip_reason=optional(form, "skip_reason"),
            packets=_packets(request),
            now=portal_of(request).now(),
        )
    except QualifyError as exc:
        typed: dict[str, object] = {name: text(form, name) for name in TYPED}
        return await _refused(request, actor, exc, form, f"{candidate_id}-{trigger}", typed)
    return _done(form, candidate_id, trigger)


@page()
async def direct_training(request: Request, actor: Actor) -> Response:
    """Direct the courses ticked, due by a date: a selected officer moves into training."""
    candidate_id = path_id(request, "candidate_id")
    form = await request.form()
    courses = [value for value in form.getlist("course") if isinstance(value, str)]
    trigger = text(form, "trigger", 100)
    try:
        await actor.call(
            request,
            assign_training,
            candidate_id=candidate_id,
            courses=courses,
            due_on=text(form, "due_on", 40),
            reason=optional(form, "reason"),
            packets=_packets(request),
            now=portal_of(request).now(),
            far_ahead=text(form, "far_ahead", 10) == "yes",
        )
    except QualifyError as exc:
        typed: dict[str, object] = {
            "courses": courses,
            "due_on": text(form, "due_on", 40),
            "reason": text(form, "reason"),
            "far_ahead": text(form, "far_ahead", 10) == "yes",
        }
        return await _refused(request, actor, exc, form, f"{candidate_id}-{trigger}", typed)
    return _done(form, candidate_id, trigger)


@page()
async def take_out(request: Request, actor: Actor) -> Response:
    """Take out an officer added or imported by mistake: withdrawn without a letter, with the
    reason; the service refuses once anything beyond adding them was done."""
    candidate_id = path_id(request, "candidate_id")
    form = await request.form()
    try:
        await actor.call(
            request,
            remove_candidate,
            candidate_id=candidate_id,
            reason=text(form, "reason"),
            now=portal_of(request).now(),
        )
    except QualifyError as exc:
        typed: dict[str, object] = {"reason": text(form, "reason")}
        key = f"{candidate_id}-{ENTERED_BY_MISTAKE}"
        return await _refused(request, actor, exc, form, key, typed)
    return _done(form, candidate_id, ENTERED_BY_MISTAKE)


@page()
async def confirm_move(request: Request, actor: Actor) -> Response:
    """The confirmation step of a trigger that asks for nothing: what it will do, and the
    button that fires it. A trigger the user may not fire on the candidate now (it fired
    already: Back, a reload) goes back to the page it came from."""
    candidate_id = path_id(request, "candidate_id")
    trigger = request.query_params.get("trigger", "")[:100]
    back = request.query_params.get("back", "")[:300]
    back = back if BACK.fullmatch(back) else safe_next(back)
    step = await actor.call(
        request, move_to_confirm, read_only=True, candidate_id=candidate_id, trigger=trigger
    )
    if step.move is None:
        return RedirectResponse(back, status_code=303)
    response: Response = portal_of(request).render(
        request,
        "confirm_move.html",
        {"title": f"{step.move.label}: {step.name}", "step": step, "back": back},
    )
    return response


async def _refused(
    request: Request,
    actor: Actor,
    error: QualifyError,
    form: FormData,
    key: str,
    typed: dict[str, object],
) -> Response:
    """The page the form was on again, the refusal beside the inputs it names."""
    back = BACK.fullmatch(text(form, "back", 300))
    if back is None or isinstance(error, (NotFound, NotPermitted)):
        raise error  # shown on its own page, as any other refusal
    laid = lay_out(error, INPUTS)
    failed = Failed(key, laid.by_input, laid.general, status_of(error), typed)
    show = {"screening": show_screening, "decisions": show_decisions, "training": show_training}[
        back.group(2)
    ]
    return await show(request, actor, int(back.group(1)), failed)


def _done(form: FormData, candidate_id: int, trigger: str) -> Response:
    back = text(form, "back", 300)
    if BACK.fullmatch(back):
        target = f"{back}?done={trigger}&candidate={candidate_id}#c{candidate_id}"
    else:
        target = safe_next(back)
    return RedirectResponse(target, status_code=303)


routes = [
    Route("/candidates/{candidate_id}/advance", advance_candidate, methods=["POST"]),
    Route("/candidates/{candidate_id}/training", direct_training, methods=["POST"]),
    Route("/candidates/{candidate_id}/confirm", confirm_move, methods=["GET"]),
    Route("/candidates/{candidate_id}/remove", take_out, methods=["POST"]),
]
