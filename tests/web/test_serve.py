"""`qualify serve`: the portal as a real server process on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from qualify.config import Settings
from tests.conftest import Result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_healthz_and_the_sign_in_page(web_settings: Settings) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qualify",
            "--db",
            web_settings.database_url,
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ) as answer:
                    assert answer.status == 200
                    assert answer.read() == b"ok\n"
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "the portal stopped"
                assert time.monotonic() < deadline, "the portal did not answer within 60 s"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as page:
            assert page.headers["X-Frame-Options"] == "DENY"
            assert 'name="username"' in page.read().decode()
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_serve_refuses_a_missing_database(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("--db", f"sqlite:///{tmp_path / 'none.db'}", "serve")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no database at ")
