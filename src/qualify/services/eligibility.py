"""The check report: each candidate's checks as the viewer may see them, for `check` and the
screening queue (the checks themselves are evaluated in `checking`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import NotPermitted
from qualify.store.checking import CandidateChecks, check_candidates
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user
from qualify.store.tables import Candidate
from qualify.store.visibility import record_roles, refusal, sight, visible_ids
from qualify.workflow.spec import Workflow


@dataclass(frozen=True)
class CheckLine:
    """One check's result for one candidate, as the viewer may see it."""

    check: str
    label: str
    status: str  # pass, fail, pending, withheld or not_applicable
    reason: str
    evidence_ids: tuple[int, ...] = ()

    @property
    def applies(self) -> bool:
        return self.status != "not_applicable"


@dataclass(frozen=True)
class CandidateCheckLines:
    """Every check's result for one candidate, and the overall eligibility."""

    candidate_id: int
    name: str
    state: str
    eligibility: str
    results: tuple[CheckLine, ...]
    withheld_not_passing: int = 0  # withheld checks that fail or are pending (see `withheld_note`)
    withheld_note: str = ""


@dataclass(frozen=True)
class CheckReport:
    """The check table for one candidate or a whole selection: what `check` prints."""

    selection_id: int
    as_of: date
    checks: tuple[str, ...]
    candidates: tuple[CandidateCheckLines, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "selection_id": self.selection_id,
            "as_of": self.as_of.isoformat(),
            "checks": list(self.checks),
            "candidates": [
                {
                    "candidate_id": row.candidate_id,
                    "name": row.name,
                    "state": row.state,
                    "eligibility": row.eligibility,
                    "withheld_not_passing": row.withheld_not_passing,
                    "results": [
                        {
                            "check": r.check,
                            "status": r.status,
                            "applies": r.applies,
                            "reason": r.reason,
                            "evidence": list(r.evidence_ids),
                        }
                        for r in row.results
                    ],
                }
                for row in self.candidates
            ],
        }


def withheld_note(spec: Workflow, not_passing: int) -> str:
    """Why a reader who may not see sensitive checks cannot confirm the candidate, when one of
    them is the reason: how many do not pass and who may say why, never which or why."""
    if not not_passing:
        return ""
    who = " and ".join(role.label for role in spec.roles.values() if role.sees_sensitive)
    checks = "1 withheld check has" if not_passing == 1 else f"{not_passing} withheld checks have"
    # Not met or still waiting for a record: the reader may not learn which.
    return (
        f"{checks} not passed (not met, or still pending); only "
        f"{who or 'the roles that see sensitive records'} see which and why"
    )


def check_lines(spec: Workflow, row: CandidateChecks) -> CandidateCheckLines:
    """One candidate's checks as typed lines, each with its label."""
    assert row.candidate.id is not None
    return CandidateCheckLines(
        candidate_id=row.candidate.id,
        name=row.candidate.name,
        state=row.candidate.state,
        eligibility=row.eligibility,
        results=tuple(
            CheckLine(r.check, spec.checks[r.check].label, r.status, r.reason, r.evidence_ids)
            for r in row.results
        ),
        withheld_not_passing=row.withheld_not_passing,
        withheld_note=withheld_note(spec, row.withheld_not_passing),
    )


def run_checks(
    *, session: Session, candidate_id: int | None, selection_id: int | None, actor: Actor
) -> dict[str, Any]:
    """`check_report` as plain data (what `check --json` prints)."""
    return check_report(
        session=session, candidate_id=candidate_id, selection_id=selection_id, actor=actor
    ).as_json()


def check_report(
    *, session: Session, candidate_id: int | None, selection_id: int | None, actor: Actor
) -> CheckReport:
    """The check table for one candidate or a whole selection, as the actor may see it: the
    candidates whose record they may see (a panelist sees no check)."""
    viewer = actor_user(session, actor)
    if candidate_id is not None:
        candidate = get_candidate(session, candidate_id)
        selection = get_selection(session, candidate.selection_id)
        if sight(session, viewer, candidate, selection).view != "record":
            raise NotPermitted(refusal(workflow_of(selection).spec, viewer, candidate_id, True))
        candidates = [candidate]
    else:
        assert selection_id is not None
        selection = get_selection(session, selection_id)
        everyone = list(
            session.exec(
                select(Candidate)
                .where(Candidate.selection_id == selection_id)
                .order_by(col(Candidate.id))
            )
        )
        seen = visible_ids(
            session,
            viewer,
            selection,
            [{"id": c.id, "supervisor": c.supervisor, "state": c.state} for c in everyone],
        )
        candidates = [c for c in everyone if c.id in seen and seen[c.id].view == "record"]
        if everyone and not candidates:
            roles = ", ".join(record_roles(workflow_of(selection).spec))
            raise NotPermitted(
                f"{viewer.name} may see the checks of no candidate of selection {selection_id}: "
                f"checks are for {roles} and the officer's own supervisor"
            )
    rows = check_candidates(
        session=session, selection=selection, candidates=candidates, viewer_roles=viewer.roles
    )
    spec = workflow_of(selection).spec
    assert selection.id is not None
    return CheckReport(
        selection_id=selection.id,
        as_of=selection.as_of,
        checks=tuple(spec.checks),
        candidates=tuple(check_lines(spec, row) for row in rows),
    )
