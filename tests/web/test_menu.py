"""The top bar lists every page a role may open, by the same rules as the pages themselves."""

from __future__ import annotations

import re

import pytest

from tests.web.test_form_refusals import Site, site  # noqa: F401 (the module's fixture)

pytestmark = pytest.mark.slow


def bar(site: Site, user: str) -> list[str]:  # noqa: F811
    page = site.browser(user).get("/").text
    nav = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    return re.findall(r'<a href="(/[a-z]+)"', nav)


@pytest.mark.parametrize(
    ("user", "paths"),
    [
        (
            "cmdr.obrien",
            ["/interviews", "/screening", "/overview", "/decisions", "/training", "/reports"],
        ),
        (
            "hr.alvarez",
            ["/screening", "/overview", "/decisions", "/training", "/reports", "/audit"],
        ),
        (
            "chief.walsh",
            ["/screening", "/overview", "/decisions", "/training", "/reports", "/audit"],
        ),
        ("sgt.lambert", ["/training", "/reports"]),
        ("sgt.moreau", ["/reports"]),
        ("rep.chen", ["/interviews"]),
    ],
)
def test_the_top_bar_lists_each_page_the_role_may_open(
    site: Site,  # noqa: F811
    user: str,
    paths: list[str],
) -> None:
    assert bar(site, user) == paths
    browser = site.browser(user)
    for path in paths:
        answer = browser.get(path)
        if answer.status_code == 303:  # the one selection's page
            assert answer.headers["location"].startswith("/selections/"), path
            answer = browser.get(answer.headers["location"])
        assert answer.status_code == 200, path
