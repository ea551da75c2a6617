"""The selection fills `positions` (SRO: one): a second select or recall is refused while an
officer holds the position (selected, in training or appointed), naming who holds it; a removal
or withdrawal frees it. Two Chiefs selecting different officers at the same moment: one wins."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from qualify.config import Settings
from qualify.errors import RuleViolation
from qualify.services.advance import advance
from qualify.services.offers import firable
from qualify.store.integrity import verify
from qualify.store.lookups import get_selection
from qualify.store.tables import AuditEvent, Candidate
from tests.conftest import Result
from tests.helpers.actors import as_user
from tests.helpers.builders import Sample, interviewed, recalled, reported
from tests.helpers.selected import selected_db
from tests.integration.test_races import race

CHIEF = "chief.walsh"
HELD = (
    "the position is held by Dana Whitfield ({label}); "
    '"Remove from the position (infraction of policy, guideline, philosophy or school rule)" '
    'or "The officer withdraws" frees it'
)
SELECT = 'cannot "Select the officer as School Resource Officer" for Luis Reyes: '
RECALL = 'cannot "Recall Luis Reyes from the eligible list" for Luis Reyes: '


def _state(session: Session, candidate_id: int) -> str:
    session.expire_all()
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    return candidate.state


def _select(session: Session, candidate_id: int, reason: str | None = None) -> str:
    return advance(
        session=session,
        candidate_id=candidate_id,
        trigger="select",
        actor=as_user(CHIEF),
        reason=reason,
    ).to_state


def test_a_second_select_is_refused_naming_who_holds_the_position_until_it_is_freed(
    session: Session, sample: Sample
) -> None:
    ids = interviewed(sample).ids  # Whitfield (rank 1) and Reyes (rank 2) passed; all scored
    dana, reyes = ids["MPD-1042"], ids["MPD-1077"]
    assert _select(session, dana) == "selected"
    with pytest.raises(RuleViolation) as refused:
        _select(session, reyes, reason="A second officer, from an old page.")
    assert str(refused.value) == SELECT + HELD.format(label="Selected")
    assert _state(session, reyes) == "scored"
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert last is not None
    assert last.action == "advance_refused"
    # Withdrawing the selected officer frees the position.
    advance(
        session=session,
        candidate_id=dana,
        trigger="withdraw",
        actor=as_user(CHIEF),
        reason="Declined the assignment.",
        reason_code="candidate_request",
    )
    assert _select(session, reyes) == "selected"
    assert verify(session).ok


def test_the_page_offers_select_only_while_the_position_is_free(
    session: Session, sample: Sample
) -> None:
    ids = interviewed(sample).ids  # Whitfield and Reyes passed, Natarajan did not
    dana, reyes, priya = ids["MPD-1042"], ids["MPD-1077"], ids["MPD-1103"]
    selection = get_selection(session, sample.selection_id)

    def offered() -> dict[int, list[str]]:
        session.expire_all()
        candidates = [c for c in session.exec(select(Candidate)) if c.id in (dana, reyes, priya)]
        found = firable(session, selection=selection, candidates=candidates, actor=as_user(CHIEF))
        return {cid: [t.trigger for t in moves] for cid, moves in found.items()}

    before = offered()
    assert "select" in before[dana]
    assert "select" in before[reyes]
    assert "select" not in before[priya]  # she did not pass the interview: the guard refuses
    assert "not_select" in before[priya]
    _select(session, dana)
    after = offered()
    assert "select" not in after[reyes]
    assert "not_select" in after[reyes]


def test_the_demo_removal_frees_the_position_for_the_recall(
    session: Session, sample: Sample
) -> None:
    ids = reported(sample).ids  # Whitfield appointed; Reyes not selected, passed
    dana, reyes = ids["MPD-1042"], ids["MPD-1077"]
    recall = {
        "session": session,
        "candidate_id": reyes,
        "trigger": "recall",
        "actor": as_user(CHIEF),
        "reason": "The next on the list.",
    }
    with pytest.raises(RuleViolation) as refused:
        advance(**recall)  # type: ignore[arg-type]
    assert str(refused.value) == RECALL + HELD.format(label="Appointed School Resource Officer")
    recalled(sample)  # Whitfield removed, then Reyes recalled
    assert _state(session, dana) == "removed"
    assert _state(session, reyes) == "selected"


@pytest.fixture(scope="module")
def selected_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return selected_db(tmp_path_factory.mktemp("selected-template"))


def test_the_cli_refuses_a_second_select_with_exit_1(
    cli: Callable[..., Result], selected_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "q.db"
    shutil.copy(selected_template, path)
    url = f"sqlite:///{path}"
    refused = cli("--db", url, "--as", CHIEF, "advance", "2", "select", "--reason", "Old tab.")
    assert refused.exit_code == 1
    assert refused.stderr == "error: " + SELECT + HELD.format(label="Selected") + "\n"


@pytest.mark.slow
def test_two_selects_of_different_officers_at_the_same_moment_leave_one_selected(
    session: Session, settings: Settings, sample: Sample, tmp_path: Path
) -> None:
    ids = interviewed(sample).ids  # Whitfield and Reyes passed; all scored
    dana, reyes = ids["MPD-1042"], ids["MPD-1077"]
    session.rollback()  # release SQLite's write lock before the racers start
    outcomes = race(
        settings.database_url,
        tmp_path / "go",
        [
            ["--as", CHIEF, "advance", str(dana), "select"],
            ["--as", CHIEF, "advance", str(reyes), "select", "--reason", "Second tab."],
        ],
    )
    assert sorted(o.code for o in outcomes) == [0, 1], [o.err for o in outcomes]
    [loser] = [o for o in outcomes if o.code]
    assert loser.err.count("\n") == 1, loser.err
    assert "the position is held by" in loser.err, loser.err
    assert sorted([_state(session, dana), _state(session, reyes)]) == ["scored", "selected"]
    assert verify(session).ok
