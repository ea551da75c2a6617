"""A packet is sealed by the audit event that entered its stage: a reprint prints the records as
they stood at that event, byte for byte, whatever was declared, scored or changed since."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from qualify.services import panel
from qualify.services.advance import advance
from qualify.services.firing import PacketPlace
from qualify.services.packets import print_candidate
from qualify.store.eligible_list import eligible_list
from qualify.store.frozen import workflow_of
from qualify.store.tables import Candidate, Scorecard, User
from qualify.workflow.documents import long_date
from tests.helpers.actors import as_user
from tests.helpers.builders import CHIEF, HR, Sample, a_user, interviewed, screened, selected
from tests.integration.test_packets import TEMPLATES, text_of

PANEL = [("commander", "cmdr.obrien"), ("school_rep", "rep.chen"), ("school_rep", "rep.douglas")]


def _interview_packet(
    session: Session,
    sample: Sample,
    out: Path,
    seats: list[tuple[str, str]],
    alternates: list[tuple[str, str]] | None = None,
) -> Path:
    """HR seats the panel (and alternates) on the sample's screened selection and schedules Luis
    Reyes's interview: the interview packet written for that event."""
    panel.assign_panel(
        session=session,
        selection_id=screened(sample).selection.id or 0,
        seats=seats,
        alternates=alternates,
        actor=as_user(HR),
    )
    done = advance(
        session=session,
        candidate_id=sample.ids["MPD-1077"],
        trigger="schedule_interview",
        actor=as_user(HR),
        packets=PacketPlace(TEMPLATES, out),
    )
    (interview_packet,) = (p for p in done.packets if "interview_packet" in p.name)
    return interview_packet


def test_an_interview_packet_reprint_leaves_out_a_conflict_declared_after_its_event(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    selection = screened(sample).selection
    a_user(sample, "rep.quinn", "school_rep", full_name="Sam Quinn", title="Counselor")
    first = _interview_packet(
        session, sample, tmp_path / "out", PANEL, alternates=[("school_rep", "rep.quinn")]
    )
    luis = sample.ids["MPD-1077"]
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
    # At the event he was the alternate, not a seat holder: listed (and given a sheet) as that.
    assert text.count("Sam Quinn, Counselor (Milford School System representative, alternate)") == 1
    assert "Score sheet (alternate, if sitting for a seat holder)" in text
    assert "Robert Douglas" in text
    assert "My nephew" not in text
    assert again.read_bytes() == first.read_bytes()


def test_a_blank_comment_stored_before_blanks_were_dropped_is_not_printed(
    session: Session, sample: Sample
) -> None:
    from qualify.packets.context import build_context
    from qualify.packets.files import entering_event

    ids = interviewed(sample).ids
    dana = ids["MPD-1042"]
    # A card as the portal stored it before: every comment box, the empty ones too.
    card = session.exec(
        select(Scorecard).where(Scorecard.candidate_id == dana, Scorecard.panelist == "rep.chen")
    ).one()
    card.comments = {**card.comments, "liaison": "", "emergency_planning": "  "}
    session.add(card)
    session.commit()
    candidate = session.get(Candidate, dana)
    assert candidate is not None
    context = build_context(
        session,
        candidate,
        "scored",
        "panel_results",
        entering_event(session, dana, "scored"),
        viewer_sensitive=True,
    )
    comments = context["result"]["comments"]
    chens = [c["criterion"] for c in comments if c["panelist"] == "Dr. Helen Chen"]
    assert len(chens) == 2  # her two written comments (role model, not a disciplinarian)
    assert not any(c.startswith(("Liaison", "Emergency")) for c in chens)
    assert all(c["text"].strip() for c in comments)


def test_the_selection_packet_says_what_a_refused_attempt_tried_on_whom_and_why(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    from qualify.errors import BadInput, NotPermitted

    luis = interviewed(sample).ids["MPD-1077"]
    with pytest.raises(NotPermitted):
        advance(session=session, candidate_id=luis, trigger="select", actor=as_user("cmdr.obrien"))
    # Bad input (here the reason the rules ask for, missing) is not a decision refused.
    with pytest.raises(BadInput):
        advance(session=session, candidate_id=luis, trigger="select", actor=as_user(CHIEF))
    done = advance(
        session=session,
        candidate_id=luis,
        trigger="select",
        actor=as_user(CHIEF),
        reason="Bilingual; the district asked for Spanish speakers.",
        packets=PacketPlace(TEMPLATES, tmp_path),
    )
    (selection_packet,) = (p for p in done.packets if "selection_packet" in p.name)
    excerpt = " ".join(text_of(selection_packet).split()).split("Audit excerpt", 1)[1]
    assert "Advance refused" not in excerpt
    assert excerpt.count("Tried: ") == 1
    assert (
        f"Tried: Select the officer as School Resource Officer (Luis Reyes, candidate {luis})"
        in excerpt
    )
    refusal = excerpt.split("Why refused: ", 1)[1]
    assert "may not" in refusal
    assert "Luis Reyes: that needs the role" in refusal
    assert "ranked below" not in excerpt


def test_the_letter_not_selecting_a_passing_officer_says_they_stay_on_the_eligible_list(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    ids = selected(sample).ids  # Reyes passed (ranked 2), Natarajan did not: both not selected

    def letter(employee: str) -> str:
        (found,) = (
            p
            for p in print_candidate(
                session=session,
                templates_dir=TEMPLATES,
                output_dir=tmp_path / employee,
                candidate_id=ids[employee],
                actor=as_user(HR),
                stage="not_selected",
            )
            if "notice_not_selected" in p.name
        )
        return " ".join(text_of(found).split())

    # On SQLite the selection decision is dated 15 January 2027 (the sample's clock); PostgreSQL
    # dates events by its own clock.
    listed = eligible_list(session, sample.selection, workflow_of(sample.selection).spec)
    assert listed is not None
    reyes = letter("MPD-1077")
    assert (
        "You passed the structured interview and are ranked 2 on the eligible list for the "
        "position. The list stays valid for 12 months from the selection decision, through "
        f"{long_date(listed.last_valid_day)}. If the position becomes vacant in that time, the Chief may recall you "
        "from the list without a new selection" in reyes
    )
    assert "eligible list" not in letter("MPD-1103")


def test_a_panelist_with_no_full_name_on_file_is_named_by_user_name_never_by_the_seat(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    screened(sample)
    a_user(sample, "rep4", "school_rep", full_name="Pat Reyes", title="Counselor")
    # Added by an earlier version, which let a user go without a full name and title.
    rep4 = session.exec(select(User).where(User.name == "rep4")).one()
    rep4.full_name = rep4.title = ""
    session.add(rep4)
    session.commit()
    interview_packet = _interview_packet(
        session,
        sample,
        tmp_path,
        [("commander", "cmdr.obrien"), ("school_rep", "rep.chen"), ("school_rep", "rep4")],
    )
    text = " ".join(text_of(interview_packet).split())
    assert "Panelist user rep4, Milford School System representative" in text  # score sheet
    assert "Panelist Milford School System representative" not in text


def test_the_interview_packet_lists_the_alternates_with_the_panel_each_with_a_score_sheet(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    screened(sample)
    a_user(sample, "rep.ibarra", "school_rep", full_name="Dr. Elena Ibarra", title="Principal")
    interview_packet = _interview_packet(
        session, sample, tmp_path, PANEL, alternates=[("school_rep", "rep.ibarra")]
    )
    text = " ".join(text_of(interview_packet).split())
    panel_table = text.split("Seat Panelist")[1].split("Evidence")[0]
    assert "Milford School System representative, alternate Dr. Elena Ibarra, Principal" in (
        panel_table
    )
    assert text.count("Score sheet") == 4  # three seats and the alternate
    assert "Panelist Dr. Elena Ibarra, Principal (Milford School System representative, " in text
    assert "Score sheet (alternate, if sitting for a seat holder): Officer Luis Reyes" in text
