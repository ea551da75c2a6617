"""Only the officers who passed the interview are ranked (1 to n, the eligible list's order);
one who failed is shown as not ranked, after them, wherever ranks appear."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from qualify.services.advance import advance
from qualify.services.firing import PacketPlace
from qualify.services.packets import print_candidate
from qualify.services.results import results
from tests.helpers.actors import as_user
from tests.helpers.builders import CHIEF, HR, Sample, interviewed
from tests.integration.test_packets import TEMPLATES, pdftotext


def test_a_failing_officer_with_a_higher_total_is_not_ranked_above_a_passing_one(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    ids = interviewed(sample).ids  # Natarajan's total is above Reyes's, but she fails a minimum
    shown = results(session=session, selection_id=sample.selection_id, actor=as_user(CHIEF))
    order = [(r["candidate_id"], r["rank"], r["passed"]) for r in shown["candidates"][:3]]
    assert order == [
        (ids["MPD-1042"], 1, True),
        (ids["MPD-1077"], 2, True),
        (ids["MPD-1103"], None, False),
    ]
    done = advance(
        session=session,
        candidate_id=ids["MPD-1042"],
        trigger="select",
        actor=as_user(CHIEF),
        packets=PacketPlace(TEMPLATES, tmp_path / "out"),
    )
    (selection_packet,) = (p for p in done.packets if "selection_packet" in p.name)
    ranking = " ".join(pdftotext(selection_packet).split()).split("Ranking", 1)[1]
    assert "1 Dana Whitfield 4.31 Passed" in ranking
    assert "2 Luis Reyes" in ranking
    assert ranking.index("Luis Reyes") < ranking.index("Not ranked Priya Natarajan")
    reprinted = print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=tmp_path / "reprints",
        candidate_id=ids["MPD-1077"],
        actor=as_user(HR),
        stage="scored",
    )
    (panel_results,) = (p for p in reprinted if "panel_results" in p.name)
    assert "Passed, ranked 2." in " ".join(pdftotext(panel_results).split())
