"""Reading the audit log, for the roles a workflow allows to."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from qualify.services import audit
from qualify.services.access import actor_user, get_candidate, get_selection, role_for, workflow_of
from qualify.store.tables import Selection


def visible_events(
    *, session: Session, actor: str, candidate_id: int | None = None
) -> list[dict[str, Any]]:
    """Audit events as dicts: one candidate's (needs view_audit in its selection's workflow) or
    all (needs view_audit in some open selection's workflow)."""
    user = actor_user(session, actor)
    if candidate_id is not None:
        selection = get_selection(session, get_candidate(session, candidate_id).selection_id)
        allowed = workflow_of(selection).spec.permissions.view_audit
    else:
        allowed = sorted(
            {
                r
                for s in session.exec(select(Selection))
                for r in workflow_of(s).spec.permissions.view_audit
            }
        )
    role_for(user, allowed, "read the audit log")
    return [audit.as_dict(e) for e in audit.events(session, candidate_id=candidate_id)]
