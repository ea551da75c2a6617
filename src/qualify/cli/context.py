"""What every command gets: settings, the actor, and a way to open a session."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
import typer
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from qualify.actor import Actor, Origin, os_account
from qualify.config import Settings
from qualify.errors import BadInput
from qualify.limits import ID_MAX
from qualify.store import db

__all__ = ["ID_MAX", "AppContext", "app_context", "print_json", "print_table"]


@dataclass
class AppContext:
    """Global options resolved once per invocation."""

    settings: Settings
    as_user: str | None = None
    _checked: bool = field(default=False, repr=False)
    # Audit heads this command committed: the newest is checkpointed when its session ends.
    _heads: list[tuple[int, str]] = field(default_factory=list, repr=False)

    @cached_property
    def origin(self) -> Origin:
        """The front door of every action this command takes: the CLI channel, and the
        operating-system account that runs it (whatever --as claims)."""
        return Origin("cli", os_account())

    @property
    def actor(self) -> Actor:
        """Who acts, as the services take it: the user --as names, else QUALIFY_USER, else the
        OS login name; on the CLI channel, from the operating-system account that runs the
        command."""
        return self.origin.actor(
            self.as_user or os.environ.get("QUALIFY_USER") or getpass.getuser()
        )

    @cached_property
    def engine(self) -> Engine:
        return db.make_engine(self.settings.database_url)

    def close(self) -> None:
        """Close pooled connections, if an engine was made."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on a database that is at this version's schema."""
        if not self._checked:
            db.require_current_schema(self.engine)
            self._checked = True
        from qualify.store import audit

        with db.session_scope(self.engine) as session:
            audit.use_key_file(session, self.settings.audit_key)
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", self._rolled_back)
            try:
                yield session
            finally:
                self._checkpoint(session)

    def _committed(self, session: Session) -> None:
        from qualify.store.audit import APPENDED

        appended = session.info.pop(APPENDED, None)
        if appended is not None:
            self._heads.append(appended)

    def _rolled_back(self, session: Session) -> None:
        from qualify.store.audit import APPENDED

        session.info.pop(APPENDED, None)

    def _checkpoint(self, session: Session) -> None:
        """Checkpoint the newest event this command committed, outside the database. The event
        is committed whatever happens here, so a failure is a warning, not an error."""
        if not self._heads:
            return
        from qualify.cli.errors import render
        from qualify.errors import QualifyError
        from qualify.store import audit, checkpoints

        event_id, event_hash = max(self._heads)
        self._heads.clear()
        path = checkpoints.checkpoint_file(self.settings.records_dir)
        try:
            checkpoints.append(path, audit.keyring(session), event_id, event_hash)
        except QualifyError as exc:
            typer.echo(
                f"warning: audit event #{event_id} was not checkpointed: {render(exc)}", err=True
            )


def app_context(ctx: typer.Context) -> AppContext:
    """The AppContext the root callback stored."""
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


def print_json(data: Any) -> None:
    """Print data as stable JSON on one line, keys sorted (orjson: 10,000 results encode in
    tens of milliseconds; pipe it through `python -m json.tool` to read it). Dates print as
    `str()` gives them, as the standard library's encoder did with default=str."""
    options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    typer.echo(orjson.dumps(data, default=str, option=options).decode())


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """Print rows as a plain aligned table."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    for line in [headers, ["-" * w for w in widths], *rows]:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


FORCE_HELP = "Replace the file if it exists."


def write_output(path: Path, data: bytes, *, option: str, force: bool = False) -> None:
    """Write a file the user named, whole or not at all; a path that cannot take it is bad
    input naming the option. An existing file is replaced only with `force` (--force), as
    nothing qualify writes is overwritten unasked."""
    from qualify.packets.render import write_atomic

    if path.is_dir():
        raise BadInput(f"{option}: {path} is a folder; name a file")
    if path.exists() and not force:
        raise BadInput(f"{option}: {path} exists; name a new file, or give --force to replace it")
    if not path.parent.is_dir():
        raise BadInput(f"{option}: folder {path.parent} does not exist")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise BadInput(f"{option}: cannot write {path}: {exc.strerror or exc}") from None
