"""The training page through an HTTP client: who may open it and record a completed course, CSRF,
the service's own refusals beside the field with what was typed kept, the certificate stored by
its sha256, and directing training from it (the Detective Sergeant has no other page for it).

The sample's dates are moved a year back, so that its training (directed in January, due in
March) lies in the past of the real clock, against which a completion date is checked."""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from qualify.store.clock import utcnow
from qualify.store.tables import AuditEvent, Evidence
from qualify.web.app import create_app
from qualify.web.limits import MB
from qualify.workflow.documents import local_date
from tests.conftest import Result
from tests.helpers.builders import in_training, selected
from tests.helpers.markup import undescribed, unlabelled
from tests.helpers.portal_data import Site, prepare, serving

pytestmark = pytest.mark.slow  # the sample selection is built once per module (about 10 s)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PAGE = "/selections/1/training"


def _site(folder: Path, stage: Callable[..., object]) -> Iterator[Site]:
    yield from serving(prepare(folder, stage=stage, years_back=1))


def completion(site: Site, path: str) -> str:
    """Where a completion for Whitfield posts."""
    return f"/candidates/{site.id('MPD-1042')}/training/completed?selection=1{path}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Whitfield in training: three courses directed, none recorded complete yet."""
    yield from _site(tmp_path_factory.mktemp("training"), in_training)


@pytest.fixture(scope="module")
def chosen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Whitfield selected, her training not yet directed."""
    yield from _site(tmp_path_factory.mktemp("selected"), selected)


def form_of(page: str, candidate_id: int) -> str:
    """The completion form of one officer on the page."""
    found = re.search(
        rf'<form[^>]*action="/candidates/{candidate_id}/training/completed[^"]*".*?</form>',
        page,
        re.S,
    )
    assert found, "the page has no completion form for that officer"
    return found.group(0)


def cli_error(cli: Callable[..., Result], site: Site, *args: str) -> str:
    """What `qualify training complete` prints for the same input, without its flag prefix."""
    said = cli(
        "--db",
        site.data.settings.database_url,
        "--as",
        "hr.alvarez",
        "training",
        "complete",
        *args,
    )
    assert said.exit_code in (1, 2), said
    return re.sub(r"^(error: )?(--on: )?", "", said.stderr.strip())


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/training"), ("GET", PAGE), ("POST", "/candidates/1/training/completed?selection=1")],
)
def test_without_a_session_the_training_pages_send_you_to_sign_in(
    site: Site, method: str, path: str
) -> None:
    answer = site.browser().http.request(method, path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_a_panelist_may_not_open_the_page_nor_the_chief_record_a_course(site: Site) -> None:
    assert site.browser("rep.chen").get(PAGE).status_code == 403
    events, records = site.count(AuditEvent), site.count(Evidence)
    answer = site.browser("chief.walsh").post(
        completion(site, ""), {"course": "basic_sro", "on": "2026-02-19"}
    )
    assert answer.status_code == 403
    # Whom the page is for and who is signed in, in the workflow's words for the roles.
    assert "you are signed in as Michael Walsh (Chief of Police)" in html.unescape(answer.text)
    assert (site.count(AuditEvent), site.count(Evidence)) == (events, records)
    # The Chief follows the training (it decides the appointment) without a form to record it.
    page = site.browser("chief.walsh").get(PAGE).text
    assert "Basic School Resource Officer course" in page
    assert "/training/completed" not in page


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_completion_without_this_sessions_csrf_token_is_refused_and_changes_nothing(
    site: Site, token: str | None
) -> None:
    events, records = site.count(AuditEvent), site.count(Evidence)
    form = {"course": "basic_sro", "on": "2026-02-19"}
    if token is not None:
        form["csrf_token"] = token
    answer = site.browser("hr.alvarez").http.post(completion(site, ""), data=form)
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert (site.count(AuditEvent), site.count(Evidence)) == (events, records)


def test_the_glance_links_an_officer_in_training_to_the_page(site: Site) -> None:
    dana = site.data.ids["MPD-1042"]
    glance = site.browser("hr.alvarez").get("/selections/1/overview").text
    assert f'href="{PAGE}#c{dana}">Training</a>' in glance
    assert glance.count(f'href="{PAGE}#c') == 1  # only the officer in training


def test_each_role_that_records_training_finds_the_page_in_the_menu(site: Site) -> None:
    for user in ("hr.alvarez", "cmdr.obrien", "sgt.lambert", "chief.walsh"):
        assert 'href="/training"' in site.browser(user).get("/").text, user
    assert 'href="/training"' not in site.browser("rep.chen").get("/").text
    page = site.browser("sgt.lambert").get(PAGE)
    assert page.status_code == 200
    assert unlabelled(page.text) == []
    assert undescribed(page.text) == []
    whitfield = form_of(page.text, site.data.ids["MPD-1042"])
    assert whitfield.count("<option") == 3  # each directed course not yet complete


def test_the_completion_date_offers_no_day_after_today_and_the_due_date_does(
    site: Site, chosen: Site
) -> None:
    """A course is completed on a day that has come, in the selection's time zone: the
    browser's picker offers nothing later (the service still refuses a later day typed in)."""
    days = {local_date(utcnow(), "America/New_York").isoformat()}
    page = site.browser("hr.alvarez").get(PAGE)
    days.add(local_date(utcnow(), "America/New_York").isoformat())
    date_input = re.search(
        r'<input id="on-[^"]+"[^>]*>', form_of(page.text, site.data.ids["MPD-1042"])
    )
    assert date_input
    found = re.search(r' max="([^"]+)"', date_input.group(0))
    assert found, date_input.group(0)
    assert found.group(1) in days
    # Training is due on a day to come: its date is not bounded so.
    directing = chosen.browser("sgt.lambert").get(PAGE).text
    due = re.search(r'<input id="due_on-[^"]+"[^>]*>', directing)
    assert due
    assert " max=" not in due.group(0)


def test_a_date_before_the_direction_is_refused_beside_the_field_in_the_clis_words(
    site: Site, cli: Callable[..., Result]
) -> None:
    dana = site.data.ids["MPD-1042"]
    records = site.count(Evidence)
    answer = site.browser("hr.alvarez").post(
        completion(site, ""), {"course": "legal_issues", "on": "2026-01-02"}
    )
    assert answer.status_code == 409
    form = form_of(answer.text, dana)
    error = re.search(r'<p class="field-error" id="(error-on-[^"]+)">([^<]*)</p>', form)
    assert error, form
    said = html.unescape(error.group(2))
    assert said == cli_error(cli, site, str(dana), "legal_issues", "--on", "2026-01-02")
    # The course by its title in the workflow, not its key (legal_issues).
    assert (
        "before the course was directed (Legal issues in schools (search, privacy, school "
        "rules and crimes), on 2026-01-25)" in said
    )
    # The date input names its message and keeps what was typed; the course stays chosen.
    date_input = re.search(r'<input id="on-[^"]+"[^>]*>', form)
    assert date_input
    assert 'value="2026-01-02"' in date_input.group(0)
    assert error.group(1) in date_input.group(0)  # aria-describedby
    assert 'aria-invalid="true"' in date_input.group(0)
    assert '<option value="legal_issues" selected>' in form
    assert undescribed(answer.text) == []
    assert site.count(Evidence) == records


def test_a_date_in_the_future_and_a_file_of_another_type_are_refused(
    site: Site, cli: Callable[..., Result]
) -> None:
    dana = site.data.ids["MPD-1042"]
    records = site.count(Evidence)
    hr = site.browser("hr.alvarez")
    later = (utcnow() + timedelta(days=3)).date().isoformat()
    future = hr.post(completion(site, ""), {"course": "basic_sro", "on": later})
    assert future.status_code == 400
    said = html.unescape(re.findall(r'class="field-error"[^>]*>([^<]*)<', future.text)[0])
    assert said == cli_error(cli, site, str(dana), "basic_sro", "--on", later)
    wrong = hr.post(
        completion(site, ""),
        {"course": "basic_sro", "on": "2026-02-19"},
        files={"file": ("certificate.pdf", b"just some words\n", "application/pdf")},
    )
    assert wrong.status_code == 400
    form = form_of(wrong.text, dana)
    assert re.search(r'id="error-file-[^"]+">[^<]*accepts PDF, PNG image or JPEG image', form)
    assert "Choose the file again" in form
    assert undescribed(wrong.text) == []  # the hints, the note and the message, each named
    assert site.count(Evidence) == records


def test_hr_records_a_course_with_its_certificate_and_it_is_not_offered_again(
    site: Site,
) -> None:
    dana = site.data.ids["MPD-1042"]
    hr = site.browser("hr.alvarez")
    done = hr.post(
        completion(site, ""),
        {"course": "basic_sro", "on": "2026-02-19"},
        files={"file": ("../certificate.pdf", PDF, "application/pdf")},
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(f"{PAGE}?recorded=")
    page = hr.get(done.headers["location"]).text
    assert "Recorded: Basic School Resource Officer course completed on 2026-02-19 for" in page
    assert "certificate.pdf" in page
    assert "Training not complete: 40 of 56 hours." in page
    assert 'value="basic_sro"' not in form_of(page, dana)
    stored = list(Path(site.data.settings.files_dir).rglob(f"{hashlib.sha256(PDF).hexdigest()}*"))
    assert stored
    assert stored[0].read_bytes() == PDF
    # The same form sent again (an old tab): refused at the top of the form, nothing recorded.
    records = site.count(Evidence)
    again = hr.post(completion(site, ""), {"course": "basic_sro", "on": "2026-02-19"})
    assert again.status_code == 409
    assert (
        "Basic School Resource Officer course was already recorded complete on 2026-02-19"
        in html.unescape(again.text)
    )
    assert site.count(Evidence) == records


def test_the_detective_sergeant_directs_training_from_the_page(chosen: Site) -> None:
    dana = chosen.data.ids["MPD-1042"]
    sergeant = chosen.browser("sgt.lambert")
    page = sergeant.get(PAGE).text
    assert 'value="assign_training"' in page
    form = {
        "trigger": "assign_training",
        "course": ["basic_sro", "legal_issues"],
        "due_on": "2026-01-02",
        "back": PAGE,
    }
    late = sergeant.post(f"/candidates/{dana}/training", form)
    assert late.status_code == 400
    assert re.search(r'id="error-due_on-[^"]+">[^<]*is before today', late.text)
    assert "<h1>Training</h1>" in late.text  # the refusal comes back on the same page
    assert chosen.state("MPD-1042") == "selected"
    due = (utcnow() + timedelta(days=60)).date().isoformat()
    done = sergeant.post(f"/candidates/{dana}/training", {**form, "due_on": due})
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"{PAGE}?done=assign_training")
    after = sergeant.get(done.headers["location"]).text
    assert "Recorded for Dana Whitfield: Direct SRO training; now at: In training." in after
    assert chosen.state("MPD-1042") == "training"
    assert "/training/completed" in after  # the sergeant records completions too


def test_a_certificate_over_the_limit_brings_the_page_back_saying_so(site: Site) -> None:
    small = Site(site.data, create_app(replace(site.data.settings, max_evidence_bytes=MB)))
    records = site.count(Evidence)
    answer = small.browser("hr.alvarez").post(
        completion(site, ""),
        {"course": "legal_issues", "on": "2026-02-26"},
        files={"file": ("certificate.pdf", PDF + b"0" * (2 * MB), "application/pdf")},
    )
    assert answer.status_code == 413
    form = form_of(answer.text, site.data.ids["MPD-1042"])
    assert re.search(r'id="error-file-[^"]+">the file is over 1 MB, the most a file may be', form)
    assert "Choose the file again" in form
    assert undescribed(answer.text) == []
    assert site.count(Evidence) == records
    small.app.state.portal.engine.dispose()


def test_hr_downloads_the_amended_training_assignment_from_the_glance(site: Site) -> None:
    dana = site.data.ids["MPD-1042"]
    glance = site.browser("hr.alvarez").get("/selections/1/overview").text
    assert 'value="training_assignment_amended"' in glance
    assert "Amended training assignment (PDF)" in glance
    answer = site.browser("hr.alvarez").post(
        f"/candidates/{dana}/packet", {"stage": "training", "packet": "training_assignment_amended"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    name = answer.headers["content-disposition"]
    assert "_training_training_assignment_amended_event-" in name
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=answer.content, capture_output=True, check=True
    )
    text = " ".join(done.stdout.decode().split())
    assert "Subject: Amended training assignment" in text
    assert "This letter amends our letter of" in text
    assert "New: directed by Ann O'Brien" in text
    assert "School emergency operations planning" in text
