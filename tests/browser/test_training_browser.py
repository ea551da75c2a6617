"""The training page in Chromium against a real `qualify serve`, on a phone: HR records a
course complete, a refused date keeps the keyboard on the field with its message, and the page
never scrolls sideways. The sample's dates are a year back, so its training lies in the past
of the real clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from qualify.store.clock import utcnow
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
        passwords=("hr.alvarez",),
        hostile=False,
        years_back=1,
    )
    with serving(data.settings.database_url, env=data.env) as base_url:
        yield base_url, data


def test_hr_records_a_course_on_a_phone_after_refused_dates(
    page: Page, portal: tuple[str, Prepared], tmp_path: Path
) -> None:
    base_url, data = portal
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base_url, "hr.alvarez")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
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
