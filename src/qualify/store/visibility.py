"""Who sees what of a candidate. Driven by the selection's frozen workflow and the records:

- roles listed under `permissions.view_candidates`, `manage_candidates` or `add_evidence` see
  every candidate's record (sensitive evidence and the checks that read it only with
  `sees_sensitive`), and its history;
- a candidate's own supervisor sees that candidate's record and history the same way;
- a panelist who sits for a candidate in one of the panel's scoring states sees only what the
  interview needs: name, rank, unit and the interview kit;
- nobody else sees the candidate.

A panelist who has not submitted a scorecard for a candidate never sees anything derived from
another panelist's scores for that candidate (their hashes or correction reasons included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

from qualify.errors import NotPermitted
from qualify.store.frozen import workflow_of
from qualify.store.lookups import alternates_of, seats_of
from qualify.store.permissions import person, spec_labels
from qualify.store.tables import (
    Candidate,
    ConflictDeclaration,
    PanelAlternate,
    PanelSeat,
    Scorecard,
    Selection,
    User,
)
from qualify.workflow.evidence import sees_sensitive, sensitive_checks
from qualify.workflow.moves import and_list
from qualify.workflow.scoring import sitting
from qualify.workflow.spec import Workflow

WITHHELD = "withheld (sensitive)"
INTERVIEW_FIELDS = (
    "id",
    "selection_id",
    "name",
    "first_name",
    "last_name",
    "rank",
    "unit",
    "state",
)
SCORECARD_EVENTS = {"scorecard_submitted", "scorecard_corrected"}


def record_roles(spec: Workflow) -> list[str]:
    """The roles that see every candidate's record."""
    p = spec.permissions
    return sorted({*p.view_candidates, *p.manage_candidates, *p.add_evidence})


@dataclass(frozen=True)
class Sight:
    """What a user may see of one candidate: the record, or only the interview."""

    view: Literal["record", "interview"]
    sensitive: bool  # sensitive evidence and the checks that read it


def panelists(session: Session, selection: Selection) -> set[str]:
    """Everyone who may sit on the selection's panel: seat holders and alternates."""
    assert selection.id is not None
    return {s.panelist for s in seats_of(session, selection.id)} | {
        a.panelist for a in alternates_of(session, selection.id)
    }


def sits_for(
    session: Session,
    user: User,
    selection: Selection,
    candidate_id: int,
    panel: tuple[list[PanelSeat], list[PanelAlternate]] | None = None,
) -> bool:
    """Whether the user holds a seat on the panel, or sits in one for this candidate as an
    alternate. `panel`: the selection's seats and alternates, when the caller read them."""
    assert selection.id is not None
    seats = tuple(
        (s.seat, s.panelist) for s in (panel[0] if panel else seats_of(session, selection.id))
    )
    if any(p == user.name for _, p in seats):
        return True
    spare = panel[1] if panel else alternates_of(session, selection.id)
    alternates = tuple((a.seat, a.panelist) for a in spare)
    if not any(p == user.name for _, p in alternates):
        return False
    candidate = session.get(Candidate, candidate_id)
    assert candidate is not None
    conflicts = {
        d.panelist: d.conflict
        for d in session.exec(
            select(ConflictDeclaration)
            .where(ConflictDeclaration.candidate_id == candidate_id)
            .order_by(col(ConflictDeclaration.id))
        )
    }
    spec = workflow_of(selection).spec
    sat, _, _ = sitting(spec, candidate.supervisor, seats, alternates, conflicts)
    return any(p == user.name for _, p in sat) or conflicts.get(user.name) is not None


def sight(session: Session, user: User, candidate: Candidate, selection: Selection) -> Sight:
    """What `user` may see of `candidate`; refuse, saying what the role may see, when nothing."""
    spec = workflow_of(selection).spec
    sensitive = sees_sensitive(spec, user.roles)
    if set(user.roles) & set(record_roles(spec)) or (
        candidate.supervisor and candidate.supervisor == user.name
    ):
        return Sight("record", sensitive)
    seated = user.name in panelists(session, selection)
    if (
        seated
        and candidate.state in spec.panel.scoring_states
        and sits_for(session, user, selection, candidate.id or 0)
    ):
        return Sight("interview", False)
    raise NotPermitted(refusal(spec, user, candidate.id or 0, seated))


def candidate_words(
    session: Session, user: User, candidate: Candidate, selection: Selection
) -> str:
    """A candidate as a refusal to `user` names them: by name where the user may see the
    candidate, else by the id asked for ("candidate 7"), so a refusal reveals no name."""
    try:
        sight(session, user, candidate, selection)
    except NotPermitted:
        return f"candidate {candidate.id}"
    return candidate.name


def refusal(spec: Workflow, user: User, candidate_id: int, seated: bool) -> str:
    """Why the user may not see the candidate, saying what their role may see. The candidate
    is named by the id asked for: the name is not this user's to see."""
    labels = spec_labels(spec)
    states = " or ".join(spec.states[s].label for s in spec.panel.scoring_states)
    readers = [labels.get(r, r) for r in record_roles(spec)] + ["the officer's supervisor"]
    full = f"the full record is for {and_list(readers)}"
    if seated:
        return (
            f"{user.display_name} may not see candidate {candidate_id}: as a panelist, "
            f"{user.display_name} sees only the candidates the panel is interviewing (at "
            f"{states}), and of them only the name, rank, unit and the interview kit; {full}"
        )
    return (
        f"{person(user, labels)} may not see candidate {candidate_id}: they see only the "
        f"officers they supervise, and on an interview panel the candidates it interviews "
        f"(name, rank, unit and the interview kit); {full}"
    )


def visible_ids(
    session: Session, user: User, selection: Selection, rows: list[dict[str, Any]]
) -> dict[int, Sight]:
    """Of the selection's candidates (rows with id, supervisor and state), those the user may
    see, and how."""
    spec = workflow_of(selection).spec
    sensitive = sees_sensitive(spec, user.roles)
    if set(user.roles) & set(record_roles(spec)):
        return {int(r["id"]): Sight("record", sensitive) for r in rows}
    seated = user.name in panelists(session, selection)
    assert selection.id is not None
    holder = any(s.panelist == user.name for s in seats_of(session, selection.id))
    found = {}
    for r in rows:
        if r["supervisor"] and r["supervisor"] == user.name:
            found[int(r["id"])] = Sight("record", sensitive)
        elif (
            seated
            and r["state"] in spec.panel.scoring_states
            and (holder or sits_for(session, user, selection, int(r["id"])))
        ):
            found[int(r["id"])] = Sight("interview", False)
    return found


def not_yet_submitted(
    session: Session, user: User, selection: Selection, candidate_id: int
) -> bool:
    """Whether the user sits on the selection's panel and has not submitted a scorecard for the
    candidate: then nothing derived from the others' scores may reach them."""
    if user.name not in panelists(session, selection):
        return False
    mine = session.exec(
        select(Scorecard.id).where(
            Scorecard.candidate_id == candidate_id,
            Scorecard.panelist == user.name,
            Scorecard.status == "submitted",
        )
    ).first()
    return mine is None


def redact_event(
    event: dict[str, Any],
    *,
    spec: Workflow,
    hidden_checks: set[str],
    sensitive: bool,
    blind_to: str | None,
) -> dict[str, Any] | None:
    """An audit event as a viewer may read it, or None when they may not see it at all.
    `hidden_checks` are the sensitive checks; `blind_to` names a panelist who has not yet
    submitted for this candidate (others' scorecard events then show no hash and no reason)."""
    details = event.get("details")
    if not isinstance(details, dict):
        return event
    action = event.get("action")
    if not sensitive and action == "evidence_added":
        kind = spec.evidence.get(str(details.get("kind")))
        if (kind is not None and kind.sensitive) or "(sensitive)" in str(details):
            return None
    if not sensitive and isinstance(details.get("checks"), list):
        details = {
            **details,
            "checks": [
                {"check": c.get("check"), "status": "withheld", "reason": WITHHELD}
                if isinstance(c, dict) and c.get("check") in hidden_checks
                else c
                for c in details["checks"]
            ],
        }
    if blind_to is not None and action in SCORECARD_EVENTS and event.get("actor") != blind_to:
        details = {
            key: value for key, value in details.items() if key not in ("scores_sha256", "reason")
        }
        details["withheld"] = "until you submit your own scorecard"
    return {**event, "details": details}


def history_filter(
    session: Session, user: User, candidate: Candidate, selection: Selection
) -> dict[str, Any]:
    """The keyword arguments of `redact_event` for this user reading this candidate's history."""
    loaded = workflow_of(selection)
    assert candidate.id is not None
    blind = not_yet_submitted(session, user, selection, candidate.id)
    return {
        "spec": loaded.spec,
        "hidden_checks": sensitive_checks(loaded.spec, loaded.params),
        "sensitive": sees_sensitive(loaded.spec, user.roles),
        "blind_to": user.name if blind else None,
    }
