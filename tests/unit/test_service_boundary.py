"""The services speak no front door's language: no typer, no `--flag`, no `qualify` command in
their words. Errors carry the field and the next step; each front door says them its own way."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
import typer

import qualify
from qualify.cli.errors import STEPS, command, flag, render
from qualify.cli.main import app
from qualify.errors import (
    BadInput,
    FieldValueError,
    GuardRefused,
    NotFound,
    Problem,
    QualifyError,
    RuleViolation,
    Step,
)
from qualify.web.errors import inputs

SRC = Path(qualify.__file__).parent
BEHIND_THE_DOOR = ("services", "workflow", "store", "packets")
FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _modules() -> list[Path]:
    return sorted(p for folder in BEHIND_THE_DOOR for p in (SRC / folder).rglob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: prose for developers, never shown to a user."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _texts(path: Path) -> list[tuple[int, str]]:
    """Every string literal in a module but its docstrings, with its line."""
    tree = ast.parse(path.read_text(), str(path))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


def test_no_module_behind_the_front_doors_imports_typer() -> None:
    importers = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name.split(".")[0] in ("typer", "click") for name in names):
                importers.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert importers == []


def test_no_message_behind_the_front_doors_names_a_flag_or_a_command() -> None:
    commands = [f"qualify {name}" for name in _commands()]
    assert "qualify init" in commands
    assert "qualify user" in commands
    found = [
        f"{path.relative_to(SRC)}:{line}: {text!r}"
        for path in _modules()
        for line, text in _texts(path)
        if FLAG.search(text) or any(c in text for c in commands)
    ]
    assert found == []


def test_every_step_a_module_names_has_words_on_the_command_line() -> None:
    named = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Step":
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}:{node.lineno}"
                named.add(first.value)
    assert named, "no step found: the scan is broken"
    assert named - set(STEPS) == set()


def test_a_field_is_plain_in_the_service_and_a_flag_on_the_command_line() -> None:
    error = BadInput("say why", field="reason_code")
    assert str(error) == "reason_code: say why"
    assert render(error) == "--reason-code: say why"
    assert (error.field, error.message, error.exit_code) == ("reason_code", "say why", 2)
    assert flag("vouched_by") == "--by"
    assert flag("notice+reason_code") == "--notice and --reason-code"


def test_an_error_names_its_inputs_one_way_each_front_door_placing_them_its_own() -> None:
    """A problem's `field` is the only way an error names its input: the CLI labels the line
    with the flag (an entry of a mapping, `scores.clarity`, with the mapping's `--set`); the
    portal shows the error beside the inputs it names, and beside those its step asks for."""
    off_scale = BadInput(
        problems=[
            Problem("off the scale 1-5", "scores.clarity", "clarity=9"),
            Problem("unknown criterion", "comments.poise", "poise"),
        ]
    )
    assert render(off_scale).splitlines() == [
        "--set clarity=9: off the scale 1-5",
        "--comment poise: unknown criterion",
    ]
    assert off_scale.fields == ("scores.clarity", "comments.poise")
    assert inputs(off_scale) == ["clarity", "poise"]
    both = BadInput("give one of them, not both", field="notice+reason_code")
    assert both.fields == ("notice", "reason_code")
    extremes = BadInput(
        "a score of 1 or 5 needs evidence",
        step=Step("comment_extremes", "role_model, liaison"),
        hint="nothing was saved",
    )
    assert extremes.fields == ()
    assert inputs(extremes) == ["role_model", "liaison"]
    assert render(extremes).endswith(
        ": add --comment ID=TEXT for role_model, liaison; nothing was saved"
    )
    locked = RuleViolation("submitted and locked", step=Step("correct_scorecard"))
    assert inputs(locked) == ["reason"]
    assert not hasattr(QualifyError, "about")


def test_several_problems_are_one_line_each_with_the_step_and_hint_after_the_last() -> None:
    error = BadInput(
        problems=[
            Problem("not a whole number", "scores", "clarity=x"),
            Problem("missing field 'form'", value="medical", step=Step("attach_file")),
        ],
        step=Step("score_criteria"),
        hint="nothing was saved",
    )
    assert render(error).splitlines() == [
        "--set clarity=x: not a whole number",
        "medical: missing field 'form' (use --file PATH) (use --set ID=N); nothing was saved",
    ]
    assert "--" not in str(error)
    assert "qualify" not in str(error)


def test_a_step_names_its_subject_on_the_command_line() -> None:
    error = NotFound("no user 'ann'", step=Step("register_user", "ann"))
    assert render(error).endswith("'qualify user add ann --role ROLE'")
    assert str(error) == "no user 'ann'"
    assert command(Step("give_notice")).startswith("; give --notice TEXT")


@pytest.mark.parametrize("error", [GuardRefused, FieldValueError])
def test_errors_raised_deep_inside_are_qualify_errors(error: type[Exception]) -> None:
    assert issubclass(error, QualifyError)
    assert issubclass(GuardRefused, RuleViolation)
    assert issubclass(FieldValueError, BadInput)


def test_every_exception_qualify_defines_is_a_qualify_error() -> None:
    """An exception outside the tree could reach a user as a traceback. The one exception is the
    YAML reader's, which every reader of YAML turns into a BadInput."""
    tree = {name for name, c in inspect.getmembers(qualify.errors, inspect.isclass)}
    tree = {name for name in tree if issubclass(getattr(qualify.errors, name), QualifyError)}
    outside = []
    for path in SRC.rglob("*.py"):
        if path.name == "errors.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Error", "Refused")):
                bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
                if not bases & tree:
                    outside.append(node.name)
    assert outside == ["YAMLLimitError"]


def test_no_module_names_a_workflows_packet_its_title_or_its_audience() -> None:
    """What a packet is called, who receives it and whether it may carry sensitive evidence is
    the workflow's (`packet_kinds`, beside `packets:`): no module of qualify names a packet a
    shipped workflow prints, nor a packet's title. (`activity_report` is also a table's name,
    and "Quarterly activity report" the default label of the activity reports a workflow may
    ask for, in workflow/spec.py.)"""
    from sqlmodel import SQLModel

    from qualify.workflow.loader import load_path

    names: set[str] = set()
    for path in sorted((SRC.parents[1] / "workflows").glob("*.yaml")):
        spec = load_path(path).spec
        names |= {t for templates in spec.packets.values() for t in templates}
        names |= set(spec.packet_kinds) | {k.title for k in spec.packet_kinds.values()}
    assert {"eligibility_review", "Eligibility review", "Oral board packet"} <= names
    names -= set(SQLModel.metadata.tables) | {"Quarterly activity report"}
    found = [
        f"{path.relative_to(SRC)}:{line}: {text!r}"
        for path in sorted(SRC.rglob("*.py"))
        for line, text in _texts(path)
        if text in names
    ]
    assert found == []
