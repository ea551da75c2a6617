"""The portal's menu: each area's main page and who may open it, by the same rule as its
routes (a permission of the selections' workflows, the roles that see every record, or a seat
on the panel). The layout shows a signed-in user every entry their roles may open."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from qualify.services.reports import overseeing_roles
from qualify.store.courses import recording_roles
from qualify.store.visibility import record_roles
from qualify.workflow.spec import Workflow


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    roles: Callable[[Workflow], Iterable[str]]  # who may open it, in one workflow


def _seats(spec: Workflow) -> set[str]:
    return {seat.role for seat in spec.panel.seats.values()}


def _training(spec: Workflow) -> set[str]:
    """Who directs or records training, and who sees every record."""
    return {*recording_roles(spec), *record_roles(spec)}


def reports_entry_roles(spec: Workflow) -> set[str]:
    """Who enters activity reports, and who sees every reporting officer."""
    if spec.activity_reports is None:
        return set()
    return {*spec.permissions.enter_reports, *overseeing_roles(spec)}


MENU: list[Entry] = [
    Entry("/interviews", "My interviews", _seats),
    Entry("/screening", "Screening queue", record_roles),
    Entry("/overview", "Selection at a glance", record_roles),
    Entry("/decisions", "Results and decisions", lambda spec: spec.permissions.view_results),
    Entry("/training", "Training", _training),
    Entry("/reports", "Activity reports", reports_entry_roles),
    Entry("/audit", "Audit log", lambda spec: spec.permissions.view_audit),
]


def menu(specs: Iterable[Workflow], roles: Iterable[str]) -> list[Entry]:
    """The entries a user holding `roles` may open, in any of the selections' workflows."""
    held, workflows = set(roles), list(specs)
    return [e for e in MENU if any(held & set(e.roles(spec)) for spec in workflows)]
