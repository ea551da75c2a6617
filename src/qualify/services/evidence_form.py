"""What the evidence entry form asks for: the workflow's evidence kinds and their fields."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from qualify.actor import Actor
from qualify.services.frozen import workflow_of
from qualify.services.lookups import get_candidate, get_selection
from qualify.services.permissions import actor_user, role_for
from qualify.workflow.filetypes import DEFAULT_ACCEPT


@dataclass(frozen=True)
class FieldForm:
    name: str
    label: str
    type: str  # date, pass_fail, yes_no, text, file, choice or user
    required: bool
    choices: tuple[str, ...]  # a choice field's values
    accept: tuple[str, ...]  # a file field's types (pdf, png, jpeg)


@dataclass(frozen=True)
class KindForm:
    kind: str
    label: str
    sensitive: bool
    fields: tuple[FieldForm, ...]


@dataclass(frozen=True)
class EvidenceForm:
    candidate_id: int
    name: str
    kinds: tuple[KindForm, ...]

    def kind(self, kind: str) -> KindForm | None:
        return next((k for k in self.kinds if k.kind == kind), None)


def evidence_form(*, session: Session, candidate_id: int, actor: Actor) -> EvidenceForm:
    """The evidence a user who may add evidence can record for this candidate."""
    candidate = get_candidate(session, candidate_id)
    spec = workflow_of(get_selection(session, candidate.selection_id)).spec
    role_for(actor_user(session, actor), spec.permissions.add_evidence, "add evidence")
    return EvidenceForm(
        candidate_id=candidate_id,
        name=candidate.name,
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
                    )
                    for name, f in e.fields.items()
                ),
            )
            for kind, e in spec.evidence.items()
        ),
    )
