"""Loading workflow files: the shipped ones validate; broken ones say what, where and how to fix."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualify.errors import WorkflowError
from qualify.workflow.loader import load_path, load_text

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SHIPPED = sorted((ROOT / "workflows").glob("*.yaml"))
TEMPLATES = [p.stem for p in (ROOT / "templates").glob("*.html") if not p.stem.startswith("_")]

BROKEN = {
    "criterion_without_anchors": [
        "49: rubric.criteria[0].anchors: write behavioural anchors for scores 1, 3, 5"
    ],
    "dead_end_state": [
        "20: states.stuck: not final and no transition leaves it (mark it final: true?)"
    ],
    "duplicate_key": [
        "7: roles.hr: the key 'hr' is given twice under roles (first at line 6): keep one"
    ],
    "missing_key": ["1: title: missing key"],
    "not_a_mapping": ["1: a workflow file must be a mapping of keys such as name, states, checks"],
    "same_trigger_twice": [
        "27: transitions[1].trigger: trigger 'approve' from state 'new' is defined twice: "
        "transitions[0].trigger (line 22) has it too; one trigger leaves a state one way: rename "
        "one or remove it"
    ],
    "seat_unknown_role": ["43: panel.seats.boss.role: unknown role 'chief'"],
    "syntax_error": ["25: YAML syntax error: expected ',' or ']', but got ':'"],
    "two_problems": [
        "24: transitions[0].dest: unknown state 'okay' (did you mean 'ok'?)",
        "30: transitions[1].roles[0]: unknown role 'hrr' (did you mean 'hr'?)",
    ],
    "unknown_check_kind": ["38: checks.served.kind: unknown check kind 'os.system'"],
    "unknown_criterion_tie_break": [
        "47: rubric.tie_breaks[0]: unknown criterion 'skil' (did you mean 'skill'?)"
    ],
    "unknown_dest_state": ["24: transitions[0].dest: unknown state 'okay' (did you mean 'ok'?)"],
    "unknown_evidence_field": [
        "40: checks.served.params.field: unknown field 'start' of evidence 'service'"
    ],
    "unknown_evidence_kind": [
        "40: checks.served.params.evidence: unknown evidence kind 'services' "
        "(did you mean 'service'?)"
    ],
    "unknown_facts_until": [
        "40: checks.served.params.facts_until: input should be 'as_of' or 'decision', "
        "not 'interview'"
    ],
    "unknown_guard": [
        "26: transitions[0].guards[0]: unknown check 'serve' (did you mean 'served'?)"
    ],
    "unknown_key": ["25: transitions[0].gaurds: unknown key 'gaurds' (did you mean 'guards'?)"],
    "unknown_role": ["25: transitions[0].roles[0]: unknown role 'bos' (did you mean 'boss'?)"],
    "unreachable_state": ["21: states.limbo: unreachable: no transition leads here"],
    "weight_not_positive": ["51: rubric.criteria[0].weight: weight must be positive (got 0.0)"],
    "wrong_field_type": ["40: checks.served.params.field: field 'since' is text; needs date"],
    "wrong_type": [
        "51: rubric.criteria[0].weight: input should be a valid number, unable to parse string "
        "as a number (got 'heavy')"
    ],
    "unknown_permission_role": ["12: permissions.add_evidence[0]: unknown role 'clerk'"],
}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_workflows_validate(path: Path) -> None:
    loaded = load_path(path, templates=TEMPLATES)
    assert loaded.spec.name == path.stem
    assert len(loaded.sha256) == 64


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_frozen_text_parsed_with_libyaml_gives_the_same_workflow(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fast = load_text(text, source="frozen", fast=True)
    assert fast.spec == load_text(text, source="frozen").spec
    assert fast.params == load_text(text, source="frozen").params


def test_two_workflows_ship_with_different_checks_seats_and_rubrics() -> None:
    sro = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    fto = load_path(ROOT / "workflows" / "fto-selection.yaml").spec
    assert set(sro.checks).isdisjoint(fto.checks)
    assert set(sro.panel.seats) != set(fto.panel.seats)
    assert {c.id for c in sro.rubric.criteria}.isdisjoint(c.id for c in fto.rubric.criteria)


def test_the_minimal_test_workflow_is_valid() -> None:
    assert load_path(DATA / "minimal.yaml").spec.name == "minimal"


def test_every_broken_file_has_an_expectation() -> None:
    assert {p.stem for p in (DATA / "broken").glob("*.yaml")} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_workflow_reports_file_line_path_and_fix(name: str) -> None:
    path = DATA / "broken" / f"{name}.yaml"
    with pytest.raises(WorkflowError) as info:
        load_path(path)
    assert info.value.problems == [f"{path}:{line}" for line in BROKEN[name]]


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    with pytest.raises(WorkflowError) as info:
        load_path(DATA / "broken" / "two_problems.yaml")
    assert len(info.value.problems) == 2


def test_a_missing_packet_template_is_named() -> None:
    text = (DATA / "minimal.yaml").read_text() + "packets:\n  ok: [eligibilty_review]\n"
    with pytest.raises(WorkflowError) as info:
        load_text(text, source="w.yaml", templates=["eligibility_review"])
    assert info.value.problems == [
        "w.yaml:55: packets.ok[0]: unknown packet template 'eligibilty_review' "
        "(did you mean 'eligibility_review'?)"
    ]


def test_sro_workflow_maps_every_qualification_of_the_job_description() -> None:
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    assert [q.id for q in spec.qualifications] == [1, 2, 3, 4, 5, 6, 7]
    assert all(q.enforced_by for q in spec.qualifications)
    appearance = spec.criterion("appearance_attitude")
    assert appearance is not None
    assert appearance.minimum_mean_above == 3
    assert {s.role: s.count for s in spec.panel.seats.values()} == {"commander": 1, "school_rep": 2}
    assert "RSA 275:37-a" in spec.checks["tobacco_free"].note


def _mutations() -> st.SearchStrategy[str]:
    base = (DATA / "minimal.yaml").read_text().splitlines(keepends=True)
    sro = (ROOT / "workflows" / "sro-selection.yaml").read_text().splitlines(keepends=True)
    junk = st.sampled_from(
        [
            "",
            "x",
            "- ",
            ": ",
            "{",
            "[]",
            "null",
            "7",
            "-1",
            "true",
            "'",
            "&a",
            "*a",
            "? ",
            "\t",
            "os.system",
            "!!python/object:os.system",
            "kind: exec",
            "  ",
            "\x00",
            "é",
        ]
    )

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        lines = list(draw(st.sampled_from([base, sro])))
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(lines) - 1))
            op = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "splice"]))
            if op == "delete":
                del lines[i]
            elif op == "duplicate":
                lines.insert(i, lines[i])
            elif op == "insert":
                lines.insert(i, draw(junk) + "\n")
            elif op == "replace":
                lines[i] = lines[i].replace(lines[i].strip()[:3] or "x", draw(junk), 1)
            else:
                cut = draw(st.integers(0, len(lines[i])))
                lines[i] = lines[i][:cut] + draw(junk) + lines[i][cut:]
            if not lines:
                lines = ["\n"]
        return "".join(lines)

    return st.one_of(mutate(), st.text(max_size=200))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_mutated_files_raise_only_workflow_errors(text: str) -> None:
    problems: list[str] = []
    try:
        load_text(text, source="fuzz.yaml")
    except WorkflowError as exc:
        problems = exc.problems or ["(no problem listed)"]
    assert all(p.startswith("fuzz.yaml") for p in problems)


def test_a_dotted_callback_name_is_refused_and_never_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a) or 0)
    text = (DATA / "minimal.yaml").read_text().replace("kind: min_service", "kind: os.system")
    text = text.replace("guards: [served]", "guards: [os.system]")
    with pytest.raises(WorkflowError) as info:
        load_text(text, source="evil.yaml")
    assert any("unknown check kind 'os.system'" in p for p in info.value.problems)
    assert any("unknown check 'os.system'" in p for p in info.value.problems)
    assert called == []


@pytest.mark.parametrize("fast", [False, True], ids=["python", "libyaml"])
def test_python_tags_in_yaml_are_refused(monkeypatch: pytest.MonkeyPatch, fast: bool) -> None:
    called: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a) or 0)
    text = "name: !!python/object/apply:os.system ['echo hi']\n"
    with pytest.raises(WorkflowError, match="YAML syntax error"):
        load_text(text, source="evil.yaml", fast=fast)
    assert called == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "{role: boss}",
            "{role: boss, count: 0}",
            "44: panel.seats.boss.count: must be at least 1",
        ),
        ("threshold: 2", "threshold: 0", "48: rubric.disagreement_threshold: must be at least 1"),
        ("weight: 1", "weight: -2.5", "52: rubric.criteria[0].weight: weight must be positive"),
    ],
)
def test_a_number_out_of_bounds_is_located_and_the_rest_is_still_checked(
    old: str, new: str, problem: str
) -> None:
    text = (DATA / "minimal.yaml").read_text().replace(old, new).replace("dest: done", "dest: gone")
    with pytest.raises(WorkflowError) as info:
        load_text(text, source="w.yaml")
    got = new.rsplit(" ", 1)[-1].rstrip("}")
    assert info.value.problems == [
        "w.yaml:30: transitions[1].dest: unknown state 'gone' (did you mean 'done'?)",
        f"w.yaml:{problem} (got {got})",
    ]


def test_a_renamed_check_kind_is_refused_in_a_file_and_read_in_a_frozen_selection() -> None:
    """`attestation` became `answered_yes`: a file naming the old kind says the new name; text a
    selection froze before the rename still loads, its check read as the new kind."""
    text = (ROOT / "workflows" / "sro-selection.yaml").read_text(encoding="utf-8")
    old = text.replace("kind: answered_yes", "kind: attestation")
    line = old.splitlines().index("    kind: attestation") + 1
    with pytest.raises(WorkflowError) as refused:
        load_text(old, source="w.yaml")
    assert refused.value.problems[0] == (
        f"w.yaml:{line}: checks.full_time_certified.kind: check kind 'attestation' is now "
        "called 'answered_yes'; rename it"
    )
    assert len(refused.value.problems) == 2  # tobacco_free names it too, and nothing else fails
    frozen = load_text(old, source="selection 1", fast=True)
    assert frozen.spec.checks["tobacco_free"].kind == "answered_yes"
    assert frozen.params == load_text(text, source="file").params
    assert frozen.text == old  # the frozen text and its hash are kept as they were


def test_positions_are_counted_in_the_states_that_hold_one() -> None:
    minimal = (DATA / "minimal.yaml").read_text()
    assert load_text(minimal, source="w.yaml").spec.positions == 1  # the default
    text = minimal.replace("  ok: {label: OK}", "  ok: {label: OK, holds_position: true}")
    spec = load_text(f"{text}positions: 2\n", source="w.yaml").spec
    assert (spec.positions, spec.position_states()) == (2, {"ok"})
    assert spec.takes_position("new", "ok")
    assert not spec.takes_position("ok", "ok")
    with pytest.raises(WorkflowError) as none_held:
        load_text(f"{minimal}positions: 2\n", source="w.yaml")
    assert none_held.value.problems == [
        f"w.yaml:{len(minimal.splitlines()) + 1}: positions: no state holds a position, so "
        "nothing counts them: mark the states in which an officer holds the position with "
        "holds_position: true"
    ]
    with pytest.raises(WorkflowError) as zero:
        load_text(f"{text}positions: 0\n", source="w.yaml")
    assert "positions" in zero.value.problems[0]
    initial = minimal.replace(
        "  new: {label: New, initial: true}",
        "  new: {label: New, initial: true, holds_position: true}",
    )
    with pytest.raises(WorkflowError) as first:
        load_text(initial, source="w.yaml")
    assert "states.new.holds_position: the initial state cannot hold a position" in str(first.value)


def test_a_transition_label_may_name_the_candidate_and_nothing_else_in_braces() -> None:
    minimal = (DATA / "minimal.yaml").read_text()
    named = minimal.replace(
        "  - trigger: approve\n", "  - trigger: approve\n    label: Approve {name}\n"
    )
    spec = load_text(named, source="w.yaml").spec
    assert spec.transitions[0].label_for("Luis Reyes") == "Approve Luis Reyes"
    assert spec.transitions[1].label_for("Luis Reyes") == "finish"
    with pytest.raises(WorkflowError) as braces:
        load_text(named.replace("{name}", "{officer}"), source="w.yaml")
    assert "transitions[0].label: a label may hold {name} (the candidate's name) and no other" in (
        str(braces.value)
    )
