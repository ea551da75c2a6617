"""The role pages through an HTTP client: who may open each, CSRF on every form, and what
each page shows and does (the services' own refusals, files by sha256, packets as PDF)."""

from __future__ import annotations

import hashlib
import html as html_module
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from qualify.store import db
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, Evidence
from qualify.web.app import create_app
from tests.conftest import Result
from tests.helpers.builders import USERS
from tests.helpers.markup import read, undescribed, ungrouped_radios, unlabelled
from tests.helpers.portal_data import SCRIPT, Site, prepare, serving

pytestmark = pytest.mark.slow  # each module builds the sample selection once (about 10 s)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serving(prepare(tmp_path_factory.mktemp("portal")))


@pytest.fixture(scope="module")
def deciding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The same, with the officer waiting in screening in a second selection: in the first,
    every interview is closed, so the Chief's decisions on its eligible list wait for no one."""
    yield from serving(prepare(tmp_path_factory.mktemp("portal-deciding"), waiting_apart=True))


def ids(site: Site) -> dict[str, int]:
    return site.data.ids


# (method, path, a user who may, a user whose role may not)
ROUTES = [
    ("GET", "/screening", "cmdr.obrien", "rep.chen"),
    ("GET", "/selections/1/screening", "cmdr.obrien", "rep.chen"),
    ("POST", "/candidates/9/advance", "cmdr.obrien", "rep.chen"),
    ("GET", "/overview", "hr.alvarez", "rep.chen"),
    ("GET", "/selections/1/overview", "hr.alvarez", "rep.chen"),
    ("GET", "/candidates/9/evidence", "hr.alvarez", "cmdr.obrien"),
    ("POST", "/candidates/9/evidence", "hr.alvarez", "cmdr.obrien"),
    ("GET", "/selections/1/panel", "hr.alvarez", "cmdr.obrien"),
    ("POST", "/selections/1/panel", "hr.alvarez", "cmdr.obrien"),
    ("POST", "/candidates/1/packet", "hr.alvarez", "cmdr.obrien"),
    ("GET", "/audit", "hr.alvarez", "cmdr.obrien"),
    ("GET", "/decisions", "chief.walsh", "rep.chen"),
    ("GET", "/selections/1/decisions", "chief.walsh", "rep.chen"),
]
POSTS = [r for r in ROUTES if r[0] == "POST"]


@pytest.mark.parametrize(("method", "path", "allowed", "refused"), ROUTES)
def test_without_a_session_every_page_sends_you_to_sign_in(
    site: Site, method: str, path: str, allowed: str, refused: str
) -> None:
    answer = site.browser().http.request(method, path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(("method", "path", "allowed", "refused"), ROUTES)
def test_a_role_the_page_is_not_for_gets_403_and_changes_nothing(
    site: Site, method: str, path: str, allowed: str, refused: str
) -> None:
    events = site.count(AuditEvent)
    browser = site.browser(refused)
    answer = (
        browser.get(path)
        if method == "GET"
        else browser.post(
            path,
            {
                "trigger": "declare_ineligible",
                "reason": "x",
                "reason_code": "qualifications_not_met",
            },
        )
    )
    assert answer.status_code == 403
    # The refusal names who and why: the service's words, or the page's, by the person's name.
    said = html_module.unescape(answer.text)
    name = re.escape(USERS[refused][1])
    assert re.search(rf"you are signed in as {name}|{name} \([^)]*\) may not", said), said
    if method == "POST":
        # A refused advance is itself audited (as on the CLI); nothing else is written.
        assert site.count(AuditEvent) - events <= (1 if path.endswith("/advance") else 0)
    assert site.state("XSS-1") == "screening"


@pytest.mark.parametrize(("method", "path", "allowed", "refused"), POSTS)
@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_form_without_this_sessions_csrf_token_is_refused_and_changes_nothing(
    site: Site, method: str, path: str, allowed: str, refused: str, token: str | None
) -> None:
    events = site.count(AuditEvent)
    browser = site.browser(allowed)
    form = {"trigger": "declare_ineligible", "reason": "x", "reason_code": "qualifications_not_met"}
    if token is not None:
        form["csrf_token"] = token
    answer = browser.http.post(path, data=form)
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert site.count(AuditEvent) == events
    assert site.state("XSS-1") == "screening"


def test_the_commander_sees_each_check_with_sensitive_ones_withheld(site: Site) -> None:
    page = site.browser("cmdr.obrien").get("/selections/1/screening")
    assert page.status_code == 200
    html = page.text
    assert "Withheld: this check reads a sensitive record your role does not see." in html
    assert "Drug free (screen passed within 90 days)" in html  # the check's label, no result
    assert "drug_screen" not in html
    assert "fitness result" not in html
    assert "Officer Whitfield" not in html  # scored officers are past screening
    section = html.split('id="c9"')[1].split("</section>")[0]
    buttons = re.findall(r'name="trigger" value="([a-z_]+)"', section)
    # No evidence is on file for this officer: its checks do not pass, so confirm_eligible
    # (whose guards they are) is not offered, only what may fire now. The portal runs on the
    # real clock: before the as-of date, 2027-01-15, checks that are only pending may still be
    # met, so declaring the officer ineligible waits for that date.
    today = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()
    waits = today < date(2027, 1, 15)
    assert buttons == (["withdraw"] if waits else ["declare_ineligible", "withdraw"])


def section_of(html: str, candidate: int) -> str:
    return html.split(f'id="c{candidate}"')[1].split("</section>")[0]


def test_check_details_read_as_words_not_as_field_names_and_record_numbers(site: Site) -> None:
    html = site.browser("cmdr.obrien").get("/selections/1/screening").text
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"record #\d+", text)
    assert not re.search(r"\b[a-z]+_[a-z_]+ = (yes|no)\b", text)
    # Tom Brennan (MPD-1118) is not certified; his record was entered on January 15, 2027.
    brennan = section_of(html, ids(site)["MPD-1118"])
    assert "Certified as a full-time police officer: no (recorded January 15, 2027)" in brennan
    # Grace Liu (MPD-1150) is on probation until after the as-of date: nothing is on file yet.
    liu = section_of(html, ids(site)["MPD-1150"])
    assert "No probation evidence on file" in liu


def test_the_queue_shows_the_checks_to_act_on_and_folds_away_the_rest(site: Site) -> None:
    html = site.browser("cmdr.obrien").get("/selections/1/screening").text
    brennan = section_of(html, ids(site)["MPD-1118"])
    shown, folded = brennan.split('<details class="checks">')
    assert "3 met, 2 not met, 3 withheld, 2 not yet" in shown
    assert shown.count("Not met</span>") == 2
    assert "Met</span>" not in shown
    assert "Withheld</span>" not in shown
    assert folded.count("<li>") == 10  # every check, under "Every check (10)"
    assert "Every check (10)" in folded


def test_the_commander_learns_that_a_withheld_check_does_not_pass_but_not_which(
    site: Site,
) -> None:
    html = site.browser("cmdr.obrien").get("/selections/1/screening").text
    # Sofia Petrakis (MPD-1181) meets every check the commander sees; her fitness test is too
    # old, her drug screen and tobacco attestation fail, and those checks are withheld.
    petrakis = section_of(html, ids(site)["MPD-1181"]).split('<details class="checks">')[0]
    note = (
        "3 withheld checks have not passed (not met, or still pending); only Human Resources and "
        "Chief of Police see which and why."
    )
    assert note in html_module.unescape(petrakis)
    for label in ("Drug", "obacco", "itness"):
        assert label not in petrakis
    # Tom Brennan's (MPD-1118) withheld checks all pass: no note.
    brennan = section_of(html, ids(site)["MPD-1118"])
    assert "withheld check" not in brennan
    # HR sees the checks themselves, so no such note.
    glance = site.browser("hr.alvarez").get("/selections/1/screening").text
    assert "withheld check" not in glance


def test_a_trigger_that_needs_a_reason_is_refused_in_the_services_words(site: Site) -> None:
    browser = site.browser("cmdr.obrien")
    answer = browser.post(
        f"/candidates/{ids(site)['XSS-1']}/advance",
        {
            "trigger": "declare_ineligible",
            "reason_code": "qualifications_not_met",
            "back": "/screening",
        },
    )
    assert answer.status_code == 400
    assert "needs a reason" in answer.text or "reason" in answer.text
    assert site.state("XSS-1") == "screening"


def test_hostile_names_are_shown_as_text_on_every_page(site: Site) -> None:
    pages = {
        "cmdr.obrien": ["/selections/1/screening"],
        "hr.alvarez": ["/selections/1/overview", f"/candidates/{ids(site)['XSS-1']}/evidence"],
        "chief.walsh": ["/selections/1/decisions"],
    }
    for user, paths in pages.items():
        browser = site.browser(user)
        for path in paths:
            html = browser.get(path).text
            assert SCRIPT not in html, path
            assert "<img src=x" not in html, path
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
            assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html, path


def test_hr_sees_candidates_by_state_and_panel_progress(site: Site) -> None:
    html = site.browser("hr.alvarez").get("/selections/1/overview").text
    assert "3 of 3 submitted, 3 declared" in html
    assert re.search(r"Ineligible</span> 4", html)
    assert "Overdue scorecards" in html


def test_evidence_with_a_pdf_is_stored_by_its_sha256(site: Site) -> None:
    browser = site.browser("hr.alvarez")
    answer = browser.post(
        f"/candidates/{ids(site)['XSS-1']}/evidence",
        {"kind": "recommendation", "f_author": "sgt.moreau", "f_written_on": "2026-11-02"},
        files={"file": ("../letter.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 303, answer.text
    page = browser.get(answer.headers["location"]).text
    assert "Recorded: evidence #" in page
    assert "file letter.pdf" in page  # listed with the evidence on file
    digest = hashlib.sha256(PDF).hexdigest()
    stored = list(Path(site.data.settings.files_dir).rglob(f"{digest}*"))
    assert stored
    assert stored[0].read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "data", "expected", "status"),
    [
        ("letter.txt", b"just some words\n", "accepts PDF, PNG image or JPEG image", 400),
        ("letter.pdf", PDF + b"0" * (1024 * 1024 + 100), "the limit is 1", 400),
        ("letter.pdf", PDF + b"0" * (2 * 1024 * 1024), "the file is over 1 MB", 413),
    ],
)
def test_evidence_with_a_file_of_another_type_or_too_large_is_refused(
    site: Site, name: str, data: bytes, expected: str, status: int
) -> None:
    small = Site(site.data, create_app(replace(site.data.settings, max_evidence_bytes=1024 * 1024)))
    before = site.count(Evidence)
    answer = small.browser("hr.alvarez").post(
        f"/candidates/{ids(site)['XSS-1']}/evidence",
        {"kind": "recommendation", "f_author": "sgt.moreau", "f_written_on": "2026-11-02"},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert answer.status_code == status
    assert expected in answer.text
    assert site.count(Evidence) == before


def test_hr_downloads_a_packet_as_a_pdf_attachment(site: Site) -> None:
    answer = site.browser("hr.alvarez").post(
        f"/candidates/{ids(site)['MPD-1042']}/packet",
        {"stage": "scored", "packet": "panel_results"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert "panel_results" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"%PDF")


def test_the_audit_page_shows_whether_the_log_verifies_and_its_head_hash(site: Site) -> None:
    html = site.browser("hr.alvarez").get("/audit").text
    engine = db.make_engine(site.data.settings.database_url)
    with Session(engine) as session:
        result = verify(session)
    engine.dispose()
    assert "The audit log verifies" in html
    assert result.head_hash in html


def test_the_chief_sees_why_no_decision_is_offered_in_the_words_advance_refuses_with(
    site: Site, cli: Callable[..., Result]
) -> None:
    """Every interview is closed but an officer (with the hostile name) waits in screening: the
    first decision on the eligible list waits for them, and the page says so instead of
    offering it."""
    browser = site.browser("chief.walsh")
    page = browser.get("/selections/1/decisions").text
    assert SCRIPT not in page
    note = re.search(r'<p class="refusal" id="decisions-wait">No decision yet: ([^<]*)\.</p>', page)
    assert note, page
    waiting = html_module.unescape(note.group(1))
    assert f"{SCRIPT} " in waiting  # named, shown as text
    assert (
        'at Eligibility screening: still to come, "Confirm the officer meets qualifications '
        '1-4", "Schedule the panel interview", then "Close the interview once every seat has '
        'scored"; decide once that candidate is through it or has left the selection '
        '("Declare the officer ineligible" or "The officer withdraws")'
    ) in waiting
    dana = page.split(f'id="c{ids(site)["MPD-1042"]}"')[1].split("</section>")[0]
    assert 'value="select"' not in dana
    assert 'value="not_select"' not in dana
    refused = browser.post(
        f"/candidates/{ids(site)['MPD-1042']}/advance",
        {"trigger": "select", "reason": "", "back": "/selections/1/decisions"},
    )
    assert refused.status_code == 409
    assert waiting in html_module.unescape(refused.text)
    said = cli(
        "--db", site.data.settings.database_url, "--as", "chief.walsh", "advance",
        str(ids(site)["MPD-1042"]), "select",
    )  # fmt: skip
    assert said.exit_code == 1
    assert said.stderr.startswith(
        'error: cannot "Select the officer as School Resource Officer" for Dana Whitfield yet: '
    )
    assert waiting in said.stderr
    assert site.state("MPD-1042") == "scored"
    # Not for a commander, who takes no decision on the list.
    assert "No decision yet" not in site.browser("cmdr.obrien").get("/selections/1/decisions").text


def test_the_chief_must_give_a_reason_to_pass_over_a_higher_ranked_officer(deciding: Site) -> None:
    browser = deciding.browser("chief.walsh")
    html = browser.get("/selections/1/decisions").text
    assert "1. Dana Whitfield" in html
    # The tie-break rules in words, not the workflow file's keys.
    assert "criterion:" not in html
    assert "then lower employee id" in html
    # Panelists by their full names and criteria by their labels, not login names and ids.
    assert "cmdr.obrien" not in html
    assert "chief.walsh" not in html  # the top bar names the user by full name only
    assert "Ann O&#39;Brien 5, Dr. Helen Chen 5" in html
    assert "<td>Positive role model who builds trust with youth</td>" in html
    assert "appearance_attitude" not in html  # a failure and its flag name the criterion too
    assert "below minimum on Appearance and attitude in the school environment" in html
    assert "Fails: Appearance and attitude in the school environment mean 3.00" in html
    refused = browser.post(
        f"/candidates/{ids(deciding)['MPD-1077']}/advance",
        {"trigger": "select", "reason": "", "back": "/decisions"},
    )
    assert refused.status_code == 400
    assert "is ranked below Dana Whitfield, who passed the interview and is still at" in (
        html_module.unescape(refused.text)
    )
    assert deciding.state("MPD-1077") == "scored"
    done = browser.post(
        f"/candidates/{ids(deciding)['MPD-1077']}/advance",
        {
            "trigger": "select",
            "reason": "Spanish speaker, needed at the middle school",
            "back": "/selections/1/decisions",
        },
    )
    assert done.status_code == 303
    assert "Select the officer as School Resource Officer; now at: Selected." in (
        browser.get(done.headers["location"]).text
    )
    assert deciding.state("MPD-1077") == "selected"
    # The position is filled: nobody else is offered select any more, and the refusal names
    # who holds it.
    after = browser.get("/selections/1/decisions").text
    dana = after.split(f'id="c{ids(deciding)["MPD-1042"]}"')[1].split("</section>")[0]
    assert 'value="select"' not in dana
    assert 'value="not_select"' in dana
    second = browser.post(
        f"/candidates/{ids(deciding)['MPD-1042']}/advance",
        {"trigger": "select", "reason": "", "back": "/decisions"},
    )
    assert second.status_code == 409
    reyes = ids(deciding)["MPD-1077"]  # named here with the hostile test name, shown as text
    said = html_module.unescape(second.text)
    assert "the position is held by <script>" in said
    assert (
        '(Selected); "Remove from the position (infraction of policy, guideline, philosophy or '
        'school rule)" or "The officer withdraws" frees it'
    ) in said
    assert f"candidate {reyes}" not in said  # people by name, not by the record's id
    assert deciding.state("MPD-1042") == "scored"


def test_the_chief_is_offered_only_what_may_fire_now(deciding: Site) -> None:
    html = deciding.browser("chief.walsh").get("/selections/1/decisions").text
    priya = html.split(f'id="c{ids(deciding)["MPD-1103"]}"')[1].split("</section>")[0]
    # She did not pass the interview: select's guard refuses it, so no button.
    assert 'value="select"' not in priya
    assert 'value="not_select"' in priya


def test_every_control_of_every_role_page_has_a_label(site: Site) -> None:
    """Every GET page of the portal, as each role sees it, and each kind of form refused: each
    input, select and textarea has a <label>, each radio group a fieldset with a legend, and
    each hint or message beside a field is named by its input's aria-describedby (what a
    screen reader says)."""
    candidate = ids(site)["XSS-1"]
    pages = {
        "rep.chen": ["/", "/interviews", f"/interviews/{ids(site)['MPD-1042']}"],
        "cmdr.obrien": ["/", "/selections/1/screening", "/selections/1/decisions"],
        "chief.walsh": ["/", "/selections/1/decisions", "/selections/1/panel", "/audit"],
        "hr.alvarez": ["/", "/selections/1/overview", "/selections/1/panel", "/audit"],
    }
    for user in ("cmdr.obrien", "chief.walsh", "hr.alvarez"):
        pages[user].append("/selections/1/training")
    hr = site.browser("hr.alvarez")
    kinds = re.findall(
        r'<option value="([a-z_]+)"', hr.get(f"/candidates/{candidate}/evidence").text
    )
    assert "recommendation" in kinds  # the evidence form of every kind, file fields included
    pages["hr.alvarez"] += [f"/candidates/{candidate}/evidence?kind={kind}" for kind in kinds]
    checked = 0
    for user, paths in pages.items():
        browser = site.browser(user)
        for path in paths:
            answer = browser.get(path)
            assert answer.status_code == 200, (user, path)
            assert unlabelled(answer.text) == [], (user, path)
            assert ungrouped_radios(answer.text) == [], (user, path)
            assert undescribed(answer.text) == [], (user, path)
            checked += len(read(answer.text).controls)
    login = site.browser().get("/login").text
    assert unlabelled(login) == []
    assert checked > 50  # the pages have forms: the test reads their controls
    refused = {
        "evidence": hr.post(
            f"/candidates/{candidate}/evidence",
            {"kind": "recommendation", "f_author": "sgt.moreau", "f_written_on": "2999-01-01"},
            files={"file": ("letter.txt", b"just some words\n", "text/plain")},
        ),
        "panel": hr.post(  # a change once scoring has begun, without its reason
            "/selections/1/panel",
            {
                "seat:commander:1": "cmdr.obrien",
                "seat:school_rep:1": "rep.douglas",
                "seat:school_rep:2": "rep.chen",
            },
        ),
        "trigger": site.browser("cmdr.obrien").post(
            f"/candidates/{candidate}/advance",
            {"trigger": "withdraw", "reason": "", "back": "/selections/1/screening"},
        ),
    }
    for name, answer in refused.items():
        assert 'class="field-error"' in answer.text, name
        assert undescribed(answer.text) == [], name
