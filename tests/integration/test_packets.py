"""Packets: the facts are printed, candidate text stays text, files are exact and whole."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.errors import QualifyError
from qualify.packets.render import html_to_pdf, safe_fetcher
from qualify.services.advance import PacketPlace, advance
from qualify.services.packets import entering_event, print_candidate, render
from qualify.services.scenario import Scenario, add_evidence, candidate_ids, run_steps, set_up
from qualify.store import db
from qualify.store.tables import AuditEvent, Candidate, Selection
from tests.conftest import SCENARIO

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
    scenario = Scenario.load(SCENARIO)
    with Session(engine, expire_on_commit=False) as session:
        selection = set_up(session, config, scenario)
        add_evidence(session, config, scenario, selection)
        run_steps(session, scenario, selection, packets=PacketPlace(TEMPLATES, out))
        ids = candidate_ids(session, selection.id or 0)
    yield config, out, ids
    engine.dispose()


def packet(out: Path, cid: int, stage: str, template: str) -> Path:
    return out / f"selection-1_candidate-{cid:04d}_{stage}_{template}.pdf"


def test_every_stage_packet_is_written(demo: tuple[Settings, Path, dict[str, int]]) -> None:
    _, out, _ = demo
    assert len(list(out.glob("*.pdf"))) == 24
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_eligibility_review_prints_reasons_notes_and_page_numbers(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    text = text_of(packet(out, ids["MPD-1181"], "ineligible", "eligibility_review"))
    assert "Sofia Petrakis" in text
    assert "CONFIDENTIAL - personnel record" in text
    assert "Page 1 of 2" in text
    assert "fitness result of 2026-07-18 is 181 days old as of 2027-01-15" in " ".join(text.split())
    assert "RSA 275:37-a" in text
    assert "Does not meet qualification 4" in " ".join(text.split())


def test_interview_packet_has_anchors_a_sheet_per_seat_and_no_sensitive_evidence(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    text = " ".join(text_of(packet(out, ids["MPD-1042"], "interview", "interview_packet")).split())
    assert "Several concrete examples of lasting trust built with youth" in text
    assert text.count("Score sheet:") == 3
    assert "rep.douglas" in text
    assert "Drug screen" not in text
    assert "Physical condition" not in text


def test_panel_results_and_selection_packet_print_scores_flags_and_the_decision(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    _, out, ids = demo
    luis = " ".join(text_of(packet(out, ids["MPD-1077"], "scored", "panel_results")).split())
    assert "disagreement (spread 2)" in luis
    assert "3.65" in luis
    selected = " ".join(
        text_of(packet(out, ids["MPD-1042"], "selected", "selection_packet")).split()
    )
    assert "chief.walsh (chief) recorded: Select the officer as School Resource Officer" in selected
    assert "Dana Whitfield 4.31 pass" in selected
    assert "Priya Natarajan 3.77 fail" in selected
    letter = " ".join(
        text_of(packet(out, ids["MPD-1042"], "appointed", "appointment_letter")).split()
    )
    assert "Support Division" in letter
    assert "Detective Sergeant" in letter
    assert "consistent with the hours of the school" in letter
    assert "attend training as directed" in letter


def test_the_footer_carries_the_packet_id_and_audit_hash(
    demo: tuple[Settings, Path, dict[str, int]],
) -> None:
    config, out, ids = demo
    engine = db.make_engine(config.database_url)
    with Session(engine) as session:
        event = entering_event(session, ids["MPD-1042"], "eligible")
    engine.dispose()
    text = "".join(text_of(packet(out, ids["MPD-1042"], "eligible", "eligibility_review")).split())
    assert f"PacketS1-C{ids['MPD-1042']}-eligible-eligibility_review-E{event.id}" in text
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
        )
        paths = print_candidate(
            session=session,
            templates_dir=TEMPLATES,
            output_dir=tmp_path,
            candidate_id=candidate.id or 0,
            actor="hr.alvarez",
            stage="eligible",
        )
    engine.dispose()
    assert again.pdf == packet(out, ids["MPD-1077"], "scored", "panel_results").read_bytes()
    assert (
        paths[0].read_bytes()
        == packet(out, ids["MPD-1077"], "eligible", "eligibility_review").read_bytes()
    )


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
    scenario = Scenario.load(SCENARIO)
    selection = set_up(session, settings, scenario)
    ids = candidate_ids(session, selection.id or 0)
    victim = session.get(Candidate, ids["MPD-1042"])
    assert victim is not None
    victim.name = HOSTILE["img"] + " " + HOSTILE["template"]
    victim.rank = HOSTILE["attachment"]
    victim.unit = HOSTILE["import"]
    session.commit()
    add_evidence(session, settings, scenario, selection)
    place = PacketPlace(TEMPLATES, tmp_path)
    advance(
        session=session, candidate_id=victim.id or 0, trigger="begin_screening", actor="hr.alvarez"
    )
    done = advance(
        session=session,
        candidate_id=victim.id or 0,
        trigger="confirm_eligible",
        actor="cmdr.obrien",
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


def test_a_failed_render_leaves_no_file_no_record_and_no_state_change(
    session: Session,
    settings: Settings,
    sro: tuple[Scenario, Selection],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import qualify.packets.render as render_module

    _, selection = sro
    dana = candidate_ids(session, selection.id or 0)["MPD-1042"]
    advance(session=session, candidate_id=dana, trigger="begin_screening", actor="hr.alvarez")
    before = len(session.exec(select(AuditEvent)).all())

    def broken(*args: object, **kw: object) -> bytes:
        raise QualifyError("renderer crashed")

    monkeypatch.setattr(render_module, "html_to_pdf", broken)
    with pytest.raises(QualifyError, match="renderer crashed"):
        advance(
            session=session,
            candidate_id=dana,
            trigger="confirm_eligible",
            actor="cmdr.obrien",
            packets=PacketPlace(TEMPLATES, tmp_path / "packets"),
        )
    session.rollback()
    assert session.get(Candidate, dana).state == "screening"  # type: ignore[union-attr]
    assert not (tmp_path / "packets").exists() or list((tmp_path / "packets").iterdir()) == []
    assert len(session.exec(select(AuditEvent)).all()) == before


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
    assert (
        len({json.loads(e.details)["file"] for e in events}) == 24
    )  # reprints add events, not files
    for event in events:
        details = json.loads(event.details)
        assert hashlib.sha256((out / details["file"]).read_bytes()).hexdigest() == details["sha256"]


def test_a_packet_uses_the_records_on_file_at_the_decision_whatever_the_clocks_said(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    from qualify.services.packet_context import build_context

    scenario = Scenario.load(SCENARIO)  # its records are stamped on its own clock, 2027-01-08
    selection = set_up(session, settings, scenario)
    add_evidence(session, settings, scenario, selection)
    dana = candidate_ids(session, selection.id or 0)["MPD-1042"]
    earlier_clock = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a machine whose clock is behind
    for trigger, who in (("begin_screening", "hr.alvarez"), ("confirm_eligible", "cmdr.obrien")):
        done = advance(
            session=session, candidate_id=dana, trigger=trigger, actor=who, now=earlier_clock
        )
    event = session.get(AuditEvent, done.event_id)
    candidate = session.get(Candidate, dana)
    assert event is not None
    assert candidate is not None
    context = build_context(session, candidate, "eligible", "eligibility_review", event)
    assert context["eligibility_summary"] == "all checks passed"
    assert len(context["evidence"]) == 8
