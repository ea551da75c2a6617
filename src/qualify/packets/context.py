"""What a packet prints: the context its template gets, built from the records as they stood
when the candidate entered the stage, in words a reader uses (labels, full names, dates written
out). What a packet is called and whether it may show sensitive evidence is the workflow's
`packet_kinds`."""

from __future__ import annotations

import json
import re
from datetime import UTC, date
from typing import Any

from sqlmodel import Session, col, select

from qualify.packets import sections
from qualify.packets.people import People, given_and_family
from qualify.packets.render import w3c_time
from qualify.store.checking import evaluate, load_facts
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.tables import AuditEvent, Candidate, Evidence, Selection
from qualify.store.visibility import WITHHELD
from qualify.workflow.documents import (
    field_label,
    field_value,
    full_name,
    local_date,
    local_time,
    long_date,
    record_reference,
)
from qualify.workflow.eligible_list import EligibleList
from qualify.workflow.evidence import sensitive_checks
from qualify.workflow.facts import CandidateFacts
from qualify.workflow.loader import LoadedWorkflow
from qualify.workflow.spec import PacketKindSpec, TransitionSpec, Workflow

STATUS_WORDS = {"pass": "Passed", "fail": "Not met", "pending": "Pending"}


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


# (workflow, its substitutions): compiled once per workflow object (see `_wording`).
_WORDING: dict[int, tuple[Workflow, list[tuple[str, re.Pattern[str], str]]]] = {}


def _wording(spec: Workflow) -> list[tuple[str, re.Pattern[str], str]]:
    """What `words` replaces for a workflow, in order: (the id, its pattern, the words)."""
    found = _WORDING.get(id(spec))
    if found is not None and found[0] is spec:
        return found[1]
    out = []
    # Only names that look like ids (with an underscore) are replaced: "service" or
    # "probation" already read as words.
    for kind, ev in spec.evidence.items():
        for name, f in ev.fields.items():
            out.append((name, re.compile(rf"\b{re.escape(name)} = "), f"{field_label(name, f)}: "))
            if "_" in name:
                out.append(
                    (name, re.compile(rf"\b{re.escape(name)}\b"), field_label(name, f).lower())
                )
        if "_" in kind:
            out.append(
                (kind, re.compile(rf"\b{re.escape(kind)}\b"), ev.label.split(" (")[0].lower())
            )
    if len(_WORDING) >= 64:  # workflows loaded in one process are few; stay bounded anyway
        _WORDING.clear()
    _WORDING[id(spec)] = (spec, out)
    return out


def words(text: str, spec: Workflow, people: People) -> str:
    """A generated reason in words: labels for evidence kinds and fields, full names for login
    names, dates written out. Free text typed by people is never passed through here."""
    for name, pattern, label in _wording(spec):
        if name in text:
            text = pattern.sub(lambda _: label, text)  # noqa: B023 (used at once)
    text = _ISO_DATE.sub(lambda m: _written(m.group(0)), text)
    return people.humanize(text)


def _written(iso: str) -> str:
    try:
        return long_date(date.fromisoformat(iso))
    except ValueError:
        return iso


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
    session: Session, selection: Selection, candidate: Candidate, on_file: set[int], people: People
) -> CandidateFacts:
    """The candidate's facts, less the interview's: a packet prints the checks before it."""
    facts = load_facts(session, selection, [candidate], interview=False, roles=people.roles)[
        candidate.id or 0
    ]
    known = tuple(e for e in facts.evidence if e.id in on_file)
    return CandidateFacts(facts.supervisor, known, facts.user_roles, facts.interview)


def evidence_tables(
    session: Session,
    spec: Workflow,
    people: People,
    candidate_id: int,
    on_file: set[int],
    *,
    sensitive: bool,
    viewer_sensitive: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(current, superseded) evidence among the records on file: a newer record of a kind that
    keeps one record supersedes the older, which is listed apart with what replaced it."""
    tz = spec.time_zone
    records = [
        e
        for e in session.exec(
            select(Evidence).where(Evidence.candidate_id == candidate_id).order_by(col(Evidence.id))
        )
        if e.id in on_file
    ]
    newest: dict[str, Evidence] = {}
    for e in records:
        newest[e.kind] = e
    current, superseded = [], []
    for e in records:
        kind = spec.evidence.get(e.kind)
        secret = kind is not None and kind.sensitive
        if secret and not sensitive:
            continue
        row = {
            "number": e.id,
            "label": kind.label if kind else e.kind.replace("_", " "),
            "facts": [WITHHELD] if secret and not viewer_sensitive else _facts(kind, e),
            "vouched_by": people.named(e.vouched_by),
            "entered": long_date(local_date(e.recorded_at, tz)),
        }
        later = newest[e.kind]
        if kind is not None and not kind.multiple and later.id != e.id:
            row["replaced_by"] = (
                f"record {later.id}, entered {long_date(local_date(later.recorded_at, tz))}"
            )
            superseded.append(row)
        else:
            current.append(row)
    return current, superseded


def _facts(kind: Any, record: Evidence) -> list[str]:
    out = []
    for name, value in record.fields.items():
        spec = kind.fields.get(name) if kind is not None else None
        if spec is None:
            out.append(f"{name.replace('_', ' ').capitalize()}: {value}")
        elif spec.type == "file":
            continue
        elif spec.type == "user":
            out.append(f"{field_label(name, spec)}: {{user:{value}}}")
        else:
            out.append(f"{field_label(name, spec)}: {field_value(spec, value)}")
    if record.file_name:
        out.append(f"Document on file: {record.file_name}")
    return out


def kind_of(spec: Workflow, template: str) -> PacketKindSpec:
    """The workflow's description of a packet kind (the validator makes sure there is one)."""
    found = spec.packet_kinds.get(template)
    if found is None:
        title = template.replace("_", " ").capitalize()
        return PacketKindSpec(title=title, audience=[])
    return found


def letter_for_sensitive_audience(spec: Workflow, kind: PacketKindSpec) -> bool:
    """Whether the packet kind is a letter whose audience (the workflow's packet kinds) are all
    roles that see sensitive records."""
    return (
        kind.letter
        and bool(kind.audience)
        and all(r in spec.roles and spec.roles[r].sees_sensitive for r in kind.audience)
    )


# What a packet may print that a reader who does not see sensitive records reads otherwise.
SEEN_BY_SENSITIVITY = frozenset(
    {
        "checks",
        "failed_checks",
        "pending_checks",
        "withheld_checks",
        "eligibility_summary",
        "evidence",
        "superseded",
    }
)


def copy_readers(
    spec: Workflow,
    kind: PacketKindSpec,
    needs: frozenset[str] | None,
    *,
    viewer_sensitive: bool,
) -> list[str]:
    """Whose copy a packet is, when the copy for a reader who sees sensitive records and the
    copy for one who does not differ: the roles of its audience on the reader's side (else of
    the workflow), such as ["hr", "chief"] or ["commander"]. [] when every reader gets the
    same document: a letter for a sensitive audience, or a template that prints nothing that
    depends on it."""
    if letter_for_sensitive_audience(spec, kind):
        return []
    if needs is not None and not needs & SEEN_BY_SENSITIVITY:
        return []
    side = [r for r, role in spec.roles.items() if role.sees_sensitive == viewer_sensitive]
    return [r for r in kind.audience if r in side] or side


def build_context(
    session: Session,
    candidate: Candidate,
    stage: str,
    template: str,
    event: AuditEvent,
    needs: frozenset[str] | None = None,
    *,
    viewer_sensitive: bool,
) -> dict[str, Any]:
    """Everything a packet template may print, from the records; of the optional sections (the
    BUILDERS of packets/sections.py) only those in `needs`, when given. For a reader whose role does
    not see sensitive records (`viewer_sensitive` false), sensitive checks and evidence read
    "withheld (sensitive)", never their values; a packet kind that is not `sensitive` in the
    workflow leaves sensitive evidence out altogether. A `letter` (the officer's own record)
    whose audience all see sensitive records is the same for every reader: each check by its
    label and outcome, sensitive reasons withheld."""
    selection = get_selection(session, candidate.selection_id)
    loaded: LoadedWorkflow = workflow_of(selection)
    spec = loaded.spec
    assert candidate.id is not None
    assert selection.id is not None
    assert event.id is not None
    kind = kind_of(spec, template)
    people = People(session, spec)
    tz = spec.time_zone
    on_file = _on_file_at(session, candidate.id, event)
    facts = _facts_at(session, selection, candidate, on_file, people)
    decided_on = event.at.astimezone(UTC).date()  # as `advance` evaluated the guards
    secret = sensitive_checks(spec, loaded.params)
    # A letter is the officer's own record. When its whole audience sees sensitive records it
    # reads the same whoever obtains it: every qualification named with its outcome, the
    # reasons of sensitive ones withheld.
    same_for_all = letter_for_sensitive_audience(spec, kind)
    hidden = set() if viewer_sensitive or same_for_all else secret
    unexplained = secret if same_for_all else hidden
    from qualify.packets.check_words import CheckWording  # it words reasons with `words`

    results = [
        r
        for r in evaluate(loaded, facts, selection.as_of, decided_on)
        if spec.checks[r.check].kind not in ("panel_submitted", "interview_passed")
    ]
    cited = CheckWording(session, spec, [r.reason for r in results])
    checks = [
        {
            "label": spec.checks[r.check].label,
            "status": "withheld" if r.check in hidden else r.status,
            "status_words": "Withheld" if r.check in hidden else STATUS_WORDS[r.status],
            "reason": WITHHELD if r.check in unexplained else words(r.reason, spec, people),
            # The reason for a packet that prints no evidence table: each record it cites (or
            # leaves out, such as a finding dated after the as-of date) by the day it was
            # entered, not by a record number the reader cannot look up.
            "finding": WITHHELD if r.check in unexplained else cited.reason(r.reason),
            "note": " ".join(spec.checks[r.check].note.split()),
        }
        for r in results
    ]
    current, superseded = evidence_tables(
        session,
        spec,
        people,
        candidate.id,
        on_file,
        sensitive=kind.sensitive,
        viewer_sensitive=viewer_sensitive,
    )
    for rows in (current, superseded):
        for row in rows:
            row["facts"] = [
                re.sub(r"\{user:([^}]*)\}", lambda m: people.named(m.group(1)), f)
                for f in row["facts"]
            ]
    details = json.loads(event.details)
    transition = _transition_of(spec, details, stage)
    decided = local_date(event.at, tz)
    given, family = given_and_family(candidate)
    rank = candidate.rank.strip()
    readers = copy_readers(spec, kind, needs, viewer_sensitive=viewer_sensitive)
    copy = "-".join(readers)
    # Copies that differ are told apart by whose they are; a document every reader gets the
    # same has one reference.
    ref = record_reference(selection.id, candidate.id, event.id) + (f"-{copy}" if copy else "")
    context: dict[str, Any] = {
        "workflow": {
            "name": spec.name,
            "version": spec.version,
            "letterhead": spec.letterhead.strip(),
            "letterhead_lines": spec.letterhead.strip().splitlines(),
            "letterhead_first_line": spec.letterhead.strip().splitlines()[0],
            "position": spec.position or spec.title,
            "assignment": re.split(r"(?<=\.)\s+(?=[A-Z])", " ".join(spec.assignment.split()))
            if spec.assignment.strip()
            else [],
        },
        "selection": {
            "id": selection.id,
            "title": selection.title,
            "as_of": long_date(selection.as_of),
        },
        "candidate": {
            "id": candidate.id,
            "name": full_name(given, family),
            "given_name": given,
            "family_name": family,
            "first_name": given,
            "last_name": family,
            "addressed": " ".join(x for x in (rank, given, family) if x),
            "salutation": " ".join(x for x in (rank, family) if x),
            "employee_id": candidate.employee_id,
            "rank": rank,
            "unit": candidate.unit,
            "supervisor": people.named(candidate.supervisor) if candidate.supervisor else "",
            "state_label": spec.states[stage].label,
        },
        "packet": {
            "id": f"S{selection.id}-C{candidate.id}-{stage}-{template}-E{event.id}"
            + (f"-{copy}" if copy else ""),
            "ref": ref,
            "copy": copy,
            "copy_for": " and ".join(spec.roles[r].label for r in readers),
            "title": kind.title,
            "letter": kind.letter,
            "same_for_all": same_for_all,
            "generated_at": f"{long_date(decided)}, {local_time(event.at, tz)}",
            "created": w3c_time(event.at),
            "audit_hash": event.hash,
            "audit_event": event.id,
            "event_id": event.id,
        },
        "checks": checks,
        "failed_checks": [c["label"] for c in checks if c["status"] == "fail"],
        "pending_checks": [c["label"] for c in checks if c["status"] == "pending"],
        "withheld_checks": [c["label"] for c in checks if c["status"] == "withheld"],
        "eligibility_summary": _eligibility_summary(checks),
        "evidence": current,
        "superseded": superseded,
        "decision": {
            "date": long_date(decided),
            "time": local_time(event.at, tz),
            "by": people.named(event.actor, event.role),
            "signer_name": people.name(event.actor),
            "signer_title": people.title(event.actor, event.role),
            "action": transition.label_for(candidate.name),
            "reason": details.get("reason") or "",
            "notice": details.get("notice") or "",
            "eligible_list": _eligible_list(details),
            "text": f"On {long_date(decided)} at {local_time(event.at, tz)}, "
            f"{people.named(event.actor, event.role)} recorded: "
            f"{transition.label_for(candidate.name)}.",
        },
    }
    context.update(sections.for_template(session, selection, candidate, event, kind, people, needs))
    return context


def _transition_of(spec: Workflow, details: dict[str, Any], stage: str) -> TransitionSpec:
    """The transition the packet's event records: the trigger it fired or, for training added
    while in `stage` (which fires none), the one that directs training into that stage."""
    trigger = details.get("trigger")
    return next(
        t
        for t in spec.transitions
        if (t.trigger == trigger if trigger else t.directs_training and t.dest == stage)
    )


def _eligibility_summary(checks: list[dict[str, Any]]) -> str:
    """The checks in a few words, for this copy's reader: a check withheld from them is
    neither a pass nor a failure here, so it is counted apart."""
    shown = [c for c in checks if c["status"] != "withheld"]
    withheld = len(checks) - len(shown)
    if any(c["status"] != "pass" for c in shown):
        return "not all checks pass"
    if not withheld:
        return "all checks passed"
    sensitive = "1 sensitive check is" if withheld == 1 else f"{withheld} sensitive checks are"
    if not shown:
        return f"{sensitive} withheld from this copy"
    return f"all {len(shown)} checks shown passed; {sensitive} withheld from this copy"


def _eligible_list(details: dict[str, Any]) -> str:
    """A recall's eligible list in words: rank, established, last valid day."""
    listed = details.get("eligible_list")
    if not listed:
        return ""
    life = EligibleList(
        date.fromisoformat(listed["established"]), date.fromisoformat(listed["expires"])
    )
    return (
        f"Ranked {listed['rank']} in the interview results; the list was established by the "
        f"selection decision on {long_date(life.established)} and is valid through "
        f"{long_date(life.last_valid_day)}"
    )
