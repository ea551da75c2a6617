"""Adding, importing, listing and showing candidates."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, Conflict, Problem
from qualify.files import read_regular_file
from qualify.limits import ROSTER_MAX_BYTES
from qualify.services.bulk import without_cyclic_gc
from qualify.services.roster import COLUMNS, candidate_values, parse_roster, refuse_problems
from qualify.store import audit
from qualify.store.checking import check_candidates
from qualify.store.clock import utcnow
from qualify.store.closed import hold_open
from qualify.store.eligible_list import refuse_if_decided
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.people import SupervisorCheck
from qualify.store.permissions import actor_user, role_for
from qualify.store.rows import taken_meanwhile
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    Evidence,
    Scorecard,
    Selection,
    User,
)
from qualify.store.visibility import (
    INTERVIEW_FIELDS,
    Sight,
    history_filter,
    redact_event,
    sight,
    visible_ids,
)
from qualify.suggest import suggest
from qualify.workflow.moves import may_fire

SAME_MOMENT = (
    "someone else changed the records at the same moment; nothing was saved; run the command again"
)


def _may_manage(session: Session, selection: Selection, actor: Actor, doing: str) -> str:
    spec = workflow_of(selection).spec
    return role_for(actor_user(session, actor), spec.permissions.manage_candidates, doing)


def add_candidate(
    *,
    session: Session,
    selection_id: int,
    values: dict[str, str],
    actor: Actor,
    now: datetime | None = None,
) -> Candidate:
    """Add one candidate to a selection, in the workflow's initial state."""
    at = now or utcnow()
    selection = get_selection(session, selection_id)
    role = _may_manage(session, selection, actor, "add candidates")
    hold_open(session, selection)
    refuse_if_decided(session, selection, "add candidates to")
    values, problems = candidate_values(values)
    supervisor = SupervisorCheck(session, workflow_of(selection).spec).problem(values["supervisor"])
    if supervisor:
        problems.append(("supervisor", supervisor))
    if problems:
        raise BadInput(problems=[Problem(msg, field=column) for column, msg in problems])

    # An employee id already in the selection is bad input, as in an import: the value given
    # names a record that exists (exit 2), not a refusal by the rules.
    def already() -> BadInput | None:
        existing = session.exec(
            select(Candidate.id).where(
                Candidate.selection_id == selection_id,
                Candidate.employee_id == values["employee_id"],
            )
        ).first()
        if existing is None:
            return None
        return BadInput(
            f"{values['employee_id']} is already candidate {existing} in selection {selection_id}",
            field="employee_id",
        )

    if (clash := already()) is not None:
        raise clash
    candidate = Candidate.model_validate(
        {
            **values,
            "selection_id": selection_id,
            "state": workflow_of(selection).spec.initial_state,
            "created_at": at,
        }
    )
    session.add(candidate)
    with taken_meanwhile(session, lambda: already() or Conflict(SAME_MOMENT)):
        session.flush()
    audit.record(
        session,
        actor=actor,
        role=role,
        action="candidate_added",
        subject=f"candidate:{candidate.id}",
        at=at,
        selection_id=selection_id,
        candidate_id=candidate.id,
        details={
            "employee_id": candidate.employee_id,
            "name": candidate.name,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "state": candidate.state,
        },
    )
    session.commit()
    return candidate


def import_roster(
    *,
    session: Session,
    selection_id: int,
    path: Path,
    actor: Actor,
    now: datetime | None = None,
) -> int:
    """Import every row of a roster CSV in one transaction, or none of them."""
    at = now or utcnow()
    selection = get_selection(session, selection_id)
    role = _may_manage(session, selection, actor, "import candidates")
    hold_open(session, selection)
    refuse_if_decided(session, selection, "import candidates into")
    data = read_regular_file(path, label=str(path), limit=ROSTER_MAX_BYTES)
    rows, problems = parse_roster(data, str(path))
    if not rows and not problems:
        raise BadInput(f"{path}: no candidates in the file, only a header")
    supervisors = SupervisorCheck(session, workflow_of(selection).spec)
    problems += [
        (row.line, f"{path}:{row.line}: supervisor: {problem}")
        for row in rows
        if (problem := supervisors.problem(row.values["supervisor"]))
    ]

    def taken() -> list[tuple[int, str]]:
        ids = dict(
            session.exec(
                select(Candidate.employee_id, Candidate.id).where(
                    Candidate.selection_id == selection_id
                )
            ).all()
        )
        return [
            (
                row.line,
                f"{path}:{row.line}: employee_id: {row.values['employee_id']} is already "
                f"candidate {ids[row.values['employee_id']]} in selection {selection_id}",
            )
            for row in rows
            if row.values["employee_id"] in ids
        ]

    def clashes() -> BadInput | None:
        found = taken()
        return BadInput("\n".join(text for _, text in found)) if found else None

    # Every problem of the file at once, in line order: its own, then the records'.
    refuse_problems(problems + taken())
    state = workflow_of(selection).spec.initial_state
    with taken_meanwhile(session, lambda: clashes() or Conflict(SAME_MOMENT)):
        session.execute(
            insert(Candidate),
            [
                {
                    **{c: row.values.get(c, "") for c in COLUMNS},
                    "selection_id": selection_id,
                    "state": state,
                    "version": 1,
                    "created_at": at,
                }
                for row in rows
            ],
        )
    audit.record(
        session,
        actor=actor,
        role=role,
        action="candidates_imported",
        subject=f"selection:{selection_id}",
        at=at,
        selection_id=selection_id,
        details={
            "file": path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "count": len(rows),
            "employee_ids": [row.values["employee_id"] for row in rows],
            "state": state,
        },
    )
    session.commit()
    return len(rows)


LISTED = (
    "id",
    "selection_id",
    "employee_id",
    "name",
    "first_name",
    "last_name",
    "rank",
    "unit",
    "supervisor",
    "email",
    "state",
    "version",
)


def list_candidates(
    *,
    session: Session,
    selection_id: int | None = None,
    state: str | None = None,
    actor: Actor,
) -> list[dict[str, Any]]:
    """The candidates the actor may see, as plain dicts (read as columns on the connection, not
    as ORM objects, with the cyclic collector paused: fast for large rosters): a panelist's rows
    carry only what the interview needs."""
    query = sa_select(*(col(getattr(Candidate, name)) for name in LISTED)).order_by(
        col(Candidate.id)
    )
    if selection_id is not None:
        selection = get_selection(session, selection_id)
        query = query.where(col(Candidate.selection_id) == selection_id)
    if state is not None:
        chosen = [selection] if selection_id is not None else list(session.exec(select(Selection)))
        states = {s for one in chosen for s in workflow_of(one).spec.states}
        if state not in states:
            raise BadInput(
                f"no state '{state}' in the workflow{suggest(state, states)} "
                f"(states: {', '.join(sorted(states)) or 'none, no selection is open'})",
                field="state",
            )
        query = query.where(col(Candidate.state) == state)
    with without_cyclic_gc():
        rows = [dict(row._mapping) for row in session.connection().execute(query)]
        return _visible_rows(session, actor_user(session, actor), rows)


def _visible_rows(session: Session, user: User, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_selection: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_selection[row["selection_id"]].append(row)
    sights: dict[int, Sight] = {}
    for sid, found in by_selection.items():
        sights.update(visible_ids(session, user, get_selection(session, sid), found))
    if len(sights) == len(rows) and all(s.view == "record" for s in sights.values()):
        return rows
    return [
        row if sights[row["id"]].view == "record" else {k: row[k] for k in INTERVIEW_FIELDS}
        for row in rows
        if row["id"] in sights
    ]


def count_by_state(*, session: Session, selection_id: int, actor: Actor) -> dict[str, int]:
    """How many of a selection's candidates are in each state, for a registered user."""
    actor_user(session, actor)
    get_selection(session, selection_id)
    rows = session.exec(
        select(Candidate.state, func.count())
        .where(Candidate.selection_id == selection_id)
        .group_by(Candidate.state)
    ).all()
    return dict(rows)


@dataclass(frozen=True)
class CandidateView:
    """What `candidate show` prints."""

    candidate: Candidate
    data: dict[str, Any]


def candidate_dict(candidate: Candidate) -> dict[str, Any]:
    return {name: getattr(candidate, name) for name in LISTED}


def describe_candidate(*, session: Session, candidate_id: int, actor: Actor) -> dict[str, Any]:
    """Everything `candidate show` prints, as the actor may see it: the record (facts, evidence,
    checks and history; sensitive evidence only for roles the workflow allows), or for a
    panelist only the interview's view."""
    viewer = actor_user(session, actor)
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    seen = sight(session, viewer, candidate, selection)
    if seen.view == "interview":
        return _interview_view(session, viewer, candidate, selection)
    loaded = workflow_of(selection)
    spec = loaded.spec
    may_see = seen.sensitive
    evidence = []
    hidden = 0
    for row in session.exec(
        select(Evidence).where(Evidence.candidate_id == candidate_id).order_by(col(Evidence.id))
    ):
        kind = spec.evidence.get(row.kind)
        if kind is not None and kind.sensitive and not may_see:
            hidden += 1
            continue
        evidence.append(
            {
                "id": row.id,
                "kind": row.kind,
                "fields": row.fields,
                "file": row.file_name,
                "file_sha256": row.file_sha256,
                "recorded_at": row.recorded_at.isoformat(),
                "recorded_by": row.recorded_by,
                "vouched_by": row.vouched_by,
            }
        )
    current: dict[str, int] = {}
    for item in evidence:
        kind = spec.evidence.get(str(item["kind"]))
        if kind is not None and not kind.multiple:
            current[str(item["kind"])] = int(str(item["id"]))
    for item in evidence:
        kind = spec.evidence.get(str(item["kind"]))
        item["superseded"] = bool(
            kind and not kind.multiple and current[str(item["kind"])] != item["id"]
        )
    checked = check_candidates(
        session=session, selection=selection, candidates=[candidate], viewer_roles=viewer.roles
    )[0]
    rule = history_filter(session, viewer, candidate, selection)
    history = [
        shown
        for e in audit.history(session, candidate)
        if (shown := redact_event(e, **rule)) is not None
    ]
    return {
        **candidate_dict(candidate),
        "view": "record",
        "may_fire": may_fire(spec, candidate.state, viewer.roles),
        "selection": {
            "id": selection.id,
            "title": selection.title,
            "as_of": selection.as_of.isoformat(),
        },
        "evidence": evidence,
        "sensitive_evidence_hidden": hidden,
        "eligibility": checked.eligibility,
        "checks": [r.as_dict() | {"label": spec.checks[r.check].label} for r in checked.results],
        "history": history,
    }


def _interview_view(
    session: Session, viewer: User, candidate: Candidate, selection: Selection
) -> dict[str, Any]:
    """What a panelist sees of a candidate: who they are and the interview kit, with their own
    declaration and scorecard status; nothing of the record, nothing of the others' scores."""
    spec = workflow_of(selection).spec
    declared = session.exec(
        select(ConflictDeclaration)
        .where(
            ConflictDeclaration.candidate_id == candidate.id,
            ConflictDeclaration.panelist == viewer.name,
        )
        .order_by(col(ConflictDeclaration.id).desc())
    ).first()
    card = session.exec(
        select(Scorecard)
        .where(Scorecard.candidate_id == candidate.id, Scorecard.panelist == viewer.name)
        .order_by(col(Scorecard.version).desc())
    ).first()
    return {
        **{k: getattr(candidate, k) for k in INTERVIEW_FIELDS},
        "view": "interview",
        "selection": {"id": selection.id, "title": selection.title},
        "your_declaration": None
        if declared is None
        else ("conflict: " + declared.conflict if declared.conflict else "no conflict"),
        "your_scorecard": None
        if card is None
        else {"version": card.version, "status": card.status},
        "interview_kit": {
            "scale": [spec.rubric.scale_min, spec.rubric.scale_max],
            "criteria": [
                {"id": c.id, "label": c.label, "weight": c.weight, "anchors": c.anchors}
                for c in spec.rubric.criteria
            ],
        },
    }
