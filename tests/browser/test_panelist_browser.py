"""A school representative's first interview in Chromium: the invitation link, a password,
signing in, the conflict declaration, a refused extreme score, the submission, and only then
the other panelists' scores."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from qualify.services.scorecards import score
from qualify.store import db
from tests.helpers.actors import as_user
from tests.helpers.browser import sign_in
from tests.helpers.builders import CRITERIA
from tests.helpers.portal_data import Prepared, prepare, scoring
from tests.helpers.serve import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a long and private pass phrase"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Prepared]]:
    """Interviews under way: the commander has declared and submitted for Dana Whitfield; the
    school representatives have done nothing yet. Last year's, so that on the real clock (the
    portal's) the interviews have been held and scorecards are taken."""
    data = prepare(
        tmp_path_factory.mktemp("panelist"),
        stage=scoring,
        passwords=("hr.alvarez",),
        years_back=2027 - (date.today().year - 1),
    )
    engine = db.make_engine(data.settings.database_url)
    with Session(engine) as session:
        score(
            session=session,
            candidate_id=data.ids["MPD-1042"],
            actor=as_user("cmdr.obrien"),
            scores=dict.fromkeys(CRITERIA, "3"),
            comments={},
            submit=True,
        )
    engine.dispose()
    with serving(data.settings.database_url, env=data.env) as base_url:
        yield base_url, data


def invitation(base_url: str, data: Prepared, name: str) -> str:
    """The one-time link `qualify user invite` prints, as HR would send it."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "qualify", "--db", data.settings.database_url),
            *("--as", "hr.alvarez", "user", "invite", name),
        ],
        env={**os.environ, **data.env, "QUALIFY_PORTAL_URL": base_url},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(rf"{re.escape(base_url)}/invite/\S+", done.stdout)
    assert found, done.stdout
    return found.group(0)


def test_a_panelist_is_invited_declares_scores_and_sees_the_others_only_after(
    page: Page, portal: tuple[str, Prepared]
) -> None:
    base_url, data = portal
    page.goto(invitation(base_url, data, "rep.chen"))
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base_url, "rep.chen", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My interviews").click()
    # When and where each interview is, in the selection's time zone (New York).
    held = f"January 20, {date.today().year - 1}, 9:00 a.m. (EST)"
    row = page.get_by_role("row", name=re.compile("Dana Whitfield"))
    expect(row).to_contain_text(held)
    expect(row).to_contain_text("Conference Room B, Milford Police Department")
    # On a phone each interview stacks, its time and place whole: nothing runs off the side.
    wide = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    expect(row).to_contain_text(held)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate(
        "[...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)"
    )
    assert wide is not None
    page.set_viewport_size(wide)
    page.get_by_role("link", name=re.compile("Dana Whitfield")).click()
    expect(page.locator("dl.facts")).to_contain_text(held)

    expect(page.get_by_role("heading", name="First: any conflict of interest?")).to_be_visible()
    page.get_by_label("I have no conflict of interest with this candidate").check()
    page.get_by_role("button", name="Declare").click()

    expect(page.get_by_role("heading", name="Interview kit")).to_be_visible()
    expect(page.locator("#others")).to_have_count(0)  # blind until one's own submission
    kit = page.locator("form#kit")
    for criterion in CRITERIA:
        chosen = "5" if criterion == "role_model" else "4"
        kit.locator(f"input[name='score-{criterion}'][value='{chosen}']").check()
    kit.get_by_role("button", name="Submit").click()
    refusal = page.locator("#error-role_model")
    expect(refusal).to_contain_text("a score of 1 or 5 needs evidence")
    expect(page.locator("#others")).to_have_count(0)

    page.locator("form#kit textarea[name='comment-role_model']").fill(
        "Described mentoring a student through a court diversion program."
    )
    page.locator("form#kit").get_by_role("button", name="Submit").click()
    page.get_by_role("button", name="Submit and lock").click()

    expect(
        page.get_by_role("heading", name=re.compile("Your scorecard \\(submitted"))
    ).to_be_visible()
    others = page.locator("#others")
    expect(others).to_contain_text("Ann O'Brien")
    expect(others).not_to_contain_text("Robert Douglas")  # who has not submitted stays unseen

    # Back to the confirmation step and reload: pages fetched again, nothing posted again.
    page.go_back()
    page.reload()
    expect(
        page.get_by_role("heading", name=re.compile("Your scorecard \\(submitted"))
    ).to_be_visible()
