"""Interview results, and who may see which scores (blind until submitted)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlmodel import Session, col, select

from qualify.errors import NotPermitted
from qualify.services.bulk import without_cyclic_gc
from qualify.services.frozen import workflow_of
from qualify.services.lookups import alternates_of, get_selection, seats_of
from qualify.services.permissions import actor_user
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    InterviewResult,
    Scorecard,
    Selection,
)
from qualify.workflow.facts import InterviewFacts
from qualify.workflow.scoring import (
    CandidateResult,
    Card,
    Exact,
    PanelInput,
    aggregate,
    rank,
    score_candidate,
    sitting,
    sort_key,
)
from qualify.workflow.spec import Workflow


def panel_input(
    spec: Workflow,
    candidate: tuple[int, str, str],
    seats: tuple[tuple[str, str], ...],
    declared: Iterable[Any],
    submitted: Iterable[Any],
    *,
    comments: bool = False,
    alternates: tuple[tuple[str, str], ...] = (),
) -> PanelInput:
    """What scoring needs about one candidate, from its (id, employee id, supervisor), the
    panel's (seat, panelist) pairs and its alternates, its declarations in the order made and
    its submitted scorecards by version (rows or records with the tables' field names). An
    alternate sits for a holder who may not score the candidate (see `sitting`)."""
    candidate_id, employee_id, supervisor = candidate
    conflicts = {d.panelist: d.conflict for d in declared}  # the newest declaration stands
    versions: dict[str, list[Any]] = defaultdict(list)
    for card in submitted:
        versions[card.panelist].append(card)
    sat, barred, swaps = sitting(spec, supervisor, seats, alternates, conflicts)
    cards = {}
    for _, panelist in sat:
        mine = versions.get(panelist)
        if mine:
            newest = mine[-1]
            cards[panelist] = Card(
                panelist=panelist,
                seat=newest.seat,
                scores=newest.scores,
                comments=newest.comments if comments else {},
                version=newest.version,
                reason=newest.reason,
                previous=dict(mine[-2].scores) if len(mine) > 1 else None,
            )
    return PanelInput(candidate_id, employee_id, sat, barred, cards, swaps)


def panel_inputs(
    session: Session,
    selection: Selection,
    candidates: list[Candidate] | None = None,
    *,
    comments: bool = False,
) -> list[PanelInput]:
    """What scoring needs, for every candidate of the selection (or the ones given), by id; with
    the panelists' comments only when asked, as ranking does not read them."""
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
    wanted: dict[int, tuple[int, str, str]] = {}
    for cid, employee, supervisor in people:
        assert cid is not None
        wanted[cid] = (cid, employee, supervisor)
    seats = tuple((s.seat, s.panelist) for s in seats_of(session, selection.id))
    alternates = tuple((a.seat, a.panelist) for a in alternates_of(session, selection.id))
    # A few candidates (an advance): ask for theirs; many: read the selection's in one go.
    few = len(wanted) <= 50
    declared_query = sa_select(
        col(ConflictDeclaration.candidate_id),
        col(ConflictDeclaration.panelist),
        col(ConflictDeclaration.conflict),
    ).order_by(col(ConflictDeclaration.id))
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
        declared_query = declared_query.where(
            col(ConflictDeclaration.candidate_id).in_(list(wanted))
        )
        cards_query = cards_query.where(col(Scorecard.candidate_id).in_(list(wanted)))
    else:
        declared_query = declared_query.join(Candidate).where(
            col(Candidate.selection_id) == selection.id
        )
        cards_query = cards_query.join(Candidate).where(col(Candidate.selection_id) == selection.id)
    declared: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(declared_query):
        declared[row.candidate_id].append(row)
    submitted: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(cards_query.order_by(col(Scorecard.version))):
        submitted[row.candidate_id].append(row)
    return [
        panel_input(
            spec,
            person,
            seats,
            declared.get(cid, ()),
            submitted.get(cid, ()),
            comments=comments,
            alternates=alternates,
        )
        for cid, person in sorted(wanted.items())
    ]


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
    """Every candidate's interview result, ranked, computed from the records."""
    return aggregate(workflow_of(selection).spec.rubric, panel_inputs(session, selection))


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


def _status(summary: dict[str, Any], seats: int, scoring: bool, state: str) -> dict[str, Any]:
    """Where a candidate's interview stands: `pending` until every seat has submitted (never a
    fail for an interview still being scored), then `pass` or `fail`; `not_scored` for one who
    left the interview before it was complete (`scoring`: still in a scoring state)."""
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


def results(*, session: Session, selection_id: int, actor: str) -> dict[str, Any]:
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
        raise NotPermitted(
            f"{viewer.name} may not see results: that needs the role "
            f"{' or '.join(spec.permissions.view_results)} or a seat on the panel"
        )
    with without_cyclic_gc():
        stored = {row["candidate_id"]: row for row in _stored(session, selection)}
        places = rank(spec.rubric, [tuple(r["sort_key"]) for r in stored.values() if r["complete"]])
        order = [cid for cid, _, _ in places]
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
        rows = []
        for cid in order:
            row = stored[cid]
            summary = row["summary"]
            where = row["state"]
            state = _status(summary, seats, where in spec.panel.scoring_states, where)
            if cid in shown:
                rows.append(
                    {
                        **summary,
                        "name": row["name"],
                        **state,
                        **(ranks[cid] if reviewer else {}),
                    }
                )
            else:
                rows.append(
                    {
                        "candidate_id": cid,
                        "name": row["name"],
                        "employee_id": summary["employee_id"],
                        "complete": row["complete"],
                        "hidden": hidden,
                        **state,
                        **({"missing": summary["missing"]} if reviewer else {}),
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
        "candidates": rows,
    }
