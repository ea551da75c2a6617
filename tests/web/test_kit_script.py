"""The kit's own script in a real browser: a draft is saved on each change, and the page loads
under the Content-Security-Policy without a violation."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.store import db
from qualify.store.tables import Scorecard
from tests.helpers.serve import serving
from tests.web.conftest import PASSWORDS, candidate_id


def test_a_change_saves_the_draft_without_a_button(page: Page, sro_settings: Settings) -> None:
    cid = candidate_id(sro_settings, "MPD-1042")
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    with serving(sro_settings.database_url) as base:
        page.goto(f"{base}/login")
        page.fill("#username", "rep.chen")
        page.fill("#password", PASSWORDS["rep.chen"])
        page.click("button:has-text('Sign in')")
        page.goto(f"{base}/interviews/{cid}")
        page.check("input[name='declaration'][value='none']")  # nothing is chosen for them
        page.click("button:has-text('Declare')")
        with page.expect_response(lambda answer: answer.url.endswith("/draft")):
            page.check("input[name='score-liaison'][value='3']")
        expect(page.locator("#draft-status")).to_have_text("Draft saved.")
        page.fill("#comment-liaison", "Knows every principal by name.")
        with page.expect_response(lambda answer: answer.url.endswith("/draft")):
            page.locator("#comment-liaison").blur()
        expect(page.locator("#draft-status")).to_have_text("Draft saved.")
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        card = session.exec(select(Scorecard).where(Scorecard.panelist == "rep.chen")).one()
    engine.dispose()
    assert card.status == "draft"
    assert card.scores == {"liaison": 3}
    assert card.comments["liaison"] == "Knows every principal by name."
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
