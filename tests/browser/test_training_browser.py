"""The training page in Chromium against a real `qualify serve`, on a phone: HR records a
course complete, a refused date keeps the keyboard on the field with its message, and the page
never scrolls sideways; the Detective Sergeant adds a course, and HR downloads the amended
training assignment that lists it. The sample's dates are a year back, so its training lies in
the past of the real clock."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from qualify.store.clock import utcnow
from qualify.workflow.documents import local_date
from tests.helpers.browser import sign_in
from tests.helpers.builders import in_training
from tests.helpers.portal_data import Prepared, prepare
from tests.helpers.serve import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Prepared]]:
    """Whitfield in training, three courses directed, none complete, served on 127.0.0.1."""
    data = prepare(
        tmp_path_factory.mktemp("training"),
        stage=in_training,
        passwords=("hr.alvarez", "sgt.lambert"),
        hostile=False,
        years_back=1,
    )
    with serving(data.settings.database_url, env=data.env) as base_url:
        yield base_url, data


def open_training(page: Page) -> None:
    """Training from the menu, then the sample selection (an officer waits to be screened in a
    second one, so the menu first asks which)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    page.get_by_role("link", name="School Resource Officer 2027", exact=True).click()


def test_hr_records_a_course_on_a_phone_after_refused_dates(
    page: Page, portal: tuple[str, Prepared], tmp_path: Path
) -> None:
    base_url, data = portal
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base_url, "hr.alvarez")
    open_training(page)
    section = page.locator(f"section:has(h2#c{data.ids['MPD-1042']})")
    section.locator("summary", has_text="Record a completed course").click()
    section.get_by_label("Course", exact=True).select_option("legal_issues")
    later = (utcnow() + timedelta(days=2)).date().isoformat()
    section.get_by_label("Completed on").fill(later)
    section.get_by_role("button", name="Record a completed course").click()
    # A day after today is not sent: the browser holds the form (the date input's max).
    assert section.get_by_label("Completed on").evaluate("e => e.validity.rangeOverflow")
    assert "aria-invalid" not in section.get_by_label("Completed on").evaluate("e => e.outerHTML")
    section.get_by_label("Completed on").fill("2026-01-02")  # before it was directed
    section.get_by_role("button", name="Record a completed course").click()
    # The same page, the form open again: the keyboard on the date, its message beside it.
    date = section.get_by_label("Completed on")
    expect(date).to_be_focused()
    expect(date).to_have_attribute("aria-invalid", "true")
    named = (date.get_attribute("aria-describedby") or "").split()
    messages = [page.locator(f"#{name}") for name in named]
    said = [m.text_content() or "" for m in messages]
    assert any("before the course was directed (Legal issues in schools" in m for m in said), said
    expect(section.get_by_label("Course", exact=True)).to_have_value("legal_issues")
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 375
    date.fill("2026-02-26")
    certificate = tmp_path / "legal-issues.pdf"
    certificate.write_bytes(PDF)
    section.get_by_label("Certificate of completion").set_input_files(certificate)
    section.get_by_role("button", name="Record a completed course").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Recorded: Legal issues in schools (search, privacy, school rules and crimes) completed "
        "on 2026-02-26 for Dana Whitfield"
    )
    expect(section.get_by_text("legal-issues.pdf")).to_be_visible()
    page.reload()  # a GET: reloading records nothing again
    expect(section.get_by_text("Training not complete: 8 of 56 hours.")).to_be_visible()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 375


def test_the_sergeant_adds_a_course_and_hr_downloads_the_amended_letter(
    page: Page, browser: Browser, portal: tuple[str, Prepared], tmp_path: Path
) -> None:
    """At 1280 and 375 px (screenshots in QUALIFY_SCREENSHOTS, when set, else the test's
    folder): the form, then the course on the page with the note of what was printed."""
    base_url, data = portal
    shots = Path(os.environ.get("QUALIFY_SCREENSHOTS") or tmp_path)
    label = "Adolescent development and de-escalation in schools"
    due = (local_date(utcnow(), "America/New_York") + timedelta(days=40)).isoformat()
    sign_in(page, base_url, "sgt.lambert")
    open_training(page)
    section = page.locator(f"section:has(h2#c{data.ids['MPD-1042']})")
    section.locator("summary", has_text="Add courses").click()
    section.get_by_label(label).check()
    section.get_by_label("Due by").fill(due)
    section.get_by_label("Reason for the record").fill("Joins the school's threat team.")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"add-courses-form-{width}.png"), full_page=True)
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width
    section.get_by_role("button", name="Add courses: Dana Whitfield").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Directed for Dana Whitfield: {label}, due {due}. Printed: Amended training "
        "assignment, listing every course now directed, for Human Resources and Chief of Police."
    )
    row = section.get_by_role("row").filter(has_text=label)
    expect(row).to_contain_text("by Daniel Lambert")
    expect(row).to_contain_text(due)
    expect(section.locator("summary", has_text="Add courses")).to_have_count(0)  # all directed
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"add-courses-done-{width}.png"), full_page=True)
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width
    # HR receives the letter: downloaded from the same page, it lists the course added.
    hr = browser.new_context(viewport={"width": 375, "height": 800}, accept_downloads=True)
    try:
        desk = hr.new_page()
        sign_in(desk, base_url, "hr.alvarez")
        desk.goto(f"{base_url}/selections/{data.selection_id}/training")
        desk.screenshot(path=str(shots / "amended-letter-hr-375.png"), full_page=True)
        assert desk.evaluate("() => document.scrollingElement.scrollWidth") <= 375
        with desk.expect_download() as started:
            desk.get_by_role(
                "button", name="Download Amended training assignment: Dana Whitfield"
            ).click()
        letter = tmp_path / "amended.pdf"
        started.value.save_as(letter)
    finally:
        hr.close()
    said = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, check=True)
    text = " ".join(said.stdout.decode().split())
    assert "Subject: Amended training assignment" in text
    assert "New: directed by Daniel Lambert" in text
    assert label in text
