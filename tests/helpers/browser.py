"""Browser fixtures (a plugin of tests/conftest.py, so that every test folder shares them):
Playwright drives Debian's Chromium (never a browser of its own) against a real `qualify
serve`. One browser for the whole run (Playwright's sync API allows one at a time); a fresh
context (cookies) per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright must never fetch a browser: the one it drives is the system's.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.helpers.builders import password_of

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with no traffic of its own."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Skip without /usr/bin/chromium (fail in CI, where scripts/system-packages.sh installs it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: scripts/system-packages.sh installs chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        found = launch(playwright)
        yield found
        found.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile: no cookies from another test."""
    made = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    made.set_default_timeout(10_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page on which any JavaScript dialog (what an injected script would open) fails the
    test: the dialog is dismissed, noted, and the test errors at teardown."""
    opened = context.new_page()
    dialogs: list[str] = []

    def note(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", note)
    yield opened
    assert not dialogs, f"a JavaScript dialog opened: {dialogs}"


def sign_in(page: Page, base_url: str, name: str, password: str | None = None) -> None:
    """Sign in on the portal's login page as `name` (with the password `portal_data.prepare`
    gave them, unless another is named) and wait until the page offers to sign out."""
    page.goto(f"{base_url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password or password_of(name))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
