"""Every command shown in the docs runs: each file's ```sh blocks, in order, in a fresh folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

DOCS = sorted([PROJECT / "README.md", *(PROJECT / "docs").glob("*.md")])
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


def blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def test_the_docs_show_commands() -> None:
    assert sum(len(blocks(p)) for p in DOCS) >= 15
    for name in (
        "quickstart",
        "guide-hr",
        "guide-commander",
        "guide-school-rep",
        "guide-chief",
        "workflows",
        "operations",
    ):
        assert blocks(PROJECT / "docs" / f"{name}.md"), name


@pytest.mark.parametrize("doc", [p for p in DOCS if blocks(p)], ids=lambda p: p.name)
def test_every_command_in_the_doc_runs(
    doc: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    script = "\n".join(blocks(doc))
    if "postgresql://" in script:
        request.getfixturevalue("postgres_server")  # skips (or fails in CI) without a server
    for folder in ("docs", "workflows", "templates"):  # as in the repository's root
        (tmp_path / folder).symlink_to(PROJECT / folder)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUALIFY_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-x", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, f"{doc.name}: a command failed\n{done.stderr[-3000:]}"
