"""Which triggers a holder of some roles may fire from a state, and what firing each asks for:
pure functions of the workflow, shared by `advance` (its refusals), `candidates` (what
`candidate show` lists) and the screening queue and standings (the buttons a page offers)."""

from __future__ import annotations

from dataclasses import dataclass

from qualify.workflow.spec import TransitionSpec, Workflow


def firable(spec: Workflow, state: str, roles: list[str]) -> list[TransitionSpec]:
    """The transitions from `state` that a holder of `roles` may fire."""
    return [t for t in spec.triggers_from(state) if set(t.roles) & set(roles)]


def may_fire(spec: Workflow, state: str, roles: list[str]) -> list[str]:
    """Triggers a holder of `roles` may fire from `state`."""
    return [t.trigger for t in firable(spec, state, roles)]


@dataclass(frozen=True)
class Move:
    """A trigger the viewer may fire on a candidate now, and what firing it asks for."""

    trigger: str
    label: str
    to_state: str
    to_label: str
    reason_required: bool  # an internal reason must be given
    reason_required_if_outranked: bool  # ... when a higher-ranked candidate is passed over
    notice_required: bool  # the candidate is sent a letter: its words, or a reason code
    reason_codes: dict[str, str]  # code -> the words the letter states


def move(spec: Workflow, transition: TransitionSpec) -> Move:
    return Move(
        trigger=transition.trigger,
        label=transition.label or transition.trigger.replace("_", " "),
        to_state=transition.dest,
        to_label=spec.states[transition.dest].label,
        reason_required=transition.reason_required,
        reason_required_if_outranked=transition.reason_required_if_outranked,
        notice_required=transition.notice_required,
        reason_codes=dict(transition.reason_codes),
    )


def moves(spec: Workflow, state: str, roles: list[str]) -> tuple[Move, ...]:
    """The triggers a holder of `roles` may fire from `state`, with what each asks for."""
    return tuple(move(spec, t) for t in firable(spec, state, roles))
