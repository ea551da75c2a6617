"""Start `qualify serve` on a free port of 127.0.0.1 over a prepared database, and stop it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_healthy(base_url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until GET /healthz answers 200; fail at once if the server exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode(errors="replace") if server.stdout else ""
            raise RuntimeError(f"qualify serve exited with {server.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"qualify serve did not answer {base_url}/healthz within {timeout} s")


@contextmanager
def serving(
    database_url: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    workers: int | None = None,
) -> Iterator[str]:
    """`qualify --db URL serve` on a free port of 127.0.0.1 (with `--workers N` when given);
    yields its base URL once /healthz answers, and stops the server afterwards."""
    with server_process(database_url, env=env, cwd=cwd, workers=workers) as (base_url, _):
        yield base_url


@contextmanager
def server_process(
    database_url: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    workers: int | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`serving`, yielding the server's process too (the benchmark reads its CPU time)."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    command = [
        sys.executable,
        "-m",
        "qualify",
        "--db",
        database_url,
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        *(["--workers", str(workers)] if workers is not None else []),
    ]
    server = subprocess.Popen(
        command,
        env={**os.environ, "QUALIFY_PORTAL_URL": base_url, **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_healthy(base_url, server)
        yield base_url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()
