"""The Chief's results page words the rubric's tie-break rules, not the workflow file's keys:
a criterion by its label in the workflow."""

from jinja2 import DictLoader, Environment

from qualify.workflow.scoring import tie_rule_words

RULES = ["criterion:role_model", "criterion:appearance_attitude", "fewest_flags", "employee_id"]


def render(labels: dict[str, str]) -> str:
    env = Environment(
        loader=DictLoader({"t": '{{ r | map("tie_rule", labels) | join(", then ") }}'})
    )
    env.filters["tie_rule"] = tie_rule_words
    return env.get_template("t").render(r=RULES, labels=labels)


def test_tie_break_rules_name_each_criterion_by_its_label() -> None:
    labels = {
        "role_model": "Positive role model who builds trust with youth",
        "appearance_attitude": "Appearance and attitude in the school environment",
    }
    assert render(labels) == (
        "higher mean on Positive role model who builds trust with youth, then higher mean on "
        "Appearance and attitude in the school environment, then fewer disagreement flags, "
        "then lower employee id"
    )


def test_a_criterion_the_workflow_does_not_label_reads_as_words() -> None:
    assert render({}).startswith("higher mean on role model, then higher mean on appearance")
