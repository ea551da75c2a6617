"""The compiled machine: shared, guard-checked, and deaf to callback names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from transitions import MachineError

from qualify.workflow.diagram import to_dot, to_mermaid
from qualify.workflow.loader import load_path
from qualify.workflow.machine import GuardRefused, SafeMachine, compile_workflow

ROOT = Path(__file__).resolve().parents[2]


def test_one_machine_per_workflow_text_and_no_models_registered() -> None:
    loaded = load_path(ROOT / "workflows" / "sro-selection.yaml")
    first = compile_workflow(loaded)
    second = compile_workflow(load_path(ROOT / "workflows" / "sro-selection.yaml"))
    assert first is second
    for _ in range(50):
        first.fire("nominated", "begin_screening", frozenset())
    assert first.machine.models == []


def test_a_guarded_trigger_needs_every_guard_passed() -> None:
    compiled = compile_workflow(load_path(ROOT / "workflows" / "sro-selection.yaml"))
    guards = compiled.spec.transition("screening", "confirm_eligible").guards  # type: ignore[union-attr]
    with pytest.raises(GuardRefused):
        compiled.fire("screening", "confirm_eligible", frozenset(guards[1:]))
    assert compiled.fire("screening", "confirm_eligible", frozenset(guards)) == "eligible"


def test_a_trigger_from_the_wrong_state_is_refused() -> None:
    compiled = compile_workflow(load_path(ROOT / "workflows" / "sro-selection.yaml"))
    with pytest.raises(MachineError):
        compiled.fire("nominated", "appoint", frozenset())


def test_withdraw_works_from_every_listed_state() -> None:
    compiled = compile_workflow(load_path(ROOT / "workflows" / "sro-selection.yaml"))
    withdraw = next(t for t in compiled.spec.transitions if t.trigger == "withdraw")
    for state in withdraw.source:
        assert compiled.fire(state, "withdraw", frozenset()) == "withdrawn"


def test_safe_machine_never_imports_a_dotted_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a) or 0)
    machine = SafeMachine(
        model=None,
        states=["a", "b"],
        initial="a",
        auto_transitions=False,
        transitions=[{"trigger": "go", "source": "a", "dest": "b", "conditions": "os.system"}],
    )

    class Token:
        state = "a"

    with pytest.raises(TypeError, match="callback names are not allowed"):
        machine.events["go"].trigger(Token())
    assert called == []


def test_mermaid_and_dot_show_every_transition() -> None:
    spec = load_path(ROOT / "workflows" / "fto-selection.yaml").spec
    mermaid = to_mermaid(spec)
    assert mermaid.startswith("stateDiagram-v2\n    [*] --> applied\n")
    assert "review --> qualified : qualify [lieutenant] (3 checks)" in mermaid
    assert "disqualified --> [*]" in mermaid
    dot = to_dot(spec)
    assert '"rated" -> "passed_over" [label="pass_over [lieutenant]"];' in dot


def test_an_interview_is_ahead_only_until_the_decision() -> None:
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    ahead = {state for state in spec.states if spec.interview_ahead(state)}
    # Ineligible may be reinstated to screening; not selected may only be recalled to selected.
    assert ahead == {"nominated", "screening", "ineligible", "eligible", "interview", "scored"}


def test_an_interview_is_scheduled_only_one_step_before_it_or_during_it() -> None:
    """Ineligible may be reinstated and screened again, so an interview is still ahead of such
    an officer; but it is scheduled only once they are eligible."""
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    assert spec.schedulable_states() == ["eligible", "interview", "scored"]
    fto = load_path(ROOT / "workflows" / "fto-selection.yaml").spec
    assert fto.schedulable_states() == ["qualified", "oral_board"]
