"""Several people at once, and crashes mid-write: nothing lost, nothing doubled, chain intact."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.services.scenario import Scenario, candidate_ids
from qualify.store.integrity import replayed_states, verify
from qualify.store.tables import AuditEvent, Candidate, Selection
from tests.conftest import PROJECT
from tests.helpers.builders import (
    CRITERIA,
    INTERVIEWED,
    a_past_selection,
    declared,
    scorecard,
)
from tests.helpers.processes import wait_until_ready

WORKER = [sys.executable, "-m", "tests.helpers.workers"]


def _ids(session: Session, selection: Selection, *employees: str) -> list[int]:
    ids = candidate_ids(session, selection.id or 0)
    session.rollback()  # release SQLite's write lock before the workers start
    return [ids[e] for e in employees]


@pytest.mark.parametrize("processes", [2, 8])
def test_parallel_processes_never_lose_or_double_a_change(
    session: Session,
    settings: Settings,
    sro: tuple[Scenario, Selection],
    processes: int,
) -> None:
    _, selection = sro
    targets = _ids(session, selection, "MPD-1042", "MPD-1077", "MPD-1181")
    operations = 120 // processes
    workers = [
        subprocess.Popen(
            [
                *WORKER,
                "run",
                settings.database_url,
                ",".join(map(str, targets)),
                str(operations),
                str(seed),
            ],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(processes)
    ]
    successes = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        successes += [json.loads(line) for line in out.splitlines()]
    assert successes, "no advance succeeded: the test exercised nothing"

    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "state_changed").order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    # Every success the workers saw is exactly one event, and every event is a success seen.
    assert Counter(e.id for e in events) == Counter(event_id for _, event_id, _ in successes)
    assert len({e.id for e in events}) == len(events)
    states = {c.id: c.state for c in session.exec(select(Candidate))}
    assert all(replayed_states(session)[c] == states[c] for c in targets)
    last_seen = {}
    for candidate, _event_id, to_state in sorted(successes, key=lambda s: s[1]):
        last_seen[candidate] = to_state
    assert all(states[c] == s for c, s in last_seen.items())
    result = verify(session)
    assert result.ok, result.problem
    assert result.count == len(session.exec(select(AuditEvent)).all())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_killing_a_writer_at_random_moments_leaves_consistent_records(
    session: Session, settings: Settings, sro: tuple[Scenario, Selection]
) -> None:
    _, selection = sro
    targets = _ids(session, selection, "MPD-1042", "MPD-1103", "MPD-1199")
    rng = random.Random(7)
    total_lines = 0
    for _ in range(12):
        worker = subprocess.Popen(
            [*WORKER, "loop", settings.database_url, ",".join(map(str, targets))],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        # Kill while it works, not while Python is still importing on a busy machine.
        wait_until_ready(worker)
        time.sleep(rng.uniform(0.2, 1.2))
        worker.send_signal(signal.SIGKILL)
        out, _ = worker.communicate()
        total_lines += len(out.splitlines())
        session.rollback()
        assert session.exec(text("PRAGMA integrity_check")).one()[0] == "ok"  # type: ignore[call-overload]
        result = verify(session)
        assert result.ok, result.problem
        session.rollback()
    assert total_lines > 12, "the worker barely advanced anything"


def test_two_submissions_of_one_scorecard_at_once_lock_it_exactly_once(
    session: Session, settings: Settings
) -> None:
    # Last year's selection: the workers submit on the real clock, after the interviews.
    sample = a_past_selection(session, settings)
    declared(sample)  # interviews scheduled, declarations made
    fours = dict.fromkeys(CRITERIA, "4")
    for employee in INTERVIEWED:
        scorecard(sample, "rep.chen", employee, fours, submit=False)
        candidate = sample.ids[employee]
        session.rollback()
        workers = [
            subprocess.Popen(
                [*WORKER, "submit", settings.database_url, str(candidate), "rep.chen"],
                cwd=PROJECT,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outcomes = sorted(w.communicate(timeout=120)[0].strip() for w in workers)
        assert outcomes[0] == "ok"
        assert outcomes[1].startswith("refused: ")
        assert "locked" in outcomes[1] or "changed by someone else" in outcomes[1]
        submitted = session.exec(
            select(AuditEvent).where(
                AuditEvent.candidate_id == candidate, AuditEvent.action == "scorecard_submitted"
            )
        ).all()
        session.rollback()
        assert len(submitted) == 1
