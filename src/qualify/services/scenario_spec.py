"""The shape of a scenario file, checked before any of it runs: a wrong file is one line naming
the key, not a KeyError halfway through the demo. Keys this model does not name are allowed
(the tests read `expected_checks`; new step kinds add their own keys)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from qualify.errors import BadInput
from qualify.limits import DATE_MAX, DATE_MIN


def _in_range(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"must be between {DATE_MIN} and {DATE_MAX}")
    return value


Day = Annotated[date, AfterValidator(_in_range)]
Scalar = str | int | float | bool | date


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)


class StepSpec(_Loose):
    do: str
    by: str
    candidates: list[str] = Field(default_factory=list)
    candidate: str | None = None
    trigger: str | None = None
    reason: str | None = None
    conflict: str | None = None
    seats: dict[str, list[str]] = Field(default_factory=dict)
    scores: dict[str, Scalar] = Field(default_factory=dict)
    comments: dict[str, str] = Field(default_factory=dict)
    submit: bool = True
    day: Day | None = None
    courses: list[str] = Field(default_factory=list)
    course: str | None = None
    due: Day | None = None
    completed_on: Day | None = None
    certificate: str | None = None
    quarter: str | None = None
    fields: dict[str, Scalar] = Field(default_factory=dict)


class EvidenceRecordSpec(_Loose):
    kind: str


class UserSpec(BaseModel):
    """A user given as a mapping: roles, and the full name and title documents print."""

    model_config = ConfigDict(extra="forbid")
    roles: list[str] = Field(min_length=1)
    full_name: str = ""
    title: str = ""


class ScenarioSpec(_Loose):
    workflow: str
    title: str
    as_of: Day
    recorded_on: Day
    roster: str
    users: dict[str, list[str] | UserSpec] = Field(min_length=1)
    evidence: dict[str, list[dict[str, Scalar]]] = Field(default_factory=dict)
    self_identification: dict[str, dict[str, str]] = Field(default_factory=dict)
    steps: list[StepSpec] = Field(default_factory=list)


# Steps renamed: a scenario naming the old one is refused, naming the new.
RENAMED_STEPS = {"attest": "declare"}


def check_scenario(path: Path, data: dict[str, Any]) -> None:
    """Raise BadInput naming the first problem with the scenario's shape."""
    try:
        spec = ScenarioSpec.model_validate(data)
        for i, step in enumerate(spec.steps):
            if step.do in RENAMED_STEPS:
                new = RENAMED_STEPS[step.do]
                raise BadInput(f"{path}: steps[{i}].do: the step '{step.do}' is now called '{new}'")
        for employee, records in spec.evidence.items():
            for i, record in enumerate(records):
                try:
                    EvidenceRecordSpec.model_validate(record)
                except ValidationError as exc:
                    raise _bad(path, exc, ("evidence", employee, i)) from None
    except ValidationError as exc:
        raise _bad(path, exc, ()) from None


def _bad(path: Path, exc: ValidationError, prefix: tuple[Any, ...]) -> BadInput:
    error = exc.errors()[0]
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in (*prefix, *error["loc"])
    ).lstrip(".")
    message = "missing key" if error["type"] == "missing" else str(error["msg"]).lower()
    more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
    return BadInput(f"{path}: {where or 'scenario'}: {message}{more}")
