"""Interview results as a viewer may see them (blind until submitted): read from the stored
rows, ranked, and hidden where the viewer may not see them yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import NotPermitted
from qualify.services.bulk import without_cyclic_gc
from qualify.store.frozen import workflow_of
from qualify.store.lookups import alternates_of, get_selection, seats_of
from qualify.store.permissions import actor_user, person, roles_in_words, spec_labels
from qualify.store.scores import panel_inputs
from qualify.store.stored_results import stored_rows
from qualify.store.tables import Candidate, InterviewResult, Scorecard, Selection, User
from qualify.workflow.scoring import missing_words, rank


def _stored(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """The interview_result row of every candidate the panel has met (one with a declaration or
    a scorecard has a stored row), and computed rows for those merely in a scoring state, with
    each candidate's name."""
    spec = workflow_of(selection).spec
    # Core execution: the ORM's row processing would double the time over 10,000 rows.
    found = (
        session.connection()
        .execute(
            sa_select(
                col(Candidate.id),
                col(Candidate.name),
                col(Candidate.state),
                col(InterviewResult.complete),
                col(InterviewResult.sort_key),
                col(InterviewResult.summary),
            )
            .outerjoin(InterviewResult, col(InterviewResult.candidate_id) == col(Candidate.id))
            .where(col(Candidate.selection_id) == selection.id)
        )
        .all()
    )
    names = {cid: name for cid, name, *_ in found}
    states = {cid: state for cid, _, state, *_ in found}
    rows = [
        {"candidate_id": cid, "complete": complete, "sort_key": key, "summary": summary}
        for cid, _, _, complete, key, summary in found
        if summary is not None
    ]
    waiting = [
        cid
        for cid, _, state, _, _, summary in found
        if summary is None and state in spec.panel.scoring_states
    ]
    if waiting:
        people = session.exec(select(Candidate).where(col(Candidate.id).in_(waiting))).all()
        rows += stored_rows(selection, panel_inputs(session, selection, list(people)))
    for row in rows:
        row["name"] = names[row["candidate_id"]]
        row["state"] = states[row["candidate_id"]]
    return rows


UNRANKED = {"rank": None, "tie_break": None}  # a failing candidate is not on the eligible list
NOT_COMPLETED = "the interview was not completed, so no scores are shown"


def _status(summary: dict[str, Any], seats: int, scoring: bool, state: str) -> dict[str, Any]:
    """Where a candidate's interview stands: `pending` until every seat has submitted (never a
    fail for an interview still being scored), then `pass` or `fail`; `not_scored` for one who
    left the interview before it was complete (`scoring`: still in a scoring state; `state`:
    the label of the state they are in)."""
    criteria = summary["criteria"]
    submitted = len(criteria[0]["scores"]) if criteria else 0
    if not summary["complete"]:
        count = f"{submitted} of {seats} scorecards submitted"
        return {
            "status": "pending" if scoring else "not_scored",
            "submitted": submitted,
            "seats": seats,
            "status_text": f"pending ({count})" if scoring else f"not scored: {state} ({count})",
        }
    status = "pass" if summary["passed"] else "fail"
    return {"status": status, "submitted": submitted, "seats": seats, "status_text": status}


def results(*, session: Session, selection_id: int, actor: Actor) -> dict[str, Any]:
    """Interview results as the actor may see them: reviewers (view_results) see a candidate once
    every seat has submitted; a panelist sees others' scores once their own is submitted."""
    viewer = actor_user(session, actor)
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    reviewer = any(r in spec.permissions.view_results for r in viewer.roles)
    seated = {s.panelist for s in seats_of(session, selection_id)} | {
        a.panelist for a in alternates_of(session, selection_id)
    }
    if not reviewer and viewer.name not in seated:
        labels = spec_labels(spec)
        raise NotPermitted(
            f"{person(viewer, labels)} may not see results: that needs the role "
            f"{roles_in_words(spec.permissions.view_results, labels)} or a seat on the panel"
        )
    with without_cyclic_gc():
        stored = {row["candidate_id"]: row for row in _stored(session, selection)}
        # The passing ranked 1..n (the eligible list), then the failing by total, unranked.
        keys = {cid: tuple(r["sort_key"]) for cid, r in stored.items() if r["complete"]}
        passing = [keys[cid] for cid in keys if stored[cid]["summary"]["passed"]]
        # A reviewer sees every candidate ranked: a tie names the neighbour.
        places = rank(spec.rubric, passing, {cid: row["name"] for cid, row in stored.items()})
        order = [cid for cid, _, _ in places]
        order += sorted((cid for cid in keys if cid not in order), key=lambda cid: keys[cid])
        order += sorted(cid for cid, row in stored.items() if not row["complete"])
        ranks = {cid: {"rank": place, "tie_break": note} for cid, place, note in places}
        if reviewer:  # a candidate shows once the panel is complete
            hidden = "hidden until every seat has submitted"
            shown = {cid for cid, row in stored.items() if row["complete"]}
        else:  # a panelist sees the candidates they have submitted a scorecard for
            hidden = "hidden until you submit your own scorecard"
            shown = set(
                session.exec(
                    select(Scorecard.candidate_id).where(
                        Scorecard.panelist == viewer.name, Scorecard.status == "submitted"
                    )
                )
            )
        seats = len(seats_of(session, selection_id))
        names = {u.name: u.display_name for u in session.exec(select(User))}
        rows = []
        for cid in order:
            row = stored[cid]
            summary = row["summary"]
            where = row["state"]
            state = _status(
                summary, seats, where in spec.panel.scoring_states, spec.states[where].label
            )
            if cid in shown:
                rows.append(
                    {
                        **summary,
                        "missing": [missing_words(m, spec, names) for m in summary["missing"]],
                        "name": row["name"],
                        **state,
                        **(ranks.get(cid, UNRANKED) if reviewer else {}),
                    }
                )
            else:
                rows.append(
                    {
                        "candidate_id": cid,
                        "name": row["name"],
                        "employee_id": summary["employee_id"],
                        "complete": row["complete"],
                        # One who left the interview is never scored: nothing is waited for.
                        "hidden": NOT_COMPLETED if state["status"] == "not_scored" else hidden,
                        **state,
                        **(
                            {"missing": [missing_words(m, spec, names) for m in summary["missing"]]}
                            if reviewer
                            else {}
                        ),
                        **(
                            {"substitutions": summary["substitutions"]}
                            if reviewer and "substitutions" in summary
                            else {}
                        ),
                    }
                )
    return {
        "selection_id": selection_id,
        "pass_mark": spec.rubric.pass_mark,
        "disagreement_threshold": spec.rubric.disagreement_threshold,
        "tie_breaks": spec.rubric.tie_breaks,
        "criteria": [c.id for c in spec.rubric.criteria],
        "criterion_labels": {c.id: c.label for c in spec.rubric.criteria},
        "candidates": rows,
    }
