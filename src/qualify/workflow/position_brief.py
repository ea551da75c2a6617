"""The position brief's sums: each funding option's yearly cost from the figures in the workflow
file, and the rule that gives it in words a board member can redo. Pure: no database, no PDF."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from qualify.workflow.spec import FundingOptionSpec, PositionBriefSpec


def dollars(amount: Fraction | int) -> str:
    """$80,500: whole dollars, half a dollar rounded up."""
    whole = int(Fraction(amount) + Fraction(1, 2)) if amount >= 0 else -int(-amount)
    return f"${whole:,}"


def percent(value: Fraction) -> str:
    """69.2%: one decimal where it is not whole."""
    tenths = int(value * 10 + Fraction(1, 2))
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths / 10:.1f}%"


def school_days_ratio(brief: PositionBriefSpec) -> Fraction:
    """The school days' share of the work year, exactly (180/260)."""
    return Fraction(brief.school_days, brief.work_days)


@dataclass(frozen=True)
class OptionCost:
    """One option as the brief prints it."""

    id: str
    label: str
    low: Fraction
    high: Fraction
    rule: str
    assumptions: tuple[str, ...]

    @property
    def cost(self) -> str:
        if self.low == self.high:
            return dollars(self.low)
        return f"{dollars(self.low)} to {dollars(self.high)}"


def option_cost(brief: PositionBriefSpec, option: FundingOptionSpec) -> OptionCost:
    """The option's yearly cost to the district and the rule that gives it."""
    low, high = Fraction(brief.salary_low), Fraction(brief.salary_high)
    work, school = brief.work_days, brief.school_days
    if option.basis == "full":
        rule = (
            f"100% of the budget estimate for all {work} work days: "
            f"{dollars(low)} to {dollars(high)}."
        )
    elif option.basis == "share":
        assert option.share_percent is not None  # the loader makes sure
        share = Fraction(option.share_percent, 100)
        exact = school_days_ratio(brief)
        rule = (
            f"{school} of {work} days is {percent(exact * 100)}, rounded to "
            f"{option.share_percent}%: {option.share_percent}% \u00d7 {dollars(low)} = "
            f"{dollars(low * share)} and {option.share_percent}% \u00d7 {dollars(high)} = "
            f"{dollars(high * share)}. Unrounded ({school}/{work}): {dollars(low * exact)} to "
            f"{dollars(high * exact)}."
        )
        low, high = low * share, high * share
    elif option.basis == "hourly":
        assert option.hourly_rate is not None  # the loader makes sure
        assert option.hours_per_day is not None
        low = high = Fraction(school * option.hours_per_day * option.hourly_rate)
        rule = (
            f"{school} school days \u00d7 {option.hours_per_day} hours \u00d7 "
            f"{dollars(option.hourly_rate)} an hour = {dollars(low)}."
        )
    else:
        low = high = Fraction(0)
        rule = "No position is funded: $0."
    return OptionCost(option.id, option.label, low, high, rule, tuple(option.assumptions))


def option_costs(brief: PositionBriefSpec) -> list[OptionCost]:
    return [option_cost(brief, option) for option in brief.options]
