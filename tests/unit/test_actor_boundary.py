"""Every service that acts for someone takes an `Actor`, built by the front door, and the audit
log takes nothing else: no service falls back on a name alone or on a process-wide setting."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import qualify.services
from qualify.actor import Actor, Origin
from qualify.services import audit

SERVICES = Path(qualify.services.__file__).parent
WRITERS = {"record", "record_refusal"}  # audit's functions that append an event
# Who acts here is established by the service itself, from what it checked: signing in (the
# name and password), signing out (the session) and setting a password by an invitation link.
# Each names the actor it found, on the portal's channel (signin.in_portal).
IDENTIFIES = {"signin.sign_in", "signin.sign_out", "accounts.set_password"}


def _functions() -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    for module in pkgutil.iter_modules(qualify.services.__path__):
        loaded = importlib.import_module(f"qualify.services.{module.name}")
        for name, value in vars(loaded).items():
            if inspect.isfunction(value) and value.__module__ == loaded.__name__:
                found.append((f"{module.name}.{name}", value))
    return found


def _audit_writers() -> set[str]:
    """`module.function` for each module-level function of the services that appends an audit
    event: it calls audit.record or audit.record_refusal, itself or through a function of its
    own module."""
    writers = set()
    for path in sorted(SERVICES.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        calls: dict[str, set[str]] = {}
        for name, node in defs.items():
            called = set()
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call):
                    func = inner.func
                    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                        if func.value.id == "audit" and func.attr in WRITERS:
                            called.add("<audit>")
                    elif isinstance(func, ast.Name):
                        called.add(
                            "<audit>" if path.stem == "audit" and func.id in WRITERS else func.id
                        )
            calls[name] = called
        writing = {"<audit>"}
        while True:
            more = {name for name, called in calls.items() if called & writing} - writing
            if not more:
                break
            writing |= more
        writers |= {f"{path.stem}.{name}" for name in writing - {"<audit>"}}
    return writers


def test_every_service_parameter_named_actor_is_an_actor() -> None:
    named = {
        name: str(inspect.signature(fn).parameters["actor"].annotation)
        for name, fn in _functions()
        if "actor" in inspect.signature(fn).parameters
    }
    assert len(named) > 40, "the scan found too few services: it is broken"
    assert {name: kind for name, kind in named.items() if kind != "Actor"} == {}


def test_every_public_service_that_writes_audit_events_takes_an_actor() -> None:
    writers = _audit_writers()
    assert {"advance.advance", "panel.declare", "users.create_admin", "signin.sign_in"} <= writers
    public = {name: fn for name, fn in _functions() if not name.split(".")[1].startswith("_")}
    without = {
        name
        for name in writers & set(public)
        if "actor" not in inspect.signature(public[name]).parameters
    }
    assert without == IDENTIFIES


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
