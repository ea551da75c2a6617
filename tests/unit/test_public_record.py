"""The public copy's template prints figures as the packets do."""

from __future__ import annotations

from typing import Any

from qualify.packets.render import render_html
from tests.conftest import PROJECT


def _record(total: float) -> dict[str, Any]:
    person = {
        "name": "Luis Reyes",
        "rank": "Officer",
        "unit": "Patrol A",
        "state": "Selected",
        "checks": [],
        "interview": {"rank": 2, "total": total, "passed": True, "criteria": "withheld"},
    }
    selection = {"id": 1, "title": "SRO", "workflow": "SRO 1", "as_of": "2027-01-15"}
    return {
        "selection": selection,
        "qualifications": [],
        "panel": [],
        "candidates": [person],
        "decisions": [],
    }


def test_a_weighted_total_prints_with_two_decimals_as_in_the_packets() -> None:
    context = {
        "record": _record(3.9),
        "profile": {"name": "public", "title": "Public", "review": "Review."},
        "withheld": [],
        "created": "2027-10-01T00:00:00Z",
        "exported": "October 1, 2027",
    }
    html = render_html(PROJECT / "templates", "public_record", context)
    assert "weighted total 3.90, passed" in html
