"""`make bench` keeps working: a tiny run writes a complete report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT


def test_a_small_benchmark_run_reports_every_stage_and_both_commands(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
    # A report from an earlier run: its packet section stays, as this run measures no packets.
    packets = "## Packets\n\nqualify's overhead over bare WeasyPrint: 2.2%.\n"
    report.write_text("# Performance\n\n## 9 candidates on sqlite\n\nold\n\n" + packets)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--candidates",
            "12",
            "--backends",
            "sqlite",
            "--packets",
            "0",
            "--output",
            str(report),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = report.read_text()
    assert "## 12 candidates on sqlite" in text
    for stage in ("import", "check", "advance", "score", "rank"):
        assert f"| {stage} | " in text
    assert "`candidate list --json`" in text
    assert "`results --json`" in text
    assert "Largest ratio:" in text
    assert "## 9 candidates" not in text
    assert text.endswith("\n\n" + packets)


def test_a_small_portal_load_run_reports_latency_and_finds_every_scorecard_as_sent(
    tmp_path: Path,
) -> None:
    report = tmp_path / "performance.md"
    report.write_text("# Performance\n\nearlier results stay\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.portal",
            "--backends",
            "sqlite",
            "--panelists",
            "2",
            "--candidates",
            "2",
            "--at-once",
            "1,64",
            "--output",
            str(report),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    text = report.read_text()
    assert "earlier results stay" in text
    assert "## The portal under load" in text
    # 2 panelists x 2 candidates x (10 actions and the 3 pages their redirects lead to), on one
    # server process working on one request at a time, then on every request at once
    for at_once in ("1", "every request"):
        row = next(
            line
            for line in text.splitlines()
            if line.startswith(f"| sqlite | 1 | {at_once} | 2 x 2 | 52 |")
        )
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[5] == "0", done.stderr  # no error
        assert cells[-1] == "yes"  # every scorecard equals what was sent
        assert float(cells[11]) > 0  # the server's CPU per request
    assert "confirmation page" in text  # the page the submit step leads to, opened and timed
    assert "(not the default setting: for comparison)" in text
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in text  # what it wrote, printed


def test_the_engine_benchmark_keeps_the_portal_section_when_it_rewrites_the_report(
    tmp_path: Path,
) -> None:
    from benchmarks.__main__ import keep_portal_section
    from benchmarks.portal import MARK_END, MARK_START

    section = f"{MARK_START}\nportal figures\n{MARK_END}"
    previous = f"# Performance\n\nold\n\n## Packets\n\npackets\n\n{section}\n"
    text = keep_portal_section("# Performance\n\nnew\n", previous)
    assert "old" not in text
    assert text.endswith(f"new\n\n{section}\n")
    # A report that kept the earlier packets part (and the section in it) has it once, last.
    kept = keep_portal_section(
        f"# Performance\n\nnew\n\n## Packets\n\npackets\n\n{section}\n", previous
    )
    assert kept.count(MARK_START) == 1
    assert kept.endswith(f"packets\n\n{section}\n")
