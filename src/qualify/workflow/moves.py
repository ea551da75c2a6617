"""Which triggers a holder of some roles may fire from a state, and the button that fires one:
pure functions of the workflow, shared by `firing` (its refusals), `candidates` (what
`candidate show` lists) and the pages' offers (`offers.moves_now`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualify.workflow.spec import CourseSpec, TransitionSpec, Workflow


def refused(transition: TransitionSpec, name: str) -> str:
    """The start of a refusal of firing `transition` on the candidate called `name`, in the
    workflow's words: `cannot "Confirm the officer meets qualifications 1-4" for Dana
    Whitfield`."""
    return f'cannot "{transition.label_for(name)}" for {name}'


def and_list(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


def may_fire(spec: Workflow, state: str, roles: list[str]) -> list[str]:
    """Triggers a holder of `roles` may fire from `state`."""
    return [t.trigger for t in spec.triggers_from(state) if set(t.roles) & set(roles)]


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
    categories: dict[str, str] = field(default_factory=dict)  # one is required, when listed
    eligible_list: bool = False  # recalls from the list: a reason to pass over those above
    courses: tuple[CourseSpec, ...] = ()  # it directs training: the courses it may direct


def move(spec: Workflow, transition: TransitionSpec, name: str) -> Move:
    """The button for firing `transition` on the candidate called `name`."""
    return Move(
        trigger=transition.trigger,
        label=transition.label_for(name),
        to_state=transition.dest,
        to_label=spec.states[transition.dest].label,
        reason_required=transition.reason_required,
        reason_required_if_outranked=transition.reason_required_if_outranked,
        notice_required=transition.notice_required,
        reason_codes=dict(transition.reason_codes),
        categories=dict(transition.categories),
        eligible_list=transition.eligible_list,
        courses=tuple(spec.training.courses) if transition.directs_training else (),
    )
