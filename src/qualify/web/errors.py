"""How the portal says an error: beside the form field it is about, so a field needs no label,
and a next step in the words of the page (the CLI's words are in `qualify.cli.errors`)."""

from __future__ import annotations

from qualify.errors import QualifyError, Step

# The next steps the portal's pages can meet; any other step is left to the page's own text.
STEPS = {
    "correct_scorecard": ": give a reason",
    "give_correction_reason": ": give a reason",
    "declare_conflicts": ": first declare any conflict of interest",
    "score_criteria": "",
    "comment_extremes": ": add a comment for {subject}",
    "list_users": "",
}


def _step(step: Step) -> str:
    return STEPS.get(step.action, "").format(subject=step.subject)


def words(error: QualifyError) -> str:
    """The error as a page shows it, beside the fields in `error.fields`."""
    return error.render(lambda field: "", _step)
