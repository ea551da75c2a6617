"""The Chief's decisions page says who and how in words: a tie on total names the officer it was
broken against and the rule by what it compares (the words `qualify results` prints), and a
corrected scorecard names the panelist who corrected it."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services import panel, scorecards
from qualify.services.results import results
from qualify.store import db
from tests.helpers.actors import as_user
from tests.helpers.builders import AFTER_INTERVIEWS, CRITERIA, PANEL
from tests.web.conftest import candidate_id

Browser = Callable[[str], TestClient]
NOTE = "tied with Luis Reyes on total; ranked above them by lower employee id"


def test_the_chief_reads_whom_a_tie_was_broken_against_and_how(
    sro_settings: Settings, sro_browser: Browser
) -> None:
    whitfield = candidate_id(sro_settings, "MPD-1042")
    reyes = candidate_id(sro_settings, "MPD-1077")
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        at = AFTER_INTERVIEWS
        for cid in (whitfield, reyes):  # 4 on every criterion from every panelist: a tie
            for who in PANEL:
                at += timedelta(minutes=1)
                panel.declare(session=session, candidate_id=cid, actor=as_user(who), now=at)
                scorecards.score(
                    session=session,
                    candidate_id=cid,
                    actor=as_user(who),
                    scores=dict.fromkeys(CRITERIA, "4"),
                    comments={},
                    submit=True,
                    now=at,
                )
        listed = results(session=session, selection_id=1, actor=as_user("chief.walsh"))
    engine.dispose()
    shown = {r["candidate_id"]: r for r in listed["candidates"]}
    assert shown[whitfield]["tie_break"] == NOTE
    page = html.unescape(sro_browser("chief.walsh").get("/selections/1/decisions").text)
    mine = page.split(f'id="c{whitfield}"')[1].split("</section>")[0]
    assert f'<p class="hint">{NOTE}</p>' in mine


def test_the_chief_reads_who_corrected_a_scorecard_by_name(
    sro_settings: Settings, sro_browser: Browser
) -> None:
    whitfield = candidate_id(sro_settings, "MPD-1042")
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        at = AFTER_INTERVIEWS
        for who in PANEL:
            at += timedelta(minutes=1)
            panel.declare(session=session, candidate_id=whitfield, actor=as_user(who), now=at)
            scorecards.score(
                session=session,
                candidate_id=whitfield,
                actor=as_user(who),
                scores=dict.fromkeys(CRITERIA, "4"),
                comments={},
                submit=True,
                now=at,
            )
        scorecards.score(
            session=session,
            candidate_id=whitfield,
            actor=as_user("rep.chen"),
            scores={"liaison": "3"},
            comments={},
            submit=True,
            reason="typed 4 for 3",
            now=at + timedelta(minutes=5),
        )
    engine.dispose()
    page = html.unescape(sro_browser("chief.walsh").get("/selections/1/decisions").text)
    mine = page.split(f'id="c{whitfield}"')[1].split("</section>")[0]
    # Who by name; what the correction changed, by the criterion's label, old score to new.
    assert (
        "corrected by Dr. Helen Chen: Liaison and communication with schools, families and "
        "agencies 4 → 3; reason: typed 4 for 3</p>"
    ) in mine
    assert "rep.chen" not in mine
