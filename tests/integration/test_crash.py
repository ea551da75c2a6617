"""Killed at any moment: no packet for a change the database never made, and every packet a
recorded change is owed can be written afterwards."""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.packets.files import owed
from qualify.services.scenario import Scenario, candidate_ids
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, Selection
from tests.conftest import PROJECT, Result
from tests.helpers.builders import Sample, screened
from tests.helpers.processes import wait_until_ready

WORKER = [sys.executable, "-m", "tests.helpers.workers"]
PACKET = re.compile(r"selection-(\d+)_candidate-(\d+)_(.+)_event-(\d+)(?:_[a-z_-]+-copy)?\.pdf")


def _phantoms(session: Session, records: Path) -> list[str]:
    """Packet files that cite no committed state change of their candidate into their stage."""
    changes = {
        e.id: (e.candidate_id, json.loads(e.details)["to"])
        for e in session.exec(select(AuditEvent).where(AuditEvent.action == "state_changed"))
    }
    session.rollback()
    found = []
    for pdf in records.glob("*.pdf"):
        match = PACKET.fullmatch(pdf.name)
        assert match, pdf.name
        candidate, rest, event = int(match[2]), match[3], int(match[4])
        cited = changes.get(event)
        if cited is None or cited[0] != candidate or not rest.startswith(cited[1] + "_"):
            found.append(pdf.name)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_killed_writers_leave_no_phantom_packet_and_repair_writes_what_is_owed(
    cli: Callable[..., Result],
    session: Session,
    settings: Settings,
    sro: tuple[Scenario, Selection],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, selection = sro
    ids = candidate_ids(session, selection.id or 0)
    targets = [ids["MPD-1042"], ids["MPD-1103"]]
    session.rollback()
    records = tmp_path / "records"
    rng = random.Random(11)
    # Kill 14 workers at random moments; go on (at most 10 more) until a kill leaves packets
    # owed, so that the repair below has work to do.
    kills, owed_after_kill = 0, 0
    while kills < 14 or (not owed(session, records) and kills < 24):
        session.rollback()
        worker = subprocess.Popen(
            [*WORKER, "loop", settings.database_url, ",".join(map(str, targets)), str(records)],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        wait_until_ready(worker)
        time.sleep(rng.uniform(0.05, 2.5))
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        kills += 1
        assert _phantoms(session, records) == []
        owed_after_kill += bool(owed(session, records))
    # The kills landed between a change's commit and its packets often enough to test repair.
    assert owed_after_kill >= 2, f"only {owed_after_kill} of {kills} kills left packets owed"
    # What the next worker's own advance did not repair (it repairs its candidate's packets)
    # is still owed now: the repair writes exactly that and removes what killed writers left.
    missing = sum(len(templates) for _, templates in owed(session, records))
    leftovers = len(list(records.glob(".*.tmp")))
    session.rollback()
    assert missing > 0

    monkeypatch.setenv("QUALIFY_RECORDS", str(records))
    repaired = cli("--db", settings.database_url, "--as", "hr.alvarez", "packet", "--repair")
    assert repaired.exit_code == 0, repaired.stderr
    assert repaired.stdout.count("wrote ") == missing
    assert repaired.stdout.count("removed leftover ") == leftovers
    assert owed(session, records) == []
    assert list(records.glob(".*")) == []
    assert _phantoms(session, records) == []
    assert verify(session).ok
    session.rollback()
    again = cli("--db", settings.database_url, "--as", "hr.alvarez", "packet", "--repair")
    assert again.stdout.splitlines()[0] == f"no packet is owed; records folder {records}"


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_killing_a_parallel_packet_run_leaves_no_worker_behind(
    session: Session, settings: Settings, sample: Sample, tmp_path: Path
) -> None:
    from tests.helpers.processes import alive, descendants

    screened(sample)  # 12 packets to print
    session.close()
    rng = random.Random(5)
    command = [sys.executable, "-m", "qualify", "--db", settings.database_url, "--as"]
    for run in range(5):
        main = subprocess.Popen(
            [
                *command,
                "hr.alvarez",
                "packet",
                "--selection",
                "1",
                "--jobs",
                "2",
                "-o",
                str(tmp_path / f"o{run}"),
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until both workers run (below the fork server), then a little more.
        deadline = time.monotonic() + 120
        while len(below := descendants(main.pid)) < 4 and time.monotonic() < deadline:
            assert main.poll() is None, "the packet run ended before its workers started"
            time.sleep(0.05)
        assert len(below) >= 4, f"workers never started: {below}"
        time.sleep(rng.uniform(0, 1.5))
        below |= descendants(main.pid)
        main.kill()
        main.wait()
        deadline = time.monotonic() + 20
        while alive(below) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(below) == set(), f"run {run}: processes left alive after the kill"
