"""Adverse-impact arithmetic, checked against cases computed by hand."""

from __future__ import annotations

import pytest

from qualify.workflow.fairness import (
    DECLINED,
    Outcomes,
    StageRule,
    Track,
    analyse,
    fisher_exact,
    stage_outcomes,
    whole_process,
)


def people(group: str, entered: int, passed: int) -> list[tuple[str, bool]]:
    return [(group, i < passed) for i in range(entered)]


def test_one_of_ten_against_eleven_of_forty_is_below_four_fifths_but_not_significant() -> None:
    analysis = analyse(people("a", 10, 1) + people("b", 40, 11))
    assert analysis.reference == "b"
    (comp,) = analysis.comparisons
    assert round(comp.impact_ratio, 2) == 0.36
    assert comp.below_four_fifths
    assert round(comp.fisher_p, 2) == 0.42
    assert not comp.significant
    # 12 of 50 pass overall: 10 x 0.24 = 2.4 expected for group a, which had 1.
    assert comp.expected == pytest.approx(2.4)
    assert comp.shortfall == pytest.approx(1.4)
    assert "fewer than 5" in comp.caution
    assert "four-fifths rule is unreliable" in comp.caution


def test_a_large_case_where_the_ratio_and_the_test_agree_on_adverse_impact() -> None:
    analysis = analyse(people("a", 200, 50) + people("b", 200, 100))
    (comp,) = analysis.comparisons
    assert comp.impact_ratio == pytest.approx(0.5)
    assert comp.below_four_fifths
    assert comp.fisher_p < 0.001
    assert comp.significant
    assert comp.caution == ""


def test_a_large_case_where_both_agree_there_is_none() -> None:
    analysis = analyse(people("a", 200, 95) + people("b", 200, 100))
    (comp,) = analysis.comparisons
    assert comp.impact_ratio == pytest.approx(0.95)
    assert not comp.below_four_fifths
    assert not comp.significant
    assert comp.caution == ""


def test_fisher_matches_the_textbook_tea_tasting_table() -> None:
    # Fisher's lady tasting tea: [[3, 1], [1, 3]], two-sided p = 34/70.
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70)
    assert fisher_exact(0, 0, 0, 0) == 1.0
    assert fisher_exact(5, 0, 0, 5) == pytest.approx(2 / 252)


def test_a_comparison_of_exactly_thirty_is_not_called_small() -> None:
    analysis = analyse(people("a", 15, 9) + people("b", 15, 9))
    (comp,) = analysis.comparisons
    assert "fewer than 30" not in comp.caution
    analysis = analyse(people("a", 14, 9) + people("b", 15, 9))
    (comp,) = analysis.comparisons
    assert "only 29 people are in this comparison" in comp.caution


def test_people_who_declined_count_overall_but_are_compared_with_no_one() -> None:
    analysis = analyse(people("a", 10, 5) + people(DECLINED, 10, 0))
    assert analysis.overall_rate == pytest.approx(0.25)
    assert analysis.declined.entered == 10
    assert [c.group for c in analysis.counts] == ["a"]
    assert analysis.comparisons == ()


def _track(*reached: str, standing: str, excluded: frozenset[str] = frozenset()) -> Track:
    return Track(frozenset(reached), excluded, standing)


def test_a_stage_counts_who_entered_and_leaves_out_withdrawals_that_did_not_pass() -> None:
    rule = StageRule("interview", "Interview", ("interview",), ("scored",))
    reached = {
        1: _track("nominated", "interview", "scored", standing="scored"),
        2: _track("nominated", "interview", "not_selected", standing="not_selected"),
        3: _track(
            "nominated",
            "interview",
            "withdrawn",
            standing="withdrawn",
            excluded=frozenset({"withdrawn"}),
        ),
        4: _track("nominated", standing="nominated"),
    }
    assert stage_outcomes(rule, reached) == Outcomes({1: True, 2: False}, frozenset(), {3})


def test_someone_still_where_they_entered_a_stage_is_undecided_not_failed() -> None:
    rule = StageRule("eligibility", "Eligibility", ("screening",), ("eligible",))
    people = {
        1: _track("nominated", "screening", "eligible", standing="eligible"),
        2: _track("nominated", "screening", "ineligible", standing="ineligible"),
        3: _track("nominated", "screening", standing="screening"),
        # Found ineligible, then reinstated: back in screening, so no decision stands.
        4: _track("nominated", "screening", "ineligible", standing="screening"),
    }
    found = stage_outcomes(rule, people)
    assert found == Outcomes({1: True, 2: False}, frozenset({3, 4}), frozenset())


def test_the_whole_process_fails_only_those_who_failed_a_stage() -> None:
    eligibility = StageRule("eligibility", "Eligibility", ("screening",), ("eligible",))
    whole = StageRule("overall", "Whole", ("nominated",), ("selected",))
    people = {
        1: _track("nominated", "screening", "eligible", "selected", standing="selected"),
        2: _track("nominated", "screening", "ineligible", standing="ineligible"),
        3: _track("nominated", "screening", "eligible", standing="eligible"),
        4: _track("nominated", standing="nominated"),
        5: _track(
            "nominated", "withdrawn", standing="withdrawn", excluded=frozenset({"withdrawn"})
        ),
    }
    stages = [stage_outcomes(eligibility, people)]
    assert whole_process(whole, stages, people) == Outcomes(
        {1: True, 2: False}, frozenset({3, 4}), frozenset({5})
    )


def test_a_fairness_stage_naming_an_unknown_state_is_located_with_a_suggestion() -> None:
    from qualify.errors import WorkflowError
    from qualify.workflow.loader import load_text
    from tests.conftest import PROJECT

    text = (PROJECT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    broken = text.replace("      passed: [eligible]\n", "      passed: [eligable]\n", 1)
    with pytest.raises(WorkflowError) as caught:
        load_text(broken, source="sro.yaml")
    (problem,) = caught.value.problems
    line = broken.splitlines().index("      passed: [eligable]") + 1
    assert problem.startswith(f"sro.yaml:{line}: fairness.stages[0].passed[0]: ")
    assert "unknown state or milestone 'eligable' (did you mean 'eligible'?)" in problem


def test_a_workflow_without_fairness_keys_still_loads_and_grants_no_eeo_access() -> None:
    from qualify.workflow.loader import load_text
    from tests.conftest import PROJECT

    text = (PROJECT / "workflows" / "fto-selection.yaml").read_text(encoding="utf-8")
    spec = load_text(text, source="fto.yaml").spec
    assert spec.fairness.stages == []
    assert spec.permissions.view_eeo == []
