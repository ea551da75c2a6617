"""The stored copy of each candidate's interview result (`interview_result`), kept in step with
the records it follows, in the same transaction; `audit verify` compares it with what the
records give now (`expected_results`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col

from qualify.store.frozen import workflow_of
from qualify.store.scores import panel_inputs
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    InterviewResult,
    Scorecard,
    Selection,
)
from qualify.workflow.scoring import CandidateResult, Exact, PanelInput, score_candidate, sort_key


def _summary(result: CandidateResult) -> dict[str, Any]:
    """A result as `results` shows it, less the name and the ranking."""
    return {
        "candidate_id": result.candidate_id,
        "employee_id": result.employee_id,
        "complete": result.complete,
        "missing": list(result.missing),
        "criteria": [
            {
                "criterion": c.criterion,
                "scores": c.scores,
                "mean": round(c.mean, 4),
                "spread": c.spread,
                "flagged": c.flagged,
                "minimum_met": c.minimum_met,
            }
            for c in result.criteria
        ],
        "total": None if result.total is None else round(result.total, 4),
        "passed": result.passed,
        "failures": list(result.failures),
        "flags": result.flags,
        "corrections": [
            {
                "panelist": c.panelist,
                "version": c.version,
                "reason": c.reason,
                "previous": c.previous,
                "scores": c.scores,
            }
            for c in result.corrections
        ],
        # Only when an alternate sat: rows stored before alternates existed stay as they were.
        **(
            {
                "substitutions": [
                    {"seat": x.seat, "holder": x.holder, "sat": x.sat, "why": x.why}
                    for x in result.substitutions
                ]
            }
            if result.substitutions
            else {}
        ),
    }


def stored_rows(selection: Selection, panels: Iterable[PanelInput]) -> list[dict[str, Any]]:
    """The interview_result rows for these candidates, computed from their records."""
    rubric = workflow_of(selection).spec.rubric
    exact = Exact.of(rubric)
    rows = []
    for panel in panels:
        result = score_candidate(rubric, panel, exact)
        rows.append(
            {
                "candidate_id": result.candidate_id,
                "selection_id": selection.id,
                "complete": result.complete,
                "sort_key": list(sort_key(rubric, result)) if result.complete else None,
                "summary": _summary(result),
            }
        )
    return rows


def store_results(
    session: Session, selection: Selection, panels: list[PanelInput], *, overwrite: bool = True
) -> None:
    """Write these candidates' interview_result rows in the caller's transaction; with
    overwrite=False, only rows that do not exist yet."""
    if not panels:
        return
    # The dialects' own INSERT, for ON CONFLICT; imported here, as listing needs neither.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(InterviewResult)
    keys = [col(InterviewResult.candidate_id)]
    if overwrite:
        statement = statement.on_conflict_do_update(
            index_elements=keys,
            set_={
                "complete": statement.excluded.complete,
                "sort_key": statement.excluded.sort_key,
                "summary": statement.excluded.summary,
            },
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    session.connection().execute(statement, stored_rows(selection, panels))


def refresh_results(session: Session, selection: Selection) -> None:
    """Recompute the stored rows of the selection's candidates who have one (a panel change).
    Their versions are bumped first, as the panel is an input of their interview guards: a
    command that read one of them before this commits cannot then write on what it read."""
    stored = sa_select(col(InterviewResult.candidate_id)).where(
        col(InterviewResult.selection_id) == selection.id
    )
    session.connection().execute(
        update(Candidate)
        .where(col(Candidate.id).in_(stored))
        .values(version=col(Candidate.version) + 1)
    )
    ids = set(session.connection().execute(stored).scalars())
    panels = panel_inputs(session, selection) if ids else []
    store_results(session, selection, [p for p in panels if p.candidate_id in ids])


def expected_results(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """The interview_result rows the selection should have, computed from its records: one for
    every candidate with a declaration or a scorecard."""
    heard = _declared_or_scored(session, selection)
    return stored_rows(
        selection, [p for p in panel_inputs(session, selection) if p.candidate_id in heard]
    )


def _declared_or_scored(session: Session, selection: Selection) -> set[int]:
    """Candidates of the selection with a declaration or a scorecard."""
    found: set[int] = set()
    for table in (ConflictDeclaration, Scorecard):
        found.update(
            session.execute(
                sa_select(col(table.candidate_id))
                .join(Candidate)
                .where(col(Candidate.selection_id) == selection.id)
                .distinct()
            ).scalars()
        )
    return found
