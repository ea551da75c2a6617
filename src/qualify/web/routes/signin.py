"""Signing in and out, and setting a password through an invitation link.

`GET/POST /login` (fields `username`, `password`, `csrf_token`, and `next`), `POST /logout`,
`GET/POST /invite/{token}` (fields `password`, `confirm`, `csrf_token`)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.errors import BadInput, NotFound, NotPermitted
from qualify.services import accounts, signin
from qualify.web.auth import (
    clear_session_cookie,
    csrf_ok,
    current_visit,
    error_page,
    forbidden_csrf,
    run_service,
    safe_next,
    set_session_cookie,
    visit_or_new,
)
from qualify.web.portal import portal_of


def _text(form: FormData, name: str, limit: int = 1024) -> str:
    """A text field of a form ('' when missing or a file), cut at `limit` characters."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def _login_form(
    request: Request,
    *,
    message: str = "",
    username: str = "",
    next_path: str = "/",
    status: int = 200,
) -> Response:
    _visit, new_token = await visit_or_new(request)
    portal = portal_of(request)
    response: Response = portal.render(
        request,
        "login.html",
        {"message": message, "username": username, "next": safe_next(next_path)},
        status_code=status,
    )
    if new_token:
        set_session_cookie(response, portal, new_token)
    return response


async def login_page(request: Request) -> Response:
    visit = await current_visit(request)
    next_path = safe_next(request.query_params.get("next"))
    if visit is not None and visit.user is not None:
        return RedirectResponse(next_path, status_code=303)
    return await _login_form(request, next_path=next_path)


async def login(request: Request) -> Response:
    visit = await current_visit(request)
    form = await request.form()
    username, next_path = _text(form, "username", 200), _text(form, "next", 2000)
    if not await csrf_ok(request, visit):
        return await _login_form(
            request,
            message="the sign-in form had expired; please sign in again",
            username=username,
            next_path=next_path,
            status=403,
        )
    assert visit is not None
    portal = portal_of(request)
    try:
        token = await run_service(
            request,
            signin.sign_in,
            name=username,
            password=_text(form, "password"),
            portal=portal.settings.portal,
            replacing=visit.id_sha256,
            now=portal.now(),
        )
    except NotPermitted as exc:
        return await _login_form(
            request, message=str(exc), username=username, next_path=next_path, status=401
        )
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session_cookie(response, portal, token)
    return response


async def logout(request: Request) -> Response:
    visit = await current_visit(request)
    portal = portal_of(request)
    if visit is None:
        return RedirectResponse("/login", status_code=303)
    if not await csrf_ok(request, visit):
        return forbidden_csrf(request)
    await run_service(
        request,
        signin.sign_out,
        id_sha256=visit.id_sha256,
        now=portal.now(),
    )
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, portal)
    return response


async def _invitation(request: Request, token: str) -> str | Response:
    """The invited user's name, or the page saying the link does not work."""
    portal = portal_of(request)
    try:
        found = await run_service(
            request,
            accounts.open_invitation,
            read_only=True,
            token=token,
            portal=portal.settings.portal,
            now=portal.now(),
        )
    except NotFound as exc:
        return error_page(request, 404, str(exc))
    return found.user_name


async def _invite_form(
    request: Request, token: str, name: str, message: str = "", status: int = 200
) -> Response:
    _visit, new_token = await visit_or_new(request)
    portal = portal_of(request)
    response: Response = portal.render(
        request,
        "invite.html",
        {"token": token, "name": name, "message": message, "minimum": accounts.PASSWORD_MIN},
        status_code=status,
    )
    if new_token:
        set_session_cookie(response, portal, new_token)
    return response


async def invite_page(request: Request) -> Response:
    token = request.path_params["token"]
    found = await _invitation(request, token)
    if isinstance(found, Response):
        return found
    return await _invite_form(request, token, found)


async def accept_invite(request: Request) -> Response:
    token = request.path_params["token"]
    visit = await current_visit(request)
    if not await csrf_ok(request, visit):
        return forbidden_csrf(request)
    assert visit is not None
    found = await _invitation(request, token)
    if isinstance(found, Response):
        return found
    form = await request.form()
    portal = portal_of(request)
    try:
        session_token = await run_service(
            request,
            accounts.set_password,
            token=token,
            password=_text(form, "password", accounts.PASSWORD_MAX + 1),
            confirm=_text(form, "confirm", accounts.PASSWORD_MAX + 1),
            portal=portal.settings.portal,
            replacing=visit.id_sha256,
            now=portal.now(),
        )
    except BadInput as exc:
        return await _invite_form(request, token, found, message=str(exc), status=400)
    except NotFound as exc:
        return error_page(request, 404, str(exc))
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, portal, session_token)
    return response


routes = [
    Route("/login", login_page, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/invite/{token}", invite_page, methods=["GET"]),
    Route("/invite/{token}", accept_invite, methods=["POST"]),
]
