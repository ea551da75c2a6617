"""A refused form shows its own page again: the service's message beside the input it is about,
what was typed kept, and required inputs marked so the browser asks first. A form that changed
something is answered with a redirect, so Back and reload never send it twice."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from qualify.store import db
from qualify.store.clock import utcnow
from qualify.store.tables import AuditEvent, Evidence, TrainingDirection
from qualify.web.app import create_app
from qualify.web.limits import MB
from qualify.workflow.documents import local_date
from tests.helpers.markup import undescribed
from tests.helpers.portal_data import Site, prepare, serving

# The SRO workflow's evidence kinds.
KINDS = ("certification", "service", "probation", "conduct_review", "conduct_finding")
KINDS += ("recommendation", "fitness", "drug_screen", "tobacco")

pytestmark = pytest.mark.slow  # the sample selection is built once per module (about 10 s)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serving(prepare(tmp_path_factory.mktemp("forms")))


@pytest.fixture(scope="module")
def deciding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The same, with the officer waiting in screening in a second selection: in the first,
    every interview is closed, so the Chief's decisions on its eligible list wait for no one."""
    yield from serving(prepare(tmp_path_factory.mktemp("forms-deciding"), waiting_apart=True))


def form_of(page: str, candidate_id: int, trigger: str) -> str:
    """The form of one trigger on one candidate, as the page shows it."""
    for form in re.findall(r"<form class=\"move\".*?</form>", page, re.S):
        action = re.search(r'action="/candidates/(\d+)/', form)
        if (
            f'name="trigger" value="{trigger}"' in form
            and action
            and action[1] == str(candidate_id)
        ):
            return str(form)
    raise AssertionError(f"no form for {trigger} on candidate {candidate_id}")


def beside(form: str, input_name: str, candidate_id: int, trigger: str) -> str:
    """The message shown under an input of a trigger's form (which every message of the form
    names in its input's aria-describedby)."""
    found = re.search(rf'id="error-{input_name}-{candidate_id}-{trigger}">([^<]*)<', form)
    assert found, f"no message beside {input_name}"
    assert undescribed(form) == []
    return html.unescape(found.group(1))


def not_certified(site: Site) -> int:
    """HR records that the officer waiting in screening is not certified full-time: with a
    qualification failed, the commander may declare the officer ineligible now, though the
    sample's as-of date (2027-01-15) may be ahead on the real clock (checks only pending wait
    for it). Returns the officer's candidate id."""
    officer = site.id("XSS-1")
    site.browser("hr.alvarez").post(  # again, on a second call: refused, nothing recorded
        f"/candidates/{officer}/evidence?kind=certification",
        {"kind": "certification", "f_full_time_certified": "no"},
    )
    return officer


def test_declaring_ineligible_without_the_letter_shows_the_queue_with_the_reason_kept(
    site: Site,
) -> None:
    officer = not_certified(site)
    browser = site.browser("cmdr.obrien")
    queue = browser.get("/selections/1/screening").text
    blank = form_of(queue, officer, "declare_ineligible")
    assert re.search(r'<textarea id="reason-[^"]+" name="reason" required', blank)

    answer = browser.post(
        f"/candidates/{officer}/advance",
        {
            "trigger": "declare_ineligible",
            "reason": "No recommendation on file after two requests",
            "back": "/selections/1/screening",
        },
    )

    assert answer.status_code == 400
    assert "<h1>Screening queue</h1>" in answer.text
    assert "Where to go from here" not in answer.text
    form = form_of(answer.text, officer, "declare_ineligible")
    said = beside(form, "notice", officer, "declare_ineligible")
    assert "sends the candidate a letter" in said
    assert "choose the letter's wording, or write it in your own words" in said
    assert ">No recommendation on file after two requests</textarea>" in form
    assert 'name="back" value="/selections/1/screening"' in form  # the page, not this POST
    assert '<details class="move" open><summary>Declare the officer ineligible' in answer.text
    assert site.state("XSS-1") == "screening"


def test_a_letter_code_and_own_words_together_are_refused_beside_the_words_both_kept(
    site: Site,
) -> None:
    officer = not_certified(site)
    answer = site.browser("cmdr.obrien").post(
        f"/candidates/{officer}/advance",
        {
            "trigger": "declare_ineligible",
            "reason": "incomplete",
            "reason_code": "records_incomplete",
            "notice": "Please send your letter again.",
            "back": "/selections/1/screening",
        },
    )
    assert answer.status_code == 400
    form = form_of(answer.text, officer, "declare_ineligible")
    assert "give one of them, not both" in beside(form, "notice", officer, "declare_ineligible")
    assert '<option value="records_incomplete" selected>' in form
    assert ">Please send your letter again.</textarea>" in form


def test_a_refusal_of_a_trigger_not_offered_now_shows_at_the_top_of_the_page(
    site: Site,
) -> None:
    # An old tab's confirmation step: confirming eligibility, which the queue no longer offers
    # (checks fail).
    officer = site.id("XSS-1")
    answer = site.browser("cmdr.obrien").post(
        f"/candidates/{officer}/advance",
        {"trigger": "confirm_eligible", "back": "/selections/1/screening", "confirm": "yes"},
    )
    assert answer.status_code == 409
    assert "<h1>Screening queue</h1>" in answer.text
    top = answer.text.split("<h1>Screening queue</h1>")[1].split("<section")[0]
    found = re.search(r'class="refusal" role="alert"[^>]*>([^<]*)<', top)
    assert found, "no refusal at the top of the page"
    assert 'cannot "Confirm the officer meets qualifications 1-4" for' in html.unescape(
        found.group(1)
    )
    assert site.state("XSS-1") == "screening"


def test_the_chief_passing_over_without_a_reason_sees_the_message_beside_the_reason(
    deciding: Site,
) -> None:
    officer = deciding.id("MPD-1077")
    answer = deciding.browser("chief.walsh").post(
        f"/candidates/{officer}/advance",
        {"trigger": "select", "reason": "  ", "back": "/selections/1/decisions"},
    )
    assert answer.status_code == 400
    assert "<h1>Results and decisions</h1>" in answer.text
    form = form_of(answer.text, officer, "select")
    assert "say why that officer is passed over" in beside(form, "reason", officer, "select")
    assert deciding.state("MPD-1077") == "scored"


def test_a_letter_code_the_records_contradict_is_refused_beside_the_code_in_the_services_words(
    deciding: Site,
) -> None:
    officer = deciding.id("MPD-1077")  # passed the interview (ranked 2nd)
    answer = deciding.browser("chief.walsh").post(
        f"/candidates/{officer}/advance",
        {
            "trigger": "not_select",
            "reason": "Another officer suits the schools better.",
            "reason_code": "interview_standard_not_met",
            "back": "/selections/1/decisions",
        },
    )
    assert answer.status_code == 409
    form = form_of(answer.text, officer, "not_select")
    said = beside(form, "reason_code", officer, "not_select")
    assert "passed the interview (rank 2)" in said  # named by its (XSS) name, escaped
    assert '<option value="interview_standard_not_met" selected>' in form
    assert deciding.state("MPD-1077") == "scored"


def test_a_trigger_that_fires_redirects_to_its_page_with_a_note_so_reload_cannot_repeat_it(
    deciding: Site,
) -> None:
    officer = deciding.id("MPD-1042")
    browser = deciding.browser("chief.walsh")
    done = browser.post(  # as the form sends it, with its reason box left empty
        f"/candidates/{officer}/advance",
        {"trigger": "select", "reason": "", "back": "/selections/1/decisions"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == (
        f"/selections/1/decisions?done=select&candidate={officer}#c{officer}"
    )
    page = browser.get(done.headers["location"]).text
    # The trigger by its label in the workflow, not its key ("select").
    assert (
        "Recorded for Dana Whitfield: Select the officer as School Resource Officer; "
        "now at: Selected." in page
    )
    assert deciding.state("MPD-1042") == "selected"


def test_directing_training_is_a_form_with_the_courses_and_a_due_date(deciding: Site) -> None:
    officer = deciding.id("MPD-1042")
    if deciding.state("MPD-1042") != "selected":
        deciding.browser("chief.walsh").post(
            f"/candidates/{officer}/advance",
            {"trigger": "select", "reason": "", "back": "/selections/1/decisions"},
        )
    browser = deciding.browser("cmdr.obrien")
    page = browser.get("/selections/1/decisions").text
    form = form_of(page, officer, "assign_training")
    assert f'action="/candidates/{officer}/training"' in form
    courses = re.findall(r'name="course" value="([a-z_0-9]+)"', form)
    assert courses, "the workflow's courses are offered"
    assert re.search(r'type="date" name="due_on" required', form)
    assert "hours)" in form

    refused = browser.post(
        f"/candidates/{officer}/training",
        {
            "trigger": "assign_training",
            "course": courses[:1],
            "due_on": "2001-01-01",
            "reason": "before the school year",
            "back": "/selections/1/decisions",
        },
    )
    assert refused.status_code == 400
    form = form_of(refused.text, officer, "assign_training")
    assert "is before today" in beside(form, "due_on", officer, "assign_training")
    assert f'value="{courses[0]}" checked' in form
    assert ">before the school year</textarea>" in form
    assert deciding.state("MPD-1042") == "selected"
    # No course ticked: said in plain words beside the courses, no command-line placeholder.
    none_ticked = browser.post(
        f"/candidates/{officer}/training",
        {"trigger": "assign_training", "due_on": "2099-06-30", "back": "/selections/1/decisions"},
    )
    assert none_ticked.status_code == 400
    form = form_of(none_ticked.text, officer, "assign_training")
    said = beside(form, "courses", officer, "assign_training")
    assert said == "name at least one course to direct"
    assert "COURSE" not in none_ticked.text
    # No course and a day gone: both said at once, each beside its own input.
    both = browser.post(
        f"/candidates/{officer}/training",
        {"trigger": "assign_training", "due_on": "2001-01-01", "back": "/selections/1/decisions"},
    )
    assert both.status_code == 400
    form = form_of(both.text, officer, "assign_training")
    assert beside(form, "courses", officer, "assign_training") == (
        "name at least one course to direct"
    )
    assert "2001-01-01 is before today" in beside(form, "due_on", officer, "assign_training")
    # A date that far off is refused beside it until the form confirms it, as --far-ahead does.
    far = browser.post(
        f"/candidates/{officer}/training",
        {
            "trigger": "assign_training",
            "course": courses,
            "due_on": "2099-06-30",
            "back": "/selections/1/decisions",
        },
    )
    assert far.status_code == 400
    said = beside(
        form_of(far.text, officer, "assign_training"), "due_on", officer, "assign_training"
    )
    assert "ahead is more often a mistyped year or month; if that day is meant, tick" in said
    assert deciding.state("MPD-1042") == "selected"

    done = browser.post(
        f"/candidates/{officer}/training",
        {
            "trigger": "assign_training",
            "course": courses,
            "due_on": "2099-06-30",
            "far_ahead": "yes",  # confirmed: a date that far off is refused without it
            "back": "/selections/1/decisions",
        },
    )
    assert done.status_code == 303
    assert deciding.state("MPD-1042") == "training"
    engine = db.make_engine(deciding.data.settings.database_url)
    with Session(engine) as session:
        directed = session.exec(
            select(TrainingDirection).where(TrainingDirection.candidate_id == officer)
        ).all()
    engine.dispose()
    assert sorted(d.course for d in directed) == sorted(courses)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def evidence_count(deciding: Site) -> int:
    engine = db.make_engine(deciding.data.settings.database_url)
    with Session(engine) as session:
        found = len(session.exec(select(Evidence)).all())
    engine.dispose()
    return found


def input_error(page: str, input_id: str) -> str:
    """The message beside an input; every message and hint of the page is named by its input."""
    found = re.search(rf'id="error-{input_id}">([^<]*)<', page)
    assert found, f"no message beside {input_id}"
    assert undescribed(page) == []
    return html.unescape(found.group(1))


def test_the_evidence_form_marks_required_fields_offers_users_and_lists_what_is_on_file(
    site: Site,
) -> None:
    officer = site.id("MPD-1042")
    page = site.browser("hr.alvarez").get(f"/candidates/{officer}/evidence?kind=recommendation")
    text = page.text
    assert page.status_code == 200
    assert '<a href="/selections/1/overview">Back to the selection at a glance</a>' in text
    assert ">Written on</label>" in text  # labels start with a capital
    assert "sha256" not in text
    assert re.search(r'type="date" name="f_written_on" value="" required', text)
    assert re.search(r'type="file" name="file" required', text)
    author = text.split('<select id="f_author"')[1].split("</select>")[0]
    assert " required" in author.split(">")[0]
    people = re.findall(r'<option value="([^"]+)"', author)
    assert people.index("sgt.okafor") < people.index("chief.walsh")  # supervisors first
    assert '<option value="sgt.moreau" selected>' in author  # the officer's own supervisor
    assert "those holding the role supervisor are listed first" in text
    assert "<h2>Already on file</h2>" in text
    assert "Supervisor&#39;s written recommendation: #" in text
    assert "by Marisol Alvarez" in text  # people by their full names
    # Each record's facts: who wrote the letter and when, and a test's result and date.
    on_file = html.unescape(text.split("<h2>Already on file</h2>")[1])
    assert re.search(
        r"The supervisor who wrote it: Claire Moreau; Written on: [A-Z][a-z]+ \d{1,2}, \d{4}",
        on_file,
    )
    assert re.search(r"Result: pass; Tested on: [A-Z][a-z]+ \d{1,2}, \d{4}", on_file)


def test_the_evidence_forms_dates_offer_no_day_after_today(site: Site) -> None:
    """Every date of evidence is the date of a fact, which has happened: the browser's picker
    offers no day after today in the selection's time zone (the service still refuses one)."""
    officer = site.id("MPD-1042")
    days = {local_date(utcnow(), "America/New_York").isoformat()}
    pages = {
        kind: site.browser("hr.alvarez").get(f"/candidates/{officer}/evidence?kind={kind}").text
        for kind in KINDS
    }
    days.add(local_date(utcnow(), "America/New_York").isoformat())
    dates = {
        kind: re.findall(r'<input [^>]*type="date"[^>]*>', page) for kind, page in pages.items()
    }
    assert all(dates[kind] for kind in ("service", "fitness", "recommendation"))
    for kind, inputs in dates.items():
        for date_input in inputs:
            found = re.search(r' max="([^"]+)"', date_input)
            assert found, (kind, date_input)
            assert found.group(1) in days, (kind, date_input)


def test_refused_evidence_shows_the_form_again_with_each_message_beside_its_field(
    site: Site,
) -> None:
    officer = site.id("MPD-1042")
    before = evidence_count(site)
    answer = site.browser("hr.alvarez").post(
        f"/candidates/{officer}/evidence?kind=recommendation",
        {"kind": "recommendation", "f_author": "sgt.okafr", "f_written_on": "2026-11-02"},
        files={"file": ("letter.pdf", b"just some words\n", "application/pdf")},
    )
    assert answer.status_code == 400
    page = answer.text
    assert "<h1>Evidence for Dana Whitfield</h1>" in page
    assert "Where to go from here" not in page
    assert "is not a registered user" in input_error(page, "f_author")
    assert "sgt.okafor" in input_error(page, "f_author")  # did you mean
    assert "accepts PDF, PNG image or JPEG image" in input_error(page, "file")
    assert 'value="2026-11-02" required' in page  # the date typed is kept
    assert "Choose the file again" in page
    assert evidence_count(site) == before


def test_a_date_after_today_is_refused_beside_its_field_naming_today(site: Site) -> None:
    today = datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()  # Milford's day
    tomorrow = today + timedelta(days=1)
    before = evidence_count(site)
    answer = site.browser("hr.alvarez").post(
        f"/candidates/{site.id('MPD-1042')}/evidence?kind=recommendation",
        {"kind": "recommendation", "f_author": "sgt.moreau", "f_written_on": str(tomorrow)},
        files={"file": ("letter.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 400
    assert input_error(answer.text, "f_written_on") == (
        f"{tomorrow} is after today ({today}); a fact must have happened"
    )
    assert f'value="{tomorrow}" required' in answer.text  # kept, to be corrected
    assert evidence_count(site) == before


def test_evidence_recorded_redirects_to_the_form_with_a_note(site: Site) -> None:
    officer = site.id("MPD-1042")
    browser = site.browser("hr.alvarez")
    answer = browser.post(
        f"/candidates/{officer}/evidence?kind=recommendation",
        {"kind": "recommendation", "f_author": "sgt.moreau", "f_written_on": "2026-11-02"},
        files={"file": ("again.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(
        f"/candidates/{officer}/evidence?kind=recommendation&done="
    )
    page = browser.get(answer.headers["location"]).text
    assert "Recorded: evidence #" in page
    assert "file again.pdf" in page
    assert "(replaced by a newer record)" in page  # the older recommendation


def test_an_upload_over_the_limit_shows_the_form_saying_so(site: Site) -> None:
    small = Site(site.data, create_app(replace(site.data.settings, max_evidence_bytes=MB)))
    before = evidence_count(site)
    answer = small.browser("hr.alvarez").post(
        f"/candidates/{site.id('MPD-1042')}/evidence?kind=recommendation",
        {"kind": "recommendation", "f_author": "sgt.moreau", "f_written_on": "2026-11-02"},
        files={"file": ("huge.pdf", PDF + b"0" * (3 * MB), "application/pdf")},
    )
    assert answer.status_code == 413
    assert "text/html" in answer.headers["content-type"]
    assert "<h1>Evidence for Dana Whitfield</h1>" in answer.text
    said = input_error(answer.text, "file")
    assert "the file is over 1 MB" in said
    assert evidence_count(site) == before


def test_a_refused_panel_change_keeps_the_choices_and_says_why_beside_the_reason(
    site: Site,
) -> None:
    browser = site.browser("hr.alvarez")
    blank = browser.get("/selections/1/panel").text
    assert re.search(r'<textarea id="reason" name="reason" required', blank)  # scoring began
    chosen = dict(
        re.findall(r'name="(seat:[a-z_]+:\d)">.*?<option value="([^"]+)" selected', blank, re.S)
    )
    rep_seats = sorted(k for k in chosen if k.startswith("seat:school_rep"))
    assert len(rep_seats) == 2
    swapped = {**chosen, rep_seats[0]: chosen[rep_seats[1]], rep_seats[1]: chosen[rep_seats[0]]}
    answer = browser.post("/selections/1/panel", swapped)
    assert answer.status_code == 400
    assert "<h1>Panel:" in answer.text
    assert "changing the panel needs a reason" in input_error(answer.text, "reason")
    kept = dict(
        re.findall(
            r'name="(seat:[a-z_]+:\d)">.*?<option value="([^"]+)" selected', answer.text, re.S
        )
    )
    assert kept == swapped


def test_a_record_that_replaces_one_takes_its_reason_into_the_log_as_the_cli_does(
    site: Site,
) -> None:
    officer = site.id("XSS-1")
    hr = site.browser("hr.alvarez")
    form = hr.get(f"/candidates/{officer}/evidence?kind=certification").text
    assert '<textarea id="reason" name="reason"' in form
    for value, reason in (("no", ""), ("yes", "Certified in 2019; the first entry was wrong")):
        done = hr.post(
            f"/candidates/{officer}/evidence?kind=certification",
            {"kind": "certification", "f_full_time_certified": value, "reason": reason},
        )
        assert done.status_code in (303, 400)  # "no" may be on file already (not_certified)
    engine = db.make_engine(site.data.settings.database_url)
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "evidence_added")
            .order_by(
                AuditEvent.id.desc()  # type: ignore[union-attr]
            )
        ).first()
    engine.dispose()
    assert event is not None
    details = json.loads(event.details)
    assert details["reason"] == "Certified in 2019; the first entry was wrong"
    assert details["supersedes"]
