"""Who is asking: the session cookie, the signed-in Actor, the role check and CSRF, in one place.

A route never checks any of this itself. It wraps itself in `page(...)`:

    @page(roles=permission("view_results"))
    async def results(request: Request, actor: Actor) -> Response:
        data = await actor.call(request, services.results.results, selection_id=1)
        ...

and gets an `Actor` only when someone is signed in (else a redirect to /login), holds one of
the roles (else 403), and, on a POST, sent the CSRF token bound to their session in the form
field `csrf_token` or the header `X-CSRF-Token` (else 403, before the route runs).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import quote

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from qualify.actor import Actor as ServiceActor
from qualify.errors import BadInput, NotFound, NotPermitted, QualifyError
from qualify.services import signin
from qualify.services.signin import Visit
from qualify.store.frozen import frozen_workflows
from qualify.store.permissions import roles_held
from qualify.web.limits import megabytes, too_large
from qualify.web.nav import menu
from qualify.web.portal import Portal, portal_of
from qualify.workflow.spec import Workflow

COOKIE = "qualify_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
T = TypeVar("T")
RoleRule = Iterable[str] | Callable[[list[Workflow]], Iterable[str]] | None
Handler = Callable[[Request, "Actor"], Awaitable[Response]]
_UNSEEN = object()


@dataclass(frozen=True)
class Actor:
    """The signed-in user a request acts for. Every service call made through `call` records
    channel `web` and this account in the audit log."""

    name: str
    roles: tuple[str, ...]
    display_name: str
    csrf_token: str
    session_id: str  # the sha256 of the cookie's value, as stored

    @property
    def acting(self) -> ServiceActor:
        """This user as the services take an actor: on the `web` channel, from the signed-in
        session's account."""
        return ServiceActor(self.name, "web", self.name)

    async def call(
        self, request: Request, service: Callable[..., T], /, read_only: bool = False, **kw: Any
    ) -> T:
        """Run one service function as this user: `service(session=..., actor=..., **kw)`."""
        return await run_service(request, service, read_only=read_only, actor=self.acting, **kw)


async def run_service(
    request: Request, service: Callable[..., T], /, read_only: bool = False, **kw: Any
) -> T:
    """Run a service function in a worker thread, on a session of its own."""
    portal = portal_of(request)

    def run() -> T:
        with portal.session(read_only=read_only) as session:
            return service(session=session, **kw)

    return await run_in_threadpool(run)


async def current_visit(request: Request, rule: RoleRule = None) -> Visit | None:
    """The session the request's cookie names, if it is still valid: an expired one is deleted,
    and a used one has its idle time restarted (at most once a minute). Cached per request.
    The selections' workflows are read in the same session (one trip to a worker thread and
    one database session: every page asks), for the menu and a role `rule` (kept for
    `allowed_roles`)."""
    cached = getattr(request.state, "visit", _UNSEEN)
    if cached is not _UNSEEN:
        assert cached is None or isinstance(cached, Visit)
        return cached
    portal = portal_of(request)
    token = request.cookies.get(COOKIE, "")

    def find() -> tuple[Visit | None, set[str] | None]:
        if not token:
            return None, None
        now = portal.now()
        with portal.glance() as session:
            visit = signin.look_up(session, token)
            roles = None
            if visit is not None and visit.user is not None:
                specs = frozen_specs(session, visit.workflows)
                request.state.menu = menu(specs, visit.roles)
                roles = set(rule(specs)) if callable(rule) else None
        if visit is None:
            return None, None
        if visit.expired(now, portal.settings.portal):
            with portal.session() as session:
                signin.forget(session=session, id_sha256=visit.id_sha256)
            return None, None
        if visit.needs_touch(now):
            with portal.session() as session:
                signin.touch(session=session, id_sha256=visit.id_sha256, now=now)
        return visit, roles

    visit, roles = await run_in_threadpool(find)
    request.state.visit = visit
    if roles is not None:
        request.state.allowed_roles = roles
    return visit


async def visit_or_new(request: Request) -> tuple[Visit, str | None]:
    """The request's session, or a new one for a browser that has none (the sign-in and
    invitation forms need a CSRF token bound to a session). The second value is a new cookie
    value to set, if one was made."""
    visit = await current_visit(request)
    if visit is not None:
        return visit, None
    portal = portal_of(request)

    def start() -> tuple[Visit, str]:
        with portal.session() as session:
            token = signin.start_visit(
                session=session, portal=portal.settings.portal, now=portal.now()
            )
            found = signin.look_up(session, token)
        assert found is not None
        return found, token

    new_visit, token = await run_in_threadpool(start)
    request.state.visit = new_visit
    return new_visit, token


def set_session_cookie(response: Response, portal: Portal, token: str) -> None:
    """The session id: unreadable by scripts, not sent by other sites' forms, and only over
    HTTPS when the portal is behind it. No expiry of its own: the server's rules end it."""
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=portal.settings.portal.https,
        path="/",
    )


def clear_session_cookie(response: Response, portal: Portal) -> None:
    response.delete_cookie(
        COOKIE, httponly=True, samesite="lax", secure=portal.settings.portal.https, path="/"
    )


async def csrf_ok(request: Request, visit: Visit | None) -> bool:
    """Whether a POST carries the CSRF token of its session (form field or header)."""
    if visit is None:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    return bool(sent) and hmac.compare_digest(str(sent).encode(), visit.csrf_token.encode())


def safe_next(target: str | None) -> str:
    """A place on this site to go after signing in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def frozen_specs(session: Session, hashes: Iterable[str] | None = None) -> list[Workflow]:
    """The workflows frozen in the database's selections: a page's roles come from them.
    `hashes`: theirs, if already read (with the visit)."""
    return [loaded.spec for loaded in frozen_workflows(session, hashes)]


def permission(name: str) -> Callable[[list[Workflow]], set[str]]:
    """The roles the selections' workflows give a permission (a key of `permissions:`)."""

    def roles(specs: list[Workflow]) -> set[str]:
        return {role for spec in specs for role in getattr(spec.permissions, name)}

    return roles


def panel_roles(specs: list[Workflow]) -> set[str]:
    """The roles that hold a seat on an interview panel, in any selection's workflow."""
    return {seat.role for spec in specs for seat in spec.panel.seats.values()}


async def allowed_roles(request: Request, rule: RoleRule) -> set[str] | None:
    if rule is None:
        return None
    if callable(rule):
        known = getattr(request.state, "allowed_roles", None)
        if known is not None:
            assert isinstance(known, set)
            return known
        return set(await run_service(request, _roles, rule=rule, read_only=True))
    return set(rule)


def _roles(*, session: Session, rule: Callable[[list[Workflow]], Iterable[str]]) -> Iterable[str]:
    return rule(frozen_specs(session))


async def may(request: Request, actor: Actor, **rules: RoleRule) -> dict[str, bool]:
    """Which of `rules` (each named as the page names it) let the signed-in user in, by the same
    rule as `page(roles=...)`: a page offers a link or a form only when the route behind it
    would not refuse the user (one trip to the database for them all)."""
    held = set(actor.roles)

    def check(*, session: Session) -> dict[str, bool]:
        specs = frozen_specs(session)
        return {
            name: rule is None or bool(held & set(rule(specs) if callable(rule) else rule))
            for name, rule in rules.items()
        }

    return await run_service(request, check, read_only=True)


def page(
    roles: RoleRule = None, *, oversized: Handler | None = None
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a route: signed in (else to /login), holding one of `roles` (a list, or a function
    of the selections' workflows such as `permission(...)`; None: any signed-in user), and on a
    POST the session's CSRF token (else 403 and the route never runs). A service's refusal that the
    route does not handle itself becomes an error page saying it. A POST whose body was over
    the portal's limit (dropped unread, so nothing can change) goes to `oversized`, which shows
    the form again, else to an error page (413)."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            visit = await current_visit(request, roles)
            if visit is None or visit.user is None:
                return to_login(request)
            actor = Actor(
                visit.user, visit.roles, visit.display_name, visit.csrf_token, visit.id_sha256
            )
            request.state.actor = actor
            size = too_large(request) if request.method == "POST" else None
            if request.method == "POST" and size is None and not await csrf_ok(request, visit):
                return forbidden_csrf(request)
            allowed = await allowed_roles(request, roles)
            if allowed is not None and not set(actor.roles) & allowed:
                labels = await run_service(request, _role_labels, read_only=True)
                return error_page(request, 403, not_for_you(actor, allowed, labels))
            if size is not None:
                if oversized is None:
                    return error_page(
                        request,
                        413,
                        f"what was sent ({megabytes(size)}) is too large; nothing changed",
                    )
                handler_now = oversized
            else:
                handler_now = handler
            try:
                return await handler_now(request, actor)
            except NotFound:
                # The same words whether the record does not exist or is not this user's.
                return error_page(request, 404, NOT_FOUND)
            except QualifyError as exc:
                return error_page(request, status_of(exc), str(exc))

        return endpoint

    return wrap


NOT_FOUND = (
    "there is nothing at this address for you: it does not exist, or it is not yours to open"
)


def _role_labels(*, session: Session) -> dict[str, str]:
    """Each role of the selections' workflows by its label."""
    return {r: role.label for spec in frozen_specs(session) for r, role in spec.roles.items()}


def not_for_you(actor: Actor, allowed: set[str], labels: dict[str, str]) -> str:
    """Why a page is not for the signed-in user: whom it is for, and who they are, in the
    workflows' words for the roles."""
    named = sorted({labels.get(r, r.replace("_", " ")) for r in allowed})
    whom = " or ".join(named) if named else "no role of the open selections"
    held = roles_held(actor.roles, labels)
    return (
        f"this page is for {whom}; you are signed in as {actor.display_name or actor.name} ({held})"
    )


def status_of(exc: QualifyError) -> int:
    """The HTTP status of a service's refusal."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, NotPermitted):
        return 403
    if isinstance(exc, BadInput):
        return 400
    return 409


def forbidden_csrf(request: Request) -> Response:
    return error_page(
        request,
        403,
        "this form did not carry this session's security token (it may be from an old page, "
        "or from another site); nothing was changed: reload the page and try again",
    )


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {
        400: "Check what you entered",
        403: "Not allowed",
        404: "Not found",
        413: "Too large to send",
    }
    portal = portal_of(request)
    response: Response = portal.render(
        request,
        "error.html",
        {"title": titles.get(status, "Refused"), "message": message},
        status_code=status,
    )
    return response
