"""Who sits in each seat for one candidate: the holder, or the first eligible alternate."""

from __future__ import annotations

from pathlib import Path

from qualify.workflow.loader import load_path
from qualify.workflow.scoring import Substitution, sitting

ROOT = Path(__file__).resolve().parents[2]
SPEC = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
SEATS = (("commander", "cmdr.kane"), ("school_rep", "rep.a"), ("school_rep", "rep.b"))
SPARE = (("commander", "cmdr.lee"), ("commander", "cmdr.ng"), ("school_rep", "rep.c"))


def test_every_holder_sits_when_none_is_barred() -> None:
    assert sitting(SPEC, "sgt.x", SEATS, SPARE, {}) == (SEATS, {}, ())


def test_the_first_alternate_sits_for_the_candidates_supervisor() -> None:
    sat, barred, swaps = sitting(SPEC, "cmdr.kane", SEATS, SPARE, {})
    assert sat[0] == ("commander", "cmdr.lee")
    assert barred == {}
    assert swaps == (
        Substitution("commander", "cmdr.kane", "cmdr.lee", "is the candidate's supervisor"),
    )


def test_an_alternate_with_a_conflict_is_skipped_for_the_next() -> None:
    conflicts = {"cmdr.kane": "My cousin.", "cmdr.lee": "Trained him."}
    sat, _, swaps = sitting(SPEC, "sgt.x", SEATS, SPARE, conflicts)
    assert sat[0] == ("commander", "cmdr.ng")
    assert swaps[0].why == "declared a conflict of interest: My cousin."


def test_one_alternate_sits_for_one_holder_only() -> None:
    conflicts = {"rep.a": "Neighbour.", "rep.b": "Coaches my son."}
    sat, barred, swaps = sitting(SPEC, "sgt.x", SEATS, SPARE, conflicts)
    assert sat == (("commander", "cmdr.kane"), ("school_rep", "rep.c"), ("school_rep", "rep.b"))
    assert [s.holder for s in swaps] == ["rep.a"]
    assert barred == {
        "rep.b": "declared a conflict of interest: Coaches my son.; no eligible alternate "
        "(rep.c may not sit)"
    }


def test_without_alternates_the_reason_is_the_holders_alone() -> None:
    _, barred, swaps = sitting(SPEC, "sgt.x", SEATS, (), {"rep.a": "Neighbour."})
    assert swaps == ()
    assert barred == {"rep.a": "declared a conflict of interest: Neighbour."}
