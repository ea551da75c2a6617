"""Reading form values the same way on every page: text trimmed to a bound, ids as numbers."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import FormData
from starlette.requests import Request

from qualify.errors import NotFound
from qualify.store.visibility import record_roles
from qualify.workflow.spec import Workflow

TEXT_LIMIT = 10_000  # characters kept of any one field; services check their own limits


def text(form: FormData, name: str, limit: int = TEXT_LIMIT) -> str:
    """A form field as text ('' when absent or a file)."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    """A form field, or None when it is empty: the service then applies its own rule."""
    value = text(form, name).strip()
    return value or None


def path_id(request: Request, name: str) -> int:
    """A record id from the address; anything but a whole number is no such page."""
    raw = str(request.path_params.get(name, ""))
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        raise NotFound(f"there is no {name.replace('_id', '')} {raw}")
    return int(raw)


def record_holders(specs: list[Workflow]) -> Iterable[str]:
    """The roles that see every candidate's record, in any selection's workflow."""
    return {role for spec in specs for role in record_roles(spec)}
