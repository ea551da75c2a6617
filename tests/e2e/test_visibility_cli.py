"""Who sees what: panelists see the interview kit of the candidates they interview, supervisors
their own officers, sensitive checks are withheld, and a panelist sees nothing derived from the
others' scores before submitting their own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest
from sqlmodel import Session

from qualify.config import Settings
from qualify.services.scorecards import score
from qualify.store import audit
from tests.conftest import Result
from tests.helpers.actors import as_user
from tests.helpers.builders import CRITERIA, a_past_selection, declared

Run = Callable[..., Result]


@pytest.fixture
def interview(session: Session, settings: Settings, cli: Run) -> tuple[Run, dict[str, int]]:
    # Panel assigned, interviews scheduled (last year: held by now), declarations made.
    ids = declared(a_past_selection(session, settings)).ids

    def run(user: str, *args: str) -> Result:
        session.rollback()  # hold no transaction (nor SQLite's write lock) while the CLI runs
        return cli("--db", settings.database_url, "--as", user, *args)

    return run, ids


def test_a_school_rep_sees_only_the_interview_kit_of_candidates_being_interviewed(
    interview: tuple[Run, dict[str, int]],
) -> None:
    run, ids = interview
    whitfield, hale = ids["MPD-1042"], ids["MPD-1166"]  # interview; ineligible (a finding)
    shown = run("rep.chen", "candidate", "show", str(whitfield), "--json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["view"] == "interview"
    assert {data["name"], data["rank"], data["unit"]} == {"Dana Whitfield", "Officer", "Patrol B"}
    assert [c["id"] for c in data["interview_kit"]["criteria"]] == list(CRITERIA)
    for key in ("evidence", "checks", "history", "supervisor", "email", "employee_id"):
        assert key not in data
    text = run("rep.chen", "candidate", "show", str(whitfield)).stdout
    assert "Interview kit (scale 1 to 5):" in text
    for word in ("Evidence", "Checks", "sgt.moreau"):
        assert word not in text

    refused = run("rep.chen", "candidate", "show", str(hale))
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"error: Dr. Helen Chen may not see candidate {hale}: as a panelist, Dr. Helen Chen sees "
        "only the candidates the panel is interviewing (at Interview or Interview scored), and "
        "of them only the name, rank, unit and the interview kit; the full record is for Chief "
        "of Police, Department Commander, Human Resources and the officer's supervisor"
    )
    assert "finding" not in refused.stderr
    check = run("rep.chen", "check", str(whitfield))
    assert check.exit_code == 1
    assert "as a panelist, Dr. Helen Chen sees only" in check.stderr
    assert run("rep.chen", "check", "--selection", "1").exit_code == 1
    assert run("rep.chen", "audit", "log", "--candidate", str(whitfield)).exit_code == 1

    listed = json.loads(run("rep.chen", "candidate", "list", "--json").stdout)
    assert sorted(c["id"] for c in listed) == sorted(
        ids[e] for e in ("MPD-1042", "MPD-1077", "MPD-1103")
    )
    assert all(
        set(c) == {"id", "selection_id", "name", "first_name", "last_name", "rank", "unit", "state"}
        for c in listed
    )
    # Commanders keep what they see today: every candidate's record.
    everyone = json.loads(run("cmdr.obrien", "candidate", "list", "--json").stdout)
    assert len(everyone) == 8
    assert all("supervisor" in c for c in everyone)
    record = json.loads(run("cmdr.obrien", "candidate", "show", str(hale), "--json").stdout)
    assert record["view"] == "record"
    assert any(e["kind"] == "conduct_finding" for e in record["evidence"])


def test_a_supervisor_sees_only_the_officers_they_supervise(
    interview: tuple[Run, dict[str, int]],
) -> None:
    run, ids = interview
    own, other = ids["MPD-1042"], ids["MPD-1166"]  # sgt.moreau's; sgt.okafor's
    mine = json.loads(run("sgt.moreau", "candidate", "show", str(own), "--json").stdout)
    assert mine["view"] == "record"
    assert mine["history"]
    assert run("sgt.moreau", "audit", "log", "--candidate", str(own)).exit_code == 0
    for command in (
        ("candidate", "show", str(other)),
        ("check", str(other)),
        ("audit", "log", "--candidate", str(other)),
    ):
        refused = run("sgt.moreau", *command)
        assert refused.exit_code == 1, command
        assert (
            f"Claire Moreau (Supervisor, writes recommendations) may not see candidate {other}: "
            "they see only the officers they supervise"
        ) in refused.stderr
        assert "sustained" not in refused.stderr + refused.stdout
    listed = json.loads(run("sgt.moreau", "candidate", "list", "--json").stdout)
    assert {c["supervisor"] for c in listed} == {"sgt.moreau"}
    assert len(listed) == 4


def test_a_commander_sees_no_status_of_sensitive_checks(
    interview: tuple[Run, dict[str, int]],
) -> None:
    run, ids = interview
    petrakis = ids["MPD-1181"]  # fails fitness, drug screen and tobacco: all sensitive
    text = run("cmdr.obrien", "check", str(petrakis)).stdout
    assert "drug_free: withheld: withheld (sensitive)" in text
    for sensitive in ("drug_free", "physical_fitness", "tobacco_free"):
        assert f"{sensitive}: FAIL" not in text
        assert f"{sensitive}: withheld" in text
    assert "overall: not eligible" in text
    # How many withheld checks stand in the way, never which or why.
    assert (
        "3 withheld checks have not passed (not met, or still pending); only Human Resources and "
        "Chief of Police see which and why"
    ) in text
    data = json.loads(run("cmdr.obrien", "check", str(petrakis), "--json").stdout)
    row = data["candidates"][0]
    assert row["eligibility"] == "not eligible"
    assert row["withheld_not_passing"] == 3
    statuses = {r["check"]: r["status"] for r in row["results"]}
    assert statuses["drug_free"] == statuses["physical_fitness"] == "withheld"
    shown = run("cmdr.obrien", "candidate", "show", str(petrakis), "--json").stdout
    history = json.loads(shown)["history"]
    declared = next(e for e in history if e["details"].get("to") == "ineligible")
    assert declared["details"].get("checks", []) == [] or all(
        c["status"] == "withheld"
        for c in declared["details"]["checks"]
        if c["check"] in ("drug_free", "physical_fitness", "tobacco_free")
    )
    hr = json.loads(run("hr.alvarez", "check", str(petrakis), "--json").stdout)
    assert {r["check"]: r["status"] for r in hr["candidates"][0]["results"]}["drug_free"] == "fail"
    assert hr["candidates"][0]["withheld_not_passing"] == 0


def _digest(scores: dict[str, int]) -> str:
    return hashlib.sha256(audit.canonical(scores).encode()).hexdigest()


def _walk(run: Run, user: str, ids: dict[str, int]) -> str:
    """Every output `user` can get from every command they may run, text and JSON."""
    outputs = []
    commands: list[tuple[str, ...]] = [
        ("candidate", "list"),
        ("selection", "list"),
        ("selection", "show", "1"),
        ("user", "list"),
        ("results", "1"),
        ("panel", "show", "1"),
        ("check", "--selection", "1"),
        ("audit", "log"),
        ("audit", "verify"),
    ]
    for cid in ids.values():
        commands += [
            ("candidate", "show", str(cid)),
            ("check", str(cid)),
            ("audit", "log", "--candidate", str(cid)),
        ]
    for command in commands:
        for extra in ((), ("--json",)) if command[-1] != "verify" else ((),):
            result = run(user, *command, *extra)
            outputs.append(result.stdout + result.stderr)
    for cid in ids.values():
        result = run(user, "score", str(cid), "--json")
        outputs.append(result.stdout + result.stderr)
    return "\n".join(outputs)


@pytest.mark.parametrize("blind", ["rep.douglas", "cmdr.obrien"])
def test_a_panelist_sees_nothing_derived_from_others_scores_before_submitting(
    session: Session, interview: tuple[Run, dict[str, int]], blind: str
) -> None:
    run, ids = interview
    whitfield = ids["MPD-1042"]
    others = [p for p in ("cmdr.obrien", "rep.chen", "rep.douglas") if p != blind]
    cards = {
        others[0]: dict(zip(CRITERIA, (2, 3, 2, 3, 2, 3), strict=True)),
        others[1]: dict(zip(CRITERIA, (4, 3, 4, 3, 4, 3), strict=True)),
    }
    secret_comment = "A remark only the panelist who wrote it may see yet."
    secret_reason = "Corrected: I first typed the wrong row of my notes."
    for panelist, scores in cards.items():
        score(
            session=session,
            candidate_id=whitfield,
            actor=as_user(panelist),
            scores={k: str(v) for k, v in scores.items()},
            comments={"liaison": secret_comment},
            submit=True,
        )
    cards[others[0]]["liaison"] = 3
    score(
        session=session,
        candidate_id=whitfield,
        actor=as_user(others[0]),
        scores={"liaison": "3"},
        comments={},
        submit=True,
        reason=secret_reason,
    )
    seen = _walk(run, blind, ids)
    forbidden = [secret_comment, secret_reason]
    forbidden += [_digest(s) for s in cards.values()]
    forbidden += [
        _digest(dict(zip(CRITERIA, (2, 3, 2, 3, 2, 3), strict=True)))
    ]  # the version the correction replaced
    for text in forbidden:
        assert text not in seen, text
    for panelist in others:
        assert f"{panelist}=" not in seen  # `results` prints scores as panelist=score
        assert f'"{panelist}":' not in seen  # nor as JSON
    assert "mean" not in seen
    # Once the panelist submits, the others' scores are theirs to see.
    score(
        session=session,
        candidate_id=whitfield,
        actor=as_user(blind),
        scores=dict.fromkeys(CRITERIA, "3"),
        comments={},
        submit=True,
    )
    after = run(blind, "results", "1").stdout
    assert f"{others[1]}=4" in after
