"""`qualify workflow validate|show|diagram` as a user runs them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Result

BROKEN = PROJECT / "tests" / "data" / "broken"


def test_validate_shipped_workflows_exits_0(cli: Callable[..., Result]) -> None:
    paths = sorted(str(p) for p in (PROJECT / "workflows").glob("*.yaml"))
    result = cli("workflow", "validate", *paths)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok (") == len(paths)


def test_validate_lists_every_problem_of_every_file_and_exits_2(cli: Callable[..., Result]) -> None:
    result = cli(
        "workflow",
        "validate",
        str(PROJECT / "workflows" / "sro-selection.yaml"),
        str(BROKEN / "two_problems.yaml"),
        str(BROKEN / "unknown_role.yaml"),
    )
    assert result.exit_code == 2
    assert "sro-selection.yaml: ok" in result.stdout
    errors = result.stderr.splitlines()
    assert len(errors) == 3
    assert errors[0] == (
        f"error: {BROKEN / 'two_problems.yaml'}:24: transitions[0].dest: "
        "unknown state 'okay' (did you mean 'ok'?)"
    )
    assert "Traceback" not in result.stderr


def test_validate_a_missing_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("workflow", "validate", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'nope.yaml'}: cannot read:")


def test_show_prints_who_may_fire_what(cli: Callable[..., Result]) -> None:
    result = cli("workflow", "show", "sro-selection")
    assert result.exit_code == 0, result.stderr
    assert (
        "  remove: appointed -> removed, by chief; reason required\n"
        "      --category: policy, guideline, philosophy, school_rule\n"
        "  recall: not_selected -> selected, by chief; reason required\n"
        "      guarded by: interview_passed\n"
        "      from the eligible list, valid 12 months from the selection decision; in rank "
        "order unless --skip-reason\n"
    ) in result.stdout
    assert "  school_rep: 2 x school_rep" in result.stdout


def test_show_lists_the_evidence_kinds_and_their_fields(cli: Callable[..., Result]) -> None:
    shown = cli("workflow", "show", "sro-selection").stdout
    assert "Evidence kinds (qualify evidence add CANDIDATE KIND):" in shown
    assert "  fitness (sensitive): Physical condition (pass/fail only, no medical details)" in shown
    assert "      fields: author (user), written_on (date), letter (file)" in shown
    assert "  conduct_finding (several): Conduct finding" in shown


def test_show_json_carries_the_hash(cli: Callable[..., Result]) -> None:
    result = cli("workflow", "show", "fto-selection", "--json")
    data = json.loads(result.stdout)
    assert data["name"] == "fto-selection"
    assert len(data["sha256"]) == 64
    assert data["panel"]["seats"]["sergeants"]["count"] == 2


def test_show_an_unknown_workflow_is_refused(cli: Callable[..., Result]) -> None:
    result = cli("workflow", "show", "sro-selektion")
    assert result.exit_code == 2
    assert "no workflow named 'sro-selektion'" in result.stderr
    assert "did you mean 'sro-selection'?" in result.stderr
    assert "sro-selection" in result.stderr


def test_diagram_mermaid_to_a_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "sro.mmd"
    result = cli("workflow", "diagram", "sro-selection", "-o", str(out))
    assert result.exit_code == 0
    assert "screening --> eligible : confirm_eligible [commander] (8 checks)" in out.read_text()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_diagram_svg_through_graphviz(cli: Callable[..., Result]) -> None:
    result = cli("workflow", "diagram", "sro-selection", "--format", "svg")
    assert result.exit_code == 0
    assert "<svg" in result.stdout
    assert "confirm_eligible" in result.stdout


def test_diagram_svg_without_graphviz_says_what_to_do(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = cli("workflow", "diagram", "sro-selection", "--format", "svg")
    assert result.exit_code == 1
    assert "apt-get install graphviz" in result.stderr


def test_diagram_unknown_format_is_bad_input(cli: Callable[..., Result]) -> None:
    result = cli("workflow", "diagram", "sro-selection", "--format", "png")
    assert result.exit_code == 2
    assert "unknown format 'png'" in result.stderr
