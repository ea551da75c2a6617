"""The portal's selection pickers offer only the open selections: a closed one leaves them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services import selections
from qualify.store import db
from tests.helpers.actors import as_user
from tests.web.conftest import sign_in

TODAY = datetime.now(ZoneInfo("America/New_York")).date()


def test_the_portal_offers_only_the_open_selections(
    web_settings: Settings, client: TestClient
) -> None:
    engine = db.make_engine(web_settings.database_url)
    with Session(engine) as session:
        for title in ("SRO 2027", "SRO 2O27"):
            selections.open_selection(
                session=session,
                settings=web_settings,
                title=title,
                workflow="sro-selection",
                as_of=TODAY,
                actor=as_user("hr.alvarez"),
            )
        sign_in(client, "hr.alvarez")
        assert "SRO 2O27" in client.get("/overview").text  # two open: a list to choose from
        selections.close_selection(
            session=session, selection_id=2, reason="Mistyped", actor=as_user("hr.alvarez")
        )
    engine.dispose()
    one = client.get("/overview")  # one open: straight to it
    assert (one.status_code, one.headers["location"]) == (303, "/selections/1/overview")
