"""The workflow a selection froze when it opened, parsed once per process."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ScalarSelect, func
from sqlmodel import Session, col, select

from qualify.store.tables import Selection
from qualify.workflow.loader import LoadedWorkflow, load_text
from qualify.workflow.machine import CompiledWorkflow, compile_workflow

_FROZEN: dict[str, LoadedWorkflow] = {}


def load_frozen(text: str, *, source: str) -> LoadedWorkflow:
    """Load the workflow text a selection froze when it opened (templates are not re-checked;
    the text was checked then, so it is parsed the fast way)."""
    return load_text(text, source=source, fast=True)


def workflow_of(selection: Selection) -> LoadedWorkflow:
    """The workflow text frozen in the selection, parsed once per process."""
    loaded = _FROZEN.get(selection.workflow_sha256)
    if loaded is None:
        source = (
            f"selection {selection.id} ({selection.workflow_name} {selection.workflow_version})"
        )
        loaded = _FROZEN[selection.workflow_sha256] = load_frozen(
            selection.workflow_text, source=source
        )
    return loaded


def frozen_hashes() -> ScalarSelect[str | None]:
    """A column for any query: the hashes of the workflows frozen in the database's selections,
    each once, joined by commas (NULL when there is no selection). The portal reads it in the
    same statement as the visit, and passes it to `frozen_workflows`."""
    each = select(Selection.workflow_sha256).distinct().subquery()
    return select(func.aggregate_strings(each.c.workflow_sha256, ",")).scalar_subquery()


def hashes_of(joined: str | None) -> tuple[str, ...]:
    """The hashes a `frozen_hashes` column holds, in order."""
    return tuple(sorted(joined.split(","))) if joined else ()


def frozen_workflows(session: Session, hashes: Iterable[str] | None = None) -> list[LoadedWorkflow]:
    """Every workflow frozen in a selection of this database, each once. Only the hashes are
    read (unless given, as `frozen_hashes` read them with something else), and the text only
    of a workflow this process has not parsed yet (the portal asks on every request)."""
    found = []
    if hashes is None:
        hashes = sorted(session.exec(select(Selection.workflow_sha256).distinct()).all())
    for sha in hashes:
        loaded = _FROZEN.get(sha)
        if loaded is None:
            name, version, text = session.exec(
                select(Selection.workflow_name, Selection.workflow_version, Selection.workflow_text)
                .where(col(Selection.workflow_sha256) == sha)
                .limit(1)
            ).one()
            loaded = _FROZEN[sha] = load_frozen(text, source=f"{name} {version} ({sha[:12]})")
        found.append(loaded)
    return found


def machine_of(selection: Selection) -> CompiledWorkflow:
    return compile_workflow(workflow_of(selection))
