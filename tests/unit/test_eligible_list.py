"""How long an eligible list lasts: months counted from the decision day, month ends clamped."""

from __future__ import annotations

from datetime import date

import pytest

from qualify.workflow.eligible_list import EligibleList, add_months


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
