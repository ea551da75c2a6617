"""The panelist's pages: My interviews, the declaration, the kit, submission and correction."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.store import db
from qualify.store.clock import utcnow
from qualify.store.tables import AuditEvent, ConflictDeclaration, Scorecard
from tests.conftest import Result
from tests.helpers.builders import AFTER_INTERVIEWS, CRITERIA
from tests.helpers.markup import undescribed
from tests.web.conftest import Clock, candidate_id, csrf_of, refusal

Browser = Callable[[str], TestClient]
FOURS = {f"score-{c}": "4" for c in CRITERIA}


@pytest.fixture(autouse=True)
def after_the_interviews(clock: Clock) -> None:
    """The portal's clock on the sample's, after its interviews are held (scorecards are
    submitted then); a test of a time before them sets it back."""
    clock.offset = AFTER_INTERVIEWS - utcnow()


@pytest.fixture
def whitfield(sro_settings: Settings) -> int:
    return candidate_id(sro_settings, "MPD-1042")


def declare(client: TestClient, cid: int, conflict: str | None = None) -> object:
    token = csrf_of(client.get(f"/interviews/{cid}").text)
    data = {"csrf_token": token, "declaration": "conflict" if conflict is not None else "none"}
    if conflict is not None:
        data["conflict"] = conflict
    return client.post(f"/interviews/{cid}/declare", data=data)


def post(client: TestClient, cid: int, action: str, data: dict[str, str]) -> object:
    token = csrf_of(client.get(f"/interviews/{cid}").text)
    return client.post(f"/interviews/{cid}/{action}", data={"csrf_token": token, **data})


def submit(client: TestClient, cid: int, data: dict[str, str]) -> None:
    first = post(client, cid, "submit", data)
    assert first.status_code == 303, refusal(first.text)  # type: ignore[attr-defined]
    assert first.headers["location"] == f"/interviews/{cid}/confirm"  # type: ignore[attr-defined]
    assert "Submit your scorecard?" in client.get(f"/interviews/{cid}/confirm").text
    done = post(client, cid, "submit", {"confirm": "yes"})
    assert done.status_code == 303  # type: ignore[attr-defined]


def cards(settings: Settings, panelist: str) -> list[Scorecard]:
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return list(
                session.exec(
                    select(Scorecard)
                    .where(Scorecard.panelist == panelist)
                    .order_by(col(Scorecard.id))
                )
            )
    finally:
        engine.dispose()


def field_error(page: str, field: str) -> str:
    """The message beside a field; every message and hint of the page is named by its input."""
    found = re.search(rf'id="error-{field}"[^>]*>([^<]*)<', page)
    assert found, f"no error place for {field}"
    assert undescribed(page) == []
    return html.unescape(found.group(1))


def test_my_interviews_lists_the_candidates_i_sit_for(sro_browser: Browser) -> None:
    chen = sro_browser("rep.chen")
    page = chen.get("/interviews")
    assert page.status_code == 200
    names = re.findall(r'<a href="/interviews/\d+">([^<]+)</a>', page.text)
    assert names == ["Dana Whitfield", "Luis Reyes", "Priya Natarajan"]
    assert page.text.count("declare conflicts") == 3
    assert "Tom Brennan" not in page.text  # ineligible: the panel does not interview him


WHEN = "Wednesday, January 20, 2027, 9:00 a.m. (EST)"  # Dana Whitfield's interview
WHERE = "Conference Room B, Milford Police Department"


def test_my_interviews_and_the_kit_say_when_and_where_each_interview_is(
    sro_browser: Browser, whitfield: int
) -> None:
    chen = sro_browser("rep.chen")
    listed = chen.get("/interviews").text
    row = re.search(rf'<tr>\s*<td><a href="/interviews/{whitfield}">.*?</tr>', listed, re.S)
    assert row is not None
    assert WHEN in row.group(0).replace("</time><br>", ", ").replace("</time>", "")
    assert WHERE in row.group(0)
    assert "Wednesday, January 20, 2027, 10:30 a.m. (EST)" in listed  # Luis Reyes's
    for page in (chen.get(f"/interviews/{whitfield}").text, _declared_kit(chen, whitfield)):
        assert f">{WHEN}</time></dd>" in page
        assert f"<dt>Place</dt><dd>{WHERE}</dd>" in page


def _declared_kit(client: TestClient, cid: int) -> str:
    declare(client, cid)
    return client.get(f"/interviews/{cid}").text


def test_a_scorecard_is_not_submitted_before_the_interview_in_the_words_of_the_cli(
    sro_browser: Browser, whitfield: int, clock: Clock, sro_settings: Settings
) -> None:
    held = AFTER_INTERVIEWS.replace(day=20, hour=14, minute=0)  # 9:00 a.m. in New York
    clock.offset = held - timedelta(minutes=1) - utcnow()
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    refused = post(chen, whitfield, "submit", FOURS)
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert refusal(refused.text) == (  # type: ignore[attr-defined]
        "Dana Whitfield's interview is scheduled for Wednesday, January 20, 2027 at "
        "9:00 a.m. (EST); a scorecard is submitted after the interview, not before (now "
        "Wednesday, January 20, 2027 at 8:59 a.m. (EST)); your draft is saved, not submitted"
    )
    assert [c.status for c in cards(sro_settings, "rep.chen")] == ["draft"]
    clock.offset = held - utcnow()
    submit(chen, whitfield, FOURS)
    assert [c.status for c in cards(sro_settings, "rep.chen")] == ["submitted"]


def test_pages_need_a_session_and_a_panel_role(sro_browser: Browser, whitfield: int) -> None:
    hr = sro_browser("hr.alvarez")
    for path in ("/interviews", f"/interviews/{whitfield}"):
        assert hr.get(path).status_code == 403
    token = csrf_of(hr.get("/").text)
    assert (
        hr.post(
            f"/interviews/{whitfield}/declare", data={"csrf_token": token, "declaration": "none"}
        ).status_code
        == 403
    )
    nobody = TestClient(hr.app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    answer = nobody.get(f"/interviews/{whitfield}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=%2Finterviews%2F{whitfield}"


def test_a_candidate_outside_my_seats_is_not_found(
    sro_browser: Browser, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    brennan = candidate_id(sro_settings, "MPD-1118")  # ineligible: not interviewed
    fitzgerald = candidate_id(sro_settings, "MPD-1199")  # withdrew before his interview
    pages = []
    for cid in (brennan, fitzgerald, 999):
        page = chen.get(f"/interviews/{cid}")
        assert page.status_code == 404
        # What happened, in words that do not say whether the candidate exists, and where to go.
        assert refusal(page.text) == (
            "there is nothing at this address for you: it does not exist, or it is not yours "
            "to open"
        )
        assert 'Where to go from here: <a href="/">your start page</a>' in page.text
        pages.append(page.text.split("<main", 1)[1])
    assert pages[0] == pages[1] == pages[2]  # an officer who exists reads as one who does not
    token = csrf_of(chen.get("/").text)
    assert (
        chen.post(
            f"/interviews/{brennan}/declare", data={"csrf_token": token, "declaration": "none"}
        ).status_code
        == 404
    )


def test_the_page_asks_for_the_declaration_before_the_kit(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    first = chen.get(f"/interviews/{whitfield}").text
    assert "First: any conflict of interest?" in first
    assert "Interview kit" not in first
    assert "Role model" not in first  # no criterion before the declaration
    assert declare(chen, whitfield).status_code == 303  # type: ignore[attr-defined]
    kit = chen.get(f"/interviews/{whitfield}?done=declared").text
    assert "Your declaration is recorded." in kit
    assert "Interview kit" in kit
    for criterion in CRITERIA:
        assert f'name="score-{criterion}"' in kit
        assert f'<label for="comment-{criterion}">' in kit
    [declared] = events_of(sro_settings, "no_conflict_declared", "rep.chen")
    assert (declared.channel, declared.account) == ("web", "rep.chen")


def test_declaring_a_conflict_means_no_kit(sro_browser: Browser, whitfield: int) -> None:
    douglas = sro_browser("rep.douglas")
    empty = declare(douglas, whitfield, conflict="")
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert field_error(empty.text, "conflict") == "describe the conflict of interest"  # type: ignore[attr-defined]
    declare(douglas, whitfield, conflict="She is my cousin.")
    page = douglas.get(f"/interviews/{whitfield}").text
    assert "She is my cousin." in page
    assert "Interview kit" not in page


def test_nothing_is_chosen_for_the_panelist_and_words_under_no_conflict_are_refused(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    page = chen.get(f"/interviews/{whitfield}").text
    radios = re.findall(r'<input type="radio" name="declaration"[^>]*>', page)
    assert len(radios) == 2
    assert not any("checked" in r for r in radios)
    token = csrf_of(page)
    unchosen = chen.post(f"/interviews/{whitfield}/declare", data={"csrf_token": token})
    assert unchosen.status_code == 400
    assert field_error(unchosen.text, "declaration") == (
        "choose whether you have a conflict of interest with this candidate"
    )
    mixed = chen.post(
        f"/interviews/{whitfield}/declare",
        data={"csrf_token": token, "declaration": "none", "conflict": "I coach her daughter."},
    )
    assert mixed.status_code == 400
    assert field_error(mixed.text, "conflict").startswith(
        "you chose no conflict of interest but described one"
    )
    assert "I coach her daughter.</textarea>" in mixed.text  # what was typed is kept
    assert events_of(sro_settings, "no_conflict_declared", "rep.chen") == []


def test_a_panelist_who_declared_none_can_declare_a_conflict_later(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    kit = chen.get(f"/interviews/{whitfield}").text
    assert "Declare a conflict of interest after all" in kit
    empty = declare(chen, whitfield, conflict="")
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert '<details class="late-conflict" open>' in empty.text  # type: ignore[attr-defined]
    assert declare(chen, whitfield, conflict="I coach her daughter.").status_code == 303  # type: ignore[attr-defined]
    page = chen.get(f"/interviews/{whitfield}").text
    assert "You declared a conflict of interest with this candidate" in page
    assert "Interview kit" not in page
    [late] = events_of(sro_settings, "conflict_declared", "rep.chen")
    assert late.channel == "web"


def test_an_extreme_score_needs_evidence_refused_as_the_cli_does_next_to_the_field(
    sro_browser: Browser, whitfield: int, sro_settings: Settings, cli: Callable[..., Result]
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    refused = post(chen, whitfield, "submit", {**FOURS, "score-role_model": "5"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    message = field_error(refused.text, "role_model")  # type: ignore[attr-defined]
    assert field_error(refused.text, "liaison") == ""  # type: ignore[attr-defined]
    # The CLI refuses the same scorecard for the same reason, naming its option where the page
    # names the field.
    url = sro_settings.database_url
    assert cli("--db", url, "--as", "cmdr.obrien", "declare", str(whitfield)).exit_code == 0
    sets = [arg for c in CRITERIA for arg in ("--set", f"{c}={5 if c == 'role_model' else 4}")]
    by_cli = cli("--db", url, "--as", "cmdr.obrien", "score", str(whitfield), *sets, "--submit")
    assert by_cli.exit_code == 2
    reason = (
        "cannot submit: a score of 1 or 5 needs evidence, a comment on what you saw or heard: "
        "Positive role model who builds trust with youth"
    )
    # The page saved the draft before checking it: it says so (the CLI saved nothing).
    assert message == f"{reason}; your draft is saved, not submitted"
    assert by_cli.stderr == f"error: --comment role_model: {reason}; nothing was saved\n"
    # Nothing was submitted; the draft keeps the scores typed.
    [draft] = cards(sro_settings, "rep.chen")
    assert draft.status == "draft"
    assert draft.scores["role_model"] == 5
    # With the evidence, it submits.
    submit(
        chen,
        whitfield,
        {**FOURS, "score-role_model": "5", "comment-role_model": "Mentors students."},
    )
    assert [c.status for c in cards(sro_settings, "rep.chen")] == ["submitted"]


def test_a_scorecard_with_several_problems_names_each_beside_its_criterion_at_once(
    sro_browser: Browser, whitfield: int, sro_settings: Settings, cli: Callable[..., Result]
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    # Liaison and emergency planning left unscored; a 5 for role model with no evidence.
    typed = {
        k: v for k, v in FOURS.items() if k not in ("score-liaison", "score-emergency_planning")
    }
    refused = post(chen, whitfield, "submit", {**typed, "score-role_model": "5"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    page = refused.text  # type: ignore[attr-defined]
    assert field_error(page, "liaison") == (
        "cannot submit: no score yet for Liaison and communication with schools, families and "
        "agencies"
    )
    assert field_error(page, "role_model").startswith("cannot submit: a score of 1 or 5 needs")
    assert field_error(page, "emergency_planning").startswith("cannot submit: no score yet for")
    assert field_error(page, "emergency_planning").endswith("; your draft is saved, not submitted")
    assert field_error(page, "appearance_attitude") == ""
    # The top of the page lists all three, each once.
    alert = page.split('id="page-error"')[1].split("</div>")[0]
    assert "3 things to put right" in alert
    assert alert.count("<li>") == 3
    # The command line lists them too, one line each, with the option that puts each right.
    url = sro_settings.database_url
    assert cli("--db", url, "--as", "cmdr.obrien", "declare", str(whitfield)).exit_code == 0
    sets = [arg for c in CRITERIA[:2] for arg in ("--set", f"{c}={5 if c == 'role_model' else 4}")]
    by_cli = cli("--db", url, "--as", "cmdr.obrien", "score", str(whitfield), *sets, "--submit")
    assert by_cli.exit_code == 2
    lines = by_cli.stderr.splitlines()
    assert all(line.startswith("error: ") for line in lines)
    assert [line.split(": ")[1] for line in lines] == [
        "--comment role_model",
        "--set liaison",
        "--set not_disciplinarian",
        "--set prevention_education",
        "--set emergency_planning",
    ]


def test_others_scores_show_only_after_my_own_submission(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    obrien, chen, douglas = (
        sro_browser("cmdr.obrien"),
        sro_browser("rep.chen"),
        sro_browser("rep.douglas"),
    )
    for panelist in (obrien, chen, douglas):
        declare(panelist, whitfield)
    submit(obrien, whitfield, {**FOURS, "score-liaison": "2"})
    post(douglas, whitfield, "draft", {**FOURS, "comment-liaison": "DOUGLAS DRAFT NOTE"})
    before = chen.get(f"/interviews/{whitfield}").text
    assert "Ann O&#39;Brien" not in before
    assert 'id="others"' not in before
    submit(chen, whitfield, FOURS)
    after = chen.get(f"/interviews/{whitfield}?done=submitted").text
    assert "Your scorecard is submitted and locked." in after
    assert 'id="others"' in after
    assert "Ann O&#39;Brien" in after  # the commander's submitted card
    assert "Robert Douglas" not in after  # a draft is never shown
    assert "DOUGLAS DRAFT NOTE" not in after
    others = after[after.index('id="others"') :]
    row = re.search(r"<td>Liaison[^<]*</td><td>(\d)</td>", others)
    assert row
    assert row.group(1) == "2"


def test_a_draft_saves_on_each_change_for_the_script(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    token = csrf_of(chen.get(f"/interviews/{whitfield}").text)
    headers = {"Accept": "application/json", "X-CSRF-Token": token}
    saved = chen.post(
        f"/interviews/{whitfield}/draft", data={"score-liaison": "3"}, headers=headers
    )
    assert saved.json() == {"saved": True}
    assert cards(sro_settings, "rep.chen")[0].scores == {"liaison": 3}
    bad = chen.post(f"/interviews/{whitfield}/draft", data={"score-liaison": "9"}, headers=headers)
    assert bad.status_code == 400
    assert bad.json() == {
        "saved": False,
        "error": "off the scale 1-5",
        "fields": ["liaison"],
        "beside": {"liaison": "off the scale 1-5"},
    }
    assert cards(sro_settings, "rep.chen")[0].scores == {"liaison": 3}


def test_a_comment_box_left_empty_is_no_comment_and_one_cleared_is_removed(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    blanks = {f"comment-{c}": "" for c in CRITERIA}  # the form sends every box
    post(chen, whitfield, "draft", {**FOURS, **blanks, "comment-liaison": "Knows the staff."})
    assert cards(sro_settings, "rep.chen")[0].comments == {"liaison": "Knows the staff."}
    submit(chen, whitfield, {**FOURS, **blanks, "comment-liaison": "  "})
    (card,) = cards(sro_settings, "rep.chen")
    assert (card.status, card.comments) == ("submitted", {})


def test_a_post_without_or_with_a_wrong_csrf_token_changes_nothing(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    for data in ({"declaration": "none"}, {"declaration": "none", "csrf_token": "forged"}):
        assert chen.post(f"/interviews/{whitfield}/declare", data=data).status_code == 403
    assert "First: any conflict of interest?" in chen.get(f"/interviews/{whitfield}").text
    declare(chen, whitfield)
    for action in ("draft", "submit", "correct"):
        answer = chen.post(
            f"/interviews/{whitfield}/{action}",
            data=FOURS,
            headers={"X-CSRF-Token": "forged"},
        )
        assert answer.status_code == 403
    assert cards(sro_settings, "rep.chen") == []
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        declared = session.exec(
            select(ConflictDeclaration).where(ConflictDeclaration.panelist == "rep.chen")
        ).all()
    engine.dispose()
    assert len(declared) == 1


def test_a_correction_needs_a_reason_and_shows_old_and_new_values(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    submit(chen, whitfield, FOURS)
    no_reason = post(chen, whitfield, "correct", {**FOURS, "score-liaison": "3"})
    assert no_reason.status_code == 409  # type: ignore[attr-defined]
    assert field_error(no_reason.text, "reason") == (  # type: ignore[attr-defined]
        "Dr. Helen Chen's scorecard for Dana Whitfield is submitted and locked; a correction "
        "is a new version: give a reason"
    )
    fixed = post(
        chen, whitfield, "correct", {**FOURS, "score-liaison": "3", "reason": "Misread my notes."}
    )
    assert fixed.status_code == 303  # type: ignore[attr-defined]
    page = chen.get(f"/interviews/{whitfield}").text
    assert "Version 2: <q>Misread my notes.</q>" in page
    assert "liaison: 4 &rarr; 3" in page
    assert [(c.version, c.scores["liaison"]) for c in cards(sro_settings, "rep.chen")] == [
        (1, 4),
        (2, 3),
    ]


def test_once_hr_records_the_scores_the_kit_offers_no_correction_and_one_is_refused(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    from qualify.services.advance import advance
    from tests.helpers.actors import as_user

    for panelist in ("cmdr.obrien", "rep.chen", "rep.douglas"):
        browser = sro_browser(panelist)
        declare(browser, whitfield)
        submit(browser, whitfield, FOURS)
    chen = sro_browser("rep.chen")
    assert "Correct my scorecard" in chen.get(f"/interviews/{whitfield}").text
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        advance(
            session=session,
            candidate_id=whitfield,
            trigger="record_scores",
            actor=as_user("hr.alvarez"),
            now=AFTER_INTERVIEWS + timedelta(minutes=5),
        )
    engine.dispose()
    page = chen.get(f"/interviews/{whitfield}").text
    closed = (
        "Dana Whitfield&#39;s interview scores were recorded on January 21, 2027 by Marisol "
        "Alvarez, Human Resources Manager, and printed in the Panel results packet; the "
        "scorecards are closed, so a correction cannot change those results; if a score on it "
        "is wrong, tell the Chief of Police in writing before the decision."
    )
    assert closed in page
    assert "Correct my scorecard" not in page
    # A correction sent anyway (an old page) is refused in the same words; nothing is saved.
    late = post(
        chen, whitfield, "correct", {**FOURS, "score-liaison": "3", "reason": "Misread my notes."}
    )
    assert late.status_code == 409  # type: ignore[attr-defined]
    assert closed[: -len(".")] in late.text  # type: ignore[attr-defined]
    assert [c.version for c in cards(sro_settings, "rep.chen")] == [1]


def events_of(settings: Settings, action: str, actor: str) -> list[AuditEvent]:
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            return list(
                session.exec(
                    select(AuditEvent).where(AuditEvent.action == action, AuditEvent.actor == actor)
                )
            )
    finally:
        engine.dispose()


def test_submitting_again_from_an_old_page_shows_the_locked_card_with_a_note(
    sro_browser: Browser, whitfield: int, sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    declare(chen, whitfield)
    submit(chen, whitfield, FOURS)
    # Back to the confirmation step: it is a page of its own, and now there is nothing to confirm.
    back = chen.get(f"/interviews/{whitfield}/confirm")
    assert back.status_code == 303
    assert back.headers["location"] == f"/interviews/{whitfield}"
    # The confirmation sent again (an old tab, a resent form): no 409, the locked card.
    again = post(chen, whitfield, "submit", {"confirm": "yes"})
    assert again.status_code == 303  # type: ignore[attr-defined]
    page = chen.get(again.headers["location"]).text  # type: ignore[attr-defined]
    assert "Your scorecard was already submitted and locked; nothing was sent again." in page
    assert "Your scorecard (submitted)" in page
    assert [c.version for c in cards(sro_settings, "rep.chen")] == [1]
