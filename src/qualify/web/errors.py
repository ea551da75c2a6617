"""How the portal says an error: beside the form input it is about, so a field needs no label,
and a next step in the words of the page, beside the input it asks for (the CLI's words are in
`qualify.cli.errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from qualify.errors import Problem, QualifyError, Step

# The next steps the portal's pages can meet; any other step is left to the page's own text.
STEPS = {
    "correct_scorecard": ": give a reason",
    "give_correction_reason": ": give a reason",
    "declare_conflicts": ": first declare any conflict of interest",
    "score_criteria": "",
    "comment_extremes": "",  # the message names the criteria by their labels
    "list_users": "",
    "give_notice": ": choose the letter's wording, or write it in your own words",
    "attach_file": ": choose the file",
    "give_skip_reason": ": say why the officers ranked above are passed over",
    "direct_training": ": choose the courses and the date they are due",
    "confirm_far_due": '; if that day is meant, tick "Due more than 90 days ahead" too',
}


# The form inputs a next step asks for; `subject` is a list of criterion ids, where it names any.
STEP_INPUTS = {
    "correct_scorecard": ("reason",),
    "give_correction_reason": ("reason",),
    "score_criteria": ("subject",),
    "comment_extremes": ("subject",),
}


def inputs(error: QualifyError) -> list[str]:
    """The form inputs to show the error beside: each field a problem names (an entry of a
    mapping, `scores.clarity`, is its entry's input, `clarity`), then those the steps ask for."""
    found = [field.rpartition(".")[2] for field in error.fields]
    steps = [p.step for p in error.problems_found] + [error.step]
    for step in (s for s in steps if s is not None):
        for wanted in STEP_INPUTS.get(step.action, ()):
            if wanted != "subject":
                found.append(wanted)
            elif step.subject:
                found.extend(step.subject.split(", "))
    return list(dict.fromkeys(found))


def _step(step: Step) -> str:
    return STEPS.get(step.action, "").format(subject=step.subject)


def _own_inputs(problem: Problem) -> list[str]:
    """The form inputs one problem is about: its field's (`scores.clarity` is `clarity`), and
    those its step asks for."""
    found = [part.rpartition(".")[2] for part in (problem.field or "").split("+") if part]
    if problem.step is not None:
        for wanted in STEP_INPUTS.get(problem.step.action, ()):
            if wanted != "subject":
                found.append(wanted)
            elif problem.step.subject:
                found.extend(problem.step.subject.split(", "))
    return list(dict.fromkeys(found))


def _said(problem: Problem) -> str:
    """One problem in the page's words. An entry of a mapping (`scores.clarity`) is shown
    beside its own input, so the entry's name (an id) is left out."""
    entry = problem.field is not None and "." in problem.field
    return replace(problem, field=None, value=None if entry else problem.value).render(str, _step)


def words(error: QualifyError) -> str:
    """The error as a page shows it, beside the inputs `inputs(error)` names."""
    return "\n".join(error_lines(error))


def error_lines(error: QualifyError) -> list[str]:
    """The error's problems, one line each as a page says them, the step and hint after the
    last."""
    lines = [_said(problem) for problem in error.problems_found] or [""]
    lines[-1] += _tail(error)
    return lines


def _tail(error: QualifyError) -> str:
    return (_step(error.step) if error.step else "") + (f"; {error.hint}" if error.hint else "")


def beside(error: QualifyError) -> dict[str, str]:
    """What to show beside each form input: each problem beside the inputs it is about (the
    step and hint after the last). When no problem names an input of its own, the whole error
    beside each input its step asks for."""
    placed: dict[str, str] = {}
    for problem in error.problems_found:
        said = _said(problem)
        for target in _own_inputs(problem):
            placed[target] = f"{placed[target]}; {said}" if target in placed else said
    if not placed:
        return {target: words(error) for target in inputs(error)}
    last = list(placed)[-1]
    placed[last] += _tail(error)
    return placed


@dataclass(frozen=True)
class Refusal:
    """A service's refusal laid out on the form it answers: each problem beside the input it is
    about (`by_input`, keyed by the input's name), the rest (`general`) at the top of the form."""

    by_input: dict[str, str]
    general: str


def lay_out(error: QualifyError, inputs: Mapping[str, str]) -> Refusal:
    """Where each problem of `error` shows: `inputs` maps a service's field (`reason`,
    `vouched_by`, or `fields.NAME` for one evidence field) to the form input it is typed in."""
    by_input: dict[str, str] = {}
    general: list[str] = []
    for problem in error.problems_found:
        key = problem.field or ""
        if problem.field is None and problem.step is not None:
            key = f"step:{problem.step.action}"
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
