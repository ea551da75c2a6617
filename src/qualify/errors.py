"""Errors qualify raises on purpose; the CLI turns each into one line and an exit code.

QualifyError                 base; exit 1 (refused by the rules)
├── NotFound                 exit 2: a record named by the user does not exist
├── NotPermitted             the actor's roles do not allow the action
├── RuleViolation            a check, guard or workflow rule refused the action
├── Conflict                 someone else changed the record first (optimistic lock)
├── DatabaseError            the database cannot be reached or is at an unknown revision
├── PacketsOwed              a change was recorded, but its packets could not be written
└── BadInput                 exit 2: the user's input is malformed
    └── WorkflowError        a workflow file is invalid; carries every problem found
"""

from __future__ import annotations


class QualifyError(Exception):
    """A failure to report to the user as one line, never as a traceback."""

    exit_code = 1
    # What the refusal is about, when it is about named inputs (criterion ids, "reason"): a
    # form shows the message next to those fields. The message says the same on every channel.
    fields: tuple[str, ...] = ()

    def about(self, *fields: str) -> QualifyError:
        """This error, noting the inputs it is about."""
        self.fields = fields
        return self


class NotFound(QualifyError):
    """A record named by the user does not exist: bad input, like any other unknown value."""

    exit_code = 2


class NotPermitted(QualifyError):
    """The actor's roles do not allow the action."""


class RuleViolation(QualifyError):
    """A check, guard or workflow rule refused the action."""


class Conflict(QualifyError):
    """Someone else changed the record first; nothing was saved."""


class DatabaseError(QualifyError):
    """The database cannot be reached, or its schema is at a revision this version does not know."""


class PacketsOwed(QualifyError):
    """A change was recorded, but its packets could not be written; `packet --repair` can."""

    def __init__(self, message: str, done: object) -> None:
        self.done = done
        super().__init__(message)


class BadInput(QualifyError):
    """The user's input is malformed: a bad value, file, row or option."""

    exit_code = 2


class WorkflowError(BadInput):
    """A workflow file is invalid; `problems` lists every problem as `file:line: path: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
