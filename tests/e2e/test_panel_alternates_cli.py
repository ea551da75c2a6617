"""`panel assign --alternate` and its warning when a seat holder supervises a candidate."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Result

Run = Callable[..., Result]


@pytest.fixture
def q(cli: Run, sqlite_url: str) -> Run:
    def run(*args: str) -> Result:
        return cli("--db", sqlite_url, "--as", "hr1", *args)

    run("init", "--admin", "hr1", "--role", "hr")
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    for name, roles in [
        ("lt.kane", ["commander", "supervisor"]),
        ("cmdr.lee", ["commander"]),
        ("rep1", ["school_rep"]),
        ("rep2", ["school_rep"]),
        ("rep3", ["school_rep"]),
    ]:
        named = ("--full-name", name, "--title", ", ".join(roles))
        added = run("user", "add", name, *(x for r in roles for x in ("--role", r)), *named)
        assert added.exit_code == 0, added.stderr
    made = run(
        "candidate", "add", "--selection", "1", "--employee-id", "E1", "--name", "Ann Kerr",
        "--supervisor", "lt.kane",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    return run


SEATS = ("--seat", "commander=lt.kane", "--seat", "school_rep=rep1", "--seat", "school_rep=rep2")


def test_panel_assign_names_alternates_and_warns_who_sits_for_a_supervised_candidate(
    q: Run,
) -> None:
    done = q("panel", "assign", "1", *SEATS, "--alternate", "commander=cmdr.lee")
    assert done.exit_code == 0, done.stderr
    assert "alternates: commander=cmdr.lee" in done.stdout
    assert done.stderr.strip() == (
        "warning: lt.kane supervises Ann Kerr: the alternate cmdr.lee sits in the Department "
        "Commander seat for them"
    )
    shown = json.loads(q("panel", "show", "1", "--json").stdout)
    assert shown["alternates"] == [{"seat": "commander", "order": 1, "panelist": "cmdr.lee"}]
    assert "alternate 1 for commander: cmdr.lee" in q("panel", "show", "1").stdout


def test_panel_assign_warns_that_a_supervised_candidates_panel_will_be_incomplete(
    q: Run,
) -> None:
    done = q("panel", "assign", "1", *SEATS)
    assert done.exit_code == 0
    assert done.stderr.strip() == (
        "warning: lt.kane supervises Ann Kerr and may not score them: no "
        "alternate is named; the panel will be incomplete for them"
    )


@pytest.mark.parametrize(
    ("alternate", "message"),
    [
        (
            "commander=rep3",
            "--alternate commander=rep3: rep3 does not hold the role Department Commander",
        ),
        ("commander=nobody", "--alternate commander=nobody: 'nobody' is not a registered user"),
        (
            "school_rep=rep1",
            "rep1 is named more than once (the Milford School System representative seat and "
            "an alternate for the Milford School System representative seat)",
        ),
        ("comander=cmdr.lee", "--alternate comander=cmdr.lee: no seat 'comander'"),
    ],
)
def test_a_bad_alternate_is_refused_and_nothing_is_assigned(
    q: Run, alternate: str, message: str
) -> None:
    refused = q("panel", "assign", "1", *SEATS, "--alternate", alternate)
    assert refused.exit_code == 2
    assert message in refused.stderr
    assert json.loads(q("panel", "show", "1", "--json").stdout)["seats"] == []
