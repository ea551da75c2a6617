"""What a packet prints: the context its template gets, built from the records as they stood
when the candidate entered the stage."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from sqlmodel import Session, col, select

from qualify.services import audit
from qualify.services.access import get_selection, seats_of, workflow_of
from qualify.services.eligibility import evaluate, load_facts
from qualify.services.integrity import replayed_states
from qualify.services.results import panel_inputs, ranking
from qualify.store.tables import AuditEvent, Candidate, Evidence, Selection
from qualify.workflow.facts import CandidateFacts
from qualify.workflow.scoring import CandidateResult

TITLES = {
    "eligibility_review": "Eligibility review",
    "interview_packet": "Interview packet",
    "panel_results": "Panel results",
    "selection_packet": "Selection packet",
    "notice_ineligible": "Notice of ineligibility",
    "notice_not_selected": "Notice: not selected",
    "selection_letter": "Letter of selection",
    "appointment_letter": "Letter of appointment",
}


def _on_file_at(session: Session, candidate_id: int, event: AuditEvent) -> set[int]:
    """The candidate's evidence records on file when the event was recorded: those whose
    `evidence_added` event comes before it in the audit chain. (The chain's order, not the
    clocks: a record entered on one clock and a decision taken on another still line up.)"""
    subjects = session.exec(
        select(AuditEvent.subject).where(
            AuditEvent.candidate_id == candidate_id,
            AuditEvent.action == "evidence_added",
            col(AuditEvent.id) < (event.id or 0),
        )
    )
    return {int(subject.split(":", 1)[1]) for subject in subjects}


def _facts_at(
    session: Session, selection: Selection, candidate: Candidate, on_file: set[int]
) -> CandidateFacts:
    facts = load_facts(session, selection, [candidate])[candidate.id or 0]
    known = tuple(e for e in facts.evidence if e.id in on_file)
    return CandidateFacts(facts.supervisor, known, facts.user_roles, facts.interview)


def _evidence_rows(
    session: Session,
    selection: Selection,
    candidate_id: int,
    on_file: set[int],
    *,
    sensitive: bool,
) -> list[dict[str, Any]]:
    spec = workflow_of(selection).spec
    rows = []
    for e in session.exec(
        select(Evidence).where(Evidence.candidate_id == candidate_id).order_by(col(Evidence.id))
    ):
        kind = spec.evidence.get(e.kind)
        if e.id not in on_file or (kind is not None and kind.sensitive and not sensitive):
            continue
        facts = ", ".join(f"{k}: {v}" for k, v in e.fields.items())
        if e.file_name:
            facts += f" (file {e.file_name})"
        rows.append(
            {
                "id": e.id,
                "label": kind.label if kind else e.kind,
                "facts": facts,
                "attested_by": e.attested_by,
            }
        )
    return rows


def _result_context(
    selection: Selection, result: CandidateResult, comments: dict[str, dict[str, str]]
) -> dict[str, Any]:
    spec = workflow_of(selection).spec
    labels = {c.id: c.label for c in spec.rubric.criteria}
    panelists = sorted({p for c in result.criteria for p in c.scores})
    return {
        "complete": result.complete,
        "missing": list(result.missing),
        "total": "-" if result.total is None else f"{result.total:.2f}",
        "passed": result.passed,
        "failures": [f for f in result.failures if f != "panel incomplete"],
        "rank": result.rank,
        "tie_break": result.tie_break,
        "panelists": panelists,
        "criteria": [
            {
                "label": labels[c.criterion],
                "scores": c.scores,
                "mean": f"{c.mean:.2f}",
                "spread": c.spread,
                "flagged": c.flagged,
                "minimum_met": c.minimum_met,
            }
            for c in result.criteria
        ],
        "corrections": [
            {
                "panelist": c.panelist,
                "version": c.version,
                "reason": c.reason,
                "previous": c.previous,
            }
            for c in result.corrections
        ],
        "comments": [
            {"panelist": p, "criterion": labels.get(k, k), "text": v}
            for p, notes in sorted(comments.items())
            for k, v in notes.items()
        ],
    }


def build_context(
    session: Session, candidate: Candidate, stage: str, template: str, event: AuditEvent
) -> dict[str, Any]:
    """Everything a packet template may print, from the records."""
    selection = get_selection(session, candidate.selection_id)
    loaded = workflow_of(selection)
    spec = loaded.spec
    assert candidate.id is not None
    assert selection.id is not None
    on_file = _on_file_at(session, candidate.id, event)
    facts = _facts_at(session, selection, candidate, on_file)
    decided_on = event.at.astimezone(UTC).date()
    checks = [
        {
            "label": spec.checks[r.check].label,
            "status": r.status,
            "reason": r.reason,
            "note": spec.checks[r.check].note.strip(),
        }
        for r in evaluate(loaded, facts, selection.as_of, decided_on)
        if spec.checks[r.check].kind not in ("panel_submitted", "interview_passed")
    ]
    details = json.loads(event.details)
    transition = next(t for t in spec.transitions if t.trigger == details["trigger"])
    at = event.at.astimezone(UTC)
    decision = (
        f"On {at:%Y-%m-%d} at {at:%H:%M} UTC, {event.actor} ({event.role}) recorded: "
        f"{transition.label or transition.trigger}."
    )
    if details.get("reason"):
        decision += f" Reason: {details['reason']}"
    ranked = ranking(session, selection)
    mine = next(r for r in ranked if r.candidate_id == candidate.id)
    cards = next(
        p
        for p in panel_inputs(session, selection, [candidate], comments=True)
        if p.candidate_id == candidate.id
    ).cards
    names = dict(
        session.exec(
            select(Candidate.id, Candidate.name).where(Candidate.selection_id == selection.id)
        ).all()
    )
    states = replayed_states(session, up_to_event=event.id)  # as they stood at the decision
    rubric = spec.rubric
    return {
        "workflow": {
            "name": spec.name,
            "version": spec.version,
            "letterhead": spec.letterhead.strip(),
            "letterhead_first_line": spec.letterhead.strip().splitlines()[0],
            "position": spec.position or spec.title,
            "assignment": spec.assignment.strip(),
        },
        "selection": {
            "id": selection.id,
            "title": selection.title,
            "as_of": selection.as_of.isoformat(),
        },
        "candidate": {
            "id": candidate.id,
            "name": candidate.name,
            "employee_id": candidate.employee_id,
            "rank": candidate.rank,
            "unit": candidate.unit,
            "supervisor": candidate.supervisor,
            "state_label": spec.states[stage].label,
        },
        "packet": {
            "id": f"S{selection.id}-C{candidate.id}-{stage}-{template}-E{event.id}",
            "title": TITLES.get(template, template.replace("_", " ").capitalize()),
            "generated_at": f"{at:%Y-%m-%d %H:%M:%S}",
            "created": f"{at:%Y-%m-%dT%H:%M:%SZ}",
            "audit_event": event.id,
            "audit_hash": event.hash,
        },
        "checks": checks,
        "eligibility_summary": "all checks passed"
        if all(c["status"] == "pass" for c in checks)
        else "not all checks pass",
        "evidence": _evidence_rows(
            session, selection, candidate.id, on_file, sensitive=template == "eligibility_review"
        ),
        "decision": {"text": decision},
        "rubric": {
            "scale_min": rubric.scale_min,
            "scale_max": rubric.scale_max,
            "pass_mark": rubric.pass_mark,
            "criteria": [
                {
                    "label": c.label,
                    "weight": c.weight,
                    "minimum": f"mean must be above {c.minimum_mean_above:g}"
                    if c.minimum_mean_above is not None
                    else (
                        f"mean at least {c.minimum_mean:g}" if c.minimum_mean is not None else ""
                    ),
                    "anchors": sorted(c.anchors.items()),
                }
                for c in rubric.criteria
            ],
        },
        "seats": [
            {"label": spec.panel.seats[s.seat].label or s.seat, "panelist": s.panelist}
            for s in seats_of(session, selection.id)
        ],
        "result": _result_context(selection, mine, {p: c.comments for p, c in cards.items()}),
        "ranking": [
            {
                "rank": r.rank,
                "name": names[r.candidate_id],
                "total": "-" if r.total is None else f"{r.total:.2f}",
                "verdict": "pass" if r.passed else ("fail" if r.complete else "incomplete"),
                "state": states[r.candidate_id],
            }
            for r in ranked
            if r.complete
        ],
        "audit_excerpt": [
            {
                "id": e.id,
                "at": f"{e.at.astimezone(UTC):%Y-%m-%d %H:%M}",
                "actor": e.actor,
                "what": _what(e),
                "outcome": e.outcome,
            }
            for e in audit.events(session, candidate_id=candidate.id)
            if (e.id or 0) <= (event.id or 0) and e.action != "packet_generated"
        ],
    }


def _what(event: AuditEvent) -> str:
    details = json.loads(event.details)
    if event.action == "state_changed":
        return f"{details['trigger']}: {details['from']} -> {details['to']}"
    if event.action == "evidence_added":
        return f"evidence added: {details['kind']}"
    return event.action.replace("_", " ")
