"""Screenshots of each role's main page in the portal, at 1280 and 375 px wide.

python scripts/portal_screenshots.py SCREENSHOTS_DIR

Builds the sample SRO selection (docs/examples/sro-demo.yaml) in a temporary folder up to the
point where the panel has scored (so the Chief has decisions to take), adds one officer
waiting in screening (so the commander has a queue), starts `qualify serve` on 127.0.0.1 and
drives Debian's Chromium with Playwright (never a downloaded browser). The training page is
drawn from a second copy, carried on until the selected officer's training is directed, and
the activity reports page from a third, a year earlier (the officer appointed in March 2026).
Writes ROLE-WIDTH.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.helpers.builders import appointed, in_training, interviewed  # noqa: E402
from tests.helpers.portal_data import password_of, prepare  # noqa: E402
from tests.helpers.serve import serving  # noqa: E402

from qualify import auditkey  # noqa: E402
from qualify.web.nav import MENU  # noqa: E402

# The stage of the sample selection each page is drawn at, how many years back its dates are
# moved (a page that reads the real clock), and role: (user, main page).
STAGES: list[tuple[Callable[..., object], int, dict[str, tuple[str, str]]]] = [
    (
        interviewed,
        0,
        {
            "panelist": ("rep.chen", "/interviews"),
            "commander": ("cmdr.obrien", "/screening"),
            "hr": ("hr.alvarez", "/overview"),
            "chief": ("chief.walsh", "/decisions"),
        },
    ),
    (in_training, 0, {"training": ("sgt.lambert", "/training")}),
    # Appointed in March 2026: the quarters since are owed on the real clock.
    (appointed, 1, {"supervisor": ("sgt.moreau", "/reports")}),
]
WIDTHS = (1280, 375)
# With two selections a menu entry first asks which one: draw the sample selection's page, and
# the screening queue of the second, where an officer waits to be screened.
SAMPLE_PAGE = {
    "/screening": "/selections/2/screening",
    **{path: f"/selections/1{path}" for path in ("/overview", "/decisions", "/training")},
}


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for stage, years_back, pages in STAGES:
        with tempfile.TemporaryDirectory(prefix="qualify-screens-") as folder:
            draw(stage, years_back, pages, Path(folder), out)
    return 0


def draw(
    stage: Callable[..., object],
    years_back: int,
    pages: dict[str, tuple[str, str]],
    folder: Path,
    out: Path,
) -> None:
    users = tuple(user for user, _ in pages.values())
    # A key of its own for this throwaway database; the server process inherits it.
    os.environ["QUALIFY_AUDIT_KEY"] = str(auditkey.create(folder / "audit.key").path)
    # The officer waiting in screening waits in a second selection, so the Chief's page shows
    # the decisions to make rather than the wait for that officer.
    data = prepare(
        folder,
        stage=stage,
        passwords=users,
        hostile=False,
        years_back=years_back,
        waiting_apart=True,
    )
    with serving(data.settings.database_url, env=data.env) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for role, (user, path) in pages.items():
            if path not in {entry.path for entry in MENU}:
                print(f"no page {path} in the portal yet: no {role} screenshot", file=sys.stderr)
                continue
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 800})
                page = context.new_page()
                page.goto(f"{base}/login")
                page.get_by_label("User name").fill(user)
                page.get_by_label("Password").fill(password_of(user))
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/")
                page.goto(f"{base}{SAMPLE_PAGE.get(path, path)}")
                target = out / f"{role}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"wrote {target}", file=sys.stderr)
                context.close()
        browser.close()


if __name__ == "__main__":
    raise SystemExit(main())
