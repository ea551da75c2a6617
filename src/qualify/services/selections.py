"""Opening and listing selections; each freezes its workflow's text and hash."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.config import Settings
from qualify.errors import BadInput
from qualify.services import audit, workflows
from qualify.services.clock import utcnow
from qualify.services.permissions import ADMIN, actor_user, frozen_permission, role_for
from qualify.store.tables import Selection

TITLE_MAX = 200  # the column's length


def open_selection(
    *,
    session: Session,
    settings: Settings,
    title: str,
    workflow: str,
    as_of: date,
    actor: Actor,
    now: datetime | None = None,
) -> Selection:
    """Open a selection on the current text of a workflow file, frozen from now on."""
    at = now or utcnow()
    title = title.strip()
    if not title:
        raise BadInput("TITLE: give the selection a title, such as 'School Resource Officer 2027'")
    if len(title) > TITLE_MAX:
        raise BadInput(f"TITLE: at most {TITLE_MAX} characters (this one has {len(title)})")
    if "\x00" in title:
        raise BadInput("TITLE: contains a NUL byte")
    # Who may open a selection comes from the database (the administrator, and the roles the
    # workflows already frozen here allow), never from the file being opened.
    allowed = [ADMIN, *sorted(frozen_permission(session, "open_selection"))]
    role = role_for(actor_user(session, actor), allowed, "open a selection")
    loaded = workflows.find(settings, workflow)
    selection = Selection(
        title=title,
        workflow_name=loaded.spec.name,
        workflow_version=loaded.spec.version,
        workflow_sha256=loaded.sha256,
        workflow_text=loaded.text,
        as_of=as_of,
        opened_at=at,
        opened_by=actor.name,
    )
    session.add(selection)
    session.flush()
    audit.record(
        session,
        actor=actor,
        role=role,
        action="selection_opened",
        subject=f"selection:{selection.id}",
        at=at,
        selection_id=selection.id,
        details={
            "title": title,
            "workflow": loaded.spec.name,
            "version": loaded.spec.version,
            "sha256": loaded.sha256,
            "as_of": as_of.isoformat(),
        },
    )
    session.commit()
    return selection


def list_selections(*, session: Session, actor: Actor) -> list[Selection]:
    """Every selection, for a registered user."""
    actor_user(session, actor)
    return list(session.exec(select(Selection).order_by(col(Selection.id))))
