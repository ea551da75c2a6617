"""Adding courses for an officer already in training, on the training page: the form only for
the roles that direct training (the Detective Sergeant, a commander), the service's refusals in
the CLI's words beside the field with nothing written, and the amended training assignment it
prints, offered for download to HR and the Chief (who receive it) on the same page.

Whitfield is in training with three of the four courses directed (`in_training`); the sample's
dates are a year back, so that a due date is checked against the real clock."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from qualify.store import db
from qualify.store.clock import utcnow
from qualify.store.tables import AuditEvent, TrainingDirection
from qualify.workflow.documents import local_date
from tests.conftest import Result
from tests.helpers.builders import in_training
from tests.helpers.markup import undescribed, unlabelled
from tests.helpers.portal_data import Site, prepare, serving

pytestmark = pytest.mark.slow  # the sample selection is built once per module (about 10 s)

PAGE = "/selections/1/training"
NEW = "adolescent_development"
NEW_LABEL = "Adolescent development and de-escalation in schools"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serving(prepare(tmp_path_factory.mktemp("courses"), stage=in_training, years_back=1))


def adding(site: Site) -> str:
    """Where the form adding courses for Whitfield posts."""
    return f"/candidates/{site.id('MPD-1042')}/training/courses?selection=1"


def add_form(page: str, candidate_id: int) -> str:
    found = re.search(
        rf'<form[^>]*action="/candidates/{candidate_id}/training/courses[^"]*".*?</form>',
        page,
        re.S,
    )
    assert found, "the page has no form adding courses for that officer"
    return found.group(0)


def later(days: int) -> str:
    return (local_date(utcnow(), "America/New_York") + timedelta(days=days)).isoformat()


def written(site: Site) -> tuple[int, int, list[str]]:
    """What adding courses writes: direction rows, `training_directed` events, letters."""
    engine = db.make_engine(site.data.settings.database_url)
    try:
        with Session(engine) as session:
            rows = len(session.exec(select(TrainingDirection)).all())
            events = len(
                session.exec(
                    select(AuditEvent).where(col(AuditEvent.action) == "training_directed")
                ).all()
            )
    finally:
        engine.dispose()
    letters = sorted(p.name for p in Path(site.data.settings.records_dir).rglob("*amended*"))
    return rows, events, letters


def cli_error(cli: Callable[..., Result], site: Site, *args: str) -> str:
    """What `qualify training assign` says to the Detective Sergeant for the same input,
    without its prefix and the option it names."""
    said = cli(
        "--db",
        site.data.settings.database_url,
        "--as",
        "sgt.lambert",
        "training",
        "assign",
        str(site.id("MPD-1042")),
        *args,
    )
    assert said.exit_code in (1, 2), said
    return re.sub(r"^(error: )?((--by|COURSE): )?", "", said.stderr.strip())


def field_errors(page: str) -> dict[str, str]:
    """Each message beside an input of the form, by the input's name."""
    return {
        name: html.unescape(said)
        for name, said in re.findall(
            r'<p class="field-error" id="error-([a-z_]+)-[^"]+">([^<]*)</p>', page
        )
    }


def test_only_the_roles_that_direct_training_are_offered_the_form(site: Site) -> None:
    dana = site.id("MPD-1042")
    for user in ("sgt.lambert", "cmdr.obrien"):
        page = site.browser(user).get(PAGE)
        assert page.status_code == 200
        form = add_form(page.text, dana)
        # Only the course not yet directed; the three directed stay as they are.
        assert re.findall(r'name="course" value="([a-z_]+)"', form) == [NEW], user
        assert "Amended training assignment" in form  # what adding prints, and for whom
        assert "for Human Resources and Chief of Police" in form
        assert unlabelled(page.text) == []
        assert undescribed(page.text) == []
        # They direct training but do not receive the letters: nothing to download.
        assert "/packet" not in page.text, user
    for user in ("hr.alvarez", "chief.walsh"):
        page = site.browser(user).get(PAGE).text
        assert "/training/courses" not in page, user


@pytest.mark.parametrize("user", ["hr.alvarez", "chief.walsh", "rep.chen"])
def test_a_role_that_does_not_direct_training_may_not_add_a_course(site: Site, user: str) -> None:
    before = written(site)
    answer = site.browser(user).post(adding(site), {"course": NEW, "due_on": later(30)})
    assert answer.status_code == 403
    assert "Not allowed" in answer.text
    assert written(site) == before


@pytest.mark.parametrize(
    ("form", "field", "cli_args"),
    [
        ({"due_on": later(30)}, "courses", None),
        ({"course": "adolescent", "due_on": later(30)}, "courses", ("adolescent",)),
        ({"course": NEW, "due_on": "2027-02-30"}, "due_on", (NEW,)),
        ({"course": NEW, "due_on": "2026-01-02"}, "due_on", (NEW,)),
    ],
    ids=["no course", "unknown course", "not a date", "before today"],
)
def test_bad_input_is_one_message_beside_its_field_in_the_clis_words_and_nothing_is_written(
    site: Site,
    cli: Callable[..., Result],
    form: dict[str, str],
    field: str,
    cli_args: tuple[str, ...] | None,
) -> None:
    dana = site.id("MPD-1042")
    before = written(site)
    answer = site.browser("sgt.lambert").post(adding(site), {**form, "reason": "Keep me"})
    assert answer.status_code == 400
    assert "<h1>Training</h1>" in answer.text  # the same page, the form open again
    mine = add_form(answer.text, dana)
    said = field_errors(mine)
    assert list(said) == [field], said
    if cli_args is not None:
        assert said[field] == cli_error(cli, site, *cli_args, "--by", form["due_on"])
    else:
        assert said[field] == "name at least one course to direct"
    # What was typed is kept, and the input the message is about says so.
    assert "Keep me</textarea>" in mine
    if field == "due_on":
        date_input = re.search(r'<input id="due_on-[^"]+"[^>]*>', mine)
        assert date_input
        assert f'value="{form["due_on"]}"' in date_input.group(0)
        assert 'aria-invalid="true"' in date_input.group(0)
        assert f'value="{NEW}" checked' in mine
    assert undescribed(answer.text) == []
    assert written(site) == before


def test_a_course_directed_already_is_refused_at_the_top_of_the_form(
    site: Site, cli: Callable[..., Result]
) -> None:
    """From an old tab: the course was directed since the page was drawn."""
    before = written(site)
    due = later(30)
    answer = site.browser("cmdr.obrien").post(
        adding(site), {"course": ["basic_sro", NEW], "due_on": due}
    )
    assert answer.status_code == 409
    refusal = re.search(r'<p class="refusal" role="alert"[^>]*>([^<]*)</p>', answer.text)
    assert refusal, answer.text
    said = html.unescape(refusal.group(1))
    assert said == cli_error(cli, site, "basic_sro", NEW, "--by", due)
    assert said.startswith(
        "Dana Whitfield: Basic School Resource Officer course was already directed on "
    )
    assert written(site) == before  # neither course, and no letter


def test_the_sergeant_adds_a_course_and_hr_and_the_chief_download_the_amended_letter(
    site: Site,
) -> None:
    dana = site.id("MPD-1042")
    rows, events, letters = written(site)
    due = later(45)
    sergeant = site.browser("sgt.lambert")
    done = sergeant.post(adding(site), {"course": NEW, "due_on": due, "reason": "New post"})
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith(
        f"{PAGE}?added={NEW}&candidate={dana}&letter=amended#c{dana}"
    )
    page = sergeant.get(done.headers["location"]).text
    assert (
        f"Directed for Dana Whitfield: {NEW_LABEL}, due {due}. Printed: Amended training "
        "assignment, listing every course now directed, for Human Resources and Chief of "
        "Police." in html.unescape(page)
    )
    assert "Training not complete: 0 of 72 hours." in page
    assert "/training/courses" not in page  # every course is directed now
    after_rows, after_events, after_letters = written(site)
    assert (after_rows, after_events) == (rows + 1, events + 1)
    new = [name for name in after_letters if name not in letters]
    assert len(new) == 1, after_letters
    assert "_training_training_assignment_amended_event-" in new[0]
    with Session(engine := db.make_engine(site.data.settings.database_url)) as session:
        event = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "training_directed")
            .order_by(col(AuditEvent.id).desc())
        ).first()
    engine.dispose()
    assert event is not None
    assert (event.actor, event.channel) == ("sgt.lambert", "web")
    for user in ("hr.alvarez", "chief.walsh"):
        browser = site.browser(user)
        page = browser.get(PAGE).text
        assert "Amended training assignment (PDF)" in page, user
        answer = browser.post(
            f"/candidates/{dana}/packet",
            {"stage": "training", "packet": "training_assignment_amended"},
        )
        assert answer.status_code == 200, user
        assert answer.headers["content-type"] == "application/pdf"
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=answer.content, capture_output=True, check=True
        ).stdout.decode()
        text = " ".join(text.split())
        assert "Subject: Amended training assignment" in text
        assert "New: directed by Daniel Lambert" in text, text
        assert NEW_LABEL in text, user
