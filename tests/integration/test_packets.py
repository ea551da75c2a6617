"""Packets: the facts are printed, candidate text stays text, files are exact and whole."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from qualify.cli.errors import render as cli_words
from qualify.config import Settings
from qualify.errors import QualifyError
from qualify.packets.files import entering_event, render
from qualify.packets.render import html_to_pdf, safe_fetcher
from qualify.services.advance import advance
from qualify.services.firing import PacketPlace
from qualify.services.packets import print_candidate
from qualify.services.scenario import Scenario, add_evidence, candidate_ids, run_steps, set_up
from qualify.store import db
from qualify.store.frozen import workflow_of
from qualify.store.integrity import verify
from qualify.store.tables import AuditEvent, Candidate, Selection, User
from qualify.workflow.documents import local_date, long_date
from qualify.workflow.loader import load_path
from tests.conftest import SCENARIO
from tests.helpers.actors import CLI, as_user
from tests.helpers.builders import (
    OWEN_CONFLICT,
    Sample,
    a_user,
    declare,
    in_screening,
    interviewed,
    screened,
    with_panel,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def text_of(pdf: bytes | Path) -> str:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Settings, Path, dict[str, int]]]:
    """The whole sample selection on SQLite, with every packet written as it happened."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'q.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    config = Settings.from_env({"QUALIFY_FILES": str(folder / "files")}, database_url=url)
    out = folder / "out"
    scenario = Scenario.load(SCENARIO, CLI)
    with Session(engine, expire_on_commit=False) as session:
        selection = set_up(session, config, scenario)
        add_evidence(session, config, scenario, selection)
        run_steps(session, scenario, selection, packets=PacketPlace(TEMPLATES, out))
        ids = candidate_ids(session, selection.id or 0)
    yield config, out, ids
    engine.dispose()


def packet(out: Path, cid: int, stage: str, template: str) -> Path:
    """The one packet of that kind, named by the audit event that entered the stage."""
    (found,) = out.glob(f"selection-1_candidate-{cid:04d}_{stage}_{template}_event-*.pdf")
    return found


def test_every_stage_packet_is_written(demo: tuple[Settings, Path, dict[str, int]]) -> None:
    _, out, _ = demo
    # 25 stage packets up to the appointment and the amended training assignment (a course
    # added in training), 2 quarterly reports, then the notice of removal and the recalled
    # officer's selection packet and letter.
    assert len(list(out.glob("*.pdf"))) == 32
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_eligibility_review_prints_reasons_notes_and_page_numbers(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    config, _, ids = demo
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        # HR's reprint: HR sees sensitive records (the commander's copy withholds them).
        paths = print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=config.files_dir.parent / "hr-reprints",
            candidate_id=ids["MPD-1181"],
            actor=as_user("hr.alvarez"),
            stage="ineligible",
        )
    engine.dispose()
    text = text_of(next(p for p in paths if "eligibility_review" in p.name))
    assert "Sofia Petrakis" in text
    assert "CONFIDENTIAL - personnel record" in text
    assert re.search(r"Page 1 of [23]\b", text)
    assert "fitness result of July 18, 2026 is 181 days old as of January 15, 2027" in (
        " ".join(text.split())
    )
    assert "RSA 275:37-a" in text
    assert "Does not meet qualification 4" in " ".join(text.split())


def test_a_packet_a_commander_obtains_withholds_sensitive_checks_and_evidence(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    # cmdr.obrien (no sees_sensitive) declared Officer Petrakis ineligible: his copies. (Her
    # notice is her own record: it names what she did not meet, see the test below.)
    for template in ("eligibility_review", "notice_ineligible"):
        text = " ".join(text_of(packet(out, ids["MPD-1181"], "ineligible", template)).split())
        for value in ("2026-07-18", "181 days old", "tobacco_free", "result: fail"):
            assert value not in text, (template, value)
    review = " ".join(
        text_of(packet(out, ids["MPD-1181"], "ineligible", "eligibility_review")).split()
    )
    assert "withheld (sensitive)" in review
    assert "drug screen" not in review
    assert "Drug screen (pass/fail only) withheld (sensitive)" in review


def test_a_notice_of_ineligibility_names_the_sensitive_qualifications_not_met(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    """Officer Petrakis fails only sensitive checks. The notice written when the commander
    declared her ineligible lists them by name (without their reasons), and it is the same
    document as HR's reprint under the same file name and reference."""
    config, out, ids = demo
    written = packet(out, ids["MPD-1181"], "ineligible", "notice_ineligible")
    notice = " ".join(pdftotext(written).split())
    assert "you do not meet the qualifications listed below" in notice
    listed = re.findall(r"^\s*•\s*(.+)$", pdftotext(written), flags=re.MULTILINE)
    assert listed == [
        "Good physical condition (passed within 180 days)",
        "Drug free (screen passed within 90 days)",
        "Free of tobacco products",
    ]
    assert "withheld (sensitive) from this copy" not in notice
    for value in ("2026-07-18", "181 days old", "result: fail"):
        assert value not in notice
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        paths = print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=config.files_dir.parent / "hr-notice",
            candidate_id=ids["MPD-1181"],
            actor=as_user("hr.alvarez"),
            stage="ineligible",
        )
    engine.dispose()
    hrs = next(p for p in paths if "notice_ineligible" in p.name)
    assert hrs.name == written.name
    assert hrs.read_bytes() == written.read_bytes()


def test_interview_packet_has_anchors_a_sheet_per_seat_and_no_sensitive_evidence(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    text = " ".join(text_of(packet(out, ids["MPD-1042"], "interview", "interview_packet")).split())
    assert "Several concrete examples of lasting trust built with youth" in text
    assert text.count("Score sheet: Officer Dana Whitfield") == 3
    assert text.count("Conflict of interest statement") == 3
    # HR's `panel schedule` (in the demo's panel step), in the selection's time zone:
    assert "Date Wednesday, January 20, 2027 Time 9:00 a.m. (EST)" in text
    assert text.count("Wednesday, January 20, 2027, 9:00 a.m. (EST), Conference Room B") == 3
    assert "Drug screen" not in text
    assert "Physical condition" not in text


def test_panel_results_and_selection_packet_print_scores_flags_and_the_decision(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    luis = " ".join(text_of(packet(out, ids["MPD-1077"], "scored", "panel_results")).split())
    assert "Panelists differ by 2" in luis
    assert "3.65" in luis
    selected = " ".join(
        text_of(packet(out, ids["MPD-1042"], "selected", "selection_packet")).split()
    )
    # Recorded by the Chief by name and title (the demo's users have full names and titles).
    assert "Decision Select the officer as School Resource Officer Recorded by Michael Walsh" in (
        selected
    )
    assert "Chief of Police" in selected
    assert "1 Dana Whitfield 4.31 Passed" in selected
    assert "Priya Natarajan 3.77 Did not pass" in selected
    letter = " ".join(
        text_of(packet(out, ids["MPD-1042"], "appointed", "appointment_letter")).split()
    )
    assert "Support Division" in letter
    assert "Detective Sergeant" in letter
    assert "consistent with the hours of the school" in letter
    assert "attend training as directed" in letter
    # The Support Division Commander is Captain Ann O'Brien: the terms assume no one's sex.
    chosen = " ".join(text_of(packet(out, ids["MPD-1042"], "selected", "selection_letter")).split())
    for words in (letter, chosen):
        assert "approved by the Support Division Commander or a designee" in words
        assert " his " not in words
        assert " her " not in words


def test_the_training_assignment_lists_each_course_its_hours_and_due_date(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    text = " ".join(
        pdftotext(packet(out, ids["MPD-1042"], "training", "training_assignment")).split()
    )
    assert "you are directed by Daniel Lambert, Detective Sergeant, Support Division" in text
    assert "the following training, 48 hours in all" in text
    assert "Basic School Resource Officer course 40 hours March 5, 2027" in text
    assert "8 hours March 5, 2027" in text
    # The course the commander directed later, in training, has no place in this letter.
    assert "emergency operations planning" not in text


def test_the_demos_amended_training_assignment_adds_the_commanders_course_to_the_first_two(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    config, out, ids = demo
    dana = ids["MPD-1042"]
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        first = entering_event(session, dana, "training")
    engine.dispose()
    # In reading order (a table row by row), not laid out in columns.
    path = packet(out, dana, "training", "training_assignment_amended")
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    assert text.startswith("Personal and confidential Milford Police Department")
    assert "January 27, 2027" in text
    assert "Subject: Amended training assignment, School Resource Officer 2027" in text
    assert f"This letter amends our letter of January 25, 2027 (Ref. S1-C{dana}-E{first.id})" in (
        text
    )
    assert "The training now directed for you is 56 hours in all" in text
    assert (
        "New: directed by Ann O'Brien, Captain, Support Division Commander, January 27, 2027 "
        "School emergency operations planning with the Emergency Management Team 8 hours "
        "March 12, 2027"
    ) in text
    for course in ("Basic School Resource Officer course 40 hours", "Legal issues in schools"):
        assert course in text
    assert "Ann O'Brien Captain, Support Division Commander" in text  # who added the course
    assert "Page 1 of 1" in text


def test_the_footer_carries_the_record_reference_and_audit_hash(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    config, out, ids = demo
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        event = entering_event(session, ids["MPD-1042"], "eligible")
    engine.dispose()
    text = "".join(text_of(packet(out, ids["MPD-1042"], "eligible", "eligibility_review")).split())
    assert f"Ref.S1-C{ids['MPD-1042']}-E{event.id}" in text
    assert f"sealedbyauditevent#{event.id},hash{event.hash}" in text


def test_packets_are_pdf_a_with_metadata(demo: tuple[Settings, Path, dict[str, int]]) -> None:
    _, out, ids = demo
    reader = PdfReader(packet(out, ids["MPD-1042"], "selected", "selection_letter"))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Letter of selection: Dana Whitfield"
    assert meta.author == "Milford Police Department"
    assert meta.subject is not None
    assert "School Resource Officer 2027" in meta.subject
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b"pdfaid" in xmp.stream.get_data()


def test_a_packet_rendered_again_from_the_same_records_is_byte_identical(
    demo: tuple[Settings, Path, dict[str, int]], tmp_path: Path
) -> None:
    config, out, ids = demo
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        candidate = session.get(Candidate, ids["MPD-1077"])
        assert candidate is not None
        again = render(
            session,
            TEMPLATES,
            candidate,
            "scored",
            "panel_results",
            entering_event(session, candidate.id or 0, "scored"),
            viewer_sensitive=True,  # hr.alvarez recorded the scores
        )
        # The eligibility review was cmdr.obrien's to obtain (he confirmed): made for his role.
        commanders = render(
            session,
            TEMPLATES,
            candidate,
            "eligible",
            "eligibility_review",
            entering_event(session, candidate.id or 0, "eligible"),
            viewer_sensitive=False,
        )
        paths = print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=tmp_path,
            candidate_id=candidate.id or 0,
            actor=as_user("hr.alvarez"),
            stage="eligible",
        )
    engine.dispose()
    assert again.pdf == packet(out, ids["MPD-1077"], "scored", "panel_results").read_bytes()
    assert (
        commanders.pdf
        == packet(out, ids["MPD-1077"], "eligible", "eligibility_review").read_bytes()
    )
    assert paths[0].read_bytes() != commanders.pdf  # HR's reprint shows the sensitive records
    assert "withheld (sensitive)" not in text_of(paths[0])


HOSTILE = {
    "img": '<img src="file:///etc/passwd">',
    "attachment": '<link rel="attachment" href="file:///etc/passwd">',
    "import": "<style>@import url(http://127.0.0.1:9/x.css);</style>",
    "template": "{{ 7*7 }}",
    "script": "<script>alert(1)</script>",
}


def test_candidate_text_is_printed_literally_and_fetches_nothing(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    scenario = Scenario.load(SCENARIO, CLI)
    selection = set_up(session, settings, scenario)
    ids = candidate_ids(session, selection.id or 0)
    victim = session.get(Candidate, ids["MPD-1042"])
    assert victim is not None
    victim.name = HOSTILE["img"] + " " + HOSTILE["template"]
    victim.first_name, victim.last_name = HOSTILE["img"], HOSTILE["template"]
    victim.rank = HOSTILE["attachment"]
    victim.unit = HOSTILE["import"]
    session.commit()
    add_evidence(session, settings, scenario, selection)
    place = PacketPlace(TEMPLATES, tmp_path)
    advance(
        session=session,
        candidate_id=victim.id or 0,
        trigger="begin_screening",
        actor=as_user("hr.alvarez"),
    )
    done = advance(
        session=session,
        candidate_id=victim.id or 0,
        trigger="confirm_eligible",
        actor=as_user("cmdr.obrien"),
        packets=place,
    )
    pdf = done.packets[0].read_bytes()
    text = " ".join(text_of(pdf).split())
    for literal in (HOSTILE["img"], HOSTILE["template"], HOSTILE["attachment"], HOSTILE["import"]):
        assert " ".join(literal.split()) in text
    assert "root:" not in text
    assert b"/EmbeddedFiles" not in pdf
    assert b"/EmbeddedFile" not in pdf


def test_the_fetcher_refuses_files_outside_templates_and_the_network(tmp_path: Path) -> None:
    fetcher = safe_fetcher(TEMPLATES)
    html = (
        "<html><head><title>t</title>"
        + HOSTILE["import"]
        + HOSTILE["attachment"]
        + "</head><body>"
        + HOSTILE["img"]
        + '<img src="../pyproject.toml"><a rel="attachment" href="file:///etc/hostname">x</a>'
        + '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        + "<p>body text</p></body></html>"
    )
    pdf = html_to_pdf(html, TEMPLATES, fetcher=fetcher)
    assert set(fetcher.refused) >= {
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        (ROOT / "pyproject.toml").as_uri(),
        "file:///etc/hostname",
    }
    assert not any(url.startswith("data:") for url in fetcher.refused)
    assert b"/EmbeddedFile" not in pdf
    assert "root:" not in text_of(pdf)
    assert "body text" in text_of(pdf)


def test_a_failed_render_keeps_the_change_says_so_and_repair_writes_the_packet(
    session: Session,
    settings: Settings,
    sro: tuple[Scenario, Selection],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import qualify.packets.render as render_module
    from qualify.errors import PacketsOwed
    from qualify.packets.files import owed
    from qualify.services.packets import repair

    _, selection = sro
    dana = candidate_ids(session, selection.id or 0)["MPD-1042"]
    advance(
        session=session, candidate_id=dana, trigger="begin_screening", actor=as_user("hr.alvarez")
    )
    records = tmp_path / "records"
    working = render_module.html_to_pdf

    def broken(*args: object, **kw: object) -> bytes:
        raise QualifyError("renderer crashed")

    monkeypatch.setattr(render_module, "html_to_pdf", broken)
    with pytest.raises(PacketsOwed, match=r"was recorded \(audit event #\d+\), but its packets"):
        advance(
            session=session,
            candidate_id=dana,
            trigger="confirm_eligible",
            actor=as_user("cmdr.obrien"),
            packets=PacketPlace(TEMPLATES, records),
        )
    session.rollback()
    # The decision stands; no file claims a packet, and the event says what it is owed.
    assert session.get(Candidate, dana).state == "eligible"  # type: ignore[union-attr]
    assert not records.exists() or list(records.iterdir()) == []
    ((event, templates),) = owed(session, records)
    assert (event.candidate_id, templates) == (dana, ["eligibility_review"])
    monkeypatch.setattr(render_module, "html_to_pdf", working)
    done = repair(
        session=session, templates_dir=TEMPLATES, records_dir=records, actor=as_user("hr.alvarez")
    )
    assert [p.name for p in done.written] == [
        f"selection-1_candidate-{dana:04d}_eligible_eligibility_review_event-{event.id}"
        "_hr-chief-copy.pdf"  # the copy of HR, who repaired it
    ]
    assert owed(session, records) == []
    assert verify(session).ok


def test_packet_generated_events_record_the_file_hash(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    config, out, _ids = demo
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "packet_generated")
        ).all()
    engine.dispose()
    # Every file in out/ has its event; a reprint of the same copy adds an event, not a file
    # (a reprint by HR of a packet the commander's advance wrote is HR's own copy, named so,
    # and goes elsewhere).
    named = {json.loads(e.details)["file"] for e in events}
    assert {p.name for p in out.glob("*.pdf")} <= named
    assert len(list(out.glob("*.pdf"))) == 32
    first: dict[str, str] = {}  # the event that wrote each file into out/ (reprints go elsewhere)
    for event in sorted(events, key=lambda e: e.id or 0):
        details = json.loads(event.details)
        first.setdefault(details["file"], details["sha256"])
    for name, sha in first.items():
        if (out / name).exists():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha


def pdftotext(path: Path) -> str:
    """The text a reader (or a screen reader) gets, as poppler extracts it."""
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


LETTERS = {
    ("MPD-1118", "ineligible", "notice_ineligible"): "Dear Officer Brennan,",
    ("MPD-1077", "not_selected", "notice_not_selected"): "Dear Officer Reyes,",
    ("MPD-1042", "selected", "selection_letter"): "Dear Officer Whitfield,",
    ("MPD-1042", "training", "training_assignment"): "Dear Officer Whitfield,",
    ("MPD-1042", "appointed", "appointment_letter"): "Dear Officer Whitfield,",
    ("MPD-1199", "withdrawn", "acknowledgement_of_withdrawal"): "Dear Corporal Fitzgerald,",
}


@pytest.mark.parametrize(("employee", "stage", "template"), list(LETTERS))
def test_every_letter_is_dated_addressed_referenced_and_signed(
    demo: tuple[Settings, Path, dict[str, int]], employee: str, stage: str, template: str
) -> None:
    config, out, ids = demo
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        event = entering_event(session, ids[employee], stage)
        candidate = session.get(Candidate, ids[employee])
        assert candidate is not None
        spec = workflow_of(session.get(Selection, candidate.selection_id)).spec  # type: ignore[arg-type]
        signer = session.exec(select(User).where(User.name == event.actor)).one()
    engine.dispose()
    text = " ".join(pdftotext(packet(out, ids[employee], stage, template)).split())
    assert text.startswith("Personal and confidential Milford Police Department")
    # The decision's day in America/New_York (the Chief decides once the interviews of
    # January 20 are scored, training is directed on January 25 and the appointment follows
    # it, in March).
    assert long_date(local_date(event.at, spec.time_zone)) in text
    decided = {
        "appointed": "March 15, 2027",
        "training": "January 25, 2027",
        "selected": "January 20, 2027",
        "not_selected": "January 20, 2027",
    }
    assert decided.get(stage, "January 15, 2027") in text
    assert LETTERS[(employee, stage, template)] in text
    assert f"{candidate.rank} " in text
    assert candidate.unit in text
    assert f"Ref. S1-C{ids[employee]}-E{event.id}" in text
    assert f"Subject: {spec.packet_kinds[template].title}, School Resource Officer 2027" in text
    assert "Sincerely," in text
    assert f"{signer.full_name} {signer.title}" in text  # the signatory, by name and title
    assert event.hash not in text  # the short reference instead of the 64-character hash
    assert re.search(r"\b[0-9a-f]{64}\b", text) is None
    reason = json.loads(event.details).get("reason")
    if reason:
        assert " ".join(reason.split()) not in text  # the internal reason stays internal


def test_notices_state_the_appeal_right_to_whom_how_and_by_when(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    for employee, stage, template, deadline in (
        # Friday January 15: ten business days over two weekends and Martin Luther King Day.
        ("MPD-1118", "ineligible", "notice_ineligible", "Monday, February 1, 2027"),
        # Wednesday January 20, once the interviews are held: ten business days, two weekends.
        ("MPD-1103", "not_selected", "notice_not_selected", "Wednesday, February 3, 2027"),
    ):
        text = " ".join(pdftotext(packet(out, ids[employee], stage, template)).split())
        assert f"no later than {deadline} (10 business days" in text
        assert "Write to the Chief of Police, Milford Police Department, in writing, signed" in text
    brennan = " ".join(
        pdftotext(packet(out, ids["MPD-1118"], "ineligible", "notice_ineligible")).split()
    )
    assert "On the records on file, you do not meet the qualifications listed below" in brennan
    assert "Certified full-time police officer" in brennan
    assert "Not certified full-time" not in brennan  # the commander's internal reason
    natarajan = " ".join(
        pdftotext(packet(out, ids["MPD-1103"], "not_selected", "notice_not_selected")).split()
    )
    assert "did not meet every standard the selection requires" in natarajan
    assert "mean 3.0" not in natarajan


REFUSED_WORDS = ["True", "False", "None", "{'", "[]", "'}", "Decimal(", "datetime."]


def test_no_packet_prints_python_values_login_names_or_field_ids(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, _ = demo
    scenario = Scenario.load(SCENARIO, CLI)
    logins = list(scenario.data["users"])
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    ids = {f for kind in spec.evidence.values() for f in kind.fields if "_" in f}
    ids |= {k for k in spec.evidence if "_" in k}
    ids |= {c.id for c in spec.rubric.criteria if "_" in c.id}
    kinds = set()
    for path in sorted(out.glob("*.pdf")):
        text = pdftotext(path)
        kinds.add(path.stem.split("_", 3)[-1])
        for word in REFUSED_WORDS:
            assert word not in text, (path.name, word)
        for login in logins:
            assert login not in text, (path.name, login)
        for name in ids:
            assert re.search(rf"\b{name}\b", text) is None, (path.name, name)
    printed = {t for names in spec.packets.values() for t in names}
    printed |= set(spec.training.amended_packets)
    assert {k for k in printed if any(k in s for s in kinds)} == printed


def test_every_packet_is_tagged_pdf_a(demo: tuple[Settings, Path, dict[str, int]]) -> None:
    _, out, _ = demo
    for path in sorted(out.glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        assert re.search(r"^Tagged:\s+yes$", info.stdout, re.MULTILINE), path.name
        xmp = PdfReader(path).xmp_metadata
        assert xmp is not None
        assert b"pdfaid" in xmp.stream.get_data(), path.name


def test_hr_schedules_the_interview_in_local_time_and_bad_input_is_refused(
    session: Session, sample: Sample
) -> None:
    from qualify.errors import BadInput, NotPermitted
    from qualify.services.schedule import schedule_interview

    dana = screened(sample).ids["MPD-1042"]  # found eligible: an interview to schedule
    done = schedule_interview(
        session=session,
        candidate_id=dana,
        at="2027-07-01 14:15",
        place="  Room 4,   Town Hall ",
        actor=as_user("hr.alvarez"),
        now=sample.clock.tick(),
        far_ahead=True,  # more than 90 days ahead of the sample's clock
    )
    assert done.place == "Room 4, Town Hall"
    assert done.at.isoformat() == "2027-07-01T14:15:00-04:00"  # daylight time in July
    with pytest.raises(BadInput) as refused:
        schedule_interview(
            session=session,
            candidate_id=dana,
            at="20 Jan 2027",
            place="x",
            actor=as_user("hr.alvarez"),
        )
    assert cli_words(refused.value).startswith("--at '20 Jan 2027': use YYYY-MM-DD HH:MM")
    with pytest.raises(BadInput) as refused:
        schedule_interview(
            session=session,
            candidate_id=dana,
            at="2027-01-20 09:00",
            place=" ",
            actor=as_user("hr.alvarez"),
        )
    assert cli_words(refused.value).startswith("--place: say where")
    with pytest.raises(NotPermitted):
        schedule_interview(
            session=session,
            candidate_id=dana,
            at="2027-01-20 09:00",
            place="x",
            actor=as_user("rep.chen"),
        )


def test_superseded_evidence_is_listed_apart_with_what_replaced_it(
    session: Session, settings: Settings, sro: tuple[Scenario, Selection], tmp_path: Path
) -> None:
    from qualify.services.evidence import add_evidence as add_record

    _, selection = sro
    dana = candidate_ids(session, selection.id or 0)["MPD-1042"]
    later = datetime(2027, 1, 11, 15, 0, tzinfo=UTC)  # after the scenario entered its records
    newer = add_record(
        session=session,
        files_dir=settings.files_dir,
        candidate_id=dana,
        kind="service",
        fields={"full_time_since": "2019-09-01"},
        actor=as_user("hr.alvarez"),
        now=later,
    )
    advance(
        session=session,
        candidate_id=dana,
        trigger="begin_screening",
        actor=as_user("hr.alvarez"),
        now=later,
    )
    done = advance(
        session=session,
        candidate_id=dana,
        trigger="confirm_eligible",
        actor=as_user("cmdr.obrien"),
        packets=PacketPlace(TEMPLATES, tmp_path),
        now=later,
    )
    text = " ".join(pdftotext(done.packets[0]).split())
    current, _, superseded = text.partition("Superseded records")
    assert "September 1, 2019" in current.split("Evidence on file", 1)[1]
    assert "August 12, 2019" not in current.split("Evidence on file", 1)[1]
    assert "August 12, 2019" in superseded
    assert f"record {newer.id}, entered" in superseded


def test_panel_results_show_conflicts_panel_changes_and_corrections_in_words(
    session: Session,
    settings: Settings,
    sample: Sample,
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from qualify.services import panel, scorecards, users

    selection = with_panel(sample).selection
    # Rep. Douglas's conflict with Corporal Fitzgerald (who has not withdrawn).
    declare(sample, "rep.douglas", ["MPD-1199"], conflict=OWEN_CONFLICT)
    owen = sample.ids["MPD-1199"]
    clock = iter(datetime(2027, 1, 12, 14, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(99))
    # Scored once his interview (2027-01-21, 9:00 a.m. in New York) is held.
    held = iter(datetime(2027, 1, 21, 15, 0, tzinfo=UTC) + timedelta(minutes=i) for i in range(99))
    users.add_user(
        session=session,
        workflows_dir=settings.workflows_dir,
        name="rep.ibarra",
        roles=["school_rep"],
        full_name="Dr. Elena Ibarra",
        title="Principal, Milford Middle School",
        actor=as_user("hr.alvarez"),
        now=next(clock),
    )
    panel.assign_panel(
        session=session,
        selection_id=selection.id or 0,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.ibarra"),
        ],
        actor=as_user("hr.alvarez"),
        reason="Rep. Douglas declared a conflict of interest with Corporal Fitzgerald.",
        now=next(clock),
    )
    scores = dict.fromkeys(("appearance_attitude", "role_model", "liaison"), "4")
    scores |= dict.fromkeys(
        ("not_disciplinarian", "prevention_education", "emergency_planning"), "3"
    )
    for who in ("cmdr.obrien", "rep.chen", "rep.ibarra"):
        panel.declare(session=session, candidate_id=owen, actor=as_user(who), now=next(clock))
        scorecards.score(
            session=session,
            candidate_id=owen,
            actor=as_user(who),
            scores=scores,
            comments={},
            submit=True,
            now=next(held),
        )
    scorecards.score(
        session=session,
        candidate_id=owen,
        actor=as_user("rep.chen"),
        scores={"liaison": "5"},
        comments={"liaison": "Named every agency partner and how to reach them."},
        submit=True,
        reason="Entered 4 by mistake for liaison.",
        now=next(held),
    )
    done = advance(
        session=session,
        candidate_id=owen,
        trigger="record_scores",
        actor=as_user("hr.alvarez"),
        packets=PacketPlace(TEMPLATES, tmp_path),
        now=next(held),
    )
    text = " ".join(pdftotext(done.packets[0]).split())
    assert "Criterion Weight" in text
    assert re.search(r"Positive role model who[a-z ]* 2 4 4 4 4\.00", text)  # weight 2
    assert (
        "no longer on the panel, declared a conflict of interest on January 15, 2027: Corporal"
        in (text)
    )
    # One school representative for another (the Change column is narrow: words wrap).
    assert re.search(r"Robert Douglas left the Milford .* Dr\. Elena Ibarra took the", text)
    assert "Rep. Douglas" in text  # the reason for the panel change (a narrow column)
    assert "corrected the scorecard (version 2). Reason: Entered 4 by mistake for liaison. " in text
    assert "Liaison and communication with schools, families and agencies: 4 changed to 5" in text
    assert "No conflict (January 12, 2027)" in text


def test_a_packet_uses_the_records_on_file_at_the_decision_whatever_the_clocks_said(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    from qualify.packets.context import build_context

    scenario = Scenario.load(SCENARIO, CLI)  # its records are stamped on its own clock, 2027-01-15
    selection = set_up(session, settings, scenario)
    add_evidence(session, settings, scenario, selection)
    dana = candidate_ids(session, selection.id or 0)["MPD-1042"]
    earlier_clock = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a machine whose clock is behind
    for trigger, who in (("begin_screening", "hr.alvarez"), ("confirm_eligible", "cmdr.obrien")):
        done = advance(
            session=session,
            candidate_id=dana,
            trigger=trigger,
            actor=as_user(who),
            now=earlier_clock,
        )
    event = session.get(AuditEvent, done.event_id)
    candidate = session.get(Candidate, dana)
    assert event is not None
    assert candidate is not None
    context = build_context(
        session, candidate, "eligible", "eligibility_review", event, viewer_sensitive=True
    )
    assert context["eligibility_summary"] == "all checks passed"
    assert len(context["evidence"]) == 8


def test_panel_results_list_a_barred_seat_and_the_alternate_who_sat(
    session: Session, settings: Settings, sample: Sample, tmp_path: Path
) -> None:
    from qualify.services import panel, scorecards

    selection = screened(sample).selection  # up to the panel
    a_user(
        sample,
        "rep.quinn",
        "school_rep",
        full_name="Sam Quinn",
        title="Counselor, Milford High School",
    )
    a_user(
        sample,
        "rep.ibarra",
        "school_rep",
        full_name="Marta Ibarra",
        title="Assistant Principal, Milford Middle School",
    )
    panel.assign_panel(
        session=session,
        selection_id=selection.id or 0,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.douglas"),
        ],
        alternates=[("school_rep", "rep.quinn"), ("school_rep", "rep.ibarra")],
        actor=as_user("hr.alvarez"),
    )
    luis = sample.ids["MPD-1077"]
    advance(
        session=session,
        candidate_id=luis,
        trigger="schedule_interview",
        actor=as_user("hr.alvarez"),
    )
    panel.declare(
        session=session, candidate_id=luis, actor=as_user("rep.douglas"), conflict="My nephew."
    )
    # The first alternate sits in his place, then declares a conflict too: the next one sits.
    panel.declare(
        session=session, candidate_id=luis, actor=as_user("rep.quinn"), conflict="His coach."
    )
    scores = dict.fromkeys(
        (
            "appearance_attitude",
            "role_model",
            "liaison",
            "not_disciplinarian",
            "prevention_education",
        ),
        "4",
    )
    for who, planning in (("cmdr.obrien", "4"), ("rep.chen", "4"), ("rep.ibarra", "2")):
        panel.declare(session=session, candidate_id=luis, actor=as_user(who))
        scorecards.score(
            session=session,
            candidate_id=luis,
            actor=as_user(who),
            scores=scores | {"emergency_planning": planning},
            comments={},
            submit=True,
        )
    done = advance(
        session=session,
        candidate_id=luis,
        trigger="record_scores",
        actor=as_user("hr.alvarez"),
        packets=PacketPlace(TEMPLATES, tmp_path),
    )
    text = " ".join(pdftotext(done.packets[0]).split())
    results, _, barred = text.partition("Panelists who may not score this candidate")
    # The alternate's scores are a column of the table; the barred holder's are not.
    assert "Marta Ibarra Mean Flag" in results  # the last column of the panel, headed
    assert "representative (alternate)" in results
    assert "Robert Douglas" not in results
    assert "none" not in results
    assert "Emergency planning with 1 4 4 2 3.33" in results  # her 2 counts
    table, _, seats = barred.partition("Panel Seat Panelist Conflict of interest declaration")
    assert "Scored in the seat instead Milford School System Robert Douglas, Assistant" in table
    for cell in ("Declared a conflict", "of interest: My", "nephew.", "Marta Ibarra, Assistant"):
        assert cell in table
    assert "Robert Douglas" in seats
    assert "representative, alternate Milford Middle School sitting for Robert Douglas" in seats
    assert "no longer on the panel" not in seats
    assert (
        "Sam Quinn, Counselor, Milford High School, an alternate who did not sit for this "
        "candidate, declared a conflict of interest on" in seats
    )
    for login in ("rep.douglas", "rep.ibarra", "rep.quinn"):
        assert login not in text


def test_the_selection_packet_names_who_was_passed_over_and_why(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    ids = interviewed(sample).ids  # every scorecard submitted, then the scores recorded
    done = advance(
        session=session,
        candidate_id=ids["MPD-1077"],
        trigger="select",
        actor=as_user("chief.walsh"),
        reason="Bilingual; the district asked for Spanish speakers.",
        packets=PacketPlace(TEMPLATES, tmp_path),
    )
    (selection_packet,) = (p for p in done.packets if "selection_packet" in p.name)
    text = " ".join(pdftotext(selection_packet).split())
    passed_over = text.split("Passing candidates ranked higher and passed over", 1)[1]
    passed_over = passed_over.split("Ranking", 1)[0]
    assert (
        "Candidate Reason recorded Dana Whitfield "
        "Bilingual; the district asked for Spanish speakers." in passed_over
    )
    assert "Luis Reyes" not in passed_over  # the one selected is not passed over
    assert "Priya Natarajan" not in passed_over  # ranked higher, but did not pass


def test_no_interview_is_scheduled_for_an_officer_past_the_decision(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    from qualify.errors import RuleViolation
    from qualify.services.schedule import schedule_interview

    config, _, ids = demo
    engine = db.make_engine(config.database_url)
    # Not selected is no longer final (the Chief may recall from the eligible list), yet the
    # interview is behind the officer.
    behind = "is at Not selected: the interview is behind"
    with Session(engine) as session, pytest.raises(RuleViolation, match=behind):
        schedule_interview(
            session=session,
            candidate_id=ids["MPD-1103"],
            at="2027-10-01 09:00",
            place="Room 4",
            actor=as_user("hr.alvarez"),
        )
    engine.dispose()


def test_printing_a_selection_records_every_packet_in_one_commit_on_the_callers_session(
    session: Session, sro: tuple[Scenario, Selection], tmp_path: Path
) -> None:
    from sqlalchemy import event as orm_event

    from qualify.services.packets import print_selection

    _, selection = sro
    dana = candidate_ids(session, selection.id or 0)["MPD-1042"]
    advance(
        session=session, candidate_id=dana, trigger="begin_screening", actor=as_user("hr.alvarez")
    )
    advance(
        session=session, candidate_id=dana, trigger="confirm_eligible", actor=as_user("cmdr.obrien")
    )
    out = tmp_path / "out"
    out.mkdir()
    commits: list[Session] = []

    def committed(s: Session) -> None:
        commits.append(s)

    orm_event.listen(session, "after_commit", committed)
    try:
        written = print_selection(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=out,
            selection_id=selection.id or 0,
            actor=as_user("hr.alvarez"),
        )
    finally:
        orm_event.remove(session, "after_commit", committed)
    # Dana's eligibility review, the one packet of a stage entered so far, written and returned.
    assert [p.name for p in written] == [p.name for p in out.iterdir()]
    assert [p.name.split("_event-")[0] for p in written] == [
        f"selection-1_candidate-{dana:04d}_eligible_eligibility_review"
    ]
    assert len(commits) == 1  # the session it was given, committed once
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "packet_generated")).all()
    recorded = {json.loads(e.details)["file"]: json.loads(e.details)["sha256"] for e in events}
    assert recorded == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}


def test_the_commanders_copy_and_hrs_copy_have_their_own_names_and_references(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    """A packet whose copies differ by who reads it (the commander's withholds sensitive
    evidence) is two documents, each named and referenced as whose copy it is; a letter every
    reader gets the same is one document under one name and reference, the same bytes."""
    in_screening(sample)
    records, out = tmp_path / "records", tmp_path / "out"
    dana, sofia = sample.ids["MPD-1042"], sample.ids["MPD-1181"]
    for cid, trigger, why in [
        (dana, "confirm_eligible", {}),
        (
            sofia,
            "declare_ineligible",
            {"reason": "Fails qualification 4.", "reason_code": "qualifications_not_met"},
        ),
    ]:
        advance(
            session=session,
            candidate_id=cid,
            trigger=trigger,
            actor=as_user("cmdr.obrien"),
            packets=PacketPlace(TEMPLATES, records),
            **why,  # type: ignore[arg-type]
        )
    by_hr = print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=out,
        candidate_id=dana,
        actor=as_user("hr.alvarez"),
    ) + print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=out,
        candidate_id=sofia,
        actor=as_user("hr.alvarez"),
    )
    review = entering_event(session, dana, "eligible").id
    commanders = records / (
        f"selection-1_candidate-{dana:04d}_eligible_eligibility_review_event-{review}"
        "_commander-copy.pdf"
    )
    hrs = out / (
        f"selection-1_candidate-{dana:04d}_eligible_eligibility_review_event-{review}"
        "_hr-chief-copy.pdf"
    )
    assert commanders.exists()
    assert hrs in by_hr
    assert f"Ref. S1-C{dana}-E{review}-commander (copy for Department Commander)" in " ".join(
        text_of(commanders).split()
    )
    assert f"Ref. S1-C{dana}-E{review}-hr-chief (copy for Human Resources and Chief of " in (
        " ".join(text_of(hrs).split())
    )
    # The notice of ineligibility reads the same for both: one name, one reference, one body.
    notice = entering_event(session, sofia, "ineligible").id
    name = f"selection-1_candidate-{sofia:04d}_ineligible_notice_ineligible_event-{notice}.pdf"
    assert (records / name).read_bytes() == (out / name).read_bytes()
    # The record of what was printed tells the copies apart too.
    printed = [
        json.loads(e.details)
        for e in session.exec(select(AuditEvent).where(AuditEvent.action == "packet_generated"))
    ]
    reviews = [p for p in printed if p["packet"].startswith(f"S1-C{dana}-eligible-")]
    assert sorted(p["packet"].rsplit("-E", 1)[1] for p in reviews) == [
        f"{review}-commander",
        f"{review}-hr-chief",
    ]
    assert len({p["sha256"] for p in reviews}) == 2


def test_a_notice_of_ineligibility_says_which_qualifications_are_not_met_and_which_not_shown(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    """An officer who fails one qualification and whose records for another are not complete
    is told which is which: a pending qualification is never listed as one not met."""
    from qualify.services.evidence import add_evidence as add_record

    in_screening(sample)
    liu = sample.ids["MPD-1150"]  # probation pending in the sample
    add_record(
        session=session,
        files_dir=sample.settings.files_dir,
        candidate_id=liu,
        kind="certification",
        fields={"full_time_certified": "no"},
        actor=as_user("hr.alvarez"),
        now=sample.clock.tick(),
    )
    records = tmp_path / "records"
    advance(
        session=session,
        candidate_id=liu,
        trigger="declare_ineligible",
        actor=as_user("cmdr.obrien"),
        packets=PacketPlace(TEMPLATES, records),
        now=sample.clock.tick(),
        reason="Not certified; probation not shown.",
        reason_code="qualifications_not_met",
    )
    notice = " ".join(pdftotext(packet(records, liu, "ineligible", "notice_ineligible")).split())
    not_met, _, not_shown = notice.partition("Not shown by the records on file")
    assert "Not met on the records on file: • Certified full-time police officer" in not_met
    assert "Probationary period" not in not_met
    assert "which were not complete: • Probationary period successfully completed" in not_shown


def test_the_panel_results_say_what_a_panel_change_changed(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    from qualify.services import panel

    with_panel(sample)
    a_user(sample, "rep.ibarra", "school_rep", full_name="Marta Ibarra", title="Counselor")
    panel.assign_panel(
        session=session,
        selection_id=sample.selection_id,
        seats=[
            ("commander", "cmdr.obrien"),
            ("school_rep", "rep.chen"),
            ("school_rep", "rep.douglas"),
        ],
        alternates=[("school_rep", "rep.ibarra")],
        reason="Alternate for conflicts",
        actor=as_user("hr.alvarez"),
        now=sample.clock.tick(),
    )
    interviewed(sample)
    (printed,) = print_candidate(
        session=session,
        templates_dir=TEMPLATES,
        output_dir=tmp_path,
        candidate_id=sample.ids["MPD-1042"],
        actor=as_user("hr.alvarez"),
        stage="scored",
    )
    raw = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True)
    text = " ".join(raw.stdout.split())
    changes = text.partition("Panel changes")[2]
    assert "Marta Ibarra named alternate for the Milford School System representative seat" in (
        changes
    )
    assert "Alternate for conflicts" in changes
    assert "rep.ibarra" not in text


def test_a_panel_results_reprint_says_a_correction_made_after_it_changed_the_results(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    """Records made before scorecards closed at the recorded scores: a correction accepted
    after the panel results were printed. The reprint keeps the results as recorded but says,
    above them, that they changed, what they are now and which correction changed them; a
    candidate with no later correction gets no such note."""
    from qualify.services.scorecards import score
    from qualify.workflow.documents import local_date, long_date

    interviewed(sample)  # every scorecard submitted, then HR records the scores
    dana, reyes = sample.ids["MPD-1042"], sample.ids["MPD-1077"]

    def reprint(cid: int) -> str:
        folder = tmp_path / f"reprint-{len(list(tmp_path.iterdir()))}"  # each in a new folder
        paths = print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=folder,
            candidate_id=cid,
            actor=as_user("hr.alvarez"),
        )
        return " ".join(pdftotext(next(p for p in paths if "panel_results" in p.name)).split())

    recorded = reprint(dana)
    assert "corrected after these results were recorded" not in recorded
    # As an earlier version allowed: Dana's interview open again for one correction.
    row = session.get(Candidate, dana)
    assert row is not None
    row.state = "interview"
    session.commit()
    score(
        session=session,
        candidate_id=dana,
        actor=as_user("rep.chen"),
        scores={"emergency_planning": "2"},
        comments={},
        submit=True,
        reason="Misread my notes.",
        now=sample.clock.tick(),
    )
    row.state = "scored"
    session.commit()
    text = reprint(dana)
    # The results as recorded, as first printed ...
    total = re.compile(r"Weighted total (\d\.\d\d) \(pass mark")
    as_recorded = total.search(recorded)
    assert as_recorded is not None
    assert total.findall(text) == [as_recorded.group(1)]
    # ... and above them, what changed since.
    assert "Scorecards corrected after these results were recorded. The results below are as " in (
        text
    )
    assert "After that, 1 scorecard correction was entered" in text
    now = re.search(r"The results now: weighted total (\d\.\d\d), Passed, ranked 1;", text)
    assert now is not None
    assert float(now.group(1)) < float(as_recorded.group(1))
    # Dated by the correction's audit event (on PostgreSQL, the server's clock).
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "scorecard_corrected")).one()
    day = long_date(local_date(event.at, "America/New_York"))
    assert (
        f"Dr. Helen Chen, Principal, Milford High School, {day} (version 2): Emergency planning "
        "with the district's Emergency Management Team: 3 changed to 2. Reason: Misread my notes."
    ) in text
    assert "corrected after these results were recorded" not in reprint(reyes)


def test_panel_results_name_the_officer_a_tie_on_total_was_broken_against(
    session: Session, sample: Sample, tmp_path: Path
) -> None:
    # Whitfield and Reyes get 4 on every criterion from every panelist: tied on total and on
    # every criterion, so the lower employee id ranks first.
    fours = dict.fromkeys(
        (
            "appearance_attitude",
            "role_model",
            "liaison",
            "not_disciplinarian",
            "prevention_education",
            "emergency_planning",
        ),
        "4",
    )
    interviewed(sample, changes={"MPD-1042": fours, "MPD-1077": fours})
    texts = {}
    for employee in ("MPD-1042", "MPD-1077"):
        paths = print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=tmp_path / employee,
            candidate_id=sample.ids[employee],
            actor=as_user("hr.alvarez"),
            stage="scored",
        )
        found = next(p for p in paths if "panel_results" in p.name)
        texts[employee] = " ".join(pdftotext(found).split())
    assert (
        "Tie decided by: tied with Luis Reyes on total; ranked above them by lower employee id."
        in texts["MPD-1042"]
    )
    assert (
        "Tie decided by: tied with Dana Whitfield on total; ranked below them by lower employee "
        "id." in texts["MPD-1077"]
    )
    assert re.search(r"candidate \d", texts["MPD-1042"] + texts["MPD-1077"]) is None
