"""The test-data builders leave the sample selection where their names say."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.helpers.builders import (
    Sample,
    appointed,
    declared,
    in_interview,
    in_screening,
    interviewed,
    reported,
    screened,
    selected,
    states,
    with_panel,
)


def _counts(sample: Sample) -> dict[str, int]:
    return dict(Counter(states(sample).values()))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_stage_leaves_the_officers_where_its_name_says(sample: Sample) -> None:
    assert _counts(sample) == {"nominated": 8}
    assert _counts(in_screening(sample)) == {"screening": 8}
    assert _counts(screened(sample)) == {"eligible": 4, "ineligible": 4}
    assert _counts(with_panel(sample)) == {"interview": 4, "ineligible": 4}
    assert _counts(in_interview(sample)) == {"interview": 3, "withdrawn": 1, "ineligible": 4}
    assert _counts(declared(sample)) == _counts(in_interview(sample))  # declaring moves no one
    assert _counts(interviewed(sample)) == {"scored": 3, "withdrawn": 1, "ineligible": 4}
    assert states(selected(sample))["MPD-1042"] == "selected"
    assert _counts(sample)["not_selected"] == 2
    assert states(appointed(sample))["MPD-1042"] == "appointed"
    assert reported(sample).clock.last.date().isoformat() == "2027-07-19"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_stage_reached_is_not_made_again(sample: Sample) -> None:
    screened(sample)
    before = sample.clock.last
    assert screened(in_screening(sample)) is sample
    assert sample.clock.last == before  # nothing was recorded
