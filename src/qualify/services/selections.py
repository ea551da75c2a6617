"""Opening, listing and closing selections; each freezes its workflow's text and hash.

A selection opened by mistake (a mistyped title or as-of date) is closed with a reason, an
audited `selection_closed` event: it leaves the lists and the portal's pickers, and its records
stay, kept as records retention says. Only a selection with no candidate still in the running is
closed: each candidate goes on to a final state (SRO: withdrawn, removed), by the rules of each
step, or is taken out as entered by mistake (services.candidate_remove)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from qualify import limits
from qualify.actor import Actor
from qualify.config import Settings
from qualify.errors import BadInput, RuleViolation, Step
from qualify.store import audit
from qualify.store.clock import too_far_ahead, utcnow
from qualify.store.closed import Closed, closed_selections, hold_open
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import ADMIN, actor_user, frozen_permission, role_for
from qualify.store.tables import Candidate, Selection
from qualify.workflow import files
from qualify.workflow.documents import local_date

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
    far_as_of: bool = False,
) -> Selection:
    """Open a selection on the current text of a workflow file, frozen from now on. An as-of
    date more than AHEAD_DAYS ahead of today (clock.too_far_ahead) is refused unless `far_as_of`
    confirms it; a date in the past is ordinary (a selection opened after its deadline)."""
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
    loaded = files.find(settings, workflow)
    today = local_date(at, loaded.spec.time_zone)
    far = too_far_ahead(as_of, today, "qualifications are measured on that day, and a date")
    if far is not None and not far_as_of:
        raise BadInput(
            far,
            field="as_of",
            value=as_of.isoformat(),
            step=Step("confirm_as_of"),
        )
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


def list_selections(*, session: Session, actor: Actor, closed: bool = False) -> list[Selection]:
    """The selections in order, for a registered user; those closed only with `closed`."""
    actor_user(session, actor)
    shut = set() if closed else set(closed_selections(session))
    return [
        selection
        for selection in session.exec(select(Selection).order_by(col(Selection.id)))
        if selection.id not in shut
    ]


def close_selection(
    *,
    session: Session,
    selection_id: int,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> Closed:
    """Close a selection opened by mistake (or emptied of candidates), with the reason,
    audited; refused while a candidate in it is not at a final state. Its records stay; it
    leaves the lists and pickers."""
    at = now or utcnow()
    reason = " ".join(reason.split())
    if not reason:
        raise BadInput("say why the selection is closed", field="reason")
    limits.check("reason", reason, limits.REASON)
    selection = get_selection(session, selection_id)
    allowed = [ADMIN, *sorted(frozen_permission(session, "open_selection"))]
    role = role_for(actor_user(session, actor), allowed, "close a selection")
    hold_open(session, selection)
    spec = workflow_of(selection).spec
    final = [name for name, state in spec.states.items() if state.final]
    running = list(
        session.exec(
            select(Candidate)
            .where(Candidate.selection_id == selection_id, col(Candidate.state).not_in(final))
            .order_by(col(Candidate.id))
        )
    )
    if running:
        one = len(running) == 1
        shown = ", ".join(f"{c.name} at {spec.states[c.state].label}" for c in running[:5])
        more = f" and {len(running) - 5} more" if len(running) > 5 else ""
        raise RuleViolation(
            f"selection {selection_id} holds {len(running)} candidate{'' if one else 's'} still "
            f"in the running ({shown}{more}): a selection is closed only once each candidate "
            f"in it has reached a final state ({', '.join(spec.states[s].label for s in final)}) "
            "or was taken out as entered by mistake"
        )
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="selection_closed",
        subject=f"selection:{selection_id}",
        at=at,
        selection_id=selection_id,
        details={"title": selection.title, "reason": reason},
    )
    session.commit()
    assert event.id is not None
    return Closed(at, actor.name, reason, event.id)
