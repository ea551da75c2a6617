"""Errors qualify raises on purpose; each front door turns one into words and an exit code.

QualifyError                 base; exit 1 (refused by the rules)
├── NotFound                 exit 2: a record named by the user does not exist
├── NotPermitted             the actor's roles do not allow the action
├── RuleViolation            a check, guard or workflow rule refused the action
│   └── GuardRefused         the workflow machine refused a move whose guards had not passed
├── Conflict                 someone else changed the record first (optimistic lock)
├── DatabaseError            exit 3: the database (or its audit key) cannot be reached or used
├── PacketsOwed              a change was recorded, but its packets could not be written
└── BadInput                 exit 2: the user's input is malformed
    ├── FieldValueError      a typed value does not fit its evidence field
    └── WorkflowError        a workflow file is invalid; carries every problem found

An error speaks the services' language, never a front door's: each problem names the input it
is about by its `field` (the service's parameter name, such as `reason_code`; `scores.clarity`
for one entry of a mapping such as `scores`; `a+b` for two inputs given together), shows the
`value` given, and may name a `step` the user can take next (a use case such as `list_users`).
That is the one way an error names its input. The CLI renders a field as its `--flag` and a step
as a command; the portal shows the problem beside the field's form input, and a step in its own
words beside the input the step asks for. `str(error)` is the plain rendering (field names as
they are), one line per problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """A next step the user can take, named as a use case (`list_users`, `create_database`);
    `subject` is what it is about, when it needs one. Each front door says how to take it."""

    action: str
    subject: str | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong: what (`message`), about which input (`field`, `value`), if known, and
    the step that would put it right, if there is one."""

    message: str
    field: str | None = None
    value: str | None = None
    step: Step | None = None

    def render(
        self, label: Callable[[str], str] = str, step: Callable[[Step], str] | None = None
    ) -> str:
        """`label(field) value: message`, or the message alone when no field is named; then
        the step rendered by `step` (left out without one)."""
        # A front door that shows the error beside its field labels the field with "".
        shown = label(self.field) if self.field is not None else ""
        named = " ".join(part for part in (shown, self.value) if part)
        text = f"{named}: {self.message}" if named else self.message
        if self.step is not None and step is not None:
            text += step(self.step)
        return text


class QualifyError(Exception):
    """A failure to report to the user in words, never as a traceback.

    `QualifyError(message, field=..., value=..., hint=..., step=...)` for one problem, or
    `QualifyError(problems=[Problem(...), ...])` for several found at once. `hint` is plain
    words that follow the message (no flag, no command); `step` is the use case to run next.
    """

    exit_code = 1

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        value: str | None = None,
        hint: str | None = None,
        step: Step | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        found = list(problems)
        if message is not None:
            found.insert(0, Problem(message, field, value))
        self.problems_found: tuple[Problem, ...] = tuple(found)
        self.hint = hint
        self.step = step
        super().__init__(self.render())

    @property
    def field(self) -> str | None:
        """The input the (first) problem is about, if it names one."""
        return self.problems_found[0].field if self.problems_found else None

    @property
    def fields(self) -> tuple[str, ...]:
        """Every input the problems name, each once, in order (`a+b` is `a` and `b`)."""
        named = (
            part for p in self.problems_found if p.field is not None for part in p.field.split("+")
        )
        return tuple(dict.fromkeys(named))

    @property
    def message(self) -> str:
        """The (first) problem's words, without its field."""
        return self.problems_found[0].message if self.problems_found else ""

    def render(
        self,
        label: Callable[[str], str] = str,
        step: Callable[[Step], str] | None = None,
    ) -> str:
        """The error as lines: each problem with its field labelled by `label`, then the step
        (rendered by `step`; left out without one) and the hint after the last."""
        text = "\n".join(problem.render(label, step) for problem in self.problems_found)
        if self.step is not None and step is not None:
            text += step(self.step)
        if self.hint:
            text += f"; {self.hint}"
        return text


class Gathered:
    """The bad input of several independent checks, refused all at once: run each check in
    `with gathered.check():` (a BadInput it raises is kept, and the code after the block runs
    on), then `gathered.refuse()`. One problem is refused as it was raised, word for word;
    several as one BadInput with every problem, each keeping its field and next step, so a
    form shows each beside its own input and the CLI says each on its own line."""

    def __init__(self, kind: type[BadInput] | None = None) -> None:
        self.errors: list[BadInput] = []
        self.kind = kind  # what several are refused as (BadInput when not given)

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except BadInput as bad:
            self.errors.append(bad)

    def refuse(self) -> None:
        """Raise what the checks found, if anything."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            kind = self.kind or BadInput
            raise kind(problems=[p for e in self.errors for p in _own_problems(e)])


def _own_problems(error: QualifyError) -> list[Problem]:
    """The error's problems, its step and hint carried by the last, so they stay with it."""
    found = list(error.problems_found)
    if found and (error.step is not None or error.hint):
        last = found[-1]
        message = f"{last.message}; {error.hint}" if error.hint else last.message
        found[-1] = Problem(message, last.field, last.value, last.step or error.step)
    return found


class NotFound(QualifyError):
    """A record named by the user does not exist: bad input, like any other unknown value."""

    exit_code = 2


class NotPermitted(QualifyError):
    """The actor's roles do not allow the action."""


class RuleViolation(QualifyError):
    """A check, guard or workflow rule refused the action."""


class GuardRefused(RuleViolation):
    """The workflow machine's condition refused a move: a guard had not passed."""


class Conflict(QualifyError):
    """Someone else changed the record first; nothing was saved."""


class DatabaseError(QualifyError):
    """The database cannot be reached, or its schema is at a revision this version does not know:
    a problem of the environment, neither the user's input nor a rule (exit 3)."""

    exit_code = 3


class PacketsOwed(QualifyError):
    """A change was recorded, but its packets could not be written; the `repair_packets` step
    writes them."""

    def __init__(self, message: str, done: object, *, step: Step | None = None) -> None:
        self.done = done
        super().__init__(message, step=step)


class BadInput(QualifyError):
    """The user's input is malformed: a bad value, file, row or option."""

    exit_code = 2


class FieldValueError(BadInput):
    """A typed value does not fit its evidence field; the message says what would."""


class WorkflowError(BadInput):
    """A workflow file is invalid; `problems` lists every problem as `file:line: path: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
