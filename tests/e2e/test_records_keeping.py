"""Retention, legal holds and purges on the demo's selection: the period, the hold that stops a
purge, what a purge removes and keeps, and an audit log that still verifies."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from qualify.errors import RuleViolation
from qualify.services import retention
from qualify.store import db
from qualify.store.audit import canonical
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    Evidence,
    Scorecard,
    SelfIdentification,
    Tombstone,
)
from tests.conftest import Result
from tests.helpers.actors import as_user

# The demo's last action (its recall from the eligible list) is on 2027-09-27: its records are
# kept until 2029-09-27.
LATER = datetime(2030, 1, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "qualify", "demo", "-o", "out"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return folder / "out"


@pytest.fixture
def copy(demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo's database and evidence files; returns its folder."""
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    shutil.copytree(demo / "demo-files", tmp_path / "demo-files")
    return tmp_path


@pytest.fixture
def q(cli: Callable[..., Result], copy: Path) -> Callable[..., Result]:
    url = f"sqlite:///{copy / 'demo.db'}"

    def run(*args: str, user: str = "hr.alvarez") -> Result:
        return cli("--db", url, "--as", user, *args)

    return run


@pytest.fixture
def session(copy: Path) -> Iterator[Session]:
    engine = db.make_engine(f"sqlite:///{copy / 'demo.db'}")
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


def purge(session: Session, copy: Path, **kw: object) -> retention.Purged:
    return retention.purge(
        session=session,
        selection_id=1,
        reason="Retention period over",
        actor=as_user("hr.alvarez"),
        years=2,
        files_dir=copy / "demo-files",
        records_dir=copy / "demo-records",
        **kw,  # type: ignore[arg-type]
    )


def test_a_purge_before_the_period_ends_is_refused_with_the_date(q: Callable[..., Result]) -> None:
    result = q("records", "purge", "1", "--reason", "tidy up")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: selection 1's records are kept until 2029-09-27 "
        "(2 years after its last action on 2027-09-27)"
    )


def test_the_period_ends_two_years_after_the_last_action_to_the_day(session: Session) -> None:
    assert (
        retention.records_due(
            session=session, actor=as_user("hr.alvarez"), years=2, today=date(2029, 9, 26)
        )
        == []
    )
    (due,) = retention.records_due(
        session=session, actor=as_user("hr.alvarez"), years=2, today=date(2029, 9, 27)
    )
    assert (due.selection_id, due.keep_until) == (1, date(2029, 9, 27))
    assert (
        retention.records_due(
            session=session, actor=as_user("hr.alvarez"), years=3, today=date(2029, 9, 27)
        )
        == []
    )


def test_a_retention_setting_under_two_years_is_refused(
    q: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALIFY_RETENTION_YEARS", "1")
    result = q("records", "due")
    assert result.exit_code == 2
    assert "QUALIFY_RETENTION_YEARS: 1 is out of range: at least 2" in result.stderr


def test_a_hold_stops_a_purge_until_it_is_released(
    q: Callable[..., Result], session: Session, copy: Path
) -> None:
    assert q("records", "hold", "1", "--reason", "EEOC charge 16D-2029-0042").exit_code == 0
    with pytest.raises(
        RuleViolation,
        match=r"under legal hold #1 since .* \(EEOC charge 16D-2029-0042\); release it before purging",
    ):
        purge(session, copy, now=LATER)
    session.rollback()
    assert session.exec(select(Evidence)).first() is not None
    session.rollback()  # let the CLI write
    assert q("records", "release", "1", "--reason", "Charge dismissed").exit_code == 0
    assert purge(session, copy, now=LATER).tombstones > 0
    log = json.loads(q("audit", "log", "--json").stdout)
    assert [e["action"] for e in log][-3:] == [
        "legal_hold_placed",
        "legal_hold_released",
        "records_purged",
    ]


def test_holding_twice_and_releasing_nothing_are_refused(q: Callable[..., Result]) -> None:
    assert (
        q("records", "release", "1", "--reason", "x").stderr.strip()
        == "error: selection 1 is not under legal hold"
    )
    assert q("records", "hold", "1", "--reason", "first").exit_code == 0
    second = q("records", "hold", "1", "--reason", "second")
    assert second.exit_code == 1
    assert "already under legal hold #1" in second.stderr


def test_only_manage_records_may_hold_or_purge(q: Callable[..., Result]) -> None:
    result = q("records", "hold", "1", "--reason", "x", user="chief.walsh")
    assert result.exit_code == 1
    assert "may not place a legal hold: that needs the role Human Resources" in result.stderr


def test_a_purge_removes_personal_data_leaves_tombstones_and_the_log_verifies(
    q: Callable[..., Result], session: Session, copy: Path
) -> None:
    before = session.get(Candidate, 1)
    assert before is not None
    personal = ("name", "first_name", "last_name", "email", "supervisor")
    was = {key: getattr(before, key) for key in personal}
    files = [p for p in (copy / "demo-files").rglob("*") if p.is_file()]
    assert files
    records = copy / "demo-records"
    records.mkdir()
    (records / "selection-1_candidate-0001_eligible_eligibility_review.E12.pdf").write_bytes(
        b"%PDF"
    )
    (records / "selection-2_candidate-0009_eligible_eligibility_review.E99.pdf").write_bytes(
        b"%PDF"
    )

    done = purge(session, copy, now=LATER)

    assert session.exec(select(Evidence)).all() == []
    assert session.exec(select(SelfIdentification)).all() == []
    assert {c.name for c in session.exec(select(Candidate))} == {"(purged)"}
    assert all(card.comments == {} for card in session.exec(select(Scorecard)))
    assert {a.conflict for a in session.exec(select(ConflictDeclaration)) if a.conflict} == {
        "(purged)"
    }
    assert [p for p in (copy / "demo-files").rglob("*") if p.is_file()] == []
    assert [p.name for p in records.iterdir()] == [
        "selection-2_candidate-0009_eligible_eligibility_review.E99.pdf"
    ]
    assert done.files_removed == len(files) + 1
    # The tombstone proves what was there to someone who holds a copy, and to no one else.
    stone = session.exec(
        select(Tombstone).where(Tombstone.table_name == "candidate", Tombstone.row_key == "1")
    ).one()
    assert stone.sha256 == hashlib.sha256(canonical(was).encode()).hexdigest()
    assert stone.event_id == done.event_id
    session.rollback()  # let the CLI read

    verified = q("audit", "verify")
    assert verified.exit_code == 0, verified.stderr
    assert (
        f"purged: selection 1 on 2030-01-01 by hr.alvarez (audit event #{done.event_id}; {done.tombstones} rows"
        in verified.stdout
    )
    assert "Dana Whitfield" not in q("candidate", "show", "1", "--json").stdout


def test_purging_again_is_refused_and_removes_files_a_killed_purge_left(
    session: Session, copy: Path
) -> None:
    files = sorted(p for p in (copy / "demo-files").rglob("*") if p.is_file())
    saved = {p: p.read_bytes() for p in files}
    purge(session, copy, now=LATER)
    # As if the purge was killed after its commit, before it removed the files.
    for path, data in saved.items():
        path.write_bytes(data)
    with pytest.raises(
        RuleViolation, match=rf"already purged on 2030-01-01; removed {len(files)} file\(s\)"
    ):
        purge(session, copy, now=LATER)
    assert not any(p.exists() for p in files)
    assert session.exec(select(Evidence).where(col(Evidence.id) > 0)).all() == []


def export_text(folder: Path) -> str:
    from pypdf import PdfReader

    (pdf,) = folder.glob("*.pdf")
    (data,) = folder.glob("*.json")
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join((text + " " + data.read_text(encoding="utf-8")).split())


def test_a_public_export_leaves_out_what_the_profile_withholds(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    from tests.conftest import PROJECT

    checks = json.loads(q("check", "--selection", "1", "--json").stdout)
    sensitive = {"physical_fitness", "drug_free", "tobacco_free"}
    sensitive_reasons = [
        r["reason"]
        for c in checks["candidates"]
        for r in c["results"]
        if r["check"] in sensitive and "withheld" not in r["reason"]
    ]
    assert sensitive_reasons  # HR sees them: the export must not
    roster = (PROJECT / "docs" / "examples" / "roster.csv").read_text(encoding="utf-8")
    emails = re.findall(r"[\w.]+@[\w.]+", roster)
    comments = ["Immaculate uniform", "Police Athletic League", "anti-bullying unit"]
    anchors = ["Neat, in standard", "Cannot describe a school emergency plan"]
    criteria = ["Positive role model who builds trust with youth"]
    eeo = ["Hispanic", "Asian", "female"]
    log = json.loads(q("audit", "log", "--json").stdout)
    # The reasons decisions record (the removal's, the recall's) are the internal record.
    reasons = [
        " ".join(str(e["details"][key]).split())
        for e in log
        if e["action"] == "state_changed" and e["outcome"] == "ok"
        for key in ("reason", "skip_reason")
        if e["details"].get(key)
    ]
    assert any("dress-code violation" in r for r in reasons)
    result = q("records", "export", "1", "--profile", "public", "-o", str(tmp_path / "copy"))
    assert result.exit_code == 0, result.stderr
    assert "items withheld (see the index)" in result.stdout
    text = export_text(tmp_path / "copy")
    assert "Dana Whitfield" in text  # what is not withheld is there
    for secret in [*sensitive_reasons, *emails, *comments, *anchors, *criteria, *eeo, *reasons]:
        assert secret not in text, secret
    index = (tmp_path / "copy" / "selection-1_public_withheld-index.csv").read_text(
        encoding="utf-8"
    )
    items = {line.split(",")[1] for line in index.splitlines()[1:]}
    assert items == {
        "contact_details",
        "sensitive_evidence",
        "examination_material",
        "panel_notes",
        "self_identification",
        "decision_reasons",
    }
    assert index.count("decision_reasons") == len(reasons)
    assert "the internal reason for 'Remove from the position" in index
    assert "RSA 91-A:5 IV" in index
    log = json.loads(q("audit", "log", "--json").stdout)
    exported = log[-1]
    assert exported["action"] == "records_exported"
    pdf = tmp_path / "copy" / "selection-1_public_record.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert exported["details"]["files"]["selection-1_public_record.pdf"] == digest


def test_a_public_export_names_people_and_figures_as_the_packets_do(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    result = q("records", "export", "1", "--profile", "public", "-o", str(tmp_path / "copy"))
    assert result.exit_code == 0, result.stderr
    text = export_text(tmp_path / "copy")
    # The panel by seat and by name and title, never by login name.
    assert "Department Commander Ann O'Brien, Captain, Support Division Commander" in text
    for login in ("cmdr.obrien", "rep.chen", "rep.douglas", "sgt.moreau", "commander school_rep"):
        assert login not in text, login
    # Check reasons in words: labels, full names, dates written out, no record numbers.
    assert "Certified as a full-time police officer: yes (recorded January 15, 2027)" in text
    assert "Recommendation by supervisor Claire Moreau on file" in text
    assert "record #" not in text
    assert "full_time_certified" not in text
    # Decisions by the candidate's name.
    assert "2027-09-20 Dana Whitfield Remove from the position" in text


def test_the_chief_guides_report_due_example_shows_the_report_still_owed(
    q: Callable[..., Result],
) -> None:
    """docs/guide-chief.md: on the full demo, the removed officer owes her last quarter."""
    from tests.conftest import PROJECT

    result = q("report", "due", "--as-of", "2027-10-16", user="chief.walsh")
    assert result.exit_code == 0, result.stderr
    guide = (PROJECT / "docs" / "guide-chief.md").read_text(encoding="utf-8")
    assert result.stdout in guide
    assert "2027Q3   2027-10-15  overdue by 1 day" in result.stdout


def test_hr_is_not_offered_evidence_for_a_closed_record(session: Session) -> None:
    """The demo's removed officer (1) and withdrawn one (8) take no new evidence: the glance
    marks their records closed, so the portal offers no 'Add evidence' for them."""
    from qualify.services.overview import selection_overview

    glance = selection_overview(session=session, selection_id=1, actor=as_user("hr.alvarez"))
    closed = {c.candidate_id for c in glance.candidates if c.closed}
    assert closed == {1, 8}
    template = Path(__file__).parents[2] / "src/qualify/web/templates/overview.html"
    assert '{% if c.closed %}<span class="hint">Record closed' in template.read_text()


def test_an_export_into_a_folder_with_files_is_refused_and_writes_nothing(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    events = len(json.loads(q("audit", "log", "--json").stdout))
    result = q("records", "export", "1", "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: -o: {folder} is not an empty folder; name a new one"
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert len(json.loads(q("audit", "log", "--json").stdout)) == events


def test_an_unknown_profile_and_a_bad_profile_file_are_bad_input(
    q: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = q("records", "export", "1", "--profile", "publik", "-o", str(tmp_path / "a"))
    assert result.exit_code == 2
    assert "no profile 'publik'" in result.stderr
    assert "(did you mean 'public'?)" in result.stderr
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "strict.yaml").write_text(
        "name: strict\ntitle: Strict\nreview: Counsel reviews.\nwithhold:\n  medical: because\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("QUALIFY_PROFILES", str(profiles))
    result = q("records", "export", "1", "--profile", "strict", "-o", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {profiles / 'strict.yaml'}:4: withhold: ")
    assert "unknown item 'medical'" in result.stderr
    assert not (tmp_path / "b").exists()


def test_only_manage_records_may_export(q: Callable[..., Result], tmp_path: Path) -> None:
    result = q("records", "export", "1", "-o", str(tmp_path / "c"), user="rep.chen")
    assert result.exit_code == 1
    assert "may not export records" in result.stderr
