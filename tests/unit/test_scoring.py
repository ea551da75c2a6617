"""Aggregating scorecards: pure, order-independent, and strict about minimums and ties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualify.workflow.loader import load_path
from qualify.workflow.scoring import Card, PanelInput, aggregate, score_candidate

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = load_path(ROOT / "workflows" / "sro-selection.yaml").spec.rubric
IDS = [c.id for c in RUBRIC.criteria]
SEATS = (("commander", "c1"), ("school_rep", "r1"), ("school_rep", "r2"))


def panel(cid: int, rows: dict[str, list[int]], employee: str | None = None) -> PanelInput:
    cards = {
        p: Card(p, seat, dict(zip(IDS, rows[p], strict=True))) for seat, p in SEATS if p in rows
    }
    return PanelInput(cid, employee or f"E{cid:03d}", SEATS, {}, cards)


def test_means_weighted_total_and_pass() -> None:
    result = score_candidate(RUBRIC, panel(1, {p: [4, 4, 4, 4, 4, 4] for _, p in SEATS}))
    assert result.complete
    assert result.total == 4.0
    assert result.passed
    assert [c.mean for c in result.criteria] == [4.0] * 6


def test_appearance_exactly_average_fails_the_above_average_minimum() -> None:
    rows = {p: [3, 5, 5, 5, 5, 5] for _, p in SEATS}
    result = score_candidate(RUBRIC, panel(1, rows))
    assert result.total is not None
    assert result.total > RUBRIC.pass_mark
    assert not result.passed
    assert result.failures == ("appearance_attitude mean 3.00 is not above 3",)


def test_a_spread_at_the_threshold_is_flagged() -> None:
    rows = {"c1": [4, 4, 4, 4, 4, 4], "r1": [4, 4, 2, 4, 4, 4], "r2": [4, 4, 3, 4, 4, 4]}
    result = score_candidate(RUBRIC, panel(1, rows))
    liaison = next(c for c in result.criteria if c.criterion == "liaison")
    assert (liaison.spread, liaison.flagged) == (2, True)
    assert result.flags == 1
    assert [c.flagged for c in result.criteria].count(True) == 1


def test_a_missing_or_barred_seat_makes_the_panel_incomplete() -> None:
    two = panel(1, {"c1": [4] * 6, "r1": [4] * 6})
    result = score_candidate(RUBRIC, two)
    assert (result.complete, result.passed, result.total) == (False, False, None)
    assert result.missing == ("school_rep r2: no submitted scorecard",)
    barred = PanelInput(
        1, "E1", SEATS, {"r2": "declared a conflict of interest: neighbour"}, two.cards
    )
    assert score_candidate(RUBRIC, barred).missing == (
        "school_rep r2: declared a conflict of interest: neighbour",
    )


def test_a_tie_on_total_is_broken_by_the_first_declared_rule_and_named() -> None:
    # Same weighted total (4.0): a has more on role_model (weight 2), b more on liaison and
    # not_disciplinarian (weight 1.5 each), balanced by appearance.
    a = panel(1, {p: [4, 5, 3, 3, 5, 4] for _, p in SEATS}, "E900")
    b = panel(2, {p: [5, 4, 4, 4, 3, 4] for _, p in SEATS}, "E100")
    ranked = aggregate(RUBRIC, [b, a])
    assert [r.total for r in ranked] == [ranked[0].total, ranked[0].total]
    assert [r.candidate_id for r in ranked] == [1, 2]
    assert ranked[0].tie_break == (
        "tied with candidate 2 on total; ranked above them by higher mean on Positive role model who builds trust with youth"
    )
    assert ranked[1].tie_break == (
        "tied with candidate 1 on total; ranked below them by higher mean on Positive role model who builds trust with youth"
    )
    # For a reader who sees every candidate ranked, the neighbour by name.
    named = aggregate(RUBRIC, [b, a], {1: "Dana Whitfield", 2: "Luis Reyes"})
    assert named[0].tie_break == (
        "tied with Luis Reyes on total; ranked above them by higher mean on Positive role model who builds trust with youth"
    )
    assert named[1].tie_break == (
        "tied with Dana Whitfield on total; ranked below them by higher mean on Positive role model who builds trust with youth"
    )


def test_identical_scores_fall_through_to_the_employee_id_rule() -> None:
    rows = {p: [4] * 6 for _, p in SEATS}
    ranked = aggregate(RUBRIC, [panel(1, rows, "E2"), panel(2, rows, "E1")])
    assert [r.employee_id for r in ranked] == ["E1", "E2"]
    assert ranked[0].tie_break is not None
    assert ranked[0].tie_break.endswith("by lower employee id")


scores = st.lists(st.integers(1, 5), min_size=6, max_size=6)
candidate_rows = st.fixed_dictionaries({"c1": scores, "r1": scores, "r2": scores})


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(candidate_rows, min_size=1, max_size=8), st.randoms())
def test_ranking_is_deterministic_and_independent_of_input_order(
    rows: list[dict[str, list[int]]], rng: object
) -> None:
    panels = [panel(i + 1, r) for i, r in enumerate(rows)]
    shuffled = list(panels)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert aggregate(RUBRIC, panels) == aggregate(RUBRIC, shuffled)
    ranked = aggregate(RUBRIC, panels)
    passing = sum(r.passed for r in ranked)
    assert [r.rank for r in ranked] == [*range(1, passing + 1)] + [None] * (len(ranked) - passing)


def test_only_passing_candidates_are_ranked_a_failing_one_above_them_on_total_is_not() -> None:
    # Candidate 1 has the highest total but fails the appearance minimum (mean exactly 3).
    failing = {p: [3, 5, 5, 5, 5, 5] for _, p in SEATS}
    ranked = aggregate(
        RUBRIC,
        [
            panel(1, failing),
            panel(2, {p: [4, 4, 4, 4, 4, 4] for _, p in SEATS}),
            panel(3, {p: [5, 4, 4, 4, 4, 4] for _, p in SEATS}),
        ],
    )
    assert ranked[2].total is not None
    assert ranked[2].total > (ranked[0].total or 0)
    assert [(r.candidate_id, r.rank, r.passed) for r in ranked] == [
        (3, 1, True),
        (2, 2, True),
        (1, None, False),
    ]


@settings(max_examples=200, deadline=None)
@given(candidate_rows)
def test_totals_stay_within_the_scale(rows: dict[str, list[int]]) -> None:
    result = score_candidate(RUBRIC, panel(1, rows))
    assert result.total is not None
    assert RUBRIC.scale_min <= result.total <= RUBRIC.scale_max
    assert all(RUBRIC.scale_min <= c.mean <= RUBRIC.scale_max for c in result.criteria)


@settings(max_examples=300, deadline=None)
@given(candidate_rows)
def test_a_candidate_below_a_criterion_minimum_never_passes(rows: dict[str, list[int]]) -> None:
    result = score_candidate(RUBRIC, panel(1, rows))
    appearance = [rows[p][0] for p in ("c1", "r1", "r2")]
    if sum(appearance) / 3 <= 3:
        assert not result.passed
    if result.passed:
        assert all(c.minimum_met for c in result.criteria)
        assert result.total is not None
        assert result.total >= RUBRIC.pass_mark
