"""Correcting a candidate's record: names, rank, unit, supervisor, email, with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from qualify.actor import Actor
from qualify.errors import BadInput, RuleViolation, Step
from qualify.services.roster import candidate_values
from qualify.store import audit
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.people import SupervisorCheck
from qualify.store.permissions import actor_user, role_for
from qualify.store.rows import claim
from qualify.store.scores import panel_inputs
from qualify.store.stored_results import store_results
from qualify.store.tables import Candidate, InterviewResult

# What `candidate edit` may change (the employee id names the person, so it stays).
EDITABLE = ("first_name", "last_name", "rank", "unit", "supervisor", "email")


def edit_candidate(
    *,
    session: Session,
    candidate_id: int,
    changes: dict[str, str],
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> dict[str, tuple[str, str]]:
    """Correct a candidate's record and return what changed as {field: (old, new)}. `changes`
    holds the fields given (`name` splits into first and last name, as in a roster). Audited
    with the old and new values; refused once the candidate is in a final state. The checks
    read the record, so the next `check` or `advance` evaluates the corrected values."""
    at = now or utcnow()
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    role = role_for(
        actor_user(session, actor), spec.permissions.manage_candidates, "edit candidates"
    )
    if not changes:
        raise BadInput("give what to change", step=Step("give_candidate_changes"))
    reason = " ".join(reason.split())
    if not reason:
        raise BadInput(
            "say why the record is corrected; it is kept in the audit log", field="reason"
        )
    state = spec.states.get(candidate.state)
    if state is not None and state.final:
        raise RuleViolation(
            f"{candidate.name} is at {state.label}, a final state: the record is closed and "
            "can no longer be edited"
        )
    current = {field: getattr(candidate, field) for field in EDITABLE}
    given = {**current, "employee_id": candidate.employee_id, **changes}
    if "name" in changes and not ({"first_name", "last_name"} & changes.keys()):
        given["first_name"] = given["last_name"] = ""  # split the one name given
    else:
        given.pop("name", None)
    values, problems = candidate_values(given)
    if "supervisor" in changes:
        problem = SupervisorCheck(session, spec).problem(values["supervisor"])
        if problem:
            problems.append(("supervisor", problem))
    if problems:
        raise BadInput("; ".join(f"--{c.replace('_', '-')}: {m}" for c, m in problems))
    changed = {
        field: (current[field], values[field])
        for field in EDITABLE
        if values[field] != current[field]
    }
    if not changed:
        raise BadInput(f"{candidate.name} already has those values; nothing to change")
    new = {field: after for field, (_, after) in changed.items()}
    if "first_name" in changed or "last_name" in changed:
        new["name"] = values["name"]
    # The optimistic lock: a command that read the old record cannot then write on it.
    claim(session, candidate, **new)
    if "supervisor" in changed:
        _restore_interview_result(session, candidate)
    audit.record(
        session,
        actor=actor,
        role=role,
        action="candidate_edited",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details={
            "changes": {f: {"old": old, "new": after} for f, (old, after) in changed.items()},
            "reason": reason,
        },
    )
    session.commit()
    return changed


def _restore_interview_result(session: Session, candidate: Candidate) -> None:
    """The panel excludes a candidate's supervisor: a stored interview result names the barred
    seats, so it is computed again for the new supervisor."""
    stored = session.exec(
        select(InterviewResult.candidate_id).where(InterviewResult.candidate_id == candidate.id)
    ).first()
    if stored is None:
        return
    selection = get_selection(session, candidate.selection_id)
    store_results(session, selection, panel_inputs(session, selection, [candidate]))
