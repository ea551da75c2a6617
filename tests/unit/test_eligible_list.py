"""How long an eligible list lasts (months counted from the decision day, month ends clamped),
and the road to the decision on it: the states a candidate passes through before it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from qualify.workflow.eligible_list import EligibleList, add_months, road_to_decision
from qualify.workflow.loader import load_path
from qualify.workflow.spec import StateSpec, TransitionSpec, Workflow


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 8), 12, date(2028, 1, 8)),
        (date(2027, 3, 31), 1, date(2027, 4, 30)),  # April has no 31st
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # nor has February 2029 a 29th
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # a leap year's February
        (date(2027, 12, 15), 1, date(2028, 1, 15)),  # over the year's end
    ],
)
def test_months_later_is_the_same_day_or_the_months_last(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_a_list_is_valid_through_the_day_before_it_expires() -> None:
    listed = EligibleList.from_decision(date(2027, 1, 8), 12)
    assert listed.expires == date(2028, 1, 8)
    assert listed.last_valid_day == date(2028, 1, 7)
    assert listed.valid_on(date(2027, 1, 8))
    assert listed.valid_on(date(2028, 1, 7))
    assert not listed.valid_on(date(2028, 1, 8))
    assert not listed.valid_on(date(2029, 6, 1))


ROOT = Path(__file__).resolve().parents[2] / "workflows"


def sro() -> Workflow:
    return load_path(ROOT / "sro-selection.yaml").spec


def with_transitions(
    spec: Workflow, states: dict[str, StateSpec], *more: TransitionSpec
) -> Workflow:
    return spec.model_copy(
        update={"states": {**spec.states, **states}, "transitions": [*spec.transitions, *more]}
    )


def test_the_sro_road_to_the_decision_runs_from_nomination_to_the_interview() -> None:
    spec = sro()
    road = road_to_decision(spec)
    assert road.states == {"nominated", "screening", "eligible", "interview"}
    assert road.decided_from == {"scored", "not_selected"}
    assert [t.trigger for t in road.ahead["screening"]] == [
        "confirm_eligible",
        "schedule_interview",
        "record_scores",
    ]
    assert [t.trigger for t in road.ahead["interview"]] == ["record_scores"]
    assert [t.trigger for t in road.exits(spec, "screening")] == ["declare_ineligible", "withdraw"]
    assert [t.trigger for t in road.exits(spec, "interview")] == ["withdraw"]
    reinstate = next(t for t in spec.transitions if t.trigger == "reinstate")
    confirm = next(t for t in spec.transitions if t.trigger == "confirm_eligible")
    assert road.enters("ineligible", reinstate)  # back from a side state: refused once decided
    assert not road.enters("screening", confirm)


def test_a_workflow_without_an_eligible_list_has_no_road() -> None:
    fto = load_path(ROOT / "fto-selection.yaml").spec
    assert road_to_decision(fto).ahead == {}


def test_a_longer_way_forward_is_on_the_road_and_its_steps_counted_from_it() -> None:
    spec = with_transitions(
        sro(),
        {"more_records": StateSpec(label="Waiting for records")},
        TransitionSpec(
            trigger="ask_records", source=["screening"], dest="more_records", roles=["commander"]
        ),
        TransitionSpec(
            trigger="records_in", source=["more_records"], dest="eligible", roles=["commander"]
        ),
    )
    road = road_to_decision(spec)
    assert "more_records" in road.states
    assert [t.trigger for t in road.ahead["more_records"]] == [
        "records_in",
        "schedule_interview",
        "record_scores",
    ]


def test_a_state_left_straight_on_towards_the_interview_is_on_the_road() -> None:
    """Were a finding of ineligibility overridden straight to Eligible (not back to screening),
    an officer found ineligible would be on the way to the interview: the decision waits."""
    spec = with_transitions(
        sro(),
        {},
        TransitionSpec(
            trigger="reinstate_eligible", source=["ineligible"], dest="eligible", roles=["chief"]
        ),
    )
    assert "ineligible" in road_to_decision(spec).states
