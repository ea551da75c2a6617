"""Interview results, and who may see which scores (blind until submitted)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from qualify.errors import NotPermitted
from qualify.services.access import (
    actor_user,
    get_selection,
    workflow_of,
)
from qualify.services.panel import barred_reason, seats_of
from qualify.store.tables import Attestation, Candidate, Scorecard, Selection
from qualify.workflow.facts import InterviewFacts
from qualify.workflow.scoring import (
    CandidateResult,
    Card,
    Exact,
    PanelInput,
    aggregate,
    score_candidate,
)


def panel_inputs(
    session: Session,
    selection: Selection,
    candidates: list[Candidate] | None = None,
    *,
    comments: bool = False,
) -> list[PanelInput]:
    """What scoring needs, for every candidate of the selection (or the ones given); with the
    panelists' comments only when asked, as ranking does not read them."""
    spec = workflow_of(selection).spec
    assert selection.id is not None
    people = (
        [(c.id, c.employee_id, c.supervisor) for c in candidates]
        if candidates is not None
        else session.execute(
            sa_select(
                col(Candidate.id), col(Candidate.employee_id), col(Candidate.supervisor)
            ).where(col(Candidate.selection_id) == selection.id)
        ).all()
    )
    wanted = {cid: (employee, supervisor) for cid, employee, supervisor in people}
    seats = tuple((s.seat, s.panelist) for s in seats_of(session, selection.id))
    seated = {p for _, p in seats}
    # A few candidates (an advance): ask for theirs; many: read the selection's in one go.
    few = len(wanted) <= 50
    declared = sa_select(
        col(Attestation.candidate_id), col(Attestation.panelist), col(Attestation.conflict)
    ).order_by(col(Attestation.id))
    cards_query = sa_select(
        *(
            col(c)
            for c in (
                Scorecard.candidate_id,
                Scorecard.panelist,
                Scorecard.seat,
                Scorecard.version,
                Scorecard.scores,
                Scorecard.comments if comments else Scorecard.reason,
                Scorecard.reason,
            )
        )
    ).where(col(Scorecard.status) == "submitted")
    if few:
        declared = declared.where(col(Attestation.candidate_id).in_(list(wanted)))
        cards_query = cards_query.where(col(Scorecard.candidate_id).in_(list(wanted)))
    else:
        declared = declared.join(Candidate).where(col(Candidate.selection_id) == selection.id)
        cards_query = cards_query.join(Candidate).where(col(Candidate.selection_id) == selection.id)
    conflicts: dict[tuple[int, str], str | None] = {}
    for cid, panelist, conflict in session.execute(declared):
        conflicts[(cid, panelist)] = conflict
    submitted: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for card in session.execute(cards_query.order_by(col(Scorecard.version))):
        if card.panelist in seated:
            submitted[(card.candidate_id, card.panelist)].append(card)
    inputs = []
    for cid, (employee_id, supervisor) in sorted(wanted.items(), key=lambda kv: kv[0] or 0):
        assert cid is not None
        barred = {}
        for _, panelist in seats:
            why = barred_reason(spec, supervisor, panelist, conflicts.get((cid, panelist)))
            if why:
                barred[panelist] = why
        cards = {}
        for _, panelist in seats:
            versions = submitted.get((cid, panelist))
            if versions:
                newest = versions[-1]
                cards[panelist] = Card(
                    panelist=panelist,
                    seat=newest.seat,
                    scores=newest.scores,
                    comments=newest.comments if comments else {},
                    version=newest.version,
                    reason=newest.reason,
                    previous=dict(versions[-2].scores) if len(versions) > 1 else None,
                )
        inputs.append(PanelInput(cid, employee_id, seats, barred, cards))
    return inputs


def interview_facts(
    session: Session, selection: Selection, candidates: list[Candidate]
) -> dict[int, InterviewFacts]:
    """The interview guards' view of each candidate."""
    rubric = workflow_of(selection).spec.rubric
    exact = Exact.of(rubric)
    facts = {}
    for panel in panel_inputs(session, selection, candidates):
        result = score_candidate(rubric, panel, exact)
        facts[panel.candidate_id] = InterviewFacts(
            seats=len(panel.seats),
            complete=result.complete,
            missing=result.missing,
            passed=result.passed,
            failures=result.failures,
            total=result.total,
        )
    return facts


def ranking(session: Session, selection: Selection) -> list[CandidateResult]:
    """Every candidate's interview result, ranked."""
    return aggregate(workflow_of(selection).spec.rubric, panel_inputs(session, selection))


def _result_dict(result: CandidateResult, names: dict[int, str], with_rank: bool) -> dict[str, Any]:
    return {
        "candidate_id": result.candidate_id,
        "name": names[result.candidate_id],
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
        **({"rank": result.rank, "tie_break": result.tie_break} if with_rank else {}),
    }


def _interviewed(session: Session, selection: Selection) -> set[int]:
    """Candidates the panel has met: in a scoring state, or with a declaration or scorecard."""
    spec = workflow_of(selection).spec
    in_scoring = select(Candidate.id).where(
        Candidate.selection_id == selection.id,
        col(Candidate.state).in_(spec.panel.scoring_states),
    )
    declared = (
        select(Attestation.candidate_id)
        .join(Candidate)
        .where(col(Candidate.selection_id) == selection.id)
    )
    scored = (
        select(Scorecard.candidate_id)
        .join(Candidate)
        .where(col(Candidate.selection_id) == selection.id)
    )
    found: set[int] = set()
    for query in (in_scoring, declared, scored):
        found.update(cid for cid in session.exec(query) if cid is not None)
    return found


def results(*, session: Session, selection_id: int, actor: str) -> dict[str, Any]:
    """Interview results as the actor may see them: reviewers (view_results) see a candidate once
    every seat has submitted; a panelist sees others' scores once their own is submitted."""
    viewer = actor_user(session, actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    reviewer = any(r in spec.permissions.view_results for r in viewer.roles)
    seated = {s.panelist for s in seats_of(session, selection_id)}
    if not reviewer and viewer.name not in seated:
        raise NotPermitted(
            f"{viewer.name} may not see results: that needs the role "
            f"{' or '.join(spec.permissions.view_results)} or a seat on the panel"
        )
    names = {
        cid: name
        for cid, name in session.exec(
            select(Candidate.id, Candidate.name).where(col(Candidate.selection_id) == selection.id)
        )
        if cid is not None
    }
    mine = set(
        session.exec(
            select(Scorecard.candidate_id).where(
                Scorecard.panelist == viewer.name, Scorecard.status == "submitted"
            )
        )
    )
    interviewed = _interviewed(session, selection)
    rows = []
    for result in ranking(session, selection):
        if result.candidate_id not in interviewed:
            continue
        if reviewer:
            visible = result.complete
            hidden = "hidden until every seat has submitted"
        else:
            visible = result.candidate_id in mine
            hidden = "hidden until you submit your own scorecard"
        if visible:
            rows.append(_result_dict(result, names, with_rank=reviewer))
        else:
            rows.append(
                {
                    "candidate_id": result.candidate_id,
                    "name": names[result.candidate_id],
                    "employee_id": result.employee_id,
                    "complete": result.complete,
                    "hidden": hidden,
                    **({"missing": list(result.missing)} if reviewer else {}),
                }
            )
    return {
        "selection_id": selection_id,
        "pass_mark": spec.rubric.pass_mark,
        "disagreement_threshold": spec.rubric.disagreement_threshold,
        "tie_breaks": spec.rubric.tie_breaks,
        "criteria": [c.id for c in spec.rubric.criteria],
        "candidates": rows,
    }
