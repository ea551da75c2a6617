"""The demo's sample data: its fixed audit key, its users' portal passwords, the files an
earlier run left (removed before a run), and the states after selection its summary lists.
The run itself is `scenario.run_demo`."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from qualify import auditkey
from qualify.config import Settings, default_audit_key
from qualify.errors import BadInput, QualifyError
from qualify.workflow.spec import Workflow


def clean(output_dir: Path) -> None:
    """Remove what an earlier demo wrote (and nothing else), so a run starts fresh."""
    for name in ("demo.db", "demo.db-wal", "demo.db-shm", "demo.db-journal"):
        (output_dir / name).unlink(missing_ok=True)
    shutil.rmtree(output_dir / "demo-files", ignore_errors=True)
    for pdf in output_dir.glob("selection-*_candidate-*.pdf"):
        pdf.unlink()
    for pdf in output_dir.glob("selection-*_fairness-report.pdf"):
        pdf.unlink()


# The demo's audit key is fixed, so that two runs write the same hashes and the same packets.
# It is sample data's key and no secret: never use it for a real selection.
DEMO_KEY = hashlib.sha256(b"qualify demo audit key: sample data only, not a secret").digest()


def demo_key(settings: Settings, url: str) -> Path:
    """Write the demo's key where commands on the demo database will look for it: the
    QUALIFY_AUDIT_KEY file if set (refused if it holds another key), else the default place
    for the demo database (replaced: the demo database is made afresh too)."""
    path = settings.audit_key_file or default_audit_key(url, os.environ)
    if path.exists():
        try:
            same = auditkey.load(path).keys == ((auditkey.key_id(DEMO_KEY), DEMO_KEY),)
        except QualifyError:
            same = False
        if same:
            return path
        if settings.audit_key_file is not None:
            raise BadInput(
                f"QUALIFY_AUDIT_KEY names {path}, which holds another key than the demo's: "
                "unset it to run the demo"
            )
        path.unlink()
    auditkey.create(path, DEMO_KEY)
    return path


def states_after_selection(spec: Workflow) -> dict[str, str]:
    """The states reachable from the destinations of triggers guarded by the interview result
    (`select`, `recall`), but not the withdrawn or not-selected ends, with their labels."""
    starts = {
        t.dest
        for t in spec.transitions
        if any(spec.checks[g].kind == "interview_passed" for g in t.guards)
    }
    reached, todo = set(starts), list(starts)
    while todo:
        state = todo.pop()
        for t in spec.triggers_from(state):
            if t.dest not in reached and t.dest not in spec.fairness.excluded:
                reached.add(t.dest)
                todo.append(t.dest)
    return {name: s.label for name, s in spec.states.items() if name in reached}


def demo_password_of(name: str) -> str:
    """A demo user's portal password: known, printed by the demo, for sample data only."""
    return f"practice-{name}"
