"""Firing a trigger on a candidate, in one transaction: roles, guards, the shared machine, the
optimistic lock, the audit log, then the new stage's packets. The `advance` use case and
directing training (which fires the transition that directs it) both fire through here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from qualify import limits
from qualify.actor import Actor
from qualify.errors import (
    BadInput,
    Conflict,
    Gathered,
    NotPermitted,
    PacketsOwed,
    QualifyError,
    RuleViolation,
    Step,
)
from qualify.packets.files import write_owed
from qualify.store import audit
from qualify.store.checking import INTERVIEW_KINDS, evaluate, load_facts
from qualify.store.clock import utcnow
from qualify.store.closed import hold_open
from qualify.store.courses import Order, insert_directions, outstanding
from qualify.store.eligible_list import recall_details, recall_order
from qualify.store.frozen import machine_of
from qualify.store.lookups import get_candidate, get_selection, seats_of
from qualify.store.open_interviews import refuse_back_on_road, refuse_while_open
from qualify.store.permissions import person, roles_in_words, spec_labels, unknown_user
from qualify.store.positions import refuse_if_filled
from qualify.store.reason_truth import refuse_untrue_code
from qualify.store.rows import changed_by_someone_else, claim
from qualify.store.schedules import interview_slots, too_early
from qualify.store.scores import ranking
from qualify.store.tables import Candidate, Selection, User
from qualify.store.too_soon import refuse_while_pending
from qualify.store.visibility import WITHHELD
from qualify.suggest import suggest
from qualify.workflow.checks import CheckResult
from qualify.workflow.documents import weekday_time
from qualify.workflow.eligible_list import list_decisions, road_to_decision
from qualify.workflow.evidence import sees_sensitive, sensitive_checks
from qualify.workflow.moves import and_list, may_fire, refused
from qualify.workflow.spec import TransitionSpec, Workflow


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
    actor: str = ""
    packets_owed: tuple[str, ...] = ()  # templates the new stage prints
    packets: tuple[Path, ...] = ()  # files written


@dataclass(frozen=True)
class Told:
    """What the decision says beyond its reason: what the candidate is told (free text, or a
    reason code of the transition), its category (a removal's infraction) and, for a recall
    out of rank order, why the officers ranked above are passed over."""

    notice: str | None = None
    reason_code: str | None = None
    category: str | None = None
    skip_reason: str | None = None


def _category(transition: TransitionSpec, told: Told) -> dict[str, str]:
    """The audit details that carry the decision's category; refuse a bad or missing one."""
    code = (told.category or "").strip()
    listed = transition.categories
    if not listed:
        if code:
            raise BadInput(f"{transition.trigger} takes no category", field="category")
        return {}
    if not code:
        raise BadInput(
            f"{transition.trigger} needs a category, one of {', '.join(listed)}",
            field="category",
        )
    if code not in listed:
        raise BadInput(
            f"{transition.trigger} has no category '{code}'{suggest(code, listed)}; "
            f"its categories: {', '.join(listed)}",
            field="category",
        )
    return {"category": code}


def _notice(transition: TransitionSpec, told: Told) -> dict[str, str]:
    """The audit details that carry the candidate's notice; refuse a bad or missing one."""
    text = (told.notice or "").strip()
    code = (told.reason_code or "").strip()
    codes = transition.reason_codes
    if text and code:
        raise BadInput("give one of them, not both", field="notice+reason_code")
    if code:
        if code not in codes:
            listed = ", ".join(codes) or "none"
            raise BadInput(
                f"{transition.trigger} has no reason code '{code}'"
                f"{suggest(code, codes)}; its codes: {listed}",
                field="reason_code",
            )
        return {"reason_code": code, "notice": codes[code].strip()}
    if text:
        return {"notice": text}
    if transition.notice_required:
        raise BadInput(
            f"{transition.trigger} sends the candidate a letter",
            field="notice",
            step=Step("give_notice", ", ".join(codes) or None),
        )
    return {}


@dataclass(frozen=True)
class PacketPlace:
    """Where packets come from and go."""

    templates_dir: Path
    output_dir: Path


def fire(
    session: Session,
    candidate_id: int,
    trigger: str,
    actor: Actor,
    *,
    reason: str | None = None,
    now: datetime | None = None,
    packets: PacketPlace | None = None,
    told: Told = Told(),
    training: Order | None = None,
) -> Advanced:
    """Fire a trigger on a candidate in one transaction; a refusal by the rules is audited and
    re-raised (bad input is re-raised with nothing recorded).
    When `packets` says where, the new stage's packets are written after the change commits,
    named by its audit event; if that fails, PacketsOwed says so and the event records that
    they are owed (the `repair_packets` step writes them). `told` is what the decision says
    beyond its `reason`, which stays internal (see `Told`). A transition that directs training
    needs the `training` it directs (see services.training)."""
    at = now or utcnow()
    limits.check(
        "reason", reason, limits.REASON
    )  # refused before anything, even a refusal, is kept
    seen: dict[str, int] = {}
    try:
        # Decide on a snapshot (on SQLite a deferred BEGIN, so two people can read at once).
        session.rollback()
        session.connection(execution_options={"qualify_read_only": True})
        try:
            done, role = _advance(
                session, candidate_id, trigger, actor, reason, at, packets, seen, told, training
            )
        except OperationalError as exc:
            if "locked" not in str(exc.orig):
                raise
            # SQLite: someone committed since the snapshot (any candidate), so it cannot turn
            # into a write. Decide again holding the write lock; if this candidate itself
            # changed meanwhile, that is the optimistic lock's conflict, as on PostgreSQL.
            session.rollback()
            done, role = _advance(
                session, candidate_id, trigger, actor, reason, at, packets, seen, told, training
            )
    except (NotPermitted, RuleViolation, Conflict) as refusal:
        # Only a refusal by the rules is a decision refused, kept in the log (and the packets'
        # audit excerpts); bad input (a mistyped trigger, a missing reason or category) is the
        # user's to put right and leaves no record, as every other command's does.
        audit.record_refusal(
            session,
            candidate_id=candidate_id,
            action="advance_refused",
            actor=actor,
            at=at,
            refusal=refusal,
            details={"trigger": trigger, "reason": reason},
        )
        raise
    if packets is None or not done.packets_owed:
        return done
    written = write_committed_owed(
        session,
        packets,
        actor,
        candidate_id,
        role,
        at,
        done,
        f"candidate {candidate_id}: {done.from_state} -> {done.to_state} was recorded "
        f"(audit event #{done.event_id}), but its packets were not written",
    )
    return replace(done, packets=written)


def write_committed_owed(
    session: Session,
    packets: PacketPlace,
    actor: Actor,
    candidate_id: int,
    role: str,
    at: datetime,
    done: object,
    recorded: str,
) -> tuple[Path, ...]:
    """Write the packets a committed change is owed, named by its audit event. If that fails,
    PacketsOwed says what was `recorded` and why the packets were not written; the event still
    records them as owed, for the `repair_packets` step."""
    try:
        repaired = write_owed(
            session,
            packets.templates_dir,
            packets.output_dir,
            actor,
            candidate_id=candidate_id,
            role=role,
            now=at,
        )
    except (QualifyError, OSError) as exc:
        session.rollback()
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PacketsOwed(f"{recorded}: {problem}", done, step=Step("repair_packets")) from None
    return tuple(repaired.written)


def _advance(
    session: Session,
    candidate_id: int,
    trigger: str,
    actor: Actor,
    reason: str | None,
    at: datetime,
    packets: PacketPlace | None,
    seen: dict[str, int],
    told: Told,
    training: Order | None = None,
) -> tuple[Advanced, str]:
    users = {u.name: u for u in session.exec(select(User))}  # the actor, and roles for checks
    user = users.get(actor.name)
    if user is None:
        raise unknown_user(actor.name)
    candidate = get_candidate(session, candidate_id)
    if seen.setdefault("version", candidate.version) != candidate.version:
        raise changed_by_someone_else(candidate_id)
    selection = get_selection(session, candidate.selection_id)
    compiled = machine_of(selection)
    spec = compiled.spec
    state, version = candidate.state, candidate.version
    triggers = {t.trigger for t in spec.transitions}
    if trigger not in triggers:
        raise BadInput(
            f"{spec.name} has no trigger '{trigger}'{suggest(trigger, triggers)}", field="trigger"
        )
    allowed_here = may_fire(spec, state, user.roles)
    transition = spec.transition(state, trigger)
    if transition is None:
        # Say it in the workflow's words: an old page's button, or a mistyped trigger.
        asked = next(t for t in spec.transitions if t.trigger == trigger)
        here = [spec.transition(state, t) for t in allowed_here]
        offered = [f'"{t.label_for(candidate.name)}"' for t in here if t is not None]
        raise RuleViolation(
            f"{refused(asked, candidate.name)}: {candidate.name} is at {spec.states[state].label} "
            f"now; from there you may {', '.join(offered) or 'do nothing'}"
        )
    role = next((r for r in user.roles if r in transition.roles), None)
    if role is None:
        labels = spec_labels(spec)
        here = [spec.transition(state, t) for t in allowed_here]
        offered = [f'"{t.label_for(candidate.name)}"' for t in here if t is not None]
        raise NotPermitted(
            f'{person(user, labels)} may not "{transition.label_for(candidate.name)}" for '
            f"{candidate.name}: that needs the role {roles_in_words(transition.roles, labels)}; "
            f"at {spec.states[state].label}, you may {', '.join(offered) or 'do nothing'}"
        )
    reason = (reason or "").strip() or None
    # Every problem with what the form or command gave, said at once.
    gathered = Gathered()
    with gathered.check():
        if transition.reason_required and reason is None:
            raise BadInput(
                f"{trigger} needs a reason, and it is recorded in the audit log", field="reason"
            )
    said: dict[str, Any] = {}
    with gathered.check():
        said |= _notice(transition, told)
    with gathered.check():
        said |= _category(transition, told)
    with gathered.check():
        if told.skip_reason is not None and not transition.eligible_list:
            raise BadInput(f"{trigger} does not recall from an eligible list", field="skip_reason")
    with gathered.check():
        if transition.directs_training and training is None:
            raise BadInput(
                f"{trigger} directs training", step=Step("direct_training", str(candidate_id))
            )
        if training is not None and not transition.directs_training:
            raise BadInput(f"{trigger} does not direct training")
    gathered.refuse()
    loaded = compiled.loaded
    roles = {name: tuple(u.roles) for name, u in users.items()}
    guards = guard_results(session, selection, loaded, [candidate], transition, roles, at)[
        candidate_id
    ]
    refuse_by_rules(
        session,
        selection=selection,
        spec=spec,
        transition=transition,
        candidate=candidate,
        user=user,
        guards=guards,
        at=at,
        lock=True,
    )
    if "reason_code" in said:
        refuse_untrue_code(
            session,
            selection=selection,
            transition=transition,
            candidate=candidate,
            code=said["reason_code"],
            roles=roles,
            at=at,
        )
    passed_over: list[int] = []
    if transition.eligible_list:
        said |= recall_details(
            session=session,
            selection=selection,
            spec=spec,
            transition=transition,
            candidate=candidate,
            at=at,
            skip_reason=told.skip_reason,
        )
    if transition.reason_required_if_outranked:
        passed_over = _passing_candidates_ranked_above(session, selection, candidate, state)
        if passed_over and reason is None:
            names = [session.get(Candidate, cid) for cid in passed_over]
            who = and_list([c.name for c in names if c is not None])
            one = len(passed_over) == 1
            raise BadInput(
                f"{candidate.name} is ranked below {who}, who passed the interview and "
                f"{'is' if one else 'are'} still at {spec.states[state].label}; say why "
                f"{'that officer is' if one else 'those officers are'} passed over",
                field="reason",
            )
    new_state = compiled.fire(state, trigger, frozenset(r.check for r in guards))
    owed = list(spec.packets.get(new_state, [])) if packets is not None else []
    claim(session, candidate, state=new_state)
    directed: dict[str, Any] = {}
    if training is not None:
        directed = {
            "training": insert_directions(session, candidate_id, training, user.name, role, at)
        }
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="state_changed",
        subject=f"candidate:{candidate_id}",
        at=at,
        selection_id=selection.id,
        candidate_id=candidate_id,
        details=_details(trigger, state, new_state, version + 1, reason, guards, loaded)
        | ({"passed_over": passed_over} if passed_over else {})
        | said
        | directed
        # The packets this change is owed, written after it commits (packets/files.py, write_owed);
        # they are the actor's to obtain, made for what their role may see.
        | ({"packets": owed} if owed else {}),
    )
    session.commit()
    assert event.id is not None
    done = Advanced(
        candidate_id,
        trigger,
        state,
        new_state,
        version + 1,
        guards,
        event.id,
        actor=user.name,
        packets_owed=tuple(owed),
    )
    return done, role


def guard_results(
    session: Session,
    selection: Selection,
    loaded: Any,
    candidates: list[Candidate],
    transition: TransitionSpec,
    roles: dict[str, tuple[str, ...]],
    at: datetime,
) -> dict[int, list[CheckResult]]:
    """Each candidate's results of the transition's guards, evaluated now."""
    if not transition.guards:
        return {c.id or 0: [] for c in candidates}
    spec = loaded.spec
    needs_interview = any(spec.checks[g].kind in INTERVIEW_KINDS for g in transition.guards)
    facts = load_facts(session, selection, candidates, interview=needs_interview, roles=roles)
    return {
        cid: [
            r
            for r in evaluate(loaded, facts[cid], selection.as_of, at.date())
            if r.check in transition.guards
        ]
        for cid in facts
    }


def refuse_by_rules(
    session: Session,
    *,
    selection: Selection,
    spec: Workflow,
    transition: TransitionSpec,
    candidate: Candidate,
    user: User,
    guards: list[CheckResult],
    at: datetime,
    lock: bool = False,
    interviews_closed: bool = False,
) -> None:
    """Refuse firing `transition` on `candidate` when a rule forbids it, whatever the person
    writes with it: directed training still open, a guard that does not pass, a finding made
    while checks are pending before the as-of date, an interview
    with no panel to hold it, a decision on the eligible list while a candidate is not through
    the interview (unless the caller knows `interviews_closed`), a reinstatement once the
    selection is decided, every position held, a recall the eligible list does not allow.
    `advance` refuses with these; the pages offer a button only where none refuses (see
    `offers.firable`)."""
    candidate_id = candidate.id
    doing = refused(transition, candidate.name)
    starts_interview = _starts_interview(spec, transition, candidate.state)
    if starts_interview and not seats_of(session, selection.id or 0):
        who = " or ".join(spec.roles[r].label for r in spec.permissions.manage_panel)
        raise RuleViolation(
            f"{doing}: no interview panel is assigned; {who} must assign the panel first"
        )
    if transition.requires_training:
        missing = outstanding(session, spec, candidate_id or 0)
        if missing:
            raise RuleViolation(f"{doing}: {missing}")
    hidden = (
        set()
        if sees_sensitive(spec, user.roles)
        else sensitive_checks(spec, machine_of(selection).loaded.params)
    )
    failed = [r for r in guards if r.status != "pass"]
    if failed:
        raise RuleViolation(f"{doing}: {_not_passing(spec, guards, hidden)}")
    if spec.closes_interview(transition):
        slot = interview_slots(session, [candidate_id or 0]).get(candidate_id or 0)
        if slot is not None and too_early(slot, at):
            raise RuleViolation(
                f"{doing}: {candidate.name}'s interview is scheduled for "
                f"{weekday_time(slot.at, spec.time_zone)}; the interview is closed after it is "
                "held, not before"
            )
    refuse_while_pending(
        session,
        selection=selection,
        transition=transition,
        candidate=candidate,
        hidden=hidden,
        at=at,
    )
    road = road_to_decision(spec)
    deciding = transition.trigger in list_decisions(spec)
    entering = road.enters(candidate.state, transition)
    if lock and (deciding or entering):
        # A decision fixes the eligible list that notices cite: it takes its turn with adding
        # candidates to the selection and with sending one back onto the road to it (a
        # reinstatement), both refused once the selection is decided, so each sees the other.
        hold_open(session, selection)
    if deciding and not interviews_closed:
        refuse_while_open(
            session,
            selection=selection,
            spec=spec,
            transition=transition,
            candidate=candidate,
            road=road,
        )
    if entering:
        refuse_back_on_road(
            session,
            selection=selection,
            spec=spec,
            transition=transition,
            candidate=candidate,
            road=road,
        )
    refuse_if_filled(
        session,
        selection=selection,
        spec=spec,
        candidate=candidate,
        transition=transition,
        lock=lock,
    )
    if transition.eligible_list:
        recall_order(
            session=session, selection=selection, transition=transition, candidate=candidate, at=at
        )


def _starts_interview(spec: Workflow, transition: TransitionSpec, state: str) -> bool:
    """Whether the transition takes a candidate in `state` into the panel's scoring states from
    outside them: the interview begins, so there must be a panel to hold it."""
    scoring = spec.panel.scoring_states
    return transition.dest in scoring and state not in scoring


def _not_passing(spec: Workflow, guards: list[CheckResult], hidden: set[str]) -> str:
    """The guards that do not pass, by their labels: which failed and which are still pending
    (nothing on file decides them yet), sensitive ones not spelled out."""
    failed = [r for r in guards if r.status == "fail"]
    waiting = [r for r in guards if r.status not in ("pass", "fail")]
    counts = []
    if failed:
        counts.append(f"{len(failed)} failed")
    if waiting:
        counts.append(f"{len(waiting)} {'is' if len(waiting) == 1 else 'are'} pending")
    shown = [
        f"{spec.checks[r.check].label}: {'failed' if r.status == 'fail' else r.status}: "
        f"{spec.in_words(r.reason)}"
        for r in [*failed, *waiting]
        if r.check not in hidden
    ]
    if any(r.check in hidden for r in [*failed, *waiting]):
        shown.append(f"the sensitive checks are {WITHHELD}")
    checks = f"{len(guards)} checks" if len(guards) != 1 else "1 check"
    return f"of {checks}, {' and '.join(counts)}: {'; '.join(shown)}"


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
