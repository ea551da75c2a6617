"""The whole flow on the real clock (no fixed `now`): a selection whose as-of date has passed, as
is usual once screening starts, and one whose as-of date is still ahead. Records entered today
count; each fact is weighed by its own date."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Result

Run = Callable[..., Result]


def _today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def q(cli: Run, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    # The SRO workflow, with the fitness check counting tests taken up to the decision.
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    text = (PROJECT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    late_fitness = text.replace(
        "params: {evidence: fitness, result_field: result, date_field: tested_on, "
        "max_age_days: 180}",
        "params: {evidence: fitness, result_field: result, date_field: tested_on, "
        "max_age_days: 180, facts_until: decision}",
    )
    assert late_fitness != text
    (workflows / "sro-selection.yaml").write_text(text, encoding="utf-8")
    (workflows / "sro-late-fitness.yaml").write_text(
        late_fitness.replace("name: sro-selection", "name: sro-late-fitness"), encoding="utf-8"
    )
    shutil.copytree(PROJECT / "templates", tmp_path / "templates")
    monkeypatch.setenv("QUALIFY_WORKFLOWS", str(workflows))
    monkeypatch.setenv("QUALIFY_RECORDS", str(tmp_path / "records"))
    monkeypatch.setenv("QUALIFY_OUTPUT", str(tmp_path / "out"))

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", sqlite_url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    for name, role in [("cmdr1", "commander"), ("sgt1", "supervisor")]:
        assert run("user", "add", name, "--role", role).exit_code == 0
    return run


def _open(q: Run, as_of: date, workflow: str = "sro-selection") -> int:
    opened = q("selection", "open", "SRO", "--workflow", workflow, "--as-of", as_of.isoformat())
    assert opened.exit_code == 0, opened.stderr
    listed = json.loads(q("selection", "list", "--json").stdout)
    return int(listed[-1]["id"])


def _add_candidate(q: Run, selection: int, employee: str) -> int:
    added = q(
        "candidate", "add", "--selection", str(selection), "--employee-id", employee,
        "--name", f"Officer {employee}", "--supervisor", "sgt1",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return int(added.stdout.split()[2].rstrip(":"))


def _record_everything(q: Run, cid: int, tmp_path: Path, **dates: date) -> dict[str, int]:
    """Every kind of evidence, entered now; returns the record id of each kind."""
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.7\nI recommend this officer.\n")
    c = str(cid)
    commands = {
        "certification": ["--field", "full_time_certified=yes"],
        "service": ["--date", dates["service"].isoformat()],
        "probation": ["--date", dates["probation"].isoformat()],
        "conduct_review": ["--date", _today().isoformat()],
        "recommendation": [
            "--field", "author=sgt1", "--date", dates["letter"].isoformat(),
            "--file", str(letter),
        ],
        "fitness": ["--result", "pass", "--date", dates["fitness"].isoformat()],
        "drug_screen": ["--result", "pass", "--date", dates["drug"].isoformat()],
        "tobacco": ["--field", "tobacco_free=yes", "--date", dates["drug"].isoformat()],
    }  # fmt: skip
    ids = {}
    for kind, options in commands.items():
        added = q("evidence", "add", c, kind, *options)
        assert added.exit_code == 0, added.stderr
        ids[kind] = int(added.stdout.split("#")[1].split()[0])
    return ids


def _results(q: Run, cid: int) -> dict[str, dict[str, str]]:
    shown = q("check", str(cid), "--json")
    assert shown.exit_code == 0, shown.stderr
    return {r["check"]: r for r in json.loads(shown.stdout)["candidates"][0]["results"]}


def test_a_selection_whose_as_of_date_has_passed_qualifies_on_records_entered_today(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today - timedelta(days=30)
    selection = _open(q, as_of)
    cid = _add_candidate(q, selection, "E1")
    ids = _record_everything(
        q, cid, tmp_path,
        service=date(2020, 1, 1), probation=date(2021, 1, 1), letter=as_of,
        fitness=as_of - timedelta(days=10), drug=as_of - timedelta(days=3),
    )  # fmt: skip
    checks = _results(q, cid)
    eligibility = {
        k: v for k, v in checks.items() if k not in ("panel_complete", "interview_passed")
    }
    assert {v["status"] for v in eligibility.values()} == {"pass"}, eligibility
    assert checks["two_years_full_time"]["reason"].endswith(
        f"as of {as_of} (full-time since 2020-01-01, record #{ids['service']})"
    )
    assert checks["physical_fitness"]["reason"] == (
        f"fitness result of {as_of - timedelta(days=10)}: pass, 10 days old as of {as_of} "
        f"(record #{ids['fitness']})"
    )
    assert q("advance", str(cid), "begin_screening").exit_code == 0
    eligible = q("advance", str(cid), "confirm_eligible", user="cmdr1")
    assert eligible.exit_code == 0, eligible.stderr
    assert "screening -> eligible" in eligible.stdout

    # A letter written after the as-of date, entered today: on file, but not counted, and said so.
    late = q(
        "evidence", "add", str(cid), "recommendation", "--field", "author=sgt1",
        "--date", (as_of + timedelta(days=5)).isoformat(), "--file", str(tmp_path / "letter.pdf"),
    )  # fmt: skip
    record = int(late.stdout.split("#")[1].split()[0])
    letter = _results(q, cid)["supervisor_recommendation"]
    assert (letter["status"], letter["reason"]) == (
        "fail",
        f"recommendation not counted: record #{record} is dated {as_of + timedelta(days=5)}, "
        f"after the as-of date {as_of}",
    )
    assert letter["evidence"] == [record]


def test_a_fitness_test_after_the_as_of_date_counts_where_the_check_says_decision(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today - timedelta(days=30)
    dates = {
        "service": date(2020, 1, 1),
        "probation": date(2021, 1, 1),
        "letter": as_of,
        "fitness": today - timedelta(days=2),  # after the deadline, before the decision
        "drug": as_of - timedelta(days=3),
    }
    strict = _add_candidate(q, _open(q, as_of), "E1")
    fitness_id = _record_everything(q, strict, tmp_path, **dates)["fitness"]
    assert _results(q, strict)["physical_fitness"]["reason"] == (
        f"fitness not counted: record #{fitness_id} is dated {dates['fitness']}, "
        f"after the as-of date {as_of}"
    )
    lenient = _add_candidate(q, _open(q, as_of, "sro-late-fitness"), "E1")
    fitness_id = _record_everything(q, lenient, tmp_path, **dates)["fitness"]
    fitness = _results(q, lenient)["physical_fitness"]
    assert (fitness["status"], fitness["reason"]) == (
        "pass",
        f"fitness result of {dates['fitness']}: pass, 2 days old as of {today} "
        f"(record #{fitness_id})",
    )
    assert q("advance", str(lenient), "begin_screening").exit_code == 0
    assert q("advance", str(lenient), "confirm_eligible", user="cmdr1").exit_code == 0


def test_a_selection_whose_as_of_date_is_ahead_counts_facts_dated_up_to_it(
    q: Run, tmp_path: Path
) -> None:
    today = _today()
    as_of = today + timedelta(days=30)
    selection = _open(q, as_of)
    cid = _add_candidate(q, selection, "E2")
    ids = _record_everything(
        q, cid, tmp_path,
        service=as_of - timedelta(days=3 * 366), probation=today + timedelta(days=10),
        letter=today, fitness=today - timedelta(days=100), drug=today,
    )  # fmt: skip
    checks = _results(q, cid)
    assert checks["probation_completed"]["status"] == "pass"  # completes before the as-of date
    assert checks["physical_fitness"]["reason"] == (
        f"fitness result of {today - timedelta(days=100)}: pass, 130 days old as of {as_of} "
        f"(record #{ids['fitness']})"
    )
    assert q("advance", str(cid), "begin_screening").exit_code == 0
    assert q("advance", str(cid), "confirm_eligible", user="cmdr1").exit_code == 0
    short = q(
        "evidence", "add", str(cid), "service", "--date", (as_of + timedelta(days=1)).isoformat()
    )
    assert short.exit_code == 0
    assert _results(q, cid)["two_years_full_time"]["status"] == "fail"
