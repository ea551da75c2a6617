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


# Details worth a word on a log line, in the order they are shown.
_SHOWN = ("kind", "name", "roles", "title", "as_of", "conflict", "version", "stage", "reason")


def describe(event: dict[str, Any]) -> str:
    """One line on what an event did: a state change names its trigger, from and to states and
    the reason; a refusal what was tried and why it was refused; others their main details."""
    details = event.get("details") or {}
    if not isinstance(details, dict):
        return ""
    parts = []
    trigger = details.get("trigger")
    if trigger:
        moved = f" {details['from']} -> {details['to']}" if "from" in details else ""
        parts.append(f"{trigger}{moved}")
    for key in _SHOWN:
        if trigger and key == "version":  # a candidate's version is bookkeeping
            continue
        value = details.get(key)
        if value not in (None, "", [], {}):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key.replace('_', ' ')}: {_short(shown)}")
    if details.get("refusal"):
        parts.append(f"refused: {_short(str(details['refusal']))}")
    if details.get("new_key_id"):
        parts.append(f"new key {details['new_key_id']}")
    return "; ".join(parts)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
