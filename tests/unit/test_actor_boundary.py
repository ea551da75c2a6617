"""Every service that acts for someone takes an `Actor`, built by the front door, and the audit
log takes nothing else: no service falls back on a name alone or on a process-wide setting.
The scan covers services/ and the record and packet helpers they stand on (store/, packets/),
named `package.module.function`."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import qualify
from qualify.actor import Actor, Origin
from qualify.store import audit

SRC = Path(qualify.__file__).parent
PACKAGES = ("services", "store", "packets")  # where the audit log is written from
WRITERS = {"record", "record_refusal"}  # audit's functions that append an event
# Who acts here is established by the service itself, from what it checked: signing in (the
# name and password), signing out (the session) and setting a password by an invitation link.
# Each names the actor it found, on the portal's channel (credentials.in_portal).
IDENTIFIES = {
    "services.signin.sign_in",
    "services.signin.sign_out",
    "services.accounts.set_password",
}


def _modules() -> list[str]:
    """`package.module` for each module of the scanned packages (not the migrations)."""
    return [
        f"{package}.{module.name}"
        for package in PACKAGES
        for module in pkgutil.iter_modules([str(SRC / package)])
        if not module.ispkg
    ]


def _functions() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for module in _modules():
        loaded = importlib.import_module(f"qualify.{module}")
        for name, value in vars(loaded).items():
            if inspect.isfunction(value) and value.__module__ == loaded.__name__:
                found.append((f"{module}.{name}", value))
    return found


def _audit_writers() -> set[str]:
    """`package.module.function` for each module-level function of the scanned packages that
    appends an audit event: it calls audit.record or audit.record_refusal, itself or through
    another scanned function (of its own module, or imported from another by name or with its
    module)."""
    calls: dict[str, set[str]] = {}
    for here in _modules():
        path = SRC / f"{here.replace('.', '/')}.py"
        tree = ast.parse(path.read_text(), str(path))
        named = {}  # a name this module calls -> "package.module.function" or "package.module."
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = (node.module or "").removeprefix("qualify.")
            if node.level or source.split(".")[0] not in PACKAGES or source == node.module:
                continue
            for alias in node.names:
                whole = source in PACKAGES  # `from qualify.store import audit`: a module
                target = f"{source}.{alias.name}." if whole else f"{source}.{alias.name}"
                named[alias.asname or alias.name] = target
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            called = set()
            for inner in ast.walk(node):
                if not isinstance(inner, ast.Call):
                    continue
                func = inner.func
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    module = named.get(func.value.id, "")
                    if module.endswith("."):
                        called.add(f"{module}{func.attr}")
                elif isinstance(func, ast.Name):
                    called.add(named.get(func.id, f"{here}.{func.id}"))
            calls[f"{here}.{node.name}"] = called
    writing = {f"store.audit.{name}" for name in WRITERS}
    while True:
        more = {name for name, called in calls.items() if called & writing} - writing
        if not more:
            return writing
        writing |= more


def test_every_service_parameter_named_actor_is_an_actor() -> None:
    named = {
        name: str(inspect.signature(fn).parameters["actor"].annotation)
        for name, fn in _functions()
        if "actor" in inspect.signature(fn).parameters
    }
    assert len(named) > 40, "the scan found too few services: it is broken"
    assert {name: kind for name, kind in named.items() if kind != "Actor"} == {}


def _acts_for_someone(fn: Callable[..., Any]) -> bool:
    """Whether a function is told who acts: an `actor`, or the front door its users act
    through (an `Origin`, or a `Scenario`, which holds one: the scenario runner's users)."""
    parameters = inspect.signature(fn).parameters.values()
    return any(p.name == "actor" or p.annotation in ("Origin", "Scenario") for p in parameters)


def test_every_public_service_that_writes_audit_events_is_told_who_acts() -> None:
    writers = _audit_writers()
    assert {
        "services.advance.advance",
        "services.panel.declare",
        "services.users.create_admin",
        "services.signin.sign_in",
        "services.firing.fire",
        "packets.files.record_and_write",
    } <= writers
    public = {name: fn for name, fn in _functions() if not name.split(".")[2].startswith("_")}
    untold = {name for name in writers & set(public) if not _acts_for_someone(public[name])}
    assert untold == IDENTIFIES


def test_the_audit_log_takes_the_channel_and_account_only_from_the_actor() -> None:
    parameters = inspect.signature(audit.record).parameters
    assert parameters["actor"].annotation == "Actor"
    assert {"channel", "account"} & set(parameters) == set()


def test_a_front_door_makes_its_users_actors() -> None:
    door = Origin("web", "rep.chen")
    assert door.actor("rep.chen") == Actor("rep.chen", "web", "rep.chen")
    assert str(Actor("hr.alvarez", "cli", "alice")) == "hr.alvarez"
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        Origin("fax", "x").actor("hr.alvarez")
