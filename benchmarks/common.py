"""Timing, memory and throw-away databases for the benchmarks."""

from __future__ import annotations

import resource
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from tests.helpers.actors import as_user

PG_ADMIN = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}


@dataclass
class Timing:
    name: str
    seconds: float
    count: int

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else float("inf")


def timed(name: str, count: int, work: Callable[[], object]) -> Timing:
    start = time.perf_counter()
    work()
    return Timing(name, time.perf_counter() - start, count)


def interleaved(
    name: str,
    count: int,
    engine: Callable[[list[tuple[int, int]]], object],
    raw: Callable[[list[tuple[int, int]]], object],
    engine_ids: list[int],
    raw_ids: list[int],
    slices: int = 40,
) -> tuple[Timing, Timing]:
    """Time the engine and its raw baseline on the same work in alternating slices (of
    (position, candidate id) pairs), so that a machine that slows down or speeds up during the
    run weighs on both alike."""
    size = max(1, len(engine_ids) // slices)
    spent = [0.0, 0.0]
    for start in range(0, len(engine_ids), size):
        for side, (work, ids) in enumerate(((engine, engine_ids), (raw, raw_ids))):
            part = list(enumerate(ids))[start : start + size]
            began = time.perf_counter()
            work(part)
            spent[side] += time.perf_counter() - began
    return Timing(name, spent[0], count), Timing(name, spent[1], count)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database URL on the backend; dropped or deleted afterwards."""
    name = f"qualify_bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    with psycopg.connect(**PG_ADMIN, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(**PG_ADMIN, autocommit=True) as conn:  # type: ignore[arg-type]
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def postgres_available() -> bool:
    try:
        with psycopg.connect(**PG_ADMIN, connect_timeout=3):  # type: ignore[arg-type]
            return True
    except psycopg.OperationalError:
        return False


def use_audit_key(folder: Path) -> None:
    """Sign the benchmark's audit events with a key of its own, as `qualify init` would make
    (unless QUALIFY_AUDIT_KEY names one already)."""
    import os

    if os.environ.get("QUALIFY_AUDIT_KEY"):
        return

    from qualify import auditkey

    key = folder / "audit.key"
    if not key.exists():
        auditkey.create(key)
    os.environ["QUALIFY_AUDIT_KEY"] = str(key)


def register_users(session: Any, workflows_dir: Path, users: dict[str, list[str]]) -> None:
    """The benchmark's users: the first as the database's administrator (as `init --admin`
    makes it), the rest added by that one."""
    from qualify.services.users import add_user, create_admin

    (first, roles), *others = users.items()
    create_admin(session=session, workflows_dir=workflows_dir, actor=as_user(first), roles=roles)
    for name, held in others:
        add_user(
            session=session,
            workflows_dir=workflows_dir,
            name=name,
            roles=held,
            full_name=f"Sample {name}",
            title=", ".join(role.replace("_", " ") for role in held),
            actor=as_user(first),
        )
