"""Requests take turns (web/turns.py): a few at work in each server process, the rest waiting in
the order they came, none refused; a slow sender, an upload and the health check hold no one up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest

from qualify.config import PortalSettings, Settings
from qualify.errors import BadInput
from qualify.web.app import create_app
from qualify.web.turns import SMALL_BODY, Turns
from tests.conftest import Result

Message = dict[str, Any]


class Backend:
    """An app that notes who is at work and answers when told to."""

    def __init__(self) -> None:
        self.at_work: list[str] = []
        self.most = 0
        self.began: list[str] = []
        self.bodies: dict[str, bytes] = {}
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        name = scope["path"].rsplit("/", 1)[-1]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies[name] = body
        self.began.append(name)
        self.at_work.append(name)
        self.most = max(self.most, len(self.at_work))
        await self.release.setdefault(name, asyncio.Event()).wait()
        self.at_work.remove(name)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def finish(self, name: str) -> None:
        self.release.setdefault(name, asyncio.Event()).set()


def request(
    path: str, body: list[bytes] | None = None, *, length: int | None = None, gate: Any = None
) -> tuple[Message, Callable[[], Any], list[Message]]:
    """A request's scope, its receive (each chunk after `gate` is set, when given) and what
    was sent back."""
    chunks = list(body or [b""])
    size = sum(len(c) for c in chunks) if length is None else length
    method = "POST" if body else "GET"
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(b"content-length", str(size).encode())] if body else [],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        if gate is not None and len(chunks) == 1:
            await gate.wait()  # the last piece comes only when the test says so
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    return scope, receive, sent


def play(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a scenario on an event loop of its own thread (a browser test earlier in the same
    run may hold one in this thread)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(scenario())).result()


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_a_few_at_work_the_rest_answered_in_the_order_they_came() -> None:
    async def scenario() -> None:
        app = Backend()
        turns = Turns(app, at_once=2)
        names = [f"r{n}" for n in range(8)]
        tasks = []
        for name in names:
            scope, receive, _ = request(f"/kit/{name}")
            tasks.append(asyncio.create_task(turns(scope, receive, _sink)))
            await settle()
        assert app.at_work == ["r0", "r1"]
        for name in names:
            app.finish(name)
            await settle()
        await asyncio.gather(*tasks)
        assert app.began == names  # first come, first served
        assert app.most == 2
        assert app.at_work == []

    play(scenario)


def test_a_form_is_read_whole_before_it_queues_so_a_slow_sender_holds_no_one_up() -> None:
    async def scenario() -> None:
        app = Backend()
        turns = Turns(app, at_once=1)
        slow_sent = asyncio.Event()
        scope, receive, _ = request("/draft/slow", [b"score-a=", b"5"], gate=slow_sent)
        slow = asyncio.create_task(turns(scope, receive, _sink))
        await settle()
        scope, receive, _ = request("/kit/quick")
        quick = asyncio.create_task(turns(scope, receive, _sink))
        await settle()
        assert app.at_work == ["quick"]  # the slow form has not taken the only turn
        app.finish("quick")
        await quick
        slow_sent.set()
        await settle()
        assert app.at_work == ["slow"]
        app.finish("slow")
        await slow
        assert app.bodies["slow"] == b"score-a=5"  # the route reads the form as sent

    play(scenario)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/healthz", None),
        ("/static/portal.css", None),
        ("/evidence/upload", [b"x" * (SMALL_BODY + 1)]),
    ],
)
def test_health_static_files_and_uploads_need_no_turn(path: str, body: list[bytes] | None) -> None:
    async def scenario() -> None:
        app = Backend()
        turns = Turns(app, at_once=1)
        scope, receive, _ = request("/kit/busy")
        busy = asyncio.create_task(turns(scope, receive, _sink))
        await settle()
        scope, receive, _ = request(path, body)
        other = asyncio.create_task(turns(scope, receive, _sink))
        await settle()
        name = path.rsplit("/", 1)[-1]
        assert app.at_work == ["busy", name]
        app.finish(name)
        app.finish("busy")
        await asyncio.gather(busy, other)

    play(scenario)


async def _sink(_message: Message) -> None:
    return None


def test_at_once_is_a_setting_with_a_clear_refusal() -> None:
    assert PortalSettings.from_env({}).at_once == 4
    assert PortalSettings.from_env({"QUALIFY_PORTAL_AT_ONCE": "8"}).at_once == 8
    for bad in ("0", "many", "65"):
        with pytest.raises(BadInput, match="QUALIFY_PORTAL_AT_ONCE=.*whole number from 1 to 64"):
            PortalSettings.from_env({"QUALIFY_PORTAL_AT_ONCE": bad})


def test_serve_refuses_a_bad_at_once_with_exit_2(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_PORTAL_AT_ONCE", "none")
    result = cli("serve")
    assert result.exit_code == 2
    assert "QUALIFY_PORTAL_AT_ONCE='none'" in result.stderr


def test_the_portal_takes_turns_as_its_setting_says(web_settings: Settings) -> None:
    settings = replace(web_settings, portal=replace(web_settings.portal, at_once=2))
    app = create_app(settings)
    gates = [m.kwargs for m in app.user_middleware if m.cls is Turns]
    assert gates == [{"at_once": 2}]
