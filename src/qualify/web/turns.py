"""Requests take turns: each server process works on a few at once, and the rest wait in the
order they came.

Twenty panelists who each send their next request as soon as the last one answers keep every
request of a process in flight at once. Python runs one thread at a time, so the process then
works a little on each, and a write waits for the database's lock while nineteen others share the
core: the slowest answers take several times the typical one. Working on a few at once, in
arrival order, spends the same CPU and answers the same number of requests a second, but each in
about the same time (docs/performance.md measures both).

A request takes its turn once it has arrived whole: a form is read before it queues, so a client
that sends slowly holds no one up. Uploads over `SMALL_BODY` (evidence and certificates, by HR
and the Detective Sergeant) go their own pace without a turn, as do the health check and the
static files, which answer at once even when the portal is busy.
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SMALL_BODY = 64 * 1024  # a scorecard or any other form; an upload is larger
WITHOUT_TURN = ("/healthz", "/static/")


class Turns:
    """ASGI middleware: at most `at_once` requests at work, the others waiting in arrival
    order (asyncio's semaphore wakes its waiters first come, first served)."""

    def __init__(self, app: ASGIApp, at_once: int) -> None:
        self.app = app
        self.turns = asyncio.Semaphore(at_once)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(WITHOUT_TURN):
            await self.app(scope, receive, send)
            return
        size = _small_body(Headers(scope=scope))
        if size is None:  # an upload, or a body of unannounced length
            await self.app(scope, receive, send)
            return
        arrived = await _whole_body(receive) if size else []

        async def replay() -> Message:
            return arrived.pop(0) if arrived else await receive()

        async with self.turns:
            await self.app(scope, replay, send)


def _small_body(headers: Headers) -> int | None:
    """The body's announced size when it is small enough to read before queueing."""
    if "transfer-encoding" in headers:
        return None
    announced = headers.get("content-length", "0").strip()
    if not announced.isdigit() or int(announced) > SMALL_BODY:
        return None
    return int(announced)


async def _whole_body(receive: Receive) -> list[Message]:
    """Every message of the request's body (or the disconnect that ended it)."""
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            return messages
