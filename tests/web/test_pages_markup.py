"""What every page owes a person: escaped candidate text, and a label for every input."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services.candidate_edit import edit_candidate
from qualify.services.panel import assign_panel
from qualify.services.users import add_user
from qualify.store import db
from tests.helpers.actors import as_user
from tests.helpers.markup import undescribed, ungrouped_radios, unlabelled
from tests.web.conftest import candidate_id, csrf_of

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def test_every_input_of_every_page_has_a_label(
    sro_browser: Callable[[str], TestClient], sro_settings: Settings
) -> None:
    chen = sro_browser("rep.chen")
    cid = candidate_id(sro_settings, "MPD-1042")
    anonymous = TestClient(chen.app, base_url="http://127.0.0.1:8000")
    pages = {
        "login": anonymous.get("/login").text,
        "declaration": chen.get(f"/interviews/{cid}").text,
    }
    token = csrf_of(pages["declaration"])
    chen.post(f"/interviews/{cid}/declare", data={"csrf_token": token, "declaration": "none"})
    pages["kit"] = chen.get(f"/interviews/{cid}").text
    pages["list"] = chen.get("/interviews").text
    for name, page in pages.items():
        assert "<input" in page or name == "list"
        assert unlabelled(page) == [], name
        assert ungrouped_radios(page) == [], name
        assert undescribed(page) == [], name


def test_candidate_text_shows_as_text_on_the_panelists_pages(
    sro_browser: Callable[[str], TestClient], sro_settings: Settings
) -> None:
    cid = candidate_id(sro_settings, "MPD-1042")
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        edit_candidate(
            session=session,
            candidate_id=cid,
            changes={"name": f"{HOSTILE[1]} {HOSTILE[0]}", "unit": HOSTILE[1]},
            reason="A test of escaping",
            actor=as_user("hr.alvarez"),
        )
    engine.dispose()
    chen = sro_browser("rep.chen")
    for page in (chen.get("/interviews").text, chen.get(f"/interviews/{cid}").text):
        for text in HOSTILE:
            assert text not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_glance_names_the_panelists_it_waits_on_by_full_name(
    sro_browser: Callable[[str], TestClient],
) -> None:
    html = sro_browser("hr.alvarez").get("/overview", follow_redirects=True).text
    assert "waiting on Ann O&#39;Brien, Dr. Helen Chen, Robert Douglas" in html
    assert "rep.chen" not in html


def test_the_kit_names_the_panelists_seat_as_the_workflow_does(
    sro_browser: Callable[[str], TestClient], sro_settings: Settings
) -> None:
    page = sro_browser("rep.chen").get(f"/interviews/{candidate_id(sro_settings, 'MPD-1042')}")
    assert "<dt>Your seat</dt><dd>Milford School System representative</dd>" in page.text


def test_the_panel_page_names_an_alternate_by_full_name(
    sro_browser: Callable[[str], TestClient], sro_settings: Settings
) -> None:
    engine = db.make_engine(sro_settings.database_url)
    with Session(engine) as session:
        add_user(
            session=session,
            workflows_dir=sro_settings.workflows_dir,
            name="rep.moss",
            roles=["school_rep"],
            actor=as_user("hr.alvarez"),
            full_name="Dana Moss",
            title="Counselor, Milford High School",
        )
        assign_panel(
            session=session,
            selection_id=1,
            seats=[
                ("commander", "cmdr.obrien"),
                ("school_rep", "rep.chen"),
                ("school_rep", "rep.douglas"),
            ],
            alternates=[("school_rep", "rep.moss")],
            reason="An alternate in case a representative cannot score.",
            actor=as_user("hr.alvarez"),
        )
    engine.dispose()
    page = sro_browser("hr.alvarez").get("/selections/1/panel").text
    assert '<p class="hint" id="alternate-school_rep-1">Alternate: Dana Moss</p>' in page
    assert undescribed(page) == []  # the seat's fieldset names its alternate
