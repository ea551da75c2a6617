"""Whether a reason code's words are true of a candidate by the records. A letter states the
code's words as fact ("Another officer, ranked higher ..., was selected"), so `advance` refuses a
code whose condition (the transition's `reason_codes_true_when`) the records do not meet, and
says which of the transition's codes do fit."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from qualify.errors import RuleViolation, Step
from qualify.store.checking import INTERVIEW_KINDS, evaluate, load_facts
from qualify.store.frozen import workflow_of
from qualify.store.scores import ranking
from qualify.store.tables import AuditEvent, Candidate, Selection
from qualify.store.too_soon import as_of_to_come
from qualify.workflow.moves import refused
from qualify.workflow.scoring import CandidateResult
from qualify.workflow.spec import TransitionSpec, Truth


class _Records:
    """What the conditions read about one candidate, each read once and only when asked."""

    def __init__(
        self,
        session: Session,
        selection: Selection,
        candidate: Candidate,
        roles: dict[str, tuple[str, ...]],
        at: datetime,
    ) -> None:
        self.session, self.selection, self.candidate = session, selection, candidate
        self.roles, self.at = roles, at
        self._ranked: list[CandidateResult] | None = None
        self._checks: list[str] | None = None

    @property
    def ranked(self) -> list[CandidateResult]:
        if self._ranked is None:
            self._ranked = ranking(self.session, self.selection)
        return self._ranked

    def mine(self) -> CandidateResult | None:
        return next((r for r in self.ranked if r.candidate_id == self.candidate.id), None)

    def ever_selected(self) -> set[int]:
        """The selection's candidates that have entered a state holding a position."""
        holding = workflow_of(self.selection).spec.position_states()
        events = self.session.exec(
            select(AuditEvent.candidate_id, AuditEvent.details).where(
                AuditEvent.selection_id == self.selection.id,
                AuditEvent.action == "state_changed",
                col(AuditEvent.candidate_id).is_not(None),
            )
        )
        return {cid for cid, details in events if cid and json.loads(details).get("to") in holding}

    def check_statuses(self) -> list[str]:
        """The status of each of the candidate's checks before the interview, as of now."""
        if self._checks is None:
            loaded = workflow_of(self.selection)
            facts = load_facts(
                self.session, self.selection, [self.candidate], interview=False, roles=self.roles
            )[self.candidate.id or 0]
            self._checks = [
                r.status
                for r in evaluate(loaded, facts, self.selection.as_of, self.at.date())
                if loaded.spec.checks[r.check].kind not in INTERVIEW_KINDS
            ]
        return self._checks


def _untrue(truth: Truth, records: _Records) -> str | None:
    """Why `truth` does not hold of the candidate by the records, or None when it does."""
    cid, name = records.candidate.id, records.candidate.name
    if truth == "outranked_by_selected":
        mine = records.mine()
        above = {
            r.candidate_id
            for r in records.ranked
            if r.rank is not None
            and r.candidate_id != cid
            and (mine is None or mine.rank is None or r.rank < mine.rank)
        }
        if above & records.ever_selected():
            return None
        where = f" (rank {mine.rank})" if mine is not None and mine.rank is not None else ""
        return f"no officer ranked above {name}{where} has been selected"
    if truth == "interview_not_passed":
        mine = records.mine()
        if mine is not None and mine.complete and not mine.passed:
            return None
        if mine is None or not mine.complete:
            return f"{name}'s interview results are not complete"
        return f"{name} passed the interview (rank {mine.rank})"
    statuses = records.check_statuses()
    if truth == "qualification_not_met":
        if "fail" in statuses:
            return None
        return f"no qualification of {name} is failed on the records on file"
    if as_of_to_come(records.selection, records.at):
        # "were not complete on the date they are measured": that date has not come.
        as_of = records.selection.as_of
        return f"the as-of date {as_of}, on which the records are measured, has not come"
    if any(s not in ("pass", "fail") for s in statuses):
        return None
    return f"every qualification of {name} is decided by the records on file"


def refuse_untrue_code(
    session: Session,
    *,
    selection: Selection,
    transition: TransitionSpec,
    candidate: Candidate,
    code: str,
    roles: dict[str, tuple[str, ...]],
    at: datetime,
) -> None:
    """Refuse `code` when its words are not true of `candidate` by the records, naming the
    transition's codes that are (or none: then the letter needs words of one's own)."""
    conditions = transition.reason_codes_true_when
    if code not in conditions:
        return
    records = _Records(session, selection, candidate, roles, at)
    why = _untrue(conditions[code], records)
    if why is None:
        return
    fitting = [
        other
        for other in transition.reason_codes
        if other != code
        and (other not in conditions or _untrue(conditions[other], records) is None)
    ]
    words = " ".join(transition.reason_codes[code].split())
    fits = (
        f"the codes that fit: {', '.join(fitting)}"
        if fitting
        else "no reason code fits; write what the letter tells the officer"
    )
    raise RuleViolation(
        f"{refused(transition, candidate.name)} with reason code '{code}': "
        f'its letter would say "{words}", but {why}; {fits}',
        field="reason_code",
        step=Step("give_notice", ", ".join(fitting) or None),
    )
