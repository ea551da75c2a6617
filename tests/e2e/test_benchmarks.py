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
