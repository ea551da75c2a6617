"""How the portal says an error: beside the form field it is about, so a field needs no label,
and a next step in the words of the page (the CLI's words are in `qualify.cli.errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qualify.errors import Problem, QualifyError, Step

# The next steps the portal's pages can meet; any other step is left to the page's own text.
STEPS = {
    "correct_scorecard": ": give a reason",
    "give_correction_reason": ": give a reason",
    "declare_conflicts": ": first declare any conflict of interest",
    "score_criteria": "",
    "comment_extremes": ": add a comment for {subject}",
    "list_users": "",
    "give_notice": ": choose the letter's wording, or write it in your own words",
    "attach_file": ": choose the file",
    "give_skip_reason": ": say why the officers ranked above are passed over",
    "direct_training": ": choose the courses and the date they are due",
}


def _step(step: Step) -> str:
    return STEPS.get(step.action, "").format(subject=step.subject)


def words(error: QualifyError) -> str:
    """The error as a page shows it, beside the fields in `error.fields`."""
    return error.render(lambda field: "", _step)


@dataclass(frozen=True)
class Refusal:
    """A service's refusal laid out on the form it answers: each problem beside the input it is
    about (`by_input`, keyed by the input's name), the rest (`general`) at the top of the form."""

    by_input: dict[str, str]
    general: str


def lay_out(error: QualifyError, inputs: Mapping[str, str]) -> Refusal:
    """Where each problem of `error` shows: `inputs` maps a service's field (`reason`,
    `vouched_by`, or `fields:NAME` for one evidence field) to the form input it is typed in."""
    by_input: dict[str, str] = {}
    general: list[str] = []
    for problem in error.problems_found:
        key = problem.field or ""
        if problem.field is None and problem.step is not None:
            key = f"step:{problem.step.action}"
        if problem.field == "fields" and problem.value:
            key = f"fields:{problem.value}"
        target = inputs.get(key)
        if target is None:
            general.append(problem.render(lambda _field: "", _step))
            continue
        shown = problem.value if problem.field == "file" else None  # the file's own name
        said = Problem(problem.message, value=shown, step=problem.step).render(str, _step)
        by_input[target] = f"{by_input[target]}; {said}" if target in by_input else said
    tail = (_step(error.step) if error.step else "") + (f"; {error.hint}" if error.hint else "")
    if general:
        general[-1] += tail
    elif tail and by_input:
        last = list(by_input)[-1]
        by_input[last] += tail
    return Refusal(by_input, "\n".join(general))
