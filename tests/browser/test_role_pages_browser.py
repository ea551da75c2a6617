"""The role pages in Chromium against a real `qualify serve`: a commander advancing a
candidate, HR downloading a packet that is a PDF, the Chief selecting with a passed-over
reason, and hostile names shown as text on every page (no dialog ever opens)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date as date_type
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import sign_in
from tests.helpers.portal_data import HOSTILE, Prepared, not_certified, prepare
from tests.helpers.serve import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
USERS = ("hr.alvarez", "cmdr.obrien", "chief.walsh", "rep.chen")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Prepared]]:
    """The sample selection, scored, with hostile names, served on 127.0.0.1."""
    data = prepare(tmp_path_factory.mktemp("browser"), passwords=USERS)
    with serving(data.settings.database_url, env=data.env) as base_url:
        yield base_url, data


def menu(page: Page, entry: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=entry).click()


def test_a_commander_declares_a_candidate_ineligible_from_the_queue(
    page: Page, portal: tuple[str, Prepared]
) -> None:
    base_url, data = portal
    not_certified(data)
    sign_in(page, base_url, "cmdr.obrien")
    menu(page, "Screening queue")
    section = page.locator(f"section:has(h2#c{data.ids['XSS-1']})")
    section.locator("summary", has_text="Every check").click()
    expect(
        section.get_by_text("Withheld: this check reads a sensitive record").first
    ).to_be_visible()
    section.locator("summary", has_text="Declare the officer ineligible").click()  # opens its form
    form = section.locator("form.move:has(input[value='declare_ineligible'])")
    form.get_by_label("Reason for the record").fill("Not certified full-time.")
    # A qualification failed (the letter must say what is true).
    form.get_by_label("What the letter tells the candidate").select_option("qualifications_not_met")
    form.get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text(": Declare the officer ineligible; now at:")
    expect(page.get_by_role("status")).to_contain_text("Ineligible")


def test_hr_downloads_a_packet_that_is_a_pdf(
    page: Page, portal: tuple[str, Prepared], tmp_path: Path
) -> None:
    base_url, _ = portal
    sign_in(page, base_url, "hr.alvarez")
    menu(page, "Selection at a glance")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download Panel results: Dana Whitfield").click()
    download = waiting.value
    assert "_scored_panel_results_event-" in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF-")


def test_the_chief_selects_a_lower_ranked_officer_only_with_a_reason(
    page: Page, portal: tuple[str, Prepared]
) -> None:
    base_url, data = portal
    sign_in(page, base_url, "chief.walsh")
    menu(page, "Results and decisions")
    section = page.locator(f"section:has(h2#c{data.ids['MPD-1077']})")
    section.locator("summary", has_text="Select the officer as").click()
    form = section.locator("form.move:has(input[value='select'])")
    form.get_by_label("Reason for the record").fill("  ")
    form.get_by_role("button").click()
    # The same page again, the form open, the message beside the reason.
    expect(page.get_by_role("heading", name="Results and decisions")).to_be_visible()
    reason = form.get_by_label("Reason for the record")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(form.locator(".field-error")).to_contain_text("say why that officer is passed over")
    reason.fill("Speaks Spanish; the middle school asked for it.")
    form.get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text(
        ": Select the officer as School Resource Officer; now at:"
    )
    assert "/decisions?done=select" in page.url, page.url
    page.reload()  # a GET: reloading fires nothing again
    expect(page.get_by_role("status")).to_contain_text(
        ": Select the officer as School Resource Officer; now at:"
    )


def test_the_chiefs_results_fold_each_candidates_scores_on_a_phone_only(
    page: Page, portal: tuple[str, Prepared]
) -> None:
    base_url, data = portal
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base_url, "chief.walsh")
    page.goto(f"{base_url}/selections/1/decisions")
    folds = page.locator("details.fold")
    assert folds.count() >= 3  # each candidate the panel scored
    height = page.evaluate("() => document.scrollingElement.scrollHeight")
    assert height <= 600 * page.locator("section.candidate").count(), height  # was 4,183 px
    whitfield = page.locator(f"section:has(h2#c{data.ids['MPD-1042']})")
    scores = whitfield.locator("details.fold table")
    expect(whitfield.get_by_text("PASS")).to_be_visible()  # the outcome stays in view
    expect(scores).to_be_hidden()
    whitfield.locator("summary", has_text="Scores by criterion").click()
    expect(scores).to_be_visible()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 375
    # On a wider screen the scores show with no fold to open.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(scores).to_be_visible()
    expect(whitfield.locator("summary", has_text="Scores by criterion")).to_be_hidden()


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        ("cmdr.obrien", ["/selections/1/screening"]),
        ("hr.alvarez", ["/selections/1/overview", "/candidates/9/evidence?kind=recommendation"]),
        ("chief.walsh", ["/selections/1/decisions"]),
    ],
)
def test_hostile_names_show_as_text_and_run_nothing(
    page: Page, portal: tuple[str, Prepared], user: str, pages: list[str]
) -> None:
    base_url, _ = portal
    sign_in(page, base_url, user)
    for path in pages:
        page.goto(f"{base_url}{path}")
        expect(page.get_by_text(HOSTILE).first).to_be_visible()
        assert page.locator("main script, main img").count() == 0


def test_hr_evidence_form_at_375_px_keeps_input_after_a_refusal(
    page: Page, portal: tuple[str, Prepared], tmp_path: Path
) -> None:
    base_url, data = portal
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base_url, "hr.alvarez")
    page.goto(f"{base_url}/candidates/{data.ids['MPD-1042']}/evidence?kind=recommendation")
    date = page.get_by_label("Written on")
    by = page.get_by_label("Vouched for by")
    date_box, by_box = date.bounding_box(), by.bounding_box()
    assert date_box is not None
    assert by_box is not None
    assert date_box["width"] >= by_box["width"] - 1  # the date field as wide as the others
    assert date_box["height"] >= 40
    written = (date_type.today() - timedelta(days=3)).isoformat()  # the picker offers no later day
    date.fill(written)
    fake = tmp_path / "letter.pdf"
    fake.write_text("only words, not a PDF\n")
    page.get_by_label("The signed letter").set_input_files(fake)
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", name="Evidence for Dana Whitfield")).to_be_visible()
    expect(page.locator("#error-file")).to_contain_text("accepts PDF")
    expect(page.get_by_text("Choose the file again")).to_be_visible()
    expect(page.get_by_label("Written on")).to_have_value(written)
    expect(page.get_by_label("The supervisor who wrote it")).to_have_value("sgt.moreau")
