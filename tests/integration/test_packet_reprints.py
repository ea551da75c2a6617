"""A packet is sealed by the audit event that entered its stage: a reprint prints the records as
they stood at that event, byte for byte, whatever was declared, scored or changed since."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from qualify.services import panel
from qualify.services.advance import advance
from qualify.services.firing import PacketPlace
from qualify.services.packets import print_candidate
from tests.helpers.actors import as_user
from tests.helpers.builders import HR, Sample, a_user, screened
from tests.integration.test_packets import TEMPLATES, text_of


def test_an_interview_packet_reprint_leaves_out_a_conflict_declared_after_its_event(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    selection = screened(sample).selection
    a_user(sample, "rep.quinn", "school_rep", full_name="Sam Quinn", title="Counselor")
    panel.assign_panel(
        session=session,
        selection_id=selection.id or 0,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.douglas"),
        ],
        alternates=[("school_rep", "rep.quinn")],
        actor=as_user(HR),
    )
    luis = sample.ids["MPD-1077"]
    done = advance(
        session=session,
        candidate_id=luis,
        trigger="schedule_interview",
        actor=as_user(HR),
        packets=PacketPlace(TEMPLATES, tmp_path / "out"),
    )
    (first,) = (p for p in done.packets if "interview_packet" in p.name)
    assert "alternate sitting for" not in text_of(first)
    # After the packet's event: a conflict puts the alternate in the seat, and the panel changes.
    panel.declare(
        session=session, candidate_id=luis, actor=as_user("rep.douglas"), conflict="My nephew."
    )
    panel.declare(session=session, candidate_id=luis, actor=as_user("rep.chen"))
    panel.assign_panel(
        session=session,
        selection_id=selection.id or 0,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.quinn"),
        ],
        actor=as_user(HR),
        reason="Mr Douglas is unavailable.",
    )
    (again,) = (
        p
        for p in print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=tmp_path / "reprints",
            candidate_id=luis,
            actor=as_user(HR),
            stage="interview",
        )
        if "interview_packet" in p.name
    )
    text = " ".join(text_of(again).split())
    assert "alternate sitting for" not in text
    assert "Sam Quinn" not in text  # not on the panel at the event, so no score sheet
    assert "Robert Douglas" in text
    assert "My nephew" not in text
    assert again.read_bytes() == first.read_bytes()
