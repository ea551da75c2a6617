"""What every request of the portal shares: settings, the database, the templates, the clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from qualify.auditkey import Keyring
from qualify.config import Settings
from qualify.errors import QualifyError
from qualify.store import audit, checkpoints, db
from qualify.store.clock import utcnow
from qualify.workflow.scoring import tie_rule_words

HERE = Path(__file__).parent
log = logging.getLogger("qualify.web")


@dataclass
class Portal:
    """The portal's shared state, kept on `app.state.portal`."""

    settings: Settings
    engine: Engine
    templates: Jinja2Templates
    clock: Callable[[], datetime] = utcnow
    # SQLite takes one writer at a time, and one that finds the database busy sleeps and
    # retries, so under load some wait far longer than others. The portal's own writers queue
    # here instead, in turn; readers never wait (WAL). PostgreSQL needs no such queue.
    writers: AbstractContextManager[object] = field(default_factory=nullcontext)
    reader: Engine = field(init=False)  # the engine for work that only reads
    glancer: Engine = field(init=False)  # the engine for one statement that only reads

    def __post_init__(self) -> None:
        self.reader = db.reading(self.engine)
        self.glancer = db.glancing(self.engine)

    @classmethod
    def make(cls, settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Portal:
        engine = db.make_engine(settings.database_url, pooled=True)
        db.require_current_schema(engine)
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every template is HTML: all candidate text is escaped
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["tie_rule"] = tie_rule_words
        templates = Jinja2Templates(env=env, context_processors=[_page_context])
        writers = threading.Lock() if engine.url.get_backend_name() == "sqlite" else nullcontext()
        return cls(settings, engine, templates, clock or utcnow, writers)

    def now(self) -> datetime:
        return self.clock()

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A database session for one service call. The newest audit event it commits is
        checkpointed, as the CLI does, once the session is over (SQLite's next writer need not
        wait for it)."""
        engine = self.reader if read_only else self.engine
        queue = nullcontext() if read_only else self.writers
        heads: list[tuple[int, str]] = []
        ring: Keyring | None = None
        try:
            with (
                queue,
                db.session_scope(engine, PortalSession) as session,
            ):
                audit.use_key_file(session, self.settings.audit_key)
                try:
                    yield session
                finally:
                    heads = session.info.get(HEADS, [])
                    ring = audit.keyring(session) if heads else None
        finally:
            if heads and ring is not None:
                self._checkpoint(ring, max(heads))

    @contextmanager
    def glance(self) -> Iterator[Session]:
        """A database session for a read of one statement that needs no transaction around it
        (who is signed in): on PostgreSQL it runs without BEGIN and ROLLBACK, two trips to the
        server fewer on every request."""
        with db.session_scope(self.glancer) as session:
            yield session

    def _checkpoint(self, ring: Keyring, head: tuple[int, str]) -> None:
        path = checkpoints.checkpoint_file(self.settings.records_dir)
        try:
            checkpoints.append(path, ring, *head)
        except QualifyError as exc:
            log.warning("audit event #%s was not checkpointed: %s", head[0], exc)

    def render(
        self, request: Request, name: str, context: dict[str, Any], status_code: int = 200
    ) -> Any:
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)


HEADS = "qualify_portal_heads"  # session.info: (id, hash) of the newest event of each commit


class PortalSession(Session):
    """The portal's sessions: each commit that appended an audit event notes it under HEADS,
    for the checkpoint (listeners on the class, so that opening a session adds none)."""


@event.listens_for(PortalSession, "after_commit")
def _committed(session: Session) -> None:
    appended = session.info.pop(audit.APPENDED, None)
    if appended is not None:
        session.info.setdefault(HEADS, []).append(appended)


@event.listens_for(PortalSession, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(audit.APPENDED, None)


def _page_context(request: Request) -> dict[str, Any]:
    """What every page's layout needs: who is signed in, the CSRF token for its forms, and the
    menu of the pages their roles may open."""
    actor = getattr(request.state, "actor", None)
    visit = getattr(request.state, "visit", None)
    return {
        "me": actor,
        "csrf_token": visit.csrf_token if visit is not None else "",
        # Read with the session (`auth.current_visit`), by the same rules as the pages.
        "menu": getattr(request.state, "menu", []) if actor is not None else [],
        "path": request.url.path,
    }


def portal_of(request: Request) -> Portal:
    found = request.app.state.portal
    assert isinstance(found, Portal)
    return found
