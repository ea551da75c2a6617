"""The Chief's results page words the rubric's tie-break rules, not the workflow file's keys."""

from jinja2 import DictLoader, Environment

from qualify.web.portal import tie_rule_words


def test_tie_break_rules_read_as_words() -> None:
    env = Environment(loader=DictLoader({"t": '{{ r | map("tie_rule") | join(", then ") }}'}))
    env.filters["tie_rule"] = tie_rule_words
    text = env.get_template("t").render(
        r=["criterion:role_model", "criterion:appearance_attitude", "fewest_flags", "employee_id"]
    )
    assert text == (
        "higher mean on role model, then higher mean on appearance attitude, "
        "then fewer disagreement flags, then lower employee id"
    )
