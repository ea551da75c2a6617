"""The most a request may send. A body announced as larger is read and thrown away unseen, and
the route is told (`too_large`), so that it answers on its own page (the evidence form says
the file is over the limit); one that grows past the limit unannounced is refused as it comes.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "qualify.too_large"
MB = 1024 * 1024


def too_large(request: Request) -> int | None:
    """The size of the body a request announced, when it was over the limit (and dropped)."""
    found = request.scope.get(TOO_LARGE)
    return found if isinstance(found, int) else None


def megabytes(size: int) -> str:
    """`25 MB`, or `1.5 MB` for a size that is not whole megabytes."""
    return f"{size / MB:g} MB"


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = Headers(scope=scope).get("content-length", "")
        if announced.isdigit() and int(announced) > self.max_body:
            # Read it all (a browser still sending would see the connection cut), keep nothing.
            more = True
            while more:
                message = await receive()
                more = message["type"] == "http.request" and bool(message.get("more_body"))
            scope[TOO_LARGE] = int(announced)

            async def nothing() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            await self.app(scope, nothing, send)
            return
        total = 0

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_body:
                    raise HTTPException(
                        413, f"what was sent is over {megabytes(self.max_body)}; nothing was kept"
                    )
            return message

        await self.app(scope, counted, send)
