"""Every command that acts or reads records for someone refuses a user who is not registered,
in the same words: walked over the command tree, so that a new command cannot slip."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import typer

from qualify.cli.main import app
from tests.conftest import PROJECT, Result
from tests.helpers.selected import selected_db

# Commands that act for no one and read no records, each with why.
EXEMPT = {
    "init": "creates or upgrades the database; its --admin makes the first user",
    "demo": "runs the sample selection in a database of its own",
    "serve": "starts the portal, where each person signs in",
    "attest": "its old name only: says it is now 'declare', and records nothing",
    "workflow validate": "reads workflow files, not records",
    "workflow show": "reads a workflow file, not records",
    "workflow diagram": "draws a workflow file, not records",
    "audit key": "says where the key file is and which keys it holds, from the file alone",
}

# A valid value for each required parameter, by name, so that only the user is wrong; any
# other parameter a new command requires gets "1" (its error then names the parameter).
VALUES = {
    "trigger": "begin_screening",
    "name": "someone.new",
    "roles": "hr",
    "title": "A selection",
    "workflow": "sro-selection",
    "as_of": "2027-01-15",
    "employee_id": "NEW-1",
    "reason": "a reason",
    "kind": "service",
    "seats": "commander=cmdr.obrien",
    "at": "2027-02-01T10:00",
    "place": "Room 1",
    "sex": "female",
    "race_ethnicity": "white",
    "quarter": "2027Q1",
    "courses": "basic_sro",
    "course": "basic_sro",
    "by": (date.today() + timedelta(days=30)).isoformat(),  # a due date within 90 days
    "on": "2026-01-05",
}
FILES = {"csv_path", "output", "paths"}
# Commands that need one of two optional inputs: the candidate.
EXTRA = {"check": ["1"], "packet": ["1"]}


def leaves(command: typer.core.TyperGroup | typer.core.TyperCommand, path: str) -> Iterator[str]:
    subs = getattr(command, "commands", None)
    if not subs:
        yield path
        return
    for name, sub in subs.items():
        yield from leaves(sub, f"{path} {name}".strip())


ROOT = typer.main.get_command(app)
COMMANDS = sorted(leaves(ROOT, ""))


def command_of(path: str) -> typer.core.TyperCommand:
    found = ROOT
    for part in path.split():
        found = found.commands[part]  # type: ignore[attr-defined]
    return found  # type: ignore[return-value]


def arguments(path: str, folder: Path) -> list[str]:
    """The command's required arguments and options, each with a valid value."""
    args: list[str] = list(EXTRA.get(path, []))
    for param in command_of(path).params:
        if not param.required:
            continue
        name = param.name or ""
        if name in FILES:
            value = str(PROJECT / "docs" / "examples" / "roster.csv")
            if name != "csv_path" or path == "fairness flow":
                value = str(folder / f"out-{name}")
        else:
            value = VALUES.get(name, "1")
        if param.param_type_name == "option":
            args += [param.opts[0], value]  # type: ignore[attr-defined]
        else:
            args.append(value)
    return args


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return selected_db(tmp_path_factory.mktemp("unknown-user"))


@pytest.fixture
def q(cli: Callable[..., Result], template: Path, tmp_path: Path) -> Callable[..., Result]:
    path = tmp_path / "q.db"
    shutil.copy(template, path)

    def run(user: str, *args: str) -> Result:
        return cli("--db", f"sqlite:///{path}", "--as", user, *args)

    return run


def test_the_exemptions_are_commands_that_exist() -> None:
    assert set(EXEMPT) <= set(COMMANDS)


@pytest.mark.parametrize("path", [c for c in COMMANDS if c not in EXEMPT])
def test_an_unknown_user_is_refused_by_every_command(
    q: Callable[..., Result], path: str, tmp_path: Path
) -> None:
    result = q("ghost", *path.split(), *arguments(path, tmp_path))
    assert (result.exit_code, result.stdout) == (1, ""), result.stderr
    assert result.stderr == (
        "error: unknown user 'ghost': act as a registered user with --as NAME, or ask HR to add "
        "you with 'qualify user add ghost --role ROLE'\n"
    )
    assert list(tmp_path.glob("out-*")) == []
