"""`qualify demo` (what `make demo` runs): a whole selection, its packets, the same every time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader


def run_demo(folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "qualify", "demo", "-o", str(folder / "out")],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demo_runs_a_whole_selection_and_writes_readable_packets(tmp_path: Path) -> None:
    out = run_demo(tmp_path)
    assert "4   Tom Brennan      FAIL  FAIL  ok" in out
    assert "8   Owen Fitzgerald  ok    ok    ok  ok    ok    ok    ok    ok    withdrawn" in out
    assert "1. Dana Whitfield: weighted total 4.31, PASS" in out
    assert "2. Luis Reyes: weighted total 3.65, PASS, 1 disagreement flagged" in out
    assert "-  Priya Natarajan: weighted total 3.77, FAIL" in out  # failed: not ranked
    assert "declared a conflict of interest: Corporal Fitzgerald is my neighbour" in out
    # The second story: Whitfield removed in September, Reyes recalled from the eligible list.
    assert (
        "The position now:\n  Selected: Luis Reyes\n  Removed from the position: Dana Whitfield\n"
        in out
    )
    assert "Packets: 32 PDFs in" in out
    assert "Audit log verified: 187 events" in out
    assert "rep.chen     school_rep          practice-rep.chen" in out
    assert "'make serve' serves this database on port 8000" in out
    assert "then open http://127.0.0.1:8000/ (QUALIFY_PORTAL_URL, where" in out
    assert "the audit check notes each step back in time, saying it is the demo's dates" in out
    assert_demo_password_signs_in(tmp_path / "out" / "demo.db")
    (path,) = (tmp_path / "out").glob(
        "selection-1_candidate-0001_appointed_appointment_letter_event-*.pdf"
    )
    letter = PdfReader(path)
    text = " ".join(letter.pages[0].extract_text().split())
    assert "Dear Officer Whitfield," in text
    assert "Effective March 15, 2027, you are appointed to the position of School Resource" in text
    # The training directed by the Detective Sergeant and the Commander, completed before it.
    assert "You have completed the training directed for the position, 56 hours in all" in text
    assert "Basic School Resource Officer course 40 hours February 19, 2027" in text
    assert "8 hours March 9, 2027" in text
    assert "Page 1 of 1" in text
    # Two quarterly activity reports after the appointment: the first corrected, the second late.
    reports = sorted((tmp_path / "out").glob("selection-1_candidate-0001_report-*.pdf"))
    assert [p.name.split("_")[2] for p in reports] == ["report-2027Q1", "report-2027Q2"]
    first, second = (" ".join(PdfReader(p).pages[0].extract_text().split()) for p in reports)
    assert "The Career Day talk at Milford High School on March 30 was left out." in first
    assert "April 9, 2027, by Claire Moreau, Sergeant, Patrol Division: on time" in first
    assert (
        "July 19, 2027, by Claire Moreau, Sergeant, Patrol Division: after the due date" in second
    )


def assert_demo_password_signs_in(database: Path) -> None:
    """The password the demo printed opens the portal on its database."""
    from starlette.testclient import TestClient

    from qualify.config import Settings
    from qualify.web.app import create_app
    from tests.web.conftest import sign_in

    app = create_app(Settings.from_env(database_url=f"sqlite:///{database}"))
    with TestClient(app, follow_redirects=False) as browser:
        assert sign_in(browser, "rep.chen", "practice-rep.chen") == "/"
        assert browser.get("/").status_code == 200


def test_running_the_demo_again_gives_the_same_result(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    pdfs = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.pdf")}
    second = run_demo(tmp_path)
    assert first == second  # the same audit head hash included
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.pdf")} == pdfs
