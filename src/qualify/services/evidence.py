"""Adding evidence: type-checked fields, files stored by sha256, never edited in place."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

from sqlmodel import Session, col, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import BadInput, FieldValueError, Problem, RuleViolation, Step
from qualify.store import audit
from qualify.store.clock import not_a_fact_date, utcnow
from qualify.store.evidence_files import (
    MAX_FILE_BYTES,
    file_type_problem,
    kept_if_committed,
    read_evidence_file,
)
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, display_name, role_for
from qualify.store.rows import claim
from qualify.store.tables import Candidate, Evidence, User
from qualify.suggest import suggest
from qualify.workflow.documents import local_date
from qualify.workflow.evidence import parse_value
from qualify.workflow.spec import FieldSpec, Workflow


def add_evidence(
    *,
    session: Session,
    files_dir: Path,
    candidate_id: int,
    kind: str,
    fields: dict[str, str],
    actor: Actor,
    date: str | None = None,
    result: str | None = None,
    file: Path | None = None,
    vouched_by: str | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    now: datetime | None = None,
    reason: str | None = None,
) -> Evidence:
    """Record evidence of a kind the workflow declares; a newer record supersedes older ones
    (of a kind whose records do not all count). `reason` says why, for the audit log: what a
    record that replaces one corrects. It is asked for, not required, since a newer record is
    as often a new fact (this year's fitness test) as a correction."""
    at = now or utcnow()
    limits.check("reason", reason, limits.REASON)
    reason = " ".join((reason or "").split()) or None
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    spec = workflow_of(selection).spec
    role = role_for(actor_user(session, actor), spec.permissions.add_evidence, "add evidence")
    state = spec.states.get(candidate.state)
    if state is not None and state.final:
        raise RuleViolation(
            f"{candidate.name} is at {state.label}, a final state: the record is closed and "
            "takes no new evidence"
        )
    if kind not in spec.evidence:
        raise BadInput(
            f"{spec.name} has no evidence kind '{kind}'{suggest(kind, spec.evidence)} "
            f"(kinds: {', '.join(spec.evidence)})",
            field="kind",
        )
    declared = spec.evidence[kind].fields
    today = local_date(at, spec.time_zone)
    raw = dict(fields)
    # A value given by --date or --result is reported under that option, not as a --field.
    given_by: dict[str, str] = {}
    for option, value, field_type in (("date", date, "date"), ("result", result, "pass_fail")):
        if value is not None:
            name = _sole_field(kind, declared, field_type, option)
            raw[name] = value
            given_by[name] = option
    file_field = file_data = None
    if file is not None:
        file_field = _sole_field(kind, declared, "file", "file")
        file_data = read_evidence_file(file, limit=max_file_bytes)
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for name, text in raw.items():
        if name not in declared:
            problems.append(
                Problem(
                    f"{kind} has no field '{name}'{suggest(name, declared)} "
                    f"(fields: {', '.join(declared)})",
                    f"fields.{name}",
                    name,
                )
            )
            continue
        try:
            values[name] = parse_value(declared[name], text)
            if declared[name].type == "date":
                # Every date field is the date of a fact (service begun, a test taken, a letter
                # written): one after today, in the selection's time zone, has not happened, and
                # one before 1950 has a mistyped year.
                wrong = not_a_fact_date(Date.fromisoformat(str(values[name])), today)
                if wrong is not None:
                    raise FieldValueError(wrong)
        except FieldValueError as exc:
            if name in given_by:
                problems.append(Problem(exc.message, given_by[name]))
            else:
                problems.append(Problem(exc.message, f"fields.{name}", name))
    for name, field_spec in declared.items():
        named = values.get(name)
        if field_spec.type == "user" and isinstance(named, str) and not _is_user(session, named):
            problems.append(
                Problem(
                    f"'{named}' is not a registered user{_close_user(session, named)}",
                    f"fields.{name}",
                    name,
                )
            )
    file_name = file_sha = None
    if file is not None and file_field is not None and file_data is not None:
        wrong_type = file_type_problem(declared[file_field], file_data)
        if wrong_type:
            problems.append(Problem(wrong_type, "file", file.name))
        else:
            # Hashed now, stored only once every field has passed and the record is written
            # (below): a refused command leaves nothing in the store.
            file_sha = hashlib.sha256(file_data).hexdigest()
            values[file_field] = file_sha
            file_name = file.name
    # A field given with a bad value has its own problem above; a file its own line.
    missing = [
        n
        for n, f in declared.items()
        if f.required and n not in values and n not in raw and n != file_field
    ]
    problems += [
        Problem(
            # The field's id (what --field takes) and its label (what a form shows).
            f"missing field '{n}'" + (f" ({declared[n].label})" if declared[n].label else ""),
            value=kind,
            step=Step("attach_file") if declared[n].type == "file" else None,
        )
        for n in missing
    ]
    if vouched_by is not None and not _is_user(session, vouched_by):
        problems.append(
            Problem(
                f"'{vouched_by}' is not a registered user{_close_user(session, vouched_by)}",
                "vouched_by",
            )
        )
    if problems:
        raise BadInput(problems=problems)
    _refuse_the_same_again(session, spec, candidate, kind, values, vouched_by or actor.name)
    # Adding evidence changes what an advance would decide: bump the candidate's version so an
    # advance that read the old evidence cannot commit on it.
    claim(session, candidate)
    superseded = session.exec(
        select(Evidence.id).where(Evidence.candidate_id == candidate_id, Evidence.kind == kind)
    ).all()
    record = Evidence(
        candidate_id=candidate_id,
        kind=kind,
        fields=values,
        file_sha256=file_sha,
        file_name=file_name,
        recorded_at=at,
        recorded_by=actor.name,
        vouched_by=vouched_by or actor.name,
    )
    session.add(record)
    session.flush()
    sensitive = spec.evidence[kind].sensitive
    audit.record(
        session,
        actor=actor,
        role=role,
        action="evidence_added",
        subject=f"evidence:{record.id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details={
            "kind": kind,
            # Sensitive values stay out of the log, which panelists' packets excerpt.
            "fields": "(sensitive)" if sensitive else values,
            "file": file_name,
            "file_sha256": file_sha,
            "vouched_by": record.vouched_by,
            "supersedes": [] if spec.evidence[kind].multiple else list(superseded),
        }
        | ({"reason": reason} if reason else {}),
    )
    with kept_if_committed(session, files_dir, file_data if file_sha else None):
        session.commit()
    return record


def _refuse_the_same_again(
    session: Session,
    spec: Workflow,
    candidate: Candidate,
    kind: str,
    values: dict[str, object],
    vouched_by: str,
) -> None:
    """Entering the newest record of a kind again, the same values vouched for by the same
    person, would only supersede it with a copy: say so, and record nothing."""
    newest = session.exec(
        select(Evidence)
        .where(Evidence.candidate_id == candidate.id, Evidence.kind == kind)
        .order_by(col(Evidence.id).desc())
        .limit(1)
    ).first()
    if newest is None or newest.fields != values or newest.vouched_by != vouched_by:
        return
    at = newest.recorded_at
    entered = local_date(at if at.tzinfo else at.replace(tzinfo=UTC), spec.time_zone)
    raise BadInput(
        f"{candidate.name}'s {spec.evidence[kind].label.split(' (')[0].lower()} "
        f"(record #{newest.id}, entered {entered.isoformat()} by "
        f"{display_name(session, newest.recorded_by)}) holds "
        "these values already; nothing was recorded"
    )


def _close_user(session: Session, name: str) -> str:
    """` (did you mean 'sgt.moreau'?)` for a mistyped user name, else ''."""
    return suggest(name, session.exec(select(User.name)).all())


def _is_user(session: Session, name: str) -> bool:
    return session.exec(select(User).where(User.name == name)).first() is not None


def _sole_field(kind: str, declared: dict[str, FieldSpec], field_type: str, field: str) -> str:
    """The one field of `field_type` that the input `field` (date, result or file) fills."""
    names = [n for n, f in declared.items() if f.type == field_type]
    if len(names) != 1:
        shown = "no" if not names else f"{len(names)}"
        raise BadInput(
            f"evidence '{kind}' has {shown} {field_type} fields",
            field=field,
            step=Step("name_evidence_field"),
        )
    return names[0]
