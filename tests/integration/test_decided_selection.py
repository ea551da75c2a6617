"""Once the Chief has decided in a selection, its ranking is the eligible list that letters and
recalls cite: no candidate joins it afterwards, by hand or by import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from qualify.errors import RuleViolation
from qualify.services.advance import advance
from qualify.services.candidates import add_candidate, import_roster
from qualify.services.results import results
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
    of any kind fixes it; until then HR may still add an officer."""
    interviewed(sample)
    an_officer(sample, "MPD-2007", "Kim", "Early")
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
