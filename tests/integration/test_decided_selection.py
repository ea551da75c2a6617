"""Once the Chief has decided in a selection, its ranking is the eligible list that letters and
recalls cite: no candidate joins it afterwards, by hand or by import."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from qualify.errors import QualifyError, RuleViolation
from qualify.services.advance import advance
from qualify.services.candidates import add_candidate, import_roster
from qualify.services.results import results
from qualify.store import audit
from qualify.store.tables import Candidate
from tests.helpers.actors import as_user
from tests.helpers.builders import HR, Sample, an_officer, interviewed, recalled

LATE = {
    "employee_id": "MPD-2008",
    "first_name": "Sam",
    "last_name": "Late",
    "rank": "Officer",
    "unit": "Patrol A",
    "supervisor": "sgt.moreau",
    "email": "",
}


def _count(session: Session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(Candidate)).one()


def _ranks(sample: Sample) -> dict[str, int | None]:
    shown = results(session=sample.session, selection_id=sample.selection_id, actor=as_user(HR))
    names = {cid: employee for employee, cid in sample.ids.items()}
    return {names[r["candidate_id"]]: r.get("rank") for r in shown["candidates"]}


def _add(sample: Sample) -> Candidate:
    return add_candidate(
        session=sample.session,
        selection_id=sample.selection_id,
        values=dict(LATE),
        actor=as_user(HR),
        now=sample.clock.tick(),
    )


def test_after_the_decisions_and_a_recall_no_candidate_is_added_and_the_ranks_stay(
    sample: Sample, tmp_path: Path
) -> None:
    recalled(sample)
    before, ranks = _count(sample.session), _ranks(sample)
    assert ranks["MPD-1077"] == 2  # Reyes: "ranked 2" on his notice and his recall packet
    with pytest.raises(RuleViolation) as refused:
        _add(sample)
    said = str(refused.value)
    assert said.startswith("cannot add candidates to selection 1: it has been decided; on ")
    assert (
        ' Michael Walsh (Chief of Police) recorded "Select the officer as School Resource '
        'Officer" for Dana Whitfield, so'
    ) in said
    assert "its ranking is the eligible list the letters cite" in said
    assert said.endswith("open a new selection for more candidates")
    roster = tmp_path / "late.csv"
    roster.write_text(
        "employee_id,name,rank,unit,supervisor,email\n"
        "MPD-2008,Sam Late,Officer,Patrol A,sgt.moreau,sl@milford.example\n"
    )
    with pytest.raises(RuleViolation, match="^cannot import candidates into selection 1: it has"):
        import_roster(
            session=sample.session,
            selection_id=sample.selection_id,
            path=roster,
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
    assert _count(sample.session) == before
    assert _ranks(sample) == ranks


def test_a_not_select_alone_decides_the_selection_but_before_it_candidates_join(
    sample: Sample,
) -> None:
    """The notice of non-selection states the officer's rank on the list, so the first decision
    of any kind fixes it; until then HR may still add an officer (the decision then waits for
    him, here until he withdraws)."""
    interviewed(sample)
    an_officer(sample, "MPD-2007", "Kim", "Early")
    advance(
        session=sample.session,
        candidate_id=sample.ids["MPD-2007"],
        trigger="withdraw",
        actor=as_user(HR),
        reason="Took a post in another unit.",
        now=sample.clock.tick(),
    )
    advance(
        session=sample.session,
        candidate_id=sample.ids["MPD-1077"],
        trigger="not_select",
        actor=as_user("chief.walsh"),
        reason="Ranked second.",
        notice="You have not been selected.",
        now=sample.clock.tick(),
    )
    with pytest.raises(RuleViolation, match=r'"Do not select the officer" for Luis Reyes, so '):
        _add(sample)


def test_a_first_decision_and_an_added_candidate_at_the_same_moment_take_turns(
    sample: Sample, engine_for: Callable[[str], Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Chief's first decision (a not_select, which takes no position) and HR adding an
    officer, in two real transactions: the add waits for the decision and is then refused, so
    no officer joins a list whose notices already state ranks."""
    interviewed(sample)
    selection_id, reyes = sample.selection_id, sample.ids["MPD-1077"]
    before = _count(sample.session)
    sample.session.rollback()  # release SQLite's write lock before the two start
    decided_at, added_at = sample.clock.tick(), sample.clock.tick()
    in_window, added = threading.Event(), threading.Event()
    record = audit.record

    def paused(session: Session, **given: Any) -> Any:
        # The decision has checked and written, and not committed: the add comes now.
        if given["action"] == "state_changed" and not in_window.is_set():
            in_window.set()
            added.wait(2.0)
        return record(session, **given)

    monkeypatch.setattr(audit, "record", paused)
    outcomes: dict[str, str] = {}

    def act(name: str, run: Callable[[Session], object]) -> None:
        try:
            with Session(engine_for(sample.settings.database_url)) as session:
                run(session)
            outcomes[name] = "ok"
        except QualifyError as exc:
            outcomes[name] = str(exc)
        finally:
            if name == "add":
                added.set()

    decide = threading.Thread(
        target=act,
        args=(
            "decide",
            lambda s: advance(
                session=s,
                candidate_id=reyes,
                trigger="not_select",
                actor=as_user("chief.walsh"),
                reason="Ranked second.",
                notice="You have not been selected.",
                now=decided_at,
            ),
        ),
    )
    decide.start()
    assert in_window.wait(60), outcomes
    add = threading.Thread(
        target=act,
        args=(
            "add",
            lambda s: add_candidate(
                session=s,
                selection_id=selection_id,
                values=dict(LATE),
                actor=as_user(HR),
                now=added_at,
            ),
        ),
    )
    add.start()
    decide.join(60)
    add.join(60)
    assert outcomes["decide"] == "ok", outcomes
    assert outcomes["add"].startswith(
        "cannot add candidates to selection 1: it has been decided; on "
    ), outcomes
    assert _count(sample.session) == before
