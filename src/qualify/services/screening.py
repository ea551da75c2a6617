"""The screening queue: each candidate's checks and the triggers the viewer may fire now.

What the commander's page shows; sensitive checks are withheld from a role that may not see
them (`eligibility.check_candidates`), and the triggers are those of the workflow file that
the viewer may fire now (`offers.moves_now`: their roles, and no rule against it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from qualify.actor import Actor
from qualify.packets.check_words import CheckWording
from qualify.services.candidate_remove import removable_now
from qualify.services.eligibility import CandidateCheckLines, CheckLine, check_report
from qualify.services.offers import moves_now
from qualify.store.checking import before_interview
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import actor_user
from qualify.workflow.moves import Move

# How the page names each result (the CLI prints the status itself).
STATUS_WORDS = {
    "pass": "Met",
    "fail": "Not met",
    "pending": "Pending",
    "withheld": "Withheld",
    "not_applicable": "Not yet",
}
WITHHELD_WORDS = "Withheld: this check reads a sensitive record your role does not see."
NOT_YET_WORDS = "Applies once the candidate reaches the interview."


@dataclass(frozen=True)
class CheckWords:
    """One check's result as the page words it: the workflow's label, the result in a word
    or two, and the reason in plain language (labels, full names, dates written out)."""

    label: str
    status: str  # pass, fail, pending, withheld or not_applicable (for the page's colours)
    status_words: str
    detail: str


@dataclass(frozen=True)
class QueueEntry:
    """One candidate in the queue."""

    checks: CandidateCheckLines
    state_label: str
    moves: tuple[Move, ...]
    worded: tuple[CheckWords, ...] = ()
    # The viewer may take the candidate out as entered by mistake (services.candidate_remove).
    removable: bool = False

    @property
    def candidate_id(self) -> int:
        return self.checks.candidate_id

    @property
    def open_checks(self) -> tuple[CheckWords, ...]:
        """The checks a commander acts on: those not met and those still pending."""
        return tuple(c for c in self.worded if c.status in ("fail", "pending"))

    @property
    def tally(self) -> str:
        """ "3 met, 2 not met, 3 withheld, 2 not yet": how many checks have each result."""
        counts = Counter(c.status for c in self.worded)
        return ", ".join(
            f"{counts[status]} {words.lower()}"
            for status, words in STATUS_WORDS.items()
            if counts[status]
        )


@dataclass(frozen=True)
class ScreeningQueue:
    """The candidates of a selection whose record the viewer may see and who have not reached
    the interview (nominated, in screening, found eligible or ineligible: the states before
    the panel's scoring states, final ones left out), with their checks as of the selection's
    date and the viewer's triggers."""

    selection_id: int
    title: str
    as_of: date
    checks: tuple[tuple[str, str], ...]  # (check, label) in the workflow's order
    entries: tuple[QueueEntry, ...]
    # Each trigger's label in the workflow (`{name}` for the candidate's), for the page's words.
    trigger_labels: dict[str, str] = field(default_factory=dict)


def _worded(wording: CheckWording, line: CheckLine) -> CheckWords:
    if line.status == "withheld":
        detail = WITHHELD_WORDS
    elif line.status == "not_applicable":
        detail = NOT_YET_WORDS
    else:
        detail = wording.reason(line.reason)
    return CheckWords(line.label, line.status, STATUS_WORDS[line.status], detail)


def screening_queue(*, session: Session, selection_id: int, actor: Actor) -> ScreeningQueue:
    """The screening queue of a selection, as the actor may see it."""
    user = actor_user(session, actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    report = check_report(
        session=session, candidate_id=None, selection_id=selection_id, actor=actor
    )
    waiting = before_interview(spec)
    rows = [
        row
        for row in report.candidates
        if row.state in waiting and not spec.states[row.state].final
    ]
    wording = CheckWording(session, spec, (line.reason for row in rows for line in row.results))
    offered = moves_now(session, selection, (r.candidate_id for r in rows), actor)
    initial = (r.candidate_id for r in rows if r.state == spec.initial_state)
    removable = removable_now(session, spec, initial, user.roles)
    entries = tuple(
        QueueEntry(
            row,
            spec.states[row.state].label,
            offered.get(row.candidate_id, ()),
            tuple(_worded(wording, line) for line in row.results),
            removable=row.candidate_id in removable,
        )
        for row in rows
    )
    return ScreeningQueue(
        selection_id=selection_id,
        title=selection.title,
        as_of=selection.as_of,
        checks=tuple((check, spec.checks[check].label) for check in report.checks),
        entries=entries,
        trigger_labels=spec.trigger_labels(),
    )
