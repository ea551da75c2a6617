"""The parts of a packet beyond the candidate and the decision: a letter's date, reference and
appeal right; the interview's schedule, rubric and panel; the results, ranking and audit
excerpt; a recall's eligible list. Each is built only when the packet's template prints it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property
from typing import Any

from sqlmodel import Session, col, select

from qualify.packets.people import People, display_name
from qualify.store import audit
from qualify.store.courses import progress
from qualify.store.eligible_list import eligible_list
from qualify.store.frozen import workflow_of
from qualify.store.integrity import replayed_states
from qualify.store.scores import Before, panel_inputs, ranking
from qualify.store.tables import (
    AuditEvent,
    Candidate,
    ConflictDeclaration,
    Scorecard,
    Selection,
)
from qualify.workflow.documents import (
    appeal_deadline,
    field_value,
    local_date,
    local_time,
    long_date,
    panel_change,
    record_reference,
    weekday_date,
)
from qualify.workflow.eligible_list import EligibleList
from qualify.workflow.scoring import CandidateResult, PanelInput, Substitution
from qualify.workflow.spec import PacketKindSpec, Workflow

Builder = Callable[["Parts"], Any]


class Parts:
    """What the section builders share."""

    def __init__(
        self,
        session: Session,
        selection: Selection,
        candidate: Candidate,
        event: AuditEvent,
        kind: PacketKindSpec,
        people: People,
    ) -> None:
        self.session, self.selection, self.candidate = session, selection, candidate
        self.event, self.kind, self.people = event, kind, people
        self.spec: Workflow = workflow_of(selection).spec

    @cached_property
    def before(self) -> Before:
        """The interview's records as they stood at the packet's event: a reprint prints the
        same whatever was declared, scored or changed on the panel since."""
        return Before.event(self.session, self.selection.id or 0, self.event.id or 0)

    @cached_property
    def ranked(self) -> list[CandidateResult]:
        # Those the results go to see every candidate ranked: a tie names the neighbour.
        return ranking(self.session, self.selection, before=self.before, named=True)

    @cached_property
    def panel(self) -> PanelInput:
        """Who sits for this candidate (alternates in the seats of barred holders), who may
        not score and why, and the submitted scorecards with their comments."""
        (found,) = panel_inputs(
            self.session, self.selection, [self.candidate], comments=True, before=self.before
        )
        return found

    @cached_property
    def declarations(self) -> list[dict[str, Any]]:
        return declarations(self)

    def date(self, at: datetime) -> str:
        return long_date(local_date(at, self.spec.time_zone))


def letter(p: Parts) -> dict[str, Any]:
    """A letter's date, reference and (where the kind says) the right to reconsideration."""
    spec, details = p.spec, json.loads(p.event.details)
    decided = local_date(p.event.at, spec.time_zone)
    appeal = None
    if p.kind.appeal and spec.appeal is not None:
        rule = spec.appeal
        by = appeal_deadline(decided, rule, frozenset(spec.holidays))
        unit = "business days" if rule.business_days else "calendar days"
        appeal = {
            "to": rule.to.strip(),
            "how": " ".join(rule.how.split()),
            "by": weekday_date(by),
            "period": f"{rule.days} {unit}",
        }
    transition = next((t for t in spec.transitions if t.trigger == details.get("trigger")), None)
    category = str(details.get("category") or "")
    return {
        "date": long_date(decided),
        "subject": f"{p.kind.title}, {p.selection.title}",
        "notice": details.get("notice") or "",
        # A category's words from the workflow (a removal's infraction), else its code.
        "category": transition.categories.get(category, category) if transition else category,
        "appeal": appeal,
    }


def _criteria_labels(spec: Workflow) -> dict[str, str]:
    return {c.id: c.label for c in spec.rubric.criteria}


def rubric(p: Parts) -> dict[str, Any]:
    r = p.spec.rubric
    return {
        "scale_min": r.scale_min,
        "scale_max": r.scale_max,
        "pass_mark": f"{r.pass_mark:g}",
        "criteria": [
            {
                "label": c.label,
                "weight": f"{c.weight:g}",
                "minimum": f"the mean must be above {c.minimum_mean_above:g}"
                if c.minimum_mean_above is not None
                else (
                    f"the mean must be at least {c.minimum_mean:g}"
                    if c.minimum_mean is not None
                    else ""
                ),
                "anchors": sorted(c.anchors.items()),
            }
            for c in r.criteria
        ],
    }


def _seat_label(p: Parts, seat: str) -> str:
    return p.spec.panel.seats[seat].label or seat.replace("_", " ")


def seats(p: Parts) -> list[dict[str, Any]]:
    """Each seat's label and panelist, with the panelist's standing conflict declaration; an
    alternate who sits for this candidate in a barred holder's place follows that holder."""
    standing = {d["login"]: d for d in p.declarations}
    sat_instead = {x.holder: x.sat for x in p.panel.substitutions}
    out = []
    for seat, panelist in p.before.seats:
        role = p.spec.panel.seats[seat].role
        label = _seat_label(p, seat)
        rows = [(label, panelist)]
        if panelist in sat_instead:
            rows.append(
                (
                    f"{label}, alternate sitting for {p.people.name(panelist)}",
                    sat_instead[panelist],
                )
            )
        for seat_label, login in rows:
            declared = standing.get(login)
            out.append(
                {
                    "label": seat_label,
                    "panelist": p.people.name(login),
                    "title": p.people.title(login, role),
                    "who": p.people.named(login, role),
                    "declaration": "None on file"
                    if declared is None
                    else f"{declared['statement']} ({declared['declared']})"
                    + (f": {declared['conflict']}" if declared["conflict"] else ""),
                }
            )
    return out


def alternates(p: Parts) -> list[dict[str, Any]]:
    """The panel's alternates, in the order HR named them for each seat: each may sit for a
    seat holder who may not score this candidate, so the interview packet lists them with the
    panel and gives each a score sheet."""
    out = []
    for seat, login in p.before.alternates:
        role = p.spec.panel.seats[seat].role if seat in p.spec.panel.seats else ""
        out.append(
            {
                "label": f"{_seat_label(p, seat)}, alternate",
                "panelist": p.people.name(login),
                "title": p.people.title(login, role),
                "who": p.people.named(login, role),
                "alternate": True,
            }
        )
    return out


def schedule(p: Parts) -> dict[str, str] | None:
    """The interview's date, time and place as HR set them by the time of the packet."""
    event = p.session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.candidate_id == p.candidate.id,
            AuditEvent.action == "interview_scheduled",
            col(AuditEvent.id) <= (p.event.id or 0),
        )
        .order_by(col(AuditEvent.id).desc())
    ).first()
    if event is None:
        return None
    found: dict[str, str] = json.loads(event.details)
    at = datetime.fromisoformat(found["at"])
    return {
        "date": weekday_date(local_date(at, p.spec.time_zone)),
        "time": local_time(at, p.spec.time_zone),
        "place": found["place"],
    }


def declarations(p: Parts) -> list[dict[str, Any]]:
    """Each panelist's standing conflict declaration as of the packet's event."""
    rows = p.session.exec(
        select(ConflictDeclaration)
        .where(
            ConflictDeclaration.candidate_id == p.candidate.id,
            col(ConflictDeclaration.id).in_(p.before.declarations),
        )
        .order_by(col(ConflictDeclaration.id))
    ).all()
    standing = {d.panelist: d for d in rows}
    # In the panel table: the seat holders and the alternates who sat for this candidate.
    seated = {panelist for _, panelist in p.before.seats}
    seated |= {x.sat for x in p.panel.substitutions}
    alternates = {panelist for _, panelist in p.before.alternates}
    return [
        {
            "login": d.panelist,
            "seated": d.panelist in seated,
            "alternate": d.panelist in alternates,
            "panelist": p.people.named(d.panelist),
            "declared": p.date(d.at),
            "conflict": d.conflict or "",
            "statement": "Declared a conflict of interest" if d.conflict else "No conflict",
        }
        for d in standing.values()
    ]


def result(p: Parts) -> dict[str, Any]:
    """The candidate's interview result, every seat named, corrections in words."""
    spec, candidate = p.spec, p.candidate
    labels = _criteria_labels(spec)
    weights = {c.id: f"{c.weight:g}" for c in spec.rubric.criteria}
    mine = next(r for r in p.ranked if r.candidate_id == candidate.id)
    cards, barred = p.panel.cards, p.panel.barred
    sat_for = {x.sat: x for x in p.panel.substitutions}
    columns = [
        {
            "login": login,
            "name": p.people.name(login),
            "seat": _seat_label(p, seat) + (" (alternate)" if login in sat_for else ""),
        }
        for seat, login in p.panel.seats
        if login not in barred
    ]
    return {
        "complete": mine.complete,
        "missing": [p.people.humanize(m.split(": ", 1)[-1]) for m in mine.missing],
        "total": "not computed" if mine.total is None else f"{mine.total:.2f}",
        "passed": mine.passed,
        "verdict": "Passed" if mine.passed else ("Did not pass" if mine.complete else "Incomplete"),
        "failures": [_failure(f, labels) for f in mine.failures if f != "panel incomplete"],
        "rank": mine.rank,
        "tie_break": mine.tie_break,
        "columns": columns,
        "barred": [
            _barred(p, seat, login, sat_for, barred)
            for seat, login in p.panel.seats
            if login in barred or login in sat_for
        ],
        "criteria": [
            {
                "label": labels[c.criterion],
                "weight": weights[c.criterion],
                "scores": [str(c.scores.get(col_["login"], "none")) for col_ in columns],
                "mean": f"{c.mean:.2f}",
                "flag": (f"Panelists differ by {c.spread}" if c.flagged else "")
                + ("; " if c.flagged and not c.minimum_met else "")
                + ("Below the minimum" if not c.minimum_met else ""),
            }
            for c in mine.criteria
        ],
        "corrections": [
            {
                "panelist": p.people.named(c.panelist),
                "version": c.version,
                "reason": c.reason or "",
                "changes": [
                    f"{labels.get(k, k)}: {old} changed to {c.scores.get(k)}"
                    for k, old in (c.previous or {}).items()
                    if c.scores.get(k) != old
                ],
            }
            for c in mine.corrections
        ],
        "comments": [
            {"panelist": p.people.name(login), "criterion": labels.get(k, k), "text": v}
            for login, card in sorted(cards.items())
            for k, v in card.comments.items()
            if v.strip()  # a blank comment stored before blanks were dropped is no comment
        ],
    }


def _barred(
    p: Parts, seat: str, login: str, sat_for: dict[str, Substitution], barred: dict[str, str]
) -> dict[str, str]:
    """A holder who may not score this candidate: why, and who scored in the seat instead."""
    swap = sat_for.get(login)
    if swap is not None:
        holder, why, instead = swap.holder, swap.why, p.people.named(swap.sat)
    else:
        # The generated part that names the alternates tried comes last, after any free text.
        holder, instead = login, "No one"
        why, found, tried = barred[login].rpartition("; no eligible alternate (")
        if not found:
            why, tried = tried, ""
        else:
            instead = f"No one: no eligible alternate ({p.people.humanize(tried)}"
    # "is the candidate's supervisor" / "declared a conflict of interest: ..." as a sentence.
    why = why.removeprefix("is ")
    return {
        "seat": _seat_label(p, seat),
        "panelist": p.people.named(holder),
        "why": why[:1].upper() + why[1:],
        "instead": instead,
    }


def _failure(text: str, labels: dict[str, str]) -> str:
    for cid, label in labels.items():
        if text.startswith(f"{cid} mean"):
            return label + text[len(cid) :]
    return text


def panel_changes(p: Parts) -> list[dict[str, Any]]:
    out = []
    for e in audit.events(p.session, selection_id=p.selection.id):
        if e.action != "panel_changed" or (e.id or 0) > (p.event.id or 0):
            continue
        d = json.loads(e.details)
        out.append(
            {
                "date": p.date(e.at),
                "by": p.people.named(e.actor, e.role),
                "changes": panel_change(
                    p.spec,
                    p.people.name,
                    _placed(d, "previous"),
                    _placed(d, "seats"),
                    _placed(d, "previous_alternates"),
                    _placed(d, "alternates"),
                ),
                "reason": d.get("reason") or "",
            }
        )
    return out


def changed_since(p: Parts) -> dict[str, Any] | None:
    """Scorecard corrections entered after the packet's event, and the results they made, or
    None. Scorecards close when the interview's scores are recorded (`scores_recorded`), so
    only records made before that rule (a correction accepted after the panel results were
    printed) give one: a reprint then says that the results have changed since, and what
    they are now, rather than disagree in silence with the packets printed after it."""
    later = [
        e
        for e in audit.events(p.session, candidate_id=p.candidate.id)
        if (e.id or 0) > (p.event.id or 0)
        and e.action == "scorecard_corrected"
        and e.outcome == "ok"
    ]
    if not later:
        return None
    labels = _criteria_labels(p.spec)
    versions = {
        (card.panelist, card.version): card.scores
        for card in p.session.exec(
            select(Scorecard).where(
                Scorecard.candidate_id == p.candidate.id, Scorecard.status == "submitted"
            )
        )
    }
    fixes = []
    for e in later:
        d = json.loads(e.details)
        version = int(d.get("version") or 0)
        old, new = versions.get((e.actor, version - 1), {}), versions.get((e.actor, version), {})
        fixes.append(
            {
                "panelist": p.people.named(e.actor),
                "date": p.date(e.at),
                "version": version,
                "reason": str(d.get("reason") or ""),
                "changes": [
                    f"{labels.get(k, k)}: {old.get(k)} changed to {new.get(k)}"
                    for k in labels
                    if old.get(k) != new.get(k)
                ],
            }
        )
    now = next(r for r in ranking(p.session, p.selection) if r.candidate_id == p.candidate.id)
    return {
        "recorded": p.date(p.event.at),
        "total": "not computed" if now.total is None else f"{now.total:.2f}",
        "verdict": "Passed" if now.passed else ("Did not pass" if now.complete else "Incomplete"),
        "rank": now.rank,
        "corrections": fixes,
    }


def _placed(details: dict[str, Any], key: str) -> list[tuple[str, str]]:
    """A panel event's (seat, user name) pairs under `key`, in order."""
    return [(str(seat), str(user)) for seat, user in details.get(key) or []]


def _display_names(p: Parts, ids: list[int] | None = None) -> dict[int, str]:
    """Candidates' names as documents print them ("Luis Reyes"), by id."""
    query = select(Candidate).where(Candidate.selection_id == p.selection.id)
    if ids is not None:
        query = query.where(col(Candidate.id).in_(ids))
    return {c.id or 0: display_name(c) for c in p.session.exec(query)}


def ranking_rows(p: Parts) -> list[dict[str, Any]]:
    names = _display_names(p)
    states = replayed_states(p.session, up_to_event=p.event.id)
    return [
        {
            "rank": r.rank or "Not ranked",
            "name": names[r.candidate_id],
            "total": "" if r.total is None else f"{r.total:.2f}",
            "verdict": "Passed" if r.passed else "Did not pass",
            "state": p.spec.states[states[r.candidate_id]].label,
        }
        for r in p.ranked
        if r.complete
    ]


def passed_over(p: Parts) -> list[dict[str, str]]:
    """Passing candidates ranked above the one this decision concerns, and the reason given."""
    details = json.loads(p.event.details)
    ids = details.get("passed_over", [])
    names = _display_names(p, ids)
    # A recall out of rank order says why in its own words; a selection gives its reason.
    reason = details.get("skip_reason") or details.get("reason") or ""
    return [{"name": names[i], "reason": reason} for i in ids if i in names]


def audit_excerpt(p: Parts) -> list[dict[str, str]]:
    spec, out = p.spec, []
    triggers = {t.trigger: t.label_for(p.candidate.name) for t in spec.transitions}
    for e in audit.events(p.session, candidate_id=p.candidate.id):
        if (e.id or 0) > (p.event.id or 0) or e.action == "packet_generated":
            continue
        d = json.loads(e.details)
        refusal = ""
        if e.outcome == "refused":
            # What was tried (the trigger's label, as `audit log` names the trigger), on whom,
            # and the refusal's words, people named as documents name them.
            tried = (
                triggers.get(d.get("trigger") or "")
                or e.action.removesuffix("_refused").replace("_", " ").capitalize()
            )
            what = f"Tried: {tried} ({display_name(p.candidate)}, candidate {p.candidate.id})"
            refusal = p.people.humanize(" ".join(str(d.get("refusal") or "").split()))
        elif e.action == "state_changed":
            what = (
                f"{triggers.get(d['trigger'], d['trigger'])}: "
                f"from {spec.states[d['from']].label} to {spec.states[d['to']].label}"
                + (
                    " (entered by mistake: taken out, no letter)"
                    if d.get("entered_by_mistake")
                    else ""
                )
            )
        elif e.action == "evidence_added":
            what = _evidence_entered(spec, d)
        else:
            what = e.action.replace("_", " ").capitalize()
        out.append(
            {
                "number": str(e.id),
                "when": f"{p.date(e.at)}, {local_time(e.at, spec.time_zone)}",
                "who": p.people.named(e.actor, e.role),
                "what": what,
                "reason": str(d.get("reason") or ""),
                "refusal": refusal,
                "outcome": "Refused" if e.outcome == "refused" else "Done",
            }
        )
    return out


def _evidence_entered(spec: Workflow, details: dict[str, Any]) -> str:
    """What an evidence entry was: its kind, and for a kind with a choice (a conduct
    finding's disposition) the choice and the fact's date, so that a reader sees which finding
    was entered ("Conduct finding: sustained, dated August 20, 2027"). A sensitive record's
    values are not in the log."""
    kind = spec.evidence.get(details.get("kind", ""))
    if kind is None:
        return f"Evidence entered: {details.get('kind', '')}"
    values = details.get("fields")
    chosen = [
        field_value(f, values[name])
        for name, f in kind.fields.items()
        if isinstance(values, dict) and f.type == "choice" and values.get(name) not in (None, "")
    ]
    if not chosen:
        return f"Evidence entered: {kind.label}"
    dated = next(
        (
            field_value(f, values[name])
            for name, f in kind.fields.items()
            if f.type == "date" and isinstance(values, dict) and values.get(name)
        ),
        "",
    )
    short = kind.label.split(" (")[0]
    return f"Evidence entered: {short}: {', '.join(chosen)}" + (f", dated {dated}" if dated else "")


def _hours(hours: float) -> str:
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def training(p: Parts) -> dict[str, Any]:
    """The training directed for the candidate and completed by the packet's event: each
    course's label, hours and completion date, who directed it, and the hours in all."""
    completed_by_then = set(
        p.session.exec(
            select(AuditEvent.subject).where(
                AuditEvent.candidate_id == p.candidate.id,
                AuditEvent.action == "training_completed",
                col(AuditEvent.id) < (p.event.id or 0),
            )
        )
    )
    courses, total = [], 0.0
    for item in progress(p.session, p.spec, p.candidate.id or 0):
        completion = item.completion
        if completion is None or f"evidence:{completion.id}" not in completed_by_then:
            continue
        assert item.completed_on is not None
        total += item.course.hours
        courses.append(
            {
                "label": item.course.label,
                "hours": _hours(item.course.hours),
                "completed": long_date(item.completed_on),
                "directed_by": p.people.named(item.direction.directed_by, item.direction.role),
            }
        )
    return {"courses": courses, "total_hours": _hours(total)}


def directed(p: Parts) -> dict[str, Any]:
    """The training the packet's event directed (a training assignment): each course's label and
    hours, the date it is due, and the hours in all. Read from the event itself, so that a
    reprint says what was directed then, whatever was directed later."""
    listed = json.loads(p.event.details).get("training") or []
    courses, total = [], 0.0
    for item in listed:
        course = p.spec.training.course(str(item["course"]))
        hours = course.hours if course else 0.0
        total += hours
        courses.append(
            {
                "label": course.label if course else str(item["course"]),
                "hours": _hours(hours),
                "due": long_date(date.fromisoformat(str(item["due_on"]))),
            }
        )
    return {"courses": courses, "total_hours": _hours(total)}


def amended(p: Parts) -> dict[str, Any]:
    """An amended training assignment, sealed by the event that added training: every course
    directed since the candidate entered the stage, up to that event (who directed it, on what
    day, the date it is due, whether it was complete by then, and whether this event added it),
    the hours in all, and the letter it amends: the one sealed by the previous direction (the
    first training assignment, or an earlier amendment). Read from the audit chain up to the
    event, so a reprint says what was directed then, whatever was directed or completed later."""
    spec, event = p.spec, p.event
    stage = str(json.loads(event.details).get("stage") or "")
    candidate_events = list(
        p.session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.candidate_id == p.candidate.id,
                AuditEvent.outcome == "ok",
                col(AuditEvent.action).in_(
                    (
                        "state_changed",
                        "training_directed",
                        "training_due_changed",
                        "training_completed",
                    )
                ),
                col(AuditEvent.id) <= (event.id or 0),
            )
            .order_by(col(AuditEvent.id))
        )
    )
    # The directions since the candidate last entered the stage, each (event, its courses).
    series: list[tuple[AuditEvent, list[dict[str, Any]]]] = []
    completed: dict[str, date] = {}
    for e in candidate_events:
        details = json.loads(e.details)
        if e.action == "state_changed" and details.get("to") == (stage or details.get("to")):
            if details.get("training"):
                series = [(e, list(details["training"]))]
                stage = stage or str(details["to"])
        elif e.action == "training_directed" and series and e.id != event.id:
            series.append((e, list(details.get("courses") or [])))
        elif e.action == "training_due_changed" and series:
            _due_changed(series, details)
        elif e.action == "training_completed":
            completed[str(details["course"])] = date.fromisoformat(str(details["completed_on"]))
    earlier = series[-1][0] if series else None
    if earlier is not None and earlier.action == "state_changed" and not spec.packets.get(stage):
        earlier = None  # entering the stage printed no letter to amend
    own = json.loads(event.details)
    changed = None
    if event.action == "training_due_changed":
        # A corrected due date adds no course: it amends the date of one already listed.
        changed = str(own["course"])
    else:
        series.append((event, list(own.get("courses") or [])))
    directions, total = [], 0.0
    for e, listed in series:
        courses = []
        for item in listed:
            course = spec.training.course(str(item["course"]))
            hours = course.hours if course else 0.0
            total += hours
            done = completed.get(str(item["course"]))
            courses.append(
                {
                    "label": course.label if course else str(item["course"]),
                    "hours": _hours(hours),
                    "due": long_date(date.fromisoformat(str(item["due_on"]))),
                    "completed": long_date(done) if done else "",
                    "changed": str(item["course"]) == changed,
                }
            )
        directions.append(
            {
                "by": p.people.named(e.actor, e.role),
                "on": p.date(e.at),
                "added": e.id == event.id,
                "courses": courses,
            }
        )
    due_change = None
    if changed is not None:
        course = spec.training.course(changed)
        due_change = {
            "label": course.label if course else changed,
            "was": long_date(date.fromisoformat(str(own["was"]))),
            "due": long_date(date.fromisoformat(str(own["due_on"]))),
        }
    return {
        "directions": directions,  # each direction by whom and when, with its courses
        "added": [] if changed is not None else directions[-1]["courses"],
        "due_change": due_change,  # a corrected due date: the course, from what, to what
        "total_hours": _hours(total),
        "amends": None
        if earlier is None
        else {
            "date": p.date(earlier.at),
            "ref": record_reference(p.selection.id or 0, p.candidate.id or 0, earlier.id or 0),
        },
    }


def _due_changed(series: list[tuple[AuditEvent, list[dict[str, Any]]]], details: Any) -> None:
    """Apply a corrected due date to the course it names, wherever it was directed."""
    for _, listed in series:
        for item in listed:
            if item["course"] == details["course"]:
                item["due_on"] = details["due_on"]


def on_eligible_list(p: Parts) -> dict[str, Any] | None:
    """For an officer who passed the interview (and so is on the eligible list, where the
    workflow keeps one), as of the packet's event: their rank, how long the list stays valid
    and, once the selection decision has established it, its last valid day. None otherwise."""
    months = p.spec.eligible_list_months
    if months is None or not any(t.eligible_list for t in p.spec.transitions):
        return None
    mine = next((r for r in p.ranked if r.candidate_id == p.candidate.id), None)
    if mine is None or mine.rank is None:
        return None
    listed = eligible_list(p.session, p.selection, p.spec, up_to=p.event.id)
    return {
        "rank": mine.rank,
        "months": f"{months} month" + ("" if months == 1 else "s"),
        "through": long_date(listed.last_valid_day) if listed is not None else "",
    }


def recall(p: Parts) -> dict[str, Any] | None:
    """For the packets of a recall from the eligible list: the list's dates and the officer's
    rank on it, as the recall's event recorded them, and the day the position became vacant
    (the last time before the recall that an officer left a state holding it; not who or why,
    which are another officer's record). None for any other event."""
    listed = json.loads(p.event.details).get("eligible_list")
    if not listed:
        return None
    life = EligibleList(
        date.fromisoformat(listed["established"]), date.fromisoformat(listed["expires"])
    )
    held = p.spec.position_states()
    vacated: datetime | None = None
    changes = select(AuditEvent.at, AuditEvent.details).where(
        AuditEvent.selection_id == p.selection.id,
        AuditEvent.action == "state_changed",
        col(AuditEvent.id) < (p.event.id or 0),
    )
    for at, details in p.session.exec(changes.order_by(col(AuditEvent.id))):
        moved = json.loads(details)
        if moved.get("from") in held and moved.get("to") not in held:
            vacated = at
    return {
        "established": long_date(life.established),
        "through": long_date(life.last_valid_day),
        "rank": listed["rank"],
        "vacated": p.date(vacated) if vacated is not None else "",
        "the_position": "The position" if p.spec.positions == 1 else "A position",
    }


BUILDERS: dict[str, Builder] = {
    "letter": letter,
    "rubric": rubric,
    "seats": seats,
    "alternates": alternates,
    "schedule": schedule,
    "declarations": declarations,
    "result": result,
    "panel_changes": panel_changes,
    "changed_since": changed_since,
    "ranking": ranking_rows,
    "passed_over": passed_over,
    "audit_excerpt": audit_excerpt,
    "training": training,
    "directed": directed,
    "amended": amended,
    "on_eligible_list": on_eligible_list,
    "recall": recall,
}


def for_template(
    session: Session,
    selection: Selection,
    candidate: Candidate,
    event: AuditEvent,
    kind: PacketKindSpec,
    people: People,
    needs: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The sections a template prints (all of them when `needs` is None)."""
    parts = Parts(session, selection, candidate, event, kind, people)
    return {
        name: build(parts) for name, build in BUILDERS.items() if needs is None or name in needs
    }
