"""HR takes out an officer added by mistake on the screening queue: the same service as
`qualify candidate remove`, no letter, the reason required; offered only to HR and only for an
officer nothing was done with yet."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from qualify.config import Settings
from qualify.services.candidates import add_candidate
from qualify.store import db
from qualify.store.tables import Candidate
from tests.helpers.actors import as_user
from tests.web.conftest import csrf_of, events, refusal

pytestmark = pytest.mark.slow  # the sample selection's portal (about 3 s)

SCREENING = "/selections/1/screening"
SUMMARY = "<summary>Take out: entered by mistake</summary>"


def _added_by_mistake(settings: Settings) -> int:
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            added = add_candidate(
                session=session,
                selection_id=1,
                values={
                    "employee_id": "MPD-1300",
                    "first_name": "Ben",
                    "last_name": "Ortiz",
                    "rank": "Officer",
                    "unit": "Patrol A",
                    "supervisor": "",
                    "email": "",
                },
                actor=as_user("hr.alvarez"),
            )
            assert added.id is not None
            return added.id
    finally:
        engine.dispose()


def _state(settings: Settings, candidate_id: int) -> str:
    engine = db.make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            found = session.get(Candidate, candidate_id)
            assert found is not None
            return found.state
    finally:
        engine.dispose()


def test_hr_takes_out_an_officer_added_by_mistake_with_a_reason_and_no_letter(
    sro_settings: Settings, sro_browser: Callable[[str], TestClient]
) -> None:
    ortiz = _added_by_mistake(sro_settings)
    hr = sro_browser("hr.alvarez")
    page = hr.get(SCREENING).text
    # Offered under Ortiz alone: the sample's officers have evidence on file and decisions.
    assert page.count(SUMMARY) == 1
    assert f'action="/candidates/{ortiz}/remove"' in page
    # A commander may withdraw an officer, but taking one out is HR's (manage_candidates).
    commander = sro_browser("cmdr.obrien")
    assert SUMMARY not in commander.get(SCREENING).text
    assert (
        commander.post(
            f"/candidates/{ortiz}/remove",
            data={"csrf_token": csrf_of(commander.get(SCREENING).text), "reason": "x"},
        ).status_code
        == 403
    )

    csrf = csrf_of(page)
    blank = hr.post(
        f"/candidates/{ortiz}/remove",
        data={"csrf_token": csrf, "reason": "  ", "back": SCREENING},
    )
    assert blank.status_code == 400
    assert "say why the candidate is taken out; it is kept in the audit log" in blank.text
    assert f'id="reason-{ortiz}-entered_by_mistake" name="reason" required aria-invalid="true"' in (
        blank.text
    )
    assert _state(sro_settings, ortiz) == "nominated"

    done = hr.post(
        f"/candidates/{ortiz}/remove",
        data={"csrf_token": csrf, "reason": "Added to the wrong selection", "back": SCREENING},
    )
    assert done.status_code == 303
    assert done.headers["location"] == (
        f"{SCREENING}?done=entered_by_mistake&candidate={ortiz}#c{ortiz}"
    )
    after = hr.get(done.headers["location"]).text
    assert (
        "Recorded: the candidate taken out as entered by mistake (withdrawn, no letter). The "
        "candidate is no longer listed on this page." in after
    )
    assert _state(sro_settings, ortiz) == "withdrawn"
    (event,) = [e for e in events(sro_settings, "state_changed") if e.candidate_id == ortiz]
    details = json.loads(event.details)
    assert (event.actor, event.channel) == ("hr.alvarez", "web")
    assert (details["reason"], details["entered_by_mistake"]) == (
        "Added to the wrong selection",
        True,
    )
    assert "packets" not in details
    records = Path(sro_settings.records_dir)
    assert not [p for p in records.rglob("*.pdf") if re.search(r"withdr", p.name)]

    # Sent again (Back, a reload): refused on the page in plain words, nothing changes.
    again = hr.post(
        f"/candidates/{ortiz}/remove",
        data={"csrf_token": csrf, "reason": "Added to the wrong selection", "back": SCREENING},
    )
    assert again.status_code == 409
    assert refusal(again.text).startswith("Ben Ortiz (candidate")
