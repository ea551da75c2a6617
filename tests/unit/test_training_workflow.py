"""The workflow's training: courses with hours, the transitions that direct and require it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualify.errors import WorkflowError
from qualify.workflow.loader import load_path, load_text

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "data" / "minimal.yaml").read_text()

# The minimal workflow with `approve` directing training and `finish` requiring it complete.
DIRECTED = MINIMAL.replace(
    "    guards: [served]\n", "    guards: [served]\n    directs_training: true\n"
).replace("    roles: [hr]\n", "    roles: [hr]\n    requires_training: true\n", 1)
COURSES = """training:
  courses:
    - id: basic_sro
      label: Basic SRO course
      hours: 40
    - id: first_aid
      label: First aid
      hours: 7.5
"""


def problems(text: str) -> list[str]:
    with pytest.raises(WorkflowError) as info:
        load_text(text, source="w.yaml")
    return info.value.problems


def line_of(text: str, needle: str, after: str = "") -> int:
    """The line number of the first line holding `needle` (after the line holding `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def test_a_workflow_with_courses_loads_and_knows_where_training_happens() -> None:
    spec = load_text(DIRECTED + COURSES, source="w.yaml").spec
    assert [(c.id, c.hours) for c in spec.training.courses] == [
        ("basic_sro", 40),
        ("first_aid", 7.5),
    ]
    assert spec.training_states() == {"ok"}
    assert spec.transition("new", "approve").directs_training  # type: ignore[union-attr]
    assert spec.transition("ok", "finish").requires_training  # type: ignore[union-attr]


def test_the_sro_workflow_directs_training_by_the_detective_sergeant_or_commander() -> None:
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    assign = spec.transition("selected", "assign_training")
    appoint = spec.transition("training", "appoint")
    assert assign is not None
    assert appoint is not None
    assert assign.directs_training
    assert set(assign.roles) == {"detective_sergeant", "commander"}
    assert spec.roles["detective_sergeant"].label == "Detective Sergeant"
    assert appoint.requires_training
    assert appoint.roles == ["chief"]
    basic = spec.training.course("basic_sro")
    assert basic is not None
    assert basic.hours == 40


@pytest.mark.parametrize("hours", ["0", "-8", "1000.5"])
def test_hours_must_be_positive_and_at_most_a_thousand(hours: str) -> None:
    text = DIRECTED + COURSES.replace("hours: 40", f"hours: {hours}")
    shown = f"{float(hours):g}"
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'hours: ' + hours)}: training.courses[0].hours: hours must be "
        f"above 0 and at most 1000 (got {shown})"
    ]


def test_hours_that_are_not_a_number_are_located() -> None:
    text = DIRECTED + COURSES.replace("hours: 40", "hours: forty")
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'hours: forty')}: training.courses[0].hours: input should be a "
        "valid number, unable to parse string as a number (got 'forty')"
    ]


def test_a_course_id_used_twice_or_not_a_code_is_refused() -> None:
    text = (
        DIRECTED
        + COURSES.replace("id: first_aid", "id: basic_sro")
        + ("    - id: Basic SRO\n      label: Again\n      hours: 1\n")
    )
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'id: basic_sro', after='hours: 40')}: training.courses[1].id: "
        "course id 'basic_sro' is used twice: training.courses[0].id "
        f"(line {line_of(text, 'id: basic_sro')}) has it too; give each course its own id",
        f"w.yaml:{line_of(text, 'id: Basic SRO')}: training.courses[2].id: course id 'Basic SRO' "
        "must be lower_case_with_underscores",
    ]


def test_a_qualification_naming_an_unknown_course_is_refused_with_a_suggestion() -> None:
    text = (
        DIRECTED
        + COURSES
        + "qualifications:\n  - id: 1\n    text: Trained.\n    enforced_by: [course:basc_sro]\n"
    )
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'course:basc_sro')}: qualifications[0].enforced_by[0]: unknown "
        "course 'basc_sro' (did you mean 'basic_sro'?)"
    ]


def test_directing_or_requiring_training_needs_courses() -> None:
    assert problems(DIRECTED) == [
        f"w.yaml:{line_of(DIRECTED, 'directs_training')}: transitions[0].directs_training: the "
        "workflow has no training: courses to direct",
        f"w.yaml:{line_of(DIRECTED, 'requires_training')}: transitions[1].requires_training: "
        "the workflow has no training: courses to direct",
    ]


def test_requiring_training_that_nothing_directs_is_refused() -> None:
    text = DIRECTED.replace("    directs_training: true\n", "") + COURSES
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'requires_training')}: transitions[1].requires_training: no "
        "transition directs training (directs_training: true)"
    ]


def test_an_unknown_directing_role_is_located() -> None:
    text = (DIRECTED + COURSES).replace(
        "roles: [boss]\n    guards", "roles: [detective]\n    guards"
    )
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'roles: [detective]')}: transitions[0].roles[0]: unknown role "
        "'detective'"
    ]


def test_the_evidence_kind_of_completed_training_is_reserved() -> None:
    text = (DIRECTED + COURSES).replace(
        "evidence:\n",
        "evidence:\n  training_completed:\n    label: Mine\n    fields:\n      dated: {type: date}\n",
    )
    assert problems(text) == [
        f"w.yaml:{line_of(text, 'training_completed:')}: evidence.training_completed: the "
        "evidence kind 'training_completed' is qualify's own (completed training is recorded as "
        "it); choose another name"
    ]


def test_the_sro_workflow_prints_an_amended_training_assignment_letter() -> None:
    spec = load_path(ROOT / "workflows" / "sro-selection.yaml").spec
    assert spec.training.amended_packets == ["training_assignment_amended"]
    kind = spec.packet_kinds["training_assignment_amended"]
    assert (kind.title, kind.letter, kind.sensitive) == ("Amended training assignment", True, False)


def test_an_amended_letter_needs_a_known_template_a_packet_kind_and_training_directed() -> None:
    amended = COURSES.replace("training:\n", "training:\n  amended_packets: [amended_letter]\n")
    here = line_of(DIRECTED + amended, "amended_packets")
    with pytest.raises(WorkflowError) as info:
        load_text(DIRECTED + amended, source="w.yaml", templates=["amendd_letter"])
    assert info.value.problems == [
        f"w.yaml:{here}: training.amended_packets[0]: packet 'amended_letter' has no entry under "
        "packet_kinds (its title and audience)",
        f"w.yaml:{here}: training.amended_packets[0]: unknown packet template 'amended_letter' "
        "(did you mean 'amendd_letter'?)",
    ]
    undirected = (
        (DIRECTED + amended)
        .replace("    directs_training: true\n", "")
        .replace("    requires_training: true\n", "")
    )
    assert (
        f"w.yaml:{line_of(undirected, 'amended_packets')}: training.amended_packets[0]: no "
        "transition directs training (directs_training: true)"
    ) in problems(undirected)
