"""`make bench` keeps working: a tiny run writes a complete report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT


def test_a_small_benchmark_run_reports_every_stage_and_both_commands(tmp_path: Path) -> None:
    report = tmp_path / "performance.md"
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
