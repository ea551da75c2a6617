"""The workflow file's typed model. Every key is documented in docs/workflows.md."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

FieldType = Literal["date", "pass_fail", "yes_no", "text", "file", "choice", "user"]
Exclusion = Literal["candidate_supervisor"]


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _text(value: Any) -> Any:
    # YAML reads `version: 1.0` as a number; a version is text.
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Names = Annotated[list[str], BeforeValidator(_listify)]
Text = Annotated[str, BeforeValidator(_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleSpec(Strict):
    label: str
    sees_sensitive: bool = False


class StateSpec(Strict):
    label: str
    initial: bool = False
    final: bool = False
    description: str = ""


class TransitionSpec(Strict):
    trigger: str
    label: str = ""
    source: Names
    dest: str
    roles: Names
    guards: Names = Field(default_factory=list)
    reason_required: bool = False
    reason_required_if_outranked: bool = False


class FieldSpec(Strict):
    type: FieldType
    label: str = ""
    required: bool = True
    choices: list[str] = Field(default_factory=list)


class EvidenceSpec(Strict):
    label: str
    sensitive: bool = False
    multiple: bool = False
    fields: dict[str, FieldSpec]


class CheckSpec(Strict):
    kind: str
    label: str
    note: str = ""
    params: dict[str, Any] = Field(default_factory=dict)


class SeatSpec(Strict):
    role: str
    count: int = 1
    label: str = ""


class PanelSpec(Strict):
    seats: dict[str, SeatSpec]
    scoring_states: Names
    excluded: list[Exclusion] = Field(default_factory=list)


class CriterionSpec(Strict):
    id: str
    label: str
    weight: float
    anchors: dict[int, str] = Field(default_factory=dict)
    minimum_mean: float | None = None
    minimum_mean_above: float | None = None


class RubricSpec(Strict):
    scale_min: int = 1
    scale_max: int = 5
    criteria: list[CriterionSpec]
    pass_mark: float
    disagreement_threshold: int
    tie_breaks: list[str] = Field(default_factory=list)


class PermissionsSpec(Strict):
    """Which roles may do the things that are not state transitions."""

    manage_users: Names
    open_selection: Names
    manage_candidates: Names
    add_evidence: Names
    manage_panel: Names
    view_results: Names
    print_packets: Names
    view_audit: Names
    # Optional, so that selections frozen before they existed still load: an empty list means
    # no role may do it in that selection.
    record_eeo: Names = Field(default_factory=list)
    view_eeo: Names = Field(default_factory=list)
    manage_records: Names = Field(default_factory=list)


class FairnessStageSpec(Strict):
    """A stage that removes candidates, for the adverse-impact report."""

    id: str
    label: str
    entered: Names
    passed: Names


class FairnessSpec(Strict):
    stages: list[FairnessStageSpec] = Field(default_factory=list)
    excluded: Names = Field(default_factory=list)


class QualificationSpec(Strict):
    id: int
    text: str
    enforced_by: Names


class Workflow(Strict):
    name: str
    title: str
    version: Text
    description: str = ""
    letterhead: str
    position: str = ""
    assignment: str = ""
    roles: dict[str, RoleSpec]
    permissions: PermissionsSpec
    states: dict[str, StateSpec]
    transitions: list[TransitionSpec]
    evidence: dict[str, EvidenceSpec]
    checks: dict[str, CheckSpec]
    panel: PanelSpec
    rubric: RubricSpec
    qualifications: list[QualificationSpec] = Field(default_factory=list)
    packets: dict[str, Names] = Field(default_factory=dict)
    fairness: FairnessSpec = Field(default_factory=FairnessSpec)

    @property
    def initial_state(self) -> str:
        return next(name for name, state in self.states.items() if state.initial)

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        """The transition `trigger` fires from `state`, if any."""
        return next(
            (t for t in self.transitions if t.trigger == trigger and state in t.source), None
        )

    def triggers_from(self, state: str) -> list[TransitionSpec]:
        return [t for t in self.transitions if state in t.source]

    def criterion(self, criterion_id: str) -> CriterionSpec | None:
        return next((c for c in self.rubric.criteria if c.id == criterion_id), None)


TIE_BREAK_RULES = {
    "criterion:<id>": "higher mean on that criterion ranks first",
    "fewest_flags": "fewer disagreement flags ranks first",
    "employee_id": "lower employee id ranks first (always decides)",
}

ALL_KEYS = sorted({name for model in Strict.__subclasses__() for name in model.model_fields})
