"""A seat no one may fill: a panelist's declared conflict with no alternate to take the seat is
said plainly on HR's overview and on the Chief's decisions, not left as "waiting on"."""

from __future__ import annotations

import html
from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services import panel, users
from qualify.store import db
from tests.helpers.actors import as_user
from tests.web.conftest import candidate_id

Browser = Callable[[str], TestClient]
SEATS = [("commander", "cmdr.obrien"), ("school_rep", "rep.chen"), ("school_rep", "rep.douglas")]
BLOCKED = "Dr. Helen Chen declared a conflict; no alternate sits: HR must change the panel"


def chen_declares_a_conflict_with_reyes(settings: Settings) -> int:
    reyes = candidate_id(settings, "MPD-1077")
    engine = db.make_engine(settings.database_url)
    with Session(engine) as session:
        panel.declare(
            session=session,
            candidate_id=reyes,
            actor=as_user("rep.chen"),
            conflict="coaches my son",
        )
    engine.dispose()
    return reyes


def section(page: str, cid: int) -> str:
    return html.unescape(page.split(f'id="c{cid}"')[1].split("</section>")[0])


def test_hr_overview_says_the_seat_cannot_be_filled(
    sro_settings: Settings, sro_browser: Browser
) -> None:
    hr = sro_browser("hr.alvarez")
    before = html.unescape(hr.get("/selections/1/overview").text)
    assert "HR must change the panel" not in before
    chen_declares_a_conflict_with_reyes(sro_settings)
    page = html.unescape(hr.get("/selections/1/overview").text)
    row = page.split("Reyes")[1].split("</tr>")[0]
    assert BLOCKED in row
    # She will not submit: the page does not wait on her.
    assert "waiting on Ann O'Brien, Robert Douglas" in row
    assert page.count("HR must change the panel") == 1  # the other candidates are unaffected


def test_the_chief_sees_why_the_interview_cannot_complete(
    sro_settings: Settings, sro_browser: Browser
) -> None:
    reyes = chen_declares_a_conflict_with_reyes(sro_settings)
    page = sro_browser("chief.walsh").get("/selections/1/decisions").text
    assert "pending (0 of 3 scorecards submitted)" in section(page, reyes)
    assert BLOCKED in section(page, reyes)
    whitfield = candidate_id(sro_settings, "MPD-1042")
    assert "HR must change the panel" not in section(page, whitfield)


def test_an_alternate_who_takes_the_seat_leaves_nothing_to_change(
    sro_settings: Settings, sro_browser: Browser
) -> None:
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        users.add_user(
            session=session,
            workflows_dir=sro_settings.workflows_dir,
            name="rep.ng",
            roles=["school_rep"],
            full_name="Kim Ng",
            title="Counselor, Milford High School",
            actor=as_user("hr.alvarez"),
        )
        panel.assign_panel(
            session=session,
            selection_id=1,
            seats=SEATS,
            alternates=[("school_rep", "rep.ng")],
            actor=as_user("hr.alvarez"),
        )
    engine.dispose()
    reyes = chen_declares_a_conflict_with_reyes(sro_settings)
    overview = html.unescape(sro_browser("hr.alvarez").get("/selections/1/overview").text)
    decisions = sro_browser("chief.walsh").get("/selections/1/decisions").text
    assert "HR must change the panel" not in overview
    assert "HR must change the panel" not in section(decisions, reyes)
