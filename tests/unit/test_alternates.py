"""Who sits in each seat for one candidate: the holder, or the first eligible alternate."""

from __future__ import annotations

from pathlib import Path

from qualify.workflow.documents import panel_change
from qualify.workflow.loader import load_path
from qualify.workflow.scoring import Substitution, barred_words, missing_words, sitting

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


NAMES = {"cmdr.kane": "Ann Kane", "rep.a": "Bo Abel", "rep.b": "Cy Bell", "rep.c": "Di Cole"}
NAMES |= {"cmdr.lee": "Ed Lee", "rep.lee": "Fay Lee"}


def _changes(
    before: tuple[tuple[str, str], ...],
    after: tuple[tuple[str, str], ...],
    spare_before: tuple[tuple[str, str], ...] = (),
    spare_after: tuple[tuple[str, str], ...] = (),
) -> list[str]:
    return panel_change(SPEC, NAMES.__getitem__, before, after, spare_before, spare_after)


def test_a_panel_change_says_who_was_named_alternate_for_which_seat() -> None:
    assert _changes(SEATS, SEATS, (), (("school_rep", "rep.c"),)) == [
        "Di Cole named alternate for the Milford School System representative seat"
    ]


def test_a_panel_change_says_who_left_and_took_a_seat_and_which_alternates_went() -> None:
    after = (("commander", "cmdr.kane"), ("school_rep", "rep.a"), ("school_rep", "rep.c"))
    spare = (("commander", "cmdr.lee"), ("school_rep", "rep.b"))
    assert _changes(SEATS, after, (("commander", "cmdr.lee"),), spare) == [
        "Cy Bell left the Milford School System representative seat",
        "Di Cole took the Milford School System representative seat",
        "Cy Bell named alternate for the Milford School System representative seat",
    ]
    assert _changes(after, after, spare, ()) == [
        "Ed Lee no longer alternate for the Department Commander seat",
        "Cy Bell no longer alternate for the Milford School System representative seat",
    ]


def test_alternates_put_in_another_order_and_a_panel_assigned_again_unchanged() -> None:
    two = (("school_rep", "rep.b"), ("school_rep", "rep.c"))
    after = (("commander", "cmdr.kane"), ("school_rep", "rep.a"), ("school_rep", "rep.lee"))
    assert _changes(after, after, two, two[::-1]) == [
        "alternates for the Milford School System representative seat now sit in the order "
        "Di Cole, Cy Bell"
    ]
    assert _changes(SEATS, SEATS) == ["assigned again as it was"]


PEOPLE = {"rep.a": "Rosa Diaz", "rep.b": "Tom Baker", "rep.c": "Elena Ibarra"}


def test_the_alternates_tried_are_named_for_the_reader_not_in_the_stored_text() -> None:
    conflicts = {"rep.a": "Neighbour.", "rep.b": "Coaches my son."}
    _, barred, _ = sitting(SPEC, "sgt.x", SEATS, SPARE, conflicts)
    assert barred_words(barred["rep.b"], PEOPLE) == (
        "declared a conflict of interest: Coaches my son.; no eligible alternate "
        "(Elena Ibarra may not sit)"
    )


def test_a_missing_seat_names_the_panelist_and_the_seat_in_words() -> None:
    # As results stored by this version and earlier ones hold it: seat id and user names.
    stored = (
        "school_rep rep.b: declared a conflict of interest: a: b; no eligible alternate "
        "(rep.c, rep.z may not sit)"
    )
    assert missing_words(stored, SPEC, PEOPLE) == (
        "Tom Baker (Milford School System representative seat): declared a conflict of "
        "interest: a: b; no eligible alternate (Elena Ibarra, rep.z may not sit)"
    )
    assert missing_words("commander cmdr.kane: no submitted scorecard", SPEC, {}) == (
        "cmdr.kane (Department Commander seat): no submitted scorecard"
    )
    assert missing_words("no panel is assigned", SPEC, PEOPLE) == "no panel is assigned"
