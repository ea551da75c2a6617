"""The position brief's sums, from the SRO workflow's figures, and the loader's checks of the
funding options."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from qualify.errors import WorkflowError
from qualify.workflow.loader import load_path, load_text
from qualify.workflow.position_brief import dollars, option_costs, percent

ROOT = Path(__file__).resolve().parents[2]
SRO = ROOT / "workflows" / "sro-selection.yaml"


def test_each_option_costs_what_the_districts_overview_says() -> None:
    brief = load_path(SRO).spec.position_brief
    assert brief is not None
    costs = {o.id: o for o in option_costs(brief)}
    assert list(costs) == ["01", "02", "03", "04"]
    assert costs["01"].cost == "$115,000 to $142,000"
    assert costs["02"].cost == "$80,500 to $99,400"
    assert costs["03"].cost == "$50,400"
    assert costs["04"].cost == "$0"
    # The rule is printed so that a board member can redo the sum.
    assert costs["02"].rule == (
        "180 of 260 days is 69.2%, rounded to 70%: 70% \u00d7 $115,000 = $80,500 and "
        "70% \u00d7 $142,000 = $99,400. Unrounded (180/260): $79,615 to $98,308."
    )
    assert costs["03"].rule == "180 school days \u00d7 8 hours \u00d7 $35 an hour = $50,400."
    assert "Role limited to security and accountable to a private employer." in (
        costs["03"].assumptions
    )
    assert "80 days would be employed with the Police Department." in (costs["01"].assumptions)


def test_money_rounds_half_a_dollar_up_and_percentages_to_a_tenth() -> None:
    assert dollars(Fraction(1, 2)) == "$1"
    assert dollars(Fraction(79615, 1) + Fraction(5, 13)) == "$79,615"
    assert dollars(1234567) == "$1,234,567"
    assert percent(Fraction(18000, 260)) == "69.2%"
    assert percent(Fraction(70)) == "70%"


def _broken(old: str, new: str) -> str:
    text = SRO.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(WorkflowError) as info:
        load_text(text.replace(old, new, 1), source="w.yaml")
    return "\n".join(info.value.problems)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "share_percent: 70",
            "share_percent: 50",
            "position_brief.options[1].share_percent: 50% is not within one point of 180 of "
            "260 days (69.2%)",
        ),
        (
            "      share_percent: 70\n",
            "",
            "position_brief.options[1].share_percent: basis share needs share_percent",
        ),
        (
            "      hourly_rate: 35\n",
            "",
            "position_brief.options[2].hourly_rate: basis hourly needs hourly_rate",
        ),
        (
            "      basis: none\n",
            "      basis: none\n      hourly_rate: 35\n",
            "position_brief.options[3].hourly_rate: only for basis hourly",
        ),
        ('    - id: "04"', '    - id: "03"', "position_brief.options[3].id: option id '03' is "),
        ("      basis: none", "      basis: free", "position_brief.options[3].basis: input should"),
        ("  salary_low: 115000", "  salary_low: 150000", "salary_low: 150000 is above salary_high"),
        ("  school_days: 180", "  school_days: 280", "school_days: 280 is more than work_days"),
    ],
)
def test_the_loader_checks_each_funding_option(old: str, new: str, problem: str) -> None:
    assert problem in _broken(old, new)


def test_the_loader_checks_categories_and_the_eligible_list() -> None:
    assert "categories.School-Rule: category 'School-Rule' must be lower_case" in _broken(
        "      school_rule: a School Rule", "      School-Rule: a School Rule"
    )
    assert (
        "eligible_list: say how long the eligible list is valid: eligible_list_months"
        in _broken("eligible_list_months: 12\n", "")
    )
    assert "eligible_list_months: no transition recalls from the eligible list" in _broken(
        "    eligible_list: true\n", ""
    )
    assert "eligible_list_months: input should be less than or equal to 120" in _broken(
        "eligible_list_months: 12\n", "eligible_list_months: 1200\n"
    )
