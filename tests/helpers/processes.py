"""Helpers for tests that start real processes: wait until one is ready, find its descendants."""

from __future__ import annotations

import select
import subprocess
from pathlib import Path
from typing import IO


def wait_until_ready(worker: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Wait for the worker's first line, "ready" (printed once it has imported everything)."""
    stream: IO[bytes] | None = worker.stdout
    assert stream is not None
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, f"worker not ready after {timeout} s"
    line = stream.readline()
    assert line.strip() == b"ready", f"worker said {line!r} instead of ready"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a running process, or None once it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]
    return state, int(ppid)


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, their children, ...)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) and found[0] != "Z":
            parents[int(entry.name)] = found[1]
    below: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - below
        below |= frontier
    return below


def alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie has ended)."""
    return {pid for pid in pids if (found := _stat(pid)) is not None and found[0] != "Z"}
