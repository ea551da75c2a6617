"""A trigger whose form asks for nothing (confirm eligibility, schedule the interview, appoint)
is one click, and irreversible: its button leads to a confirmation step of its own, as a
scorecard's submission does, and only the button there fires it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from qualify.web.app import create_app
from tests.helpers.builders import Sample, a_panel, in_screening, screened, trained
from tests.helpers.markup import undescribed, unlabelled
from tests.helpers.portal_data import Site, prepare

pytestmark = pytest.mark.slow  # each case builds the sample selection (about 10 s)


def with_panel_not_scheduled(sample: Sample) -> None:
    """The commander's findings made and the panel seated: the eligible officers wait for HR
    to schedule their interview."""
    screened(sample)
    a_panel(sample)


CASES = [
    # stage, who, officer, trigger, page, state before, state after, the stage's label after
    (in_screening, "cmdr.obrien", "MPD-1042", "confirm_eligible", "screening", "screening",
     "eligible", "Eligible"),
    (with_panel_not_scheduled, "hr.alvarez", "MPD-1042", "schedule_interview", "screening",
     "eligible", "interview", "Interview"),
    (trained, "chief.walsh", "MPD-1042", "appoint", "decisions", "training", "appointed",
     "Appointed School Resource Officer"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("stage", "user", "employee", "trigger", "view", "before", "after", "after_label"),
    CASES,
    ids=[case[3] for case in CASES],
)
def test_a_one_click_trigger_fires_only_from_its_confirmation_step(
    tmp_path: Path,
    stage: Callable[[Sample], object],
    user: str,
    employee: str,
    trigger: str,
    view: str,
    before: str,
    after: str,
    after_label: str,
) -> None:
    data = prepare(tmp_path, stage=stage, hostile=False)
    site = Site(data, create_app(data.settings))
    signed_in = site.browser(user)
    client, csrf = signed_in.http, signed_in.csrf
    officer = data.ids[employee]
    back = f"/selections/1/{view}"
    page = client.get(back).text
    # The page's button says another step follows.
    assert re.search(r'aria-label="[^"]+: Dana Whitfield">[^<]+&hellip;</button>', page)

    # The button, as the page posts it: nothing changes yet, the confirmation step follows.
    clicked = client.post(
        f"/candidates/{officer}/advance",
        data={"csrf_token": csrf, "trigger": trigger, "back": back},
    )
    assert clicked.status_code == 303
    step_address = clicked.headers["location"]
    assert urlsplit(step_address).path == f"/candidates/{officer}/confirm"
    assert parse_qs(urlsplit(step_address).query) == {"trigger": [trigger], "back": [back]}
    assert site.state(employee) == before

    step = client.get(step_address)
    assert step.status_code == 200
    assert "Dana Whitfield" in step.text
    assert f"<dt>After this</dt><dd>{after_label}</dd>" in step.text
    assert "cannot be taken back" in step.text
    assert f'href="{back}"' in step.text  # Cancel goes back, changing nothing
    assert unlabelled(step.text) == []
    assert undescribed(step.text) == []
    assert site.state(employee) == before

    # The step's own button fires it, and the page it came from says so.
    confirmed = client.post(
        f"/candidates/{officer}/advance",
        data={"csrf_token": csrf, "trigger": trigger, "back": back, "confirm": "yes"},
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"].startswith(f"{back}?done={trigger}")
    assert site.state(employee) == after

    # The step opened again (Back, a reload) offers nothing to fire: back to the page.
    again = client.get(step_address)
    assert again.status_code == 303
    assert again.headers["location"] == back
    site.app.state.portal.engine.dispose()
