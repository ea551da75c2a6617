"""The interview from the command line: panel, declarations, scoring (also interactive), results."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlmodel import Session

from qualify.config import Settings
from tests.conftest import Result
from tests.helpers.builders import CRITERIA, a_past_selection, declared


@pytest.fixture
def q(
    cli: Callable[..., Result],
    session: Session,
    settings: Settings,
) -> Callable[..., Result]:
    """The sample selection up to the interviews (panel assigned, declarations made), last year
    (the commands score on the real clock, after the interviews)."""
    declared(a_past_selection(session, settings))
    session.close()

    def run(*args: str, user: str) -> Result:
        return cli("--db", settings.database_url, "--as", user, *args)

    return run


def sets(value: str = "4") -> list[str]:
    return [arg for c in CRITERIA for arg in ("--set", f"{c}={value}")]


def test_a_correction_is_accepted_until_the_scores_are_recorded_then_refused(
    q: Callable[..., Result],
) -> None:
    for panelist in ("cmdr.obrien", "rep.chen", "rep.douglas"):
        assert q("score", "1", *sets(), "--submit", user=panelist).exit_code == 0
    fix = ("score", "1", "--set", "liaison=3", "--submit")
    fixed = q(*fix, "--reason", "Misread my notes.", user="rep.chen")
    assert fixed.exit_code == 0, fixed.stderr
    assert "version 2" in fixed.stdout
    recorded = q("advance", "1", "record_scores", user="hr.alvarez")
    assert recorded.exit_code == 0, recorded.stderr
    assert "interview -> scored (1 check passed), audit event #" in recorded.stdout
    before = q("results", "1", "--json", user="chief.walsh").stdout
    late = q(*fix[:3], "liaison=2", "--submit", "--reason", "Misread again.", user="rep.chen")
    assert (late.exit_code, late.stdout) == (1, "")
    assert late.stderr.startswith("error: Dana Whitfield's interview scores were recorded on ")
    assert "by Marisol Alvarez, Human Resources Manager, and printed in the Panel results " in (
        late.stderr
    )
    assert "tell the Chief of Police in writing before the decision" in late.stderr
    assert len(late.stderr.splitlines()) == 1
    assert q("results", "1", "--json", user="chief.walsh").stdout == before


def test_results_say_a_correction_in_words_each_changed_score_old_to_new(
    q: Callable[..., Result],
) -> None:
    for panelist in ("cmdr.obrien", "rep.chen", "rep.douglas"):
        assert q("score", "1", *sets(), "--submit", user=panelist).exit_code == 0
    fix = ("score", "1", "--set", "liaison=3", "--set", "role_model=5", "--submit")
    fixed = q(*fix, "--comment", "role_model=Outstanding.", "--reason", "Misread my notes.",
              user="rep.chen")  # fmt: skip
    assert fixed.exit_code == 0, fixed.stderr
    shown = q("results", "1", user="chief.walsh")
    assert shown.exit_code == 0, shown.stderr
    (line,) = (x for x in shown.stdout.splitlines() if "corrected by" in x)
    assert line == (
        "  corrected by rep.chen (version 2): Positive role model who builds trust with youth "
        "4 → 5, Liaison and communication with schools, families and agencies 4 → 3; reason: "
        "Misread my notes."
    )
    assert "{" not in shown.stdout


def test_panel_show(q: Callable[..., Result]) -> None:
    shown = q("panel", "show", "1", user="hr.alvarez")
    assert shown.exit_code == 0
    assert "school_rep  school_rep  rep.douglas" in shown.stdout
    assert "may not score a candidate: candidate_supervisor" in shown.stdout


def test_score_submit_and_results(q: Callable[..., Result]) -> None:
    for panelist in ("cmdr.obrien", "rep.chen", "rep.douglas"):
        result = q("score", "1", *sets(), "--submit", user=panelist)
        assert result.exit_code == 0, result.stderr
        assert "submitted, version 1" in result.stdout
    text = q("results", "1", user="chief.walsh")
    assert text.exit_code == 0
    assert "candidate 1 Dana Whitfield: rank 1, total 4.00, PASS" in text.stdout
    assert "hidden until every seat has submitted" in text.stdout
    data = json.loads(q("results", "1", "--json", user="chief.walsh").stdout)
    assert data["candidates"][0]["criteria"][0]["scores"] == {
        "cmdr.obrien": 4,
        "rep.chen": 4,
        "rep.douglas": 4,
    }


def test_a_candidate_still_being_scored_is_pending_never_fail(q: Callable[..., Result]) -> None:
    for panelist in ("cmdr.obrien", "rep.chen"):
        assert q("score", "1", *sets("2"), "--submit", user=panelist).exit_code == 0
    text = q("results", "1", user="rep.chen").stdout
    assert "candidate 1 Dana Whitfield: pending (2 of 3 scorecards submitted)\n" in text
    # The seat by its label and the panelist by name.
    seat = "Robert Douglas (Milford School System representative seat)"
    assert f"  missing: {seat}: no submitted scorecard" in text
    assert "FAIL" not in text
    assert "fails:" not in text
    in_interview = json.loads(q("check", "1", "--json", user="hr.alvarez").stdout)
    panel = {r["check"]: r for r in in_interview["candidates"][0]["results"]}["panel_complete"]
    assert (panel["status"], panel["applies"]) == ("pending", True)
    mine = json.loads(q("results", "1", "--json", user="rep.chen").stdout)["candidates"][0]
    assert (mine["status"], mine["submitted"], mine["seats"]) == ("pending", 2, 3)
    chief = q("results", "1", user="chief.walsh").stdout
    assert (
        "candidate 1 Dana Whitfield: pending (2 of 3 scorecards submitted); "
        "hidden until every seat has submitted" in chief
    )
    # Owen Fitzgerald (8) withdrew before his interview: not pending, and not a fail either.
    withdrawn = {
        r["candidate_id"]: r
        for r in json.loads(q("results", "1", "--json", user="chief.walsh").stdout)["candidates"]
    }[8]
    assert (withdrawn["status"], withdrawn["status_text"]) == (
        "not_scored",
        "not scored: Withdrawn (0 of 3 scorecards submitted)",
    )
    # Nothing is waited for: the page does not say the scores wait for every seat.
    assert withdrawn["hidden"] == "the interview was not completed, so no scores are shown"
    assert q("score", "1", *sets("2"), "--submit", user="rep.douglas").exit_code == 0
    done = json.loads(q("results", "1", "--json", user="chief.walsh").stdout)["candidates"][0]
    assert (done["status"], done["submitted"]) == ("fail", 3)
    assert (
        "candidate 1 Dana Whitfield: total 2.00, FAIL, not ranked"
        in q("results", "1", user="chief.walsh").stdout
    )


def test_repeating_a_declaration_records_nothing(q: Callable[..., Result]) -> None:
    def events() -> int:
        return len(
            json.loads(q("audit", "log", "--candidate", "1", "--json", user="hr.alvarez").stdout)
        )

    before = events()
    again = q("declare", "1", user="rep.chen")  # rep.chen declared no conflict in the fixture
    assert again.exit_code == 0
    assert again.stdout == "already declared for candidate 1; nothing changed, nothing recorded\n"
    assert events() == before
    assert q("declare", "2", "--conflict", "My cousin.", user="rep.chen").exit_code == 0
    twice = q("declare", "2", "--conflict", "My cousin.", user="rep.chen")
    assert twice.stdout.startswith("already declared")
    log = json.loads(q("audit", "log", "--candidate", "2", "--json", user="hr.alvarez").stdout)
    assert [e["action"] for e in log].count("conflict_declared") == 1


def test_the_old_command_name_says_the_new_one_and_records_nothing(
    q: Callable[..., Result],
) -> None:
    def events() -> int:
        return len(
            json.loads(q("audit", "log", "--candidate", "2", "--json", user="hr.alvarez").stdout)
        )

    before = events()
    old = q("attest", "2", "--conflict", "My cousin.", user="rep.chen")
    assert (old.exit_code, old.stdout) == (2, "")
    assert old.stderr == (
        "error: 'qualify attest' is now called 'qualify declare'; nothing was recorded\n"
    )
    assert events() == before


def test_a_panelists_json_before_submitting_has_no_other_scores(q: Callable[..., Result]) -> None:
    assert q("score", "1", *sets("3"), "--submit", user="cmdr.obrien").exit_code == 0
    assert q("score", "1", "--set", "liaison=2", user="rep.chen").exit_code == 0  # a draft
    before = q("results", "1", "--json", user="rep.chen").stdout
    assert "cmdr.obrien" not in before
    own = json.loads(q("score", "1", "--json", user="rep.chen").stdout)
    assert own["scorecard"] == {
        "version": 1,
        "status": "draft",
        "scores": {"liaison": 2},
        "comments": {},
        "reason": None,
    }
    assert "cmdr.obrien" not in json.dumps(own)


def test_refusals_from_the_command_line(q: Callable[..., Result]) -> None:
    off = q("score", "1", "--set", "liaison=9", user="rep.chen")
    assert (off.exit_code, off.stderr.strip()) == (2, "error: --set liaison=9: off the scale 1-5")
    extreme = q("score", "1", *sets(), "--set", "role_model=5", "--submit", user="rep.chen")
    assert extreme.exit_code == 2
    assert extreme.stderr == (
        "error: --comment role_model: cannot submit: a score of 1 or 5 needs evidence, a comment "
        "on what you saw or heard: Positive role model who builds trust with youth; nothing was "
        "saved\n"
    )
    assert json.loads(q("score", "1", "--json", user="rep.chen").stdout)["scorecard"] is None
    outsider = q("score", "1", *sets(), user="hr.alvarez")
    assert (outsider.exit_code, outsider.stderr.strip()) == (
        1,
        "error: Marisol Alvarez holds no seat on the panel of selection 1 (School Resource "
        "Officer 2027)",
    )
    conflicted = q("declare", "2", "--conflict", "He is my nephew.", user="rep.douglas")
    assert conflicted.exit_code == 0
    barred = q("score", "2", *sets(), user="rep.douglas")
    assert barred.exit_code == 1
    assert (
        "Robert Douglas may not score Luis Reyes: Robert Douglas declared a conflict of interest: "
        "He is my nephew."
    ) in barred.stderr


def test_interactive_scoring_shows_anchors_and_asks(
    q: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    answers = "".join(
        [
            "4\n\n",
            "5\nLed a youth mentoring program for years.\n",
            "4\n\n",
            "4\n\n",
            "3\n\n",
            "4\n\n",
            "y\n",
        ]
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    result = q("score", "1", user="rep.chen")
    assert result.exit_code == 0, result.stderr
    assert "5: Several concrete examples of lasting trust built with youth" in result.stdout
    assert "submitted, version 1" in result.stdout
    own = json.loads(q("score", "1", "--json", user="rep.chen").stdout)
    assert own["scorecard"]["scores"]["role_model"] == 5
    assert own["scorecard"]["comments"] == {
        "role_model": "Led a youth mentoring program for years."
    }


def test_a_refused_submission_saves_nothing_and_leaves_the_draft_as_it_was(
    q: Callable[..., Result],
) -> None:
    assert q("score", "1", "--set", "liaison=3", user="rep.chen").exit_code == 0
    refused = q("score", "1", *sets(), "--set", "liaison=1", "--submit", user="rep.chen")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: --comment liaison: cannot submit")
    assert refused.stderr.rstrip().endswith("; nothing was saved")
    card = json.loads(q("score", "1", "--json", user="rep.chen").stdout)["scorecard"]
    assert (card["status"], card["scores"]) == ("draft", {"liaison": 3})


def _type(monkeypatch: pytest.MonkeyPatch, *lines: str) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))


def test_interactive_scoring_refuses_before_the_first_question(
    q: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        q(
            "user",
            "add",
            "rep.ibarra",
            "--role",
            "school_rep",
            "--full-name",
            "rep.ibarra",
            "--title",
            "school_rep",
            user="hr.alvarez",
        ).exit_code
        == 0
    )
    changed = q(
        "panel", "assign", "1", "--seat", "commander=cmdr.obrien", "--seat", "school_rep=rep.chen",
        "--seat", "school_rep=rep.ibarra", "--reason", "rep.douglas moved away", user="hr.alvarez",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.stderr
    _type(monkeypatch, *["4", ""] * 6, "y")
    undeclared = q("score", "1", user="rep.ibarra")
    assert undeclared.exit_code == 1
    assert undeclared.stdout == ""  # not one question asked
    assert "rep.ibarra must first declare any conflict of interest with Dana Whitfield" in (
        undeclared.stderr
    )
    outsider = q("score", "1", user="rep.douglas")
    assert (outsider.exit_code, outsider.stdout) == (1, "")
    assert q("score", "1", *sets(), "--submit", user="rep.chen").exit_code == 0
    locked = q("score", "1", user="rep.chen")
    assert (locked.exit_code, locked.stdout) == (1, "")
    assert "submitted and locked; a correction is a new version: give a --reason" in locked.stderr


def test_interactive_scoring_asks_again_at_once_and_for_evidence_after_an_extreme(
    q: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _type(
        monkeypatch,
        "9", "four", "4", "",  # off the scale, not a number: asked again before moving on
        "5", "", "  ", "Led a youth mentoring program for years.",  # evidence insisted on
        "4", "", "4", "", "3", "", "1", "Could not name a single drill.",
        "y",
    )  # fmt: skip
    result = q("score", "1", user="rep.chen")
    assert result.exit_code == 0, result.stderr
    assert "9 is off the scale: give a score from 1 to 5" in result.stderr
    assert "four is not a whole number: give a score from 1 to 5" in result.stderr
    out = result.stdout
    role_model = out.index("Positive role model")
    assert out.index("a score of 5 needs evidence", role_model) < out.index("Liaison")
    assert "--set" not in out + result.stderr
    assert "--comment" not in out + result.stderr
    own = json.loads(q("score", "1", "--json", user="rep.chen").stdout)["scorecard"]
    assert own["status"] == "submitted"
    assert own["scores"] == dict(zip(CRITERIA, [4, 5, 4, 4, 3, 1], strict=True))
    assert own["comments"] == {
        "role_model": "Led a youth mentoring program for years.",
        "emergency_planning": "Could not name a single drill.",
    }
