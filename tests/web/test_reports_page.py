"""The activity reports page through an HTTP client: who may open it and enter a report, CSRF,
the service's own refusals beside the field with what was typed kept, and the report no longer
listed as due once entered. The portal's clock reads 20 July 2027, after the sample officer's
first two quarters (appointed 15 March 2027; 2027Q1 due 15 April, 2027Q2 due 15 July)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from qualify.store.tables import ActivityReport, AuditEvent
from tests.conftest import Result
from tests.helpers.builders import FIRST_QUARTER, appointed
from tests.helpers.markup import undescribed, unlabelled
from tests.helpers.portal_data import Site, prepare, serving

pytestmark = pytest.mark.slow  # the sample selection is built once per module (about 10 s)

NOW = datetime(2027, 7, 20, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data = prepare(tmp_path_factory.mktemp("reports"), stage=appointed, hostile=False)
    yield from serving(data, now=NOW)


def entry(site: Site) -> str:
    """Where Whitfield's reports are entered."""
    return f"/candidates/{site.id('MPD-1042')}/reports"


def form_of(page: str, quarter: str) -> str:
    found = re.search(
        rf'<form[^>]*action="/candidates/\d+/reports">\s*<input[^>]*>\s*'
        rf'<input type="hidden" name="quarter" value="{quarter}">.*?</form>',
        page,
        re.S,
    )
    assert found, f"no form for {quarter}"
    return found.group(0)


def filled(**changes: str) -> dict[str, str]:
    return {"quarter": "2027Q1", **{f"f_{k}": v for k, v in FIRST_QUARTER.items()}, **changes}


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/reports"), ("POST", "/candidates/1/reports")]
)
def test_without_a_session_the_reports_pages_send_you_to_sign_in(
    site: Site, method: str, path: str
) -> None:
    answer = site.browser().http.request(method, path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_a_panelist_may_not_open_the_page_nor_the_chief_enter_a_report(site: Site) -> None:
    assert site.browser("rep.chen").get("/reports").status_code == 403
    events, reports = site.count(AuditEvent), site.count(ActivityReport)
    answer = site.browser("chief.walsh").post(entry(site), filled())
    assert answer.status_code == 403
    # Whom the page is for and who is signed in, in the workflow's words for the roles.
    assert "you are signed in as Michael Walsh (Chief of Police)" in html.unescape(answer.text)
    assert (site.count(AuditEvent), site.count(ActivityReport)) == (events, reports)
    page = site.browser("chief.walsh").get("/reports").text  # sees what is owed, no form
    assert "Dana Whitfield: 2027Q1" in page
    assert '/reports">' not in page


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_report_without_this_sessions_csrf_token_is_refused_and_changes_nothing(
    site: Site, token: str | None
) -> None:
    events, reports = site.count(AuditEvent), site.count(ActivityReport)
    form = filled()
    if token is not None:
        form["csrf_token"] = token
    answer = site.browser("sgt.moreau").http.post(entry(site), data=form)
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert (site.count(AuditEvent), site.count(ActivityReport)) == (events, reports)


def test_each_role_sees_the_reports_it_may_and_the_menu_says_so(site: Site) -> None:
    for user in ("sgt.moreau", "sgt.lambert", "hr.alvarez"):
        page = site.browser(user).get("/reports")
        assert page.status_code == 200, user
        assert 'href="/reports"' in page.text, user
        assert "overdue by 96 days" in page.text  # 2027Q1, due 15 April
        assert unlabelled(page.text) == []
        form_of(page.text, "2027Q2")
    # Another officer's supervisor sees nothing of Whitfield's, and may not enter it.
    okafor = site.browser("sgt.okafor")
    assert "Whitfield" not in okafor.get("/reports").text
    refused = okafor.post(entry(site), filled())
    assert refused.status_code == 403
    assert (
        "Emeka Okafor (Supervisor, writes recommendations) may not enter activity reports for "
        "candidate"
    ) in html.unescape(refused.text)


def test_a_missing_count_is_refused_beside_its_field_in_the_clis_words(
    site: Site, cli: Callable[..., Result]
) -> None:
    reports = site.count(ActivityReport)
    answer = site.browser("sgt.moreau").post(entry(site), filled(f_drills="", f_meetings="7"))
    assert answer.status_code == 400
    form = form_of(answer.text, "2027Q1")
    error = re.search(r'<p class="field-error" id="(error-f_drills-[^"]+)">([^<]*)</p>', form)
    assert error, form
    fields = [f"{k}={v}" for k, v in FIRST_QUARTER.items() if k != "drills"]
    said = cli(
        "--db", site.data.settings.database_url, "--as", "sgt.moreau", "report", "add",
        str(site.data.ids["MPD-1042"]), "--quarter", "2027Q1",
        *[arg for field in fields for arg in ("--field", field)],
    )  # fmt: skip
    assert said.exit_code == 2
    assert html.unescape(error.group(2)) in said.stderr
    assert "missing (Emergency drills" in error.group(2)
    assert 'value="7"' in form  # what was typed is kept
    assert undescribed(answer.text) == []
    assert site.count(ActivityReport) == reports


def test_the_supervisor_enters_a_report_and_it_is_no_longer_due(site: Site) -> None:
    moreau = site.browser("sgt.moreau")
    done = moreau.post(entry(site), filled())
    assert done.status_code == 303, done.text
    page = moreau.get(done.headers["location"]).text
    assert (
        "Recorded: the 2027Q1 quarterly activity report of Dana Whitfield (version 1), after "
        "its due date 2027-04-15." in page
    )
    assert "Dana Whitfield: 2027Q1" not in page
    assert "Dana Whitfield: 2027Q2" in page
    # Sent again from an old tab: the report is on file, refused in the service's words.
    again = moreau.post(entry(site), filled())
    assert again.status_code == 409
    assert "report for 2027Q1 is on file (version 1" in html.unescape(again.text)
    # Another user's note is never shown from the address.
    assert "Recorded:" not in site.browser("hr.alvarez").get(done.headers["location"]).text
