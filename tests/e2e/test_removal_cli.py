"""`qualify advance ... remove --category` and `... recall [--skip-reason]` from the command line:
exit codes and the one line that names what is wrong."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qualify.services.scenario import Scenario
from tests.conftest import SCENARIO, Result
from tests.helpers.actors import CLI


@pytest.fixture
def q(cli: Callable[..., Result], tmp_path: Path) -> Callable[..., Result]:
    """The demo stopped before its removal: Whitfield (1) appointed, Reyes (2) not selected."""
    steps = Scenario.load(SCENARIO, CLI).data["steps"]
    before = next(i for i, step in enumerate(steps) if step.get("trigger") == "remove")
    done = subprocess.run(
        [sys.executable, "-m", "qualify", "demo", "-o", "out", "--steps", str(before)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    url = f"sqlite:///{tmp_path / 'out' / 'demo.db'}"

    def run(*args: str) -> Result:
        return cli("--db", url, "--as", "chief.walsh", *args)

    return run


def test_remove_needs_a_known_category_then_prints_the_notice(q: Callable[..., Result]) -> None:
    reason = ("--reason", "Example only.")
    missing = q("advance", "1", "remove", *reason)
    assert missing.exit_code == 2
    assert missing.stderr == (
        "error: --category: remove needs a category, one of policy, guideline, philosophy, "
        "school_rule\n"
    )
    unknown = q("advance", "1", "remove", *reason, "--category", "school-rule")
    assert unknown.exit_code == 2
    assert "error: --category: remove has no category 'school-rule' (did you mean " in (
        unknown.stderr
    )
    assert "appointed" in q("candidate", "show", "1").stdout
    done = q("advance", "1", "remove", *reason, "--category", "school_rule")
    assert done.exit_code == 0, done.stderr
    assert "candidate 1: appointed -> removed" in done.stdout
    assert "_removed_notice_of_removal_event-" in done.stdout


def test_recall_refused_out_of_order_is_exit_1_and_a_stray_skip_reason_exit_2(
    q: Callable[..., Result],
) -> None:
    held = q("advance", "2", "recall", "--reason", "Vacant.")
    assert held.exit_code == 1
    assert held.stderr == (
        'error: cannot "Recall Luis Reyes from the eligible list" for Luis Reyes: the position '
        "is held by Dana Whitfield (Appointed School Resource Officer); "
        '"Remove from the position (infraction of policy, guideline, philosophy or school '
        'rule)" or "The officer withdraws" frees it\n'
    )
    removed = q("advance", "1", "remove", "--reason", "Example.", "--category", "policy")
    assert removed.exit_code == 0, removed.stderr
    failed = q("advance", "3", "recall", "--reason", "Vacant.")
    assert failed.exit_code == 1
    assert "Interview passed (pass mark and criterion minimums" in failed.stderr
    assert "failed: interview not passed" in failed.stderr
    stray = q("advance", "2", "recall", "--reason", "Vacant.", "--skip-reason", "None skipped.")
    assert stray.exit_code == 2
    assert stray.stderr == (
        "error: --skip-reason: Luis Reyes is next on the eligible list; nobody is passed over\n"
    )
    done = q("advance", "2", "recall", "--reason", "Vacant.")
    assert done.exit_code == 0, done.stderr
    assert "candidate 2: not_selected -> selected" in done.stdout


def test_after_the_decisions_candidate_add_and_import_are_refused_with_exit_1(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    late = ("--employee-id", "MPD-2008", "--name", "Sam Late", "--supervisor", "sgt.moreau")
    added = q("--as", "hr.alvarez", "candidate", "add", "--selection", "1", *late)
    assert added.exit_code == 1, added.stderr
    assert added.stderr.startswith("error: cannot add candidates to selection 1: it has been ")
    assert added.stderr.endswith("; open a new selection for more candidates\n")
    roster = tmp_path / "late.csv"
    roster.write_text("employee_id,name\nMPD-2008,Sam Late\n")
    imported = q("--as", "hr.alvarez", "candidate", "import", str(roster), "--selection", "1")
    assert imported.exit_code == 1, imported.stderr
    assert "error: cannot import candidates into selection 1: it has been decided" in (
        imported.stderr
    )
    assert "MPD-2008" not in q("--as", "hr.alvarez", "candidate", "list").stdout


def test_the_audit_log_lists_a_removals_category_and_whole_reason_and_a_recalls_list(
    q: Callable[..., Result],
) -> None:
    reason = (
        "Disciplined a student for a dress-code violation instead of referring it to the "
        "administration, as duty 9 requires; second time this term."
    )
    assert len(reason) > 100
    removed = q("advance", "1", "remove", "--reason", reason, "--category", "school_rule")
    assert removed.exit_code == 0, removed.stderr
    lines = q("audit", "log", "--candidate", "1").stdout.splitlines()
    (line,) = [x for x in lines if "remove appointed -> removed" in x]
    assert line.endswith(
        "remove appointed -> removed; category: a School Rule or School Policy (school_rule); "
        f"reason: {reason}"
    )
    recalled = q("advance", "2", "recall", "--reason", "Vacant since the removal.")
    assert recalled.exit_code == 0, recalled.stderr
    lines = q("audit", "log", "--candidate", "2").stdout.splitlines()
    (line,) = [x for x in lines if "recall not_selected -> selected" in x]
    assert re.search(
        r"recall not_selected -> selected; eligible list: rank 2, established \d{4}-\d\d-\d\d, "
        r"valid through \d{4}-\d\d-\d\d; reason: Vacant since the removal\.$",
        line,
    ), line
