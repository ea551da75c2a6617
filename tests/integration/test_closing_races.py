"""Closing a selection at the same moment a candidate is added to it or its panel is assigned,
in two real transactions on SQLite and PostgreSQL: the one that comes second waits for the first
and then sees it, so neither a candidate nor a panel lands in a closed selection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.errors import QualifyError
from qualify.services import candidates, panel, selections
from qualify.store import audit
from qualify.store.closed import closed_selections
from qualify.store.integrity import verify
from qualify.store.tables import Candidate, PanelSeat
from tests.helpers.actors import as_user
from tests.helpers.builders import some_users

TODAY = datetime.now(ZoneInfo("America/New_York")).date()
# How long the first transaction stays open once in its window (checked, not yet committed)
# unless the second has finished first: the second, unlocked, finishes well within it.
WINDOW_SECONDS = 2.0


def _close(session: Session, _tmp: Path) -> None:
    selections.close_selection(
        session=session, selection_id=1, reason="Opened twice", actor=as_user("hr1")
    )


def _add(session: Session, _tmp: Path) -> None:
    candidates.add_candidate(
        session=session,
        selection_id=1,
        values={"employee_id": "E1", "name": "Ann Lee"},
        actor=as_user("hr1"),
    )


def _import(session: Session, tmp: Path) -> None:
    roster = tmp / "roster.csv"
    roster.write_text("employee_id,name\nE1,Ann Lee\nE2,Bo Diaz\n")
    candidates.import_roster(session=session, selection_id=1, path=roster, actor=as_user("hr1"))


def _assign(session: Session, _tmp: Path) -> None:
    panel.assign_panel(
        session=session,
        selection_id=1,
        seats=[("commander", "cmd1"), ("school_rep", "rep1"), ("school_rep", "rep2")],
        actor=as_user("hr1"),
    )


DOING = {"close": (_close, "selection_closed"), "add": (_add, "candidate_added")}
DOING["import"] = (_import, "candidates_imported")
DOING["panel"] = (_assign, "panel_assigned")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("close", "add"),
        ("close", "import"),
        ("add", "close"),
        ("close", "panel"),
        ("panel", "close"),
    ],
)
def test_closing_and_adding_at_the_same_moment_never_leave_a_candidate_or_panel_in_a_closed_one(
    settings: Settings,
    engine_for: Callable[[str], Engine],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    first: str,
    second: str,
) -> None:
    engines = [engine_for(settings.database_url) for _ in range(3)]
    with Session(engines[0]) as session:
        some_users(
            session,
            settings,
            {"hr1": "hr", "cmd1": "commander", "rep1": "school_rep", "rep2": "school_rep"},
        )
        selections.open_selection(
            session=session,
            settings=settings,
            title="SRO 2027",
            workflow="sro-selection",
            as_of=TODAY,
            actor=as_user("hr1"),
        )
    run_first, window_action = DOING[first]
    run_second, _ = DOING[second]
    in_window, second_done = threading.Event(), threading.Event()
    record = audit.record

    def paused(session: Session, **given: Any) -> Any:
        # The first has checked and written, and not committed: the second comes now.
        if given["action"] == window_action and not in_window.is_set():
            in_window.set()
            second_done.wait(WINDOW_SECONDS)
        return record(session, **given)

    monkeypatch.setattr(audit, "record", paused)
    outcomes: dict[str, str] = {}

    def act(name: str, run: Callable[[Session, Path], None], engine: Engine) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                run(session, tmp_path)
            outcomes[name] = "ok"
        except QualifyError as exc:
            outcomes[name] = f"{type(exc).__name__}: {exc}"
        finally:
            if name == second:
                second_done.set()

    one = threading.Thread(target=act, args=(first, run_first, engines[1]))
    one.start()
    assert in_window.wait(60), outcomes
    two = threading.Thread(target=act, args=(second, run_second, engines[2]))
    two.start()
    one.join(60)
    two.join(60)
    assert outcomes[first] == "ok", outcomes
    if first == "close":
        assert outcomes[second] == (
            f"RuleViolation: selection 1 was closed on {TODAY} by hr1 (Opened twice): "
            "nothing more is done in it"
        )
    elif first == "panel":
        assert outcomes[second] == "ok", outcomes
    else:
        assert outcomes[second].startswith(
            "RuleViolation: selection 1 holds 1 candidate still in the running ("
        )
    with Session(engines[0]) as session:
        held = session.exec(select(Candidate.employee_id)).all()
        closed = closed_selections(session)
        seated = session.exec(select(PanelSeat.panelist)).all()
        added = "panel" not in (first, second) and first != "close"
        assert (bool(held), 1 in closed) == (added, first == "close" or first == "panel")
        assert bool(seated) == (first == "panel"), seated
        assert verify(session).ok
