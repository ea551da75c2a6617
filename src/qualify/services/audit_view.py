"""Reading the audit log, for the roles a workflow allows to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.store import audit
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_candidate, get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.store.tables import Candidate, PanelSeat, Scorecard, Selection
from qualify.store.visibility import history_filter, redact_event, sight
from qualify.workflow.eligible_list import EligibleList
from qualify.workflow.evidence import sees_sensitive, sensitive_checks


def visible_events(
    *, session: Session, actor: Actor, candidate_id: int | None = None
) -> list[dict[str, Any]]:
    """Audit events as dicts, as the actor may read them (what `audit log --json` prints; see
    `_visible`)."""
    return _visible(session, actor, candidate_id)


@dataclass(frozen=True)
class Listed:
    """One line of the audit log's listing: the event as the actor may read it, and what it did
    in words (see `describe`)."""

    event: dict[str, Any]
    what: str


def audit_listing(
    *, session: Session, actor: Actor, candidate_id: int | None = None
) -> list[Listed]:
    """The audit events the actor may read, each with a line on what it did: a decision's
    category in the workflow's words, a recall's eligible list, the candidates passed over by
    name, and the reason whole."""
    found = _visible(session, actor, candidate_id)
    words = _words(session, found)
    return [Listed(event, describe(event, words)) for event in found]


def _words(session: Session, events: list[dict[str, Any]]) -> LogWords:
    """What the listing of `events` names in words: categories and candidates."""
    selection_ids = {e["selection_id"] for e in events if e.get("selection_id")}
    categories = {}
    for selection in session.exec(select(Selection).where(col(Selection.id).in_(selection_ids))):
        spec = workflow_of(selection).spec
        categories[selection.id or 0] = {t.trigger: t.categories for t in spec.transitions}
    passed = {
        int(cid)
        for e in events
        if isinstance(e.get("details"), dict)
        for cid in e["details"].get("passed_over") or []
        if isinstance(cid, int)
    }
    names = dict(
        session.exec(
            select(Candidate.id, Candidate.name).where(col(Candidate.id).in_(passed))
        ).all()
    )
    return LogWords(categories, {int(k): v for k, v in names.items() if k is not None})


def _visible(session: Session, actor: Actor, candidate_id: int | None) -> list[dict[str, Any]]:
    """Audit events as dicts, as the actor may read them. One candidate's history: for view_audit
    in its selection's workflow, and for whoever may see the candidate's record (its history in
    `candidate show` follows the same rule). All events: view_audit in some selection's workflow.
    Sensitive details are withheld from roles without sees_sensitive, and a panelist who has not
    submitted for a candidate sees no hash or reason of the others' scorecards."""
    user = actor_user(session, actor)
    if candidate_id is not None:
        candidate = get_candidate(session, candidate_id)
        selection = get_selection(session, candidate.selection_id)
        if user_may_audit(user.roles, selection) is None:
            sight(session, user, candidate, selection)  # refuses who may not see the candidate
            if sight(session, user, candidate, selection).view != "record":
                role_for(
                    user, workflow_of(selection).spec.permissions.view_audit, "read the audit log"
                )
        rule = history_filter(session, user, candidate, selection)
        return [
            shown
            for e in audit.history(session, candidate)
            if (shown := redact_event(e, **rule)) is not None
        ]
    selections = {s.id: s for s in session.exec(select(Selection))}
    allowed = sorted(
        {r for s in selections.values() for r in workflow_of(s).spec.permissions.view_audit}
    )
    role_for(user, allowed, "read the audit log")
    seated = set(
        session.exec(select(PanelSeat.selection_id).where(PanelSeat.panelist == user.name))
    )
    submitted = set(
        session.exec(
            select(Scorecard.candidate_id).where(
                Scorecard.panelist == user.name, Scorecard.status == "submitted"
            )
        )
    )
    selection_of = dict(session.exec(select(Candidate.id, Candidate.selection_id)).all())
    rules: dict[int, dict[str, Any]] = {}
    for sid, selection in selections.items():
        assert sid is not None
        loaded = workflow_of(selection)
        rules[sid] = {
            "spec": loaded.spec,
            "hidden_checks": sensitive_checks(loaded.spec, loaded.params),
            "sensitive": sees_sensitive(loaded.spec, user.roles),
        }
    found = []
    for e in audit.events(session):
        event = audit.as_dict(e)
        sid = e.selection_id or selection_of.get(e.candidate_id or 0)
        if sid in rules:
            blind = sid in seated and e.candidate_id is not None and e.candidate_id not in submitted
            shown = redact_event(event, **rules[sid], blind_to=user.name if blind else None)
            if shown is None:
                continue
            event = shown
        found.append(event)
    return found


def user_may_audit(roles: list[str], selection: Selection) -> str | None:
    """The first of the roles that may read the selection's audit log, or None."""
    allowed = workflow_of(selection).spec.permissions.view_audit
    return next((r for r in roles if r in allowed), None)


# Details worth a word on a log line, in the order they are shown.
_SHOWN = (
    "kind",
    "supersedes",
    "name",
    "roles",
    "title",
    "as_of",
    "quarter",
    "conflict",
    "version",
    "stage",
    "course",
    "completed_on",
    "reason",
)


@dataclass(frozen=True)
class LogWords:
    """What a log line names in words rather than codes: each selection's categories by
    trigger (code -> the workflow's words) and candidates' names by id."""

    categories: dict[int, dict[str, dict[str, str]]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def category(self, event: dict[str, Any], trigger: str, code: str) -> str:
        """`a School Rule or School Policy (school_rule)`, or the code alone."""
        by_trigger = self.categories.get(event.get("selection_id") or 0, {})
        label = by_trigger.get(trigger, {}).get(code)
        return f"{label} ({code})" if label else code

    def candidate(self, candidate_id: int) -> str:
        name = self.names.get(candidate_id)
        return f"{name} (candidate {candidate_id})" if name else f"candidate {candidate_id}"


def describe(event: dict[str, Any], words: LogWords | None = None) -> str:
    """One line on what an event did: a state change names its trigger, from and to states,
    its category (in the workflow's words), a recall's eligible list, who was passed over and
    the reason; a refusal what was tried and why it was refused; others their main details.
    Nothing is cut short: a reason cut off can hide what it turned on."""
    words = words or LogWords()
    details = event.get("details") or {}
    if not isinstance(details, dict):
        return ""
    parts = []
    trigger = details.get("trigger")
    if trigger:
        moved = f" {details['from']} -> {details['to']}" if "from" in details else ""
        parts.append(f"{trigger}{moved}")
        if details.get("entered_by_mistake"):
            parts.append("taken out: entered by mistake, no letter")
        if details.get("category"):
            parts.append(
                f"category: {words.category(event, str(trigger), str(details['category']))}"
            )
        listed = details.get("eligible_list")
        if isinstance(listed, dict):
            life = EligibleList(
                date.fromisoformat(str(listed["established"])),
                date.fromisoformat(str(listed["expires"])),
            )
            parts.append(
                f"eligible list: rank {listed.get('rank')}, established "
                f"{life.established.isoformat()}, valid through {life.last_valid_day.isoformat()}"
            )
        passed_over = details.get("passed_over")
        if isinstance(passed_over, list) and passed_over:
            who = ", ".join(
                words.candidate(c) if isinstance(c, int) else str(c) for c in passed_over
            )
            parts.append(f"passed over: {who}")
        if details.get("skip_reason"):
            parts.append(f"skip reason: {_whole(str(details['skip_reason']))}")
    directed = details.get("training") or details.get("courses")
    if isinstance(directed, list) and directed:  # training directed: each course, due when
        listed_courses = ", ".join(f"{c.get('course')} due {c.get('due_on')}" for c in directed)
        parts.append(f"directed: {listed_courses}")
    for key in _SHOWN:
        if trigger and key == "version":  # a candidate's version is bookkeeping
            continue
        if key == "supersedes":  # the records a newer one of their kind replaced
            replaced = details.get(key)
            if isinstance(replaced, list) and replaced:
                parts.append(f"supersedes {', '.join(f'#{r}' for r in replaced)}")
            continue
        value = details.get(key)
        if value not in (None, "", [], {}):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key.replace('_', ' ')}: {_whole(shown)}")
    if event.get("action") == "training_due_changed":  # a corrected due date, from and to
        parts.append(f"due {details.get('was')} -> {details.get('due_on')}")
    if event.get("action") == audit.IMPORTED and details.get("file"):
        count = details.get("count")
        parts.append(
            f"imported from {details['file']}"
            + (f" ({count} candidate{'' if count == 1 else 's'})" if count else "")
        )
    if details.get("refusal"):
        parts.append(f"refused: {_whole(str(details['refusal']))}")
    if details.get("new_key_id"):
        parts.append(f"new key {details['new_key_id']}")
    return "; ".join(parts)


def _whole(text: str) -> str:
    """The text on one line (a reason typed over several keeps its words), never cut."""
    return " ".join(text.split())
