"""Evidence field values: parse what a user typed, store it as JSON, read it back for checks."""

from __future__ import annotations

from datetime import date
from typing import Any

from qualify.errors import FieldValueError
from qualify.limits import DATE_MAX, DATE_MIN
from qualify.limits import EVIDENCE_TEXT_MAX as TEXT_MAX
from qualify.workflow.spec import EvidenceSpec, FieldSpec, Workflow

_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}


def parse_value(spec: FieldSpec, raw: str) -> Any:
    """The JSON value to store for what the user typed; raise FieldValueError if it does not fit."""
    value = raw.strip()
    if spec.type == "date":
        try:
            when = date.fromisoformat(value)
        except ValueError:
            raise FieldValueError(f"{raw!r} is not a date; use YYYY-MM-DD") from None
        if not DATE_MIN <= when <= DATE_MAX:
            raise FieldValueError(f"{value} is not between {DATE_MIN} and {DATE_MAX}")
        return when.isoformat()
    if spec.type == "pass_fail":
        if value.lower() not in ("pass", "fail"):
            raise FieldValueError(f"{raw!r} is not pass or fail")
        return value.lower()
    if spec.type == "yes_no":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise FieldValueError(f"{raw!r} is not yes or no")
    if spec.type == "choice":
        if value not in spec.choices:
            raise FieldValueError(f"{raw!r} is not one of {', '.join(spec.choices)}")
        return value
    if not value:
        raise FieldValueError("is empty")
    if "\x00" in value:
        raise FieldValueError("contains a NUL byte (\\x00)")
    if len(value) > TEXT_MAX:
        raise FieldValueError(f"is {len(value):,} characters; at most {TEXT_MAX:,}")
    return value


def to_fact(spec: FieldSpec, stored: Any) -> Any:
    """The Python value a check reads: dates as `date`, everything else as stored."""
    if spec.type == "date" and isinstance(stored, str):
        return date.fromisoformat(stored)
    return stored


def decode(kind: EvidenceSpec, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        name: to_fact(kind.fields[name], value)
        for name, value in fields.items()
        if name in kind.fields
    }


def sensitive_checks(spec: Workflow, params: dict[str, Any]) -> set[str]:
    """Checks that read sensitive evidence: their reasons are hidden from roles without access."""
    sensitive = {kind for kind, ev in spec.evidence.items() if ev.sensitive}
    return {
        check_id
        for check_id, p in params.items()
        if any(ref.evidence in sensitive for ref in p.references())
    }


def sees_sensitive(spec: Workflow, roles: list[str]) -> bool:
    return any(spec.roles[r].sees_sensitive for r in roles if r in spec.roles)
