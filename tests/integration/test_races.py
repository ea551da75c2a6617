"""Several people at the same moment, in real processes, on SQLite and PostgreSQL: no false
conflicts, exactly one winner where there can be one, the losers told in the same words as one
after the other, and an audit log that verifies."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from qualify.config import Settings
from qualify.services.scenario import Scenario, candidate_ids
from qualify.store.integrity import verify
from qualify.store.tables import Candidate, ConflictDeclaration, Selection
from tests.conftest import PROJECT, Result
from tests.helpers.builders import (
    CRITERIA,
    PANEL,
    Sample,
    a_past_selection,
    declared,
    scorecard,
    with_panel,
)
from tests.helpers.processes import wait_until_ready

RACER = [sys.executable, "-m", "tests.helpers.racer"]


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def race(url: str, start: Path, commands: list[list[str]]) -> list[Outcome]:
    """Run each `qualify --db URL ARGS` in its own process, all released at the same moment."""
    start.unlink(missing_ok=True)
    racers = [
        subprocess.Popen(
            [*RACER, str(start), "--db", url, *args],
            cwd=PROJECT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for args in commands
    ]
    for racer in racers:
        wait_until_ready(racer)
    start.touch()
    outcomes = []
    for racer in racers:
        out, err = racer.communicate(timeout=300)
        outcomes.append(Outcome(racer.returncode, out.decode(), err.decode()))
    return outcomes


def _ids(session: Session, selection: Selection) -> list[int]:
    ids = sorted(candidate_ids(session, selection.id or 0).values())
    session.rollback()  # release SQLite's write lock before the racers start
    return ids


@pytest.mark.slow
def test_advancing_different_candidates_at_once_all_win_and_one_candidate_has_one_winner(
    session: Session, settings: Settings, sro: tuple[Scenario, Selection], tmp_path: Path
) -> None:
    _, selection = sro
    ids = _ids(session, selection)
    many, single = ids[:5], ids[5]
    url, start = settings.database_url, tmp_path / "go"
    for trigger, extra in (("begin_screening", []), ("withdraw", ["--reason", "moved away"])):
        different = race(
            url, start, [["--as", "hr.alvarez", "advance", str(c), trigger, *extra] for c in many]
        )
        assert [o.code for o in different] == [0] * len(many), [o.err for o in different]
        same = race(
            url, start, [["--as", "hr.alvarez", "advance", str(single), trigger, *extra]] * 5
        )
        assert sorted(o.code for o in same) == [0, 1, 1, 1, 1], [o.err for o in same]
        for loser in (o for o in same if o.code):
            assert loser.err.count("\n") == 1, loser.err
            # Lost the race on the row, or came after the winner and found the officer moved on
            # (the refusal names the step by its label, the officer by name).
            assert (
                f"candidate {single} was changed by someone else; nothing was saved" in loser.err
                or re.search(
                    r'^error: cannot "[^"]+" for [^:]+: .+ is at .+ now; from there', loser.err
                )
            ), loser.err
    states = dict(session.exec(select(Candidate.id, Candidate.state)).all())
    assert [states[c] for c in [*many, single]] == ["withdrawn"] * 6
    assert verify(session).ok


@pytest.mark.slow
def test_a_declared_conflict_is_never_overridden_by_a_no_conflict_made_at_the_same_moment(
    session: Session, settings: Settings, sample: Sample, tmp_path: Path
) -> None:
    ids = with_panel(sample).ids  # panel seated, four in interview, nobody declared
    session.rollback()
    rounds = [
        (ids[employee], panelist)
        for employee in ("MPD-1042", "MPD-1077", "MPD-1103")
        for panelist in ("cmdr.obrien", "rep.chen", "rep.douglas")
    ]
    for candidate, panelist in rounds:
        declare = ["--as", panelist, "declare", str(candidate)]
        conflict, plain = race(
            settings.database_url,
            tmp_path / "go",
            [[*declare, "--conflict", "my cousin"], declare],
        )
        assert conflict.code == 0, conflict.err
        # The plain declaration either came first, or saw the conflict and was refused.
        assert plain.code == 0 or "declared a conflict" in plain.err, plain.err
        standing = session.exec(
            select(ConflictDeclaration.conflict)
            .where(
                ConflictDeclaration.candidate_id == candidate,
                ConflictDeclaration.panelist == panelist,
            )
            .order_by(col(ConflictDeclaration.id).desc())
        ).first()
        session.rollback()  # (SQLite: release the write lock before the next round)
        assert standing == "my cousin", (candidate, panelist)
    result = verify(session)
    assert result.ok, result.problem


@pytest.mark.slow
def test_adding_the_same_user_or_candidate_at_once_tells_the_losers_it_already_exists(
    cli: Callable[..., Result],
    session: Session,
    settings: Settings,
    sro: tuple[Scenario, Selection],
    tmp_path: Path,
) -> None:
    session.rollback()
    url, start = settings.database_url, tmp_path / "go"
    roster = tmp_path / "late.csv"
    roster.write_text(
        "employee_id,name,rank,unit,supervisor,email\n"
        "MPD-2001,Ann Late,Officer,Patrol A,sgt.moreau,al@milford.example\n"
        "MPD-2002,Bo Later,Officer,Patrol B,sgt.moreau,bl@milford.example\n"
    )
    for name in ("hr.new1", "hr.new2", "hr.new3"):
        users = race(
            url,
            start,
            [
                [
                    "--as",
                    "hr.alvarez",
                    "user",
                    "add",
                    name,
                    "--role",
                    "hr",
                    "--full-name",
                    name,
                    "--title",
                    "hr",
                ]
            ]
            * 4,
        )
        assert sorted(o.code for o in users) == [0, 2, 2, 2], [o.err for o in users]
        for loser in (o for o in users if o.code):
            assert loser.err == f"error: user '{name}' already exists\n"
    for employee in ("MPD-3001", "MPD-3002"):
        add = ["--as", "hr.alvarez", "candidate", "add", "--selection", "1"]
        added = race(url, start, [[*add, "--employee-id", employee, "--name", "Kim Race"]] * 4)
        assert sorted(o.code for o in added) == [0, 2, 2, 2], [o.err for o in added]
        sequential = cli(
            "--db",
            url,
            "--as",
            "hr.alvarez",
            *add[2:],
            "--employee-id",
            employee,
            "--name",
            "Kim Race",
        )
        assert sequential.stderr.startswith(
            f"error: --employee-id: {employee} is already candidate "
        )
        assert all(o.err == sequential.stderr for o in added if o.code)
    imported = race(
        url,
        start,
        [["--as", "hr.alvarez", "candidate", "import", str(roster), "--selection", "1"]] * 3,
    )
    assert sorted(o.code for o in imported) == [0, 2, 2], [o.err for o in imported]
    sequential = cli(
        "--db", url, "--as", "hr.alvarez", "candidate", "import", str(roster), "--selection", "1"
    )
    assert sequential.exit_code == 2
    assert all(o.err == sequential.stderr for o in imported if o.code)
    assert "Traceback" not in "".join(o.err for o in imported)
    assert verify(session).ok


@pytest.mark.slow
def test_panelists_submitting_on_one_candidate_at_the_same_moment_all_succeed(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    from qualify.store.tables import Scorecard

    # Every declaration made, nothing scored; last year, so the interview is held by now.
    sample = declared(a_past_selection(session, settings))
    candidate = sample.ids["MPD-1042"]
    fours = dict.fromkeys(CRITERIA, "4")
    for panelist in PANEL:
        scorecard(sample, panelist, "MPD-1042", fours, submit=False)
    session.rollback()
    outcomes = race(
        settings.database_url,
        tmp_path / "go",
        [["--as", p, "score", str(candidate), "--submit"] for p in PANEL],
    )
    assert [o.code for o in outcomes] == [0, 0, 0], [o.err for o in outcomes]
    cards = session.exec(select(Scorecard).where(Scorecard.candidate_id == candidate)).all()
    assert sorted((c.panelist, c.status, c.version) for c in cards) == [
        (p, "submitted", 1) for p in PANEL
    ]
    result = verify(session)  # the stored result counts all three
    assert result.ok, result.problems
