"""What the evidence entry form asks for: the workflow's evidence kinds and their fields, the
people a user field may name, and the evidence already on file for the candidate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import Evidence, User
from qualify.store.visibility import WITHHELD
from qualify.workflow.documents import field_label, field_value, local_date
from qualify.workflow.evidence import sees_sensitive
from qualify.workflow.filetypes import DEFAULT_ACCEPT
from qualify.workflow.spec import EvidenceSpec, Workflow


@dataclass(frozen=True)
class FieldForm:
    name: str
    label: str
    type: str  # date, pass_fail, yes_no, text, file, choice or user
    required: bool
    choices: tuple[str, ...]  # a choice field's values
    accept: tuple[str, ...]  # a file field's types (pdf, png, jpeg)
    # A user field: the registered users it may name, (name, full name), those holding the
    # role a check wants of it first; and the one to offer first (the candidate's supervisor).
    people: tuple[tuple[str, str], ...] = ()
    role: str = ""
    suggested: str = ""


@dataclass(frozen=True)
class KindForm:
    kind: str
    label: str
    sensitive: bool
    fields: tuple[FieldForm, ...]


@dataclass(frozen=True)
class OnFile:
    """One evidence record already on file: what, when, by whom, its facts in words (each
    field by its label: "Author: Claire Moreau", "Written on: December 1, 2026"), and whether
    a newer record of its kind has replaced it."""

    id: int
    label: str
    recorded_on: date
    recorded_by: str  # the person's full name
    file_name: str | None
    superseded: bool
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceForm:
    candidate_id: int
    name: str
    kinds: tuple[KindForm, ...]
    # Today in the selection's time zone: every date of evidence is the date of a fact, which
    # has happened, so the form's date inputs offer no later day (the service refuses one).
    today: date
    selection_id: int = 0
    on_file: tuple[OnFile, ...] = ()

    def kind(self, kind: str) -> KindForm | None:
        return next((k for k in self.kinds if k.kind == kind), None)


def evidence_form(
    *, session: Session, candidate_id: int, actor: Actor, now: datetime | None = None
) -> EvidenceForm:
    """The evidence a user who may add evidence can record for this candidate."""
    candidate = get_candidate(session, candidate_id)
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    user = actor_user(session, actor)
    role_for(user, spec.permissions.add_evidence, "add evidence")
    users = session.exec(select(User).order_by(col(User.name))).all()
    wanted = _wanted_roles(spec)
    by_supervisor = {
        (c.params["evidence"], c.params["author_field"])
        for c in spec.checks.values()
        if c.params.get("author_is_candidates_supervisor")
        and (c.params.get("evidence"), c.params.get("author_field")) in wanted
    }

    def people(kind: str, name: str) -> tuple[tuple[str, str], ...]:
        role = wanted.get((kind, name), "")
        first = [u for u in users if role in u.roles]
        rest = [u for u in users if role not in u.roles]
        return tuple((u.name, u.full_name or u.name) for u in first + rest)

    return EvidenceForm(
        candidate_id=candidate_id,
        name=candidate.name,
        today=local_date(now or utcnow(), spec.time_zone),
        selection_id=candidate.selection_id,
        on_file=_on_file(
            session,
            spec,
            candidate_id,
            {u.name: u.display_name for u in users},
            sensitive=sees_sensitive(spec, user.roles),
        ),
        kinds=tuple(
            KindForm(
                kind=kind,
                label=e.label,
                sensitive=e.sensitive,
                fields=tuple(
                    FieldForm(
                        name=name,
                        label=f.label or name.replace("_", " "),
                        type=f.type,
                        required=f.required,
                        choices=tuple(f.choices),
                        accept=tuple(f.accept or DEFAULT_ACCEPT) if f.type == "file" else (),
                        people=people(kind, name) if f.type == "user" else (),
                        role=wanted.get((kind, name), ""),
                        suggested=candidate.supervisor if (kind, name) in by_supervisor else "",
                    )
                    for name, f in e.fields.items()
                ),
            )
            for kind, e in spec.evidence.items()
        ),
    )


def _wanted_roles(spec: Workflow) -> dict[tuple[str, str], str]:
    """(evidence kind, user field) -> the role a check wants of the user it names (SRO: the
    recommendation's author is a supervisor)."""
    found: dict[tuple[str, str], str] = {}
    for check in spec.checks.values():
        params = check.params
        if isinstance(params.get("evidence"), str) and isinstance(params.get("author_field"), str):
            found[(params["evidence"], params["author_field"])] = str(params.get("role", ""))
    return found


def _on_file(
    session: Session, spec: Workflow, candidate_id: int, names: dict[str, str], *, sensitive: bool
) -> tuple[OnFile, ...]:
    """The candidate's evidence records, newest first, with their facts; a sensitive kind's
    facts are withheld from a viewer whose roles do not see sensitive evidence."""
    rows = session.exec(
        select(Evidence).where(Evidence.candidate_id == candidate_id).order_by(col(Evidence.id))
    ).all()
    newest: dict[str, int] = {}
    for row in rows:
        newest[row.kind] = row.id or 0
    return tuple(
        OnFile(
            id=row.id or 0,
            label=spec.evidence[row.kind].label if row.kind in spec.evidence else row.kind,
            recorded_on=local_date(row.recorded_at, spec.time_zone),
            recorded_by=names.get(row.recorded_by, row.recorded_by),
            file_name=row.file_name,
            superseded=(
                row.kind in spec.evidence
                and not spec.evidence[row.kind].multiple
                and newest[row.kind] != row.id
            ),
            facts=_facts(spec.evidence.get(row.kind), row, names, sensitive),
        )
        for row in reversed(rows)
    )


def _facts(
    kind: EvidenceSpec | None, record: Evidence, names: dict[str, str], sensitive: bool
) -> tuple[str, ...]:
    """The record's facts in words, each field by its label, a person by name (a stored file is
    shown apart, by its name); withheld when the kind is sensitive and the viewer may not see it."""
    if kind is not None and kind.sensitive and not sensitive:
        return (WITHHELD,)
    out = []
    for name, value in record.fields.items():
        field = kind.fields.get(name) if kind is not None else None
        if field is None:
            out.append(f"{name.replace('_', ' ').capitalize()}: {value}")
        elif field.type == "user":
            out.append(f"{field_label(name, field)}: {names.get(str(value), str(value))}")
        elif field.type != "file":
            out.append(f"{field_label(name, field)}: {field_value(field, value)}")
    return tuple(out)
