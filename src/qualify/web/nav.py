"""The portal's menu: each area's main page and the roles it is for. An area's routes module
adds its entry here; the layout shows a signed-in user the entries of the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    roles: frozenset[str]  # empty: every signed-in user


MENU: list[Entry] = [
    Entry("/interviews", "My interviews", frozenset({"commander", "school_rep"})),
    Entry("/screening", "Screening queue", frozenset({"commander"})),
    Entry("/overview", "Selection at a glance", frozenset({"hr"})),
    Entry("/audit", "Audit log", frozenset({"hr", "chief"})),
    Entry("/decisions", "Results and decisions", frozenset({"chief"})),
]


def menu(roles: tuple[str, ...]) -> list[Entry]:
    """The entries a user holding `roles` sees."""
    return [e for e in MENU if not e.roles or e.roles & set(roles)]
