"""Advancing a candidate: roles, guards, the shared machine, the optimistic lock, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from qualify import limits
from qualify.errors import BadInput, Conflict, NotPermitted, QualifyError, RuleViolation
from qualify.services import audit
from qualify.services.access import (
    changed_by_someone_else,
    claim,
    get_candidate,
    get_selection,
    machine_of,
    unknown_user,
    utcnow,
)
from qualify.services.eligibility import INTERVIEW_KINDS, evaluate, load_facts
from qualify.services.results import ranking
from qualify.services.visibility import WITHHELD
from qualify.store.tables import Candidate, Selection, User
from qualify.workflow.checks import CheckResult
from qualify.workflow.evidence import sees_sensitive, sensitive_checks
from qualify.workflow.loader import suggest
from qualify.workflow.spec import Workflow


@dataclass(frozen=True)
class Advanced:
    """What an advance did."""

    candidate_id: int
    trigger: str
    from_state: str
    to_state: str
    version: int
    checks: list[CheckResult]
    event_id: int
    packets: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PacketPlace:
    """Where packets come from and go."""

    templates_dir: Path
    output_dir: Path


def may_fire(spec: Workflow, state: str, roles: list[str]) -> list[str]:
    """Triggers a holder of `roles` may fire from `state`."""
    return [t.trigger for t in spec.triggers_from(state) if set(t.roles) & set(roles)]


def advance(
    *,
    session: Session,
    candidate_id: int,
    trigger: str,
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
    packets: PacketPlace | None = None,
) -> Advanced:
    """Fire a trigger on a candidate in one transaction, with the new stage's packets when
    `packets` says where; a refusal is audited and re-raised."""
    at = now or utcnow()
    limits.check(
        "reason", reason, limits.REASON
    )  # refused before anything, even a refusal, is kept
    try:
        # Decide on a snapshot (on SQLite a deferred BEGIN, so two people can read at once);
        # the first write then fails if anyone committed since, which is the optimistic lock.
        session.rollback()
        session.connection(execution_options={"qualify_read_only": True})
        try:
            return _advance(session, candidate_id, trigger, actor, reason, at, packets)
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            raise changed_by_someone_else(candidate_id) from None
    except (NotPermitted, RuleViolation, Conflict, BadInput) as refusal:
        session.rollback()
        _record_refusal(session, candidate_id, trigger, actor, reason, at, refusal)
        raise


def _advance(
    session: Session,
    candidate_id: int,
    trigger: str,
    actor: str,
    reason: str | None,
    at: datetime,
    packets: PacketPlace | None,
) -> Advanced:
    users = {u.name: u for u in session.exec(select(User))}  # the actor, and roles for checks
    user = users.get(actor)
    if user is None:
        raise unknown_user(actor)
    candidate = get_candidate(session, candidate_id)
    selection = get_selection(session, candidate.selection_id)
    compiled = machine_of(selection)
    spec = compiled.spec
    state, version = candidate.state, candidate.version
    triggers = {t.trigger for t in spec.transitions}
    if trigger not in triggers:
        raise BadInput(
            f"TRIGGER: {spec.name} has no trigger '{trigger}'{suggest(trigger, triggers)}"
        )
    allowed_here = may_fire(spec, state, user.roles)
    transition = spec.transition(state, trigger)
    if transition is None:
        raise RuleViolation(
            f"cannot {trigger} candidate {candidate_id}: it is in state {state}; from {state}, "
            f"{user.name} may fire {', '.join(allowed_here) or 'nothing'}"
        )
    role = next((r for r in user.roles if r in transition.roles), None)
    if role is None:
        raise NotPermitted(
            f"{user.name} may not {trigger}: that needs the role {' or '.join(transition.roles)}; "
            f"{user.name} holds {', '.join(user.roles)}; from {state}, {user.name} may fire "
            f"{', '.join(allowed_here) or 'nothing'}"
        )
    reason = (reason or "").strip() or None
    if transition.reason_required and reason is None:
        raise BadInput(f"--reason: {trigger} needs a reason, and it is recorded in the audit log")
    loaded = compiled.loaded
    needs_interview = any(spec.checks[g].kind in INTERVIEW_KINDS for g in transition.guards)
    roles = {name: tuple(u.roles) for name, u in users.items()}
    facts = load_facts(session, selection, [candidate], interview=needs_interview, roles=roles)
    results = evaluate(loaded, facts[candidate_id], selection.as_of, at.date())
    guards = [r for r in results if r.check in transition.guards]
    failed = [r for r in guards if r.status != "pass"]
    if failed:
        hidden = (
            set() if sees_sensitive(spec, user.roles) else sensitive_checks(spec, loaded.params)
        )
        shown = [f"{r.check}: {r.status}: {r.reason}" for r in failed if r.check not in hidden]
        if any(r.check in hidden for r in failed):
            shown.append(f"the sensitive checks are {WITHHELD}")
        listed = "; ".join(shown)
        raise RuleViolation(
            f"cannot {trigger} candidate {candidate_id}: {len(failed)} of {len(guards)} checks "
            f"did not pass: {listed}"
        )
    passed_over = []
    if transition.reason_required_if_outranked:
        passed_over = _passing_candidates_ranked_above(session, selection, candidate, state)
        if passed_over and reason is None:
            raise BadInput(
                f"--reason: candidate {candidate_id} is ranked below passing candidate(s) "
                f"{', '.join(map(str, passed_over))} who wait in {state}; say why"
            )
    new_state = compiled.fire(state, trigger, frozenset(r.check for r in guards))
    claim(session, candidate, state=new_state)
    event = audit.record(
        session,
        actor=user.name,
        role=role,
        action="state_changed",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details=_details(trigger, state, new_state, version + 1, reason, guards, loaded)
        | ({"passed_over": passed_over} if passed_over else {}),
    )
    written: list[Path] = []
    if packets is not None and spec.packets.get(new_state):
        from qualify.services.packets import record_and_write, stage_packets

        session.refresh(candidate)
        rendered = stage_packets(session, packets.templates_dir, candidate, new_state, event)
        written = record_and_write(
            session, rendered, packets.output_dir, user.name, role, at, selection.id or 0
        )
    try:
        session.commit()
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    assert event.id is not None
    return Advanced(
        candidate_id, trigger, state, new_state, version + 1, guards, event.id, tuple(written)
    )


def _passing_candidates_ranked_above(
    session: Session, selection: Selection, candidate: Candidate, state: str
) -> list[int]:
    """Passing candidates ranked above this one who are still waiting in the same state."""
    ranked = ranking(session, selection)
    rank_of = {r.candidate_id: r.rank for r in ranked}
    mine = rank_of.get(candidate.id or 0)
    waiting = {
        c.id
        for c in session.exec(
            select(Candidate).where(
                Candidate.selection_id == selection.id, Candidate.state == state
            )
        )
    }
    return [
        r.candidate_id
        for r in ranked
        if r.passed
        and r.rank is not None
        and (mine is None or r.rank < mine)
        and r.candidate_id in waiting
        and r.candidate_id != candidate.id
    ]


def _details(
    trigger: str,
    from_state: str,
    to_state: str,
    version: int,
    reason: str | None,
    guards: list[CheckResult],
    loaded: Any,
) -> dict[str, Any]:
    hidden = sensitive_checks(loaded.spec, loaded.params)
    return {
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "version": version,
        "reason": reason,
        # The checks the decision relied on; sensitive reasons stay out of the log.
        "checks": [
            {"check": r.check, "status": r.status, "evidence": list(r.evidence_ids)}
            | ({} if r.check in hidden else {"reason": r.reason})
            for r in guards
        ],
    }


def _record_refusal(
    session: Session,
    candidate_id: int,
    trigger: str,
    actor: str,
    reason: str | None,
    at: datetime,
    refusal: QualifyError,
) -> None:
    candidate = session.get(Candidate, candidate_id)
    audit.record(
        session,
        actor=limits.clip(actor, limits.NAME_IN_REFUSAL),
        action="advance_refused",
        subject=f"candidate:{candidate_id}",
        at=at,
        outcome="refused",
        selection_id=candidate.selection_id if candidate else None,
        candidate_id=candidate_id if candidate else None,
        details={
            "trigger": trigger,
            "reason": reason,
            "refusal": limits.clip(str(refusal), limits.REFUSAL),
        },
    )
    session.commit()
