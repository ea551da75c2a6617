"""Compile a workflow to one shared `transitions` Machine; fire triggers on plain state strings.

The machine is built once per workflow text (keyed by its sha256) and shared by every candidate:
a candidate is only a state string, never a model registered on the machine. Callbacks are
callables made here; a string callback would make `transitions` import a dotted path, so
`SafeMachine` refuses strings outright.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from transitions import EventData, Machine

from qualify.errors import GuardRefused
from qualify.workflow.loader import LoadedWorkflow
from qualify.workflow.spec import TransitionSpec, Workflow


class SafeMachine(Machine):
    """A Machine that never resolves a callback by name (no attribute lookup, no import)."""

    @staticmethod
    def resolve_callable(func: Any, event_data: EventData) -> Callable[..., Any]:
        if isinstance(func, str):
            raise TypeError(f"callback names are not allowed: {func!r}")
        if not callable(func):
            raise TypeError(f"callback is not callable: {func!r}")
        return cast(Callable[..., Any], func)


@dataclass
class _Token:
    """The machine's view of one candidate for the length of one trigger."""

    state: str


def _guard_condition(spec: TransitionSpec) -> Callable[[EventData], bool]:
    required = frozenset(spec.guards)

    def guards_passed(event: EventData) -> bool:
        passed: frozenset[str] = event.kwargs["passed"]
        return required <= passed

    return guards_passed


class CompiledWorkflow:
    """A validated workflow and its shared state machine."""

    def __init__(self, loaded: LoadedWorkflow) -> None:
        self.loaded = loaded
        self.spec: Workflow = loaded.spec
        self.machine = SafeMachine(
            model=None,
            states=list(self.spec.states),
            initial=self.spec.initial_state,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        for t in self.spec.transitions:
            self.machine.add_transition(
                trigger=t.trigger,
                source=list(t.source),
                dest=t.dest,
                conditions=[_guard_condition(t)],
            )

    def fire(self, state: str, trigger: str, passed: frozenset[str]) -> str:
        """Fire `trigger` from `state` given the checks that passed; return the new state."""
        token = _Token(state)
        if not self.machine.events[trigger].trigger(token, passed=passed):
            raise GuardRefused("not every guard has passed", value=trigger)
        return token.state


_COMPILED: dict[str, CompiledWorkflow] = {}


def compile_workflow(loaded: LoadedWorkflow) -> CompiledWorkflow:
    """The shared compiled machine for this exact workflow text (one per sha256)."""
    compiled = _COMPILED.get(loaded.sha256)
    if compiled is None:
        compiled = _COMPILED[loaded.sha256] = CompiledWorkflow(loaded)
    return compiled
