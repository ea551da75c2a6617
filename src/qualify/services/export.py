"""Public-records exports: a copy of a selection's records with what a profile withholds left
out, and an index that names each withheld item and the reason.

A profile is a YAML file in the profiles folder (`profiles/NAME.yaml`): data that counsel can
change. It chooses, from the items qualify knows how to leave out (WITHHOLDABLE), which to
withhold and why. The export is written from the records, not copied from the internal
packets, so what is withheld is never in the copy to begin with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlmodel import Session, col, select

from qualify.actor import Actor
from qualify.errors import BadInput, WorkflowError
from qualify.files import read_regular_file
from qualify.limits import YAML_MAX_CHARS
from qualify.packets.check_words import CheckWording
from qualify.packets.context import STATUS_WORDS
from qualify.packets.people import People
from qualify.packets.render import html_to_pdf, render_html, w3c_time
from qualify.records import ensure_folder, write_new
from qualify.safecsv import csv_bytes
from qualify.store import audit
from qualify.store.checking import check_candidates
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import may_manage_records
from qualify.store.scores import ranking
from qualify.store.tables import AuditEvent, Candidate, PanelSeat, Scorecard, Selection
from qualify.suggest import suggest
from qualify.workflow.evidence import sensitive_checks
from qualify.workflow.loader import parse_yaml

WITHHOLDABLE = {
    "sensitive_evidence": "results of sensitive evidence",
    "self_identification": "voluntary self-identification",
    "contact_details": "contact details",
    "examination_material": "interview questions and behavioural anchors",
    "panel_notes": "panelists' comments",
    "conduct_findings": "conduct findings",
    "decision_reasons": "internal reasons recorded with decisions",
}
WITHHELD = "withheld"


class Profile(BaseModel):
    """An export profile: what to withhold, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    review: str
    withhold: dict[str, str]

    @field_validator("withhold")
    @classmethod
    def _known_items(cls, value: dict[str, str]) -> dict[str, str]:
        for item, reason in value.items():
            if item not in WITHHOLDABLE:
                raise ValueError(
                    f"unknown item '{item}'{suggest(item, WITHHOLDABLE)}; "
                    f"items: {', '.join(WITHHOLDABLE)}"
                )
            if not str(reason).strip():
                raise ValueError(f"give the reason for withholding {item}")
        return value


def load_profile(profiles_dir: Path, name: str) -> Profile:
    """The profile `name` from the profiles folder; a bad file names its line and key."""
    available = sorted(p.stem for p in profiles_dir.glob("*.yaml"))
    path = profiles_dir / f"{name}.yaml"
    if name not in available:
        raise BadInput(
            f"no profile '{name}' in {profiles_dir}{suggest(name, available)}"
            + (f"; profiles: {', '.join(available)}" if available else ""),
            field="profile",
        )
    source = str(path)
    raw = read_regular_file(path, label=source, limit=YAML_MAX_CHARS)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{source}: not UTF-8 text (byte {exc.start})") from None
    data, lines = parse_yaml(text, source)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 0)
            where = f"{source}:{line}" if line else source
            key = ".".join(str(part) for part in loc) or "(top)"
            problems.append(f"{where}: {key}: {error['msg']}")
        raise WorkflowError(problems) from None


@dataclass(frozen=True)
class Withheld:
    """One item left out of an export."""

    document: str
    item: str
    what: str
    reason: str


@dataclass(frozen=True)
class Exported:
    folder: Path
    files: list[Path]
    withheld: list[Withheld]
    event_id: int


def export_records(
    *,
    session: Session,
    selection_id: int,
    profile: Profile,
    templates_dir: Path,
    output_dir: Path,
    actor: Actor,
    now: datetime | None = None,
) -> Exported:
    """Write the public copy of a selection's records into `output_dir` (a new or empty
    folder): the record as a PDF, the same as JSON, and the index of what was withheld."""
    at = now or utcnow()
    selection = get_selection(session, selection_id)
    role = may_manage_records(session, selection, actor, "export records")
    if output_dir.exists() and (not output_dir.is_dir() or any(output_dir.iterdir())):
        raise BadInput(f"{output_dir} is not an empty folder; name a new one", field="output_dir")
    record, withheld = public_record(session, selection, profile)
    stem = f"selection-{selection_id}_{profile.name}"
    context = {
        "record": record,
        "profile": profile,
        "withheld": withheld,
        "created": w3c_time(at),
        "exported": at.strftime("%B %-d, %Y"),
    }
    pdf = html_to_pdf(render_html(templates_dir, "public_record", context), templates_dir)
    index = csv_bytes(
        ["document", "item", "what", "reason"],
        [[w.document, w.item, w.what, w.reason] for w in withheld],
    )
    contents = {
        f"{stem}_record.pdf": pdf,
        f"{stem}_record.json": json.dumps(record, indent=2, ensure_ascii=False).encode(),
        f"{stem}_withheld-index.csv": index,
    }
    event = audit.record(
        session,
        actor=actor,
        role=role,
        action="records_exported",
        subject=f"selection:{selection_id}",
        at=at,
        selection_id=selection_id,
        details={
            "profile": profile.name,
            "withheld": len(withheld),
            "files": {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()},
        },
    )
    session.commit()
    folder = ensure_folder(output_dir)
    files = []
    for name, data in contents.items():
        write_new(folder / name, data)
        files.append(folder / name)
    return Exported(folder, files, withheld, event.id or 0)


def public_record(
    session: Session, selection: Selection, profile: Profile
) -> tuple[dict[str, Any], list[Withheld]]:
    """The selection's record as the profile lets it out, and what it withheld."""
    loaded = workflow_of(selection)
    spec = loaded.spec
    keep = set(WITHHOLDABLE) - set(profile.withhold)
    withheld: list[Withheld] = []

    def hold(document: str, item: str, what: str) -> None:
        withheld.append(Withheld(document, item, what, " ".join(profile.withhold[item].split())))

    candidates = list(
        session.exec(
            select(Candidate)
            .where(Candidate.selection_id == selection.id)
            .order_by(col(Candidate.id))
        )
    )
    sensitive = sensitive_checks(spec, loaded.params)
    finding_kinds = {
        kind
        for kind, ev in spec.evidence.items()
        if ev.multiple and any(f.type == "choice" for f in ev.fields.values())
    }
    reads_findings = {
        check_id
        for check_id, p in loaded.params.items()
        if any(ref.evidence in finding_kinds for ref in p.references())
    }
    checks = {
        row.candidate.id: row.results
        for row in check_candidates(
            session=session, selection=selection, candidates=candidates, viewer_roles=[]
        )
    }
    ranked = {r.candidate_id: r for r in ranking(session, selection)}
    named = People(session, spec)
    wording = CheckWording(
        session, spec, (r.reason for results in checks.values() for r in results)
    )
    people = []
    for c in candidates:
        assert c.id is not None
        doc = f"candidate {c.id}"
        person: dict[str, Any] = {
            "candidate_id": c.id,
            "name": c.name,
            "rank": c.rank,
            "unit": c.unit,
            "state": spec.states[c.state].label if c.state in spec.states else c.state,
            "interview": None,
        }
        if "contact_details" in keep:
            person["email"] = c.email
        elif c.email:
            hold(doc, "contact_details", "e-mail address")
        results = []
        for r in checks[c.id]:
            label = spec.checks[r.check].label
            if r.check in sensitive and "sensitive_evidence" not in keep:
                results.append(
                    {"check": label, "status": WITHHELD, "result": "Withheld", "reason": WITHHELD}
                )
                hold(doc, "sensitive_evidence", f"result of '{label}'")
            elif r.check in reads_findings and "conduct_findings" not in keep:
                results.append(
                    {
                        "check": label,
                        "status": r.status,
                        "result": STATUS_WORDS.get(r.status, r.status),
                        "reason": WITHHELD,
                    }
                )
                hold(doc, "conduct_findings", f"the findings behind '{label}'")
            elif r.check in spec.checks and spec.checks[r.check].kind in (
                "panel_submitted",
                "interview_passed",
            ):
                continue
            else:
                results.append(
                    {
                        "check": label,
                        "status": r.status,
                        "result": STATUS_WORDS.get(r.status, r.status),
                        "reason": wording.reason(r.reason),
                    }
                )
        person["checks"] = results
        result = ranked.get(c.id)
        if result is not None and result.complete:
            person["interview"] = {
                "rank": result.rank,
                "total": None if result.total is None else round(result.total, 2),
                "passed": result.passed,
                "criteria": (
                    {x.criterion: round(x.mean, 2) for x in result.criteria}
                    if "examination_material" in keep
                    else WITHHELD
                ),
            }
        people.append(person)
    if "examination_material" not in keep:
        hold("selection", "examination_material", "interview criteria and behavioural anchors")
    if "panel_notes" not in keep:
        hold("selection", "panel_notes", "every scorecard comment")
    if "self_identification" not in keep:
        hold("selection", "self_identification", "every candidate's self-identification")
    names = {c.id: c.name for c in candidates}
    decisions = []
    for event in session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.selection_id == selection.id,
            AuditEvent.action == "state_changed",
            AuditEvent.outcome == "ok",
        )
        .order_by(col(AuditEvent.id))
    ):
        details = json.loads(event.details)
        transition = spec.transition(details["from"], details["trigger"])
        candidate = names.get(event.candidate_id or 0, "")
        decision = (
            transition.label_for("the officer")
            if transition and transition.label
            else details["trigger"]
        )
        entry = {
            "event": event.id,
            "at": event.at.date().isoformat(),
            "candidate_id": event.candidate_id,
            "candidate": candidate,
            "decision": decision,
            "from": spec.states[details["from"]].label,
            "to": spec.states[details["to"]].label,
        }
        # The reason a decision records, and the reason a recall gives for going out of rank
        # order, are the internal record: the packets print them as such.
        for key in ("reason", "skip_reason"):
            if not details.get(key):
                continue
            if "decision_reasons" in keep:
                entry[key] = details[key]
            else:
                hold(
                    f"audit event {event.id}",
                    "decision_reasons",
                    f"the internal reason for '{decision}' "
                    f"({candidate or 'the selection'}, {entry['at']})",
                )
        decisions.append(entry)

    def seat_label(seat: str) -> str:
        declared = spec.panel.seats.get(seat)
        return (declared.label if declared else "") or seat.replace("_", " ")

    holders = list(
        session.exec(
            select(PanelSeat)
            .where(PanelSeat.selection_id == selection.id)
            .order_by(col(PanelSeat.seat), col(PanelSeat.position))
        )
    )
    panel = [{"seat": seat_label(s.seat), "panelist": named.named(s.panelist)} for s in holders]
    # Whoever else scored a candidate (an alternate sitting for a barred seat holder) was on
    # the panel too: listed with the seat they sat in and how many candidates they scored.
    sat: dict[str, tuple[str, set[int]]] = {}
    for card in session.exec(
        select(Scorecard)
        .join(Candidate, col(Candidate.id) == col(Scorecard.candidate_id))
        .where(Candidate.selection_id == selection.id, Scorecard.status == "submitted")
        .order_by(col(Scorecard.id))
    ):
        if card.panelist not in {s.panelist for s in holders}:
            sat.setdefault(card.panelist, (card.seat, set()))[1].add(card.candidate_id)
    for login, (seat, scored) in sat.items():
        many = "candidate" if len(scored) == 1 else "candidates"
        panel.append(
            {
                "seat": f"{seat_label(seat)}, alternate (sat for {len(scored)} {many})",
                "panelist": named.named(login),
            }
        )
    record = {
        "selection": {
            "id": selection.id,
            "title": selection.title,
            "position": spec.position,
            "workflow": f"{spec.title} {spec.version}",
            "as_of": selection.as_of.isoformat(),
        },
        "profile": profile.name,
        "qualifications": [q.text for q in spec.qualifications],
        "panel": panel,
        "candidates": people,
        "decisions": decisions,
    }
    return record, withheld
