"""Check kinds: pure functions of a candidate's facts and a date, giving pass, fail or pending.

A workflow names a kind and gives its parameters; the kind's parameter model validates them and
says which evidence kinds and fields they refer to, so the loader can check those exist. Kinds are
looked up in CHECK_KINDS only: a workflow can never name code to run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, NamedTuple, TypeVar

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, model_validator

from qualify.workflow.facts import CandidateFacts, EvidenceRecord

# "withheld": a sensitive check as shown to a role that may not see it (never evaluated so);
# "not_applicable": a check shown for a candidate whose stage it does not apply to.
Status = Literal["pass", "fail", "pending", "withheld", "not_applicable"]
FactsUntil = Literal["as_of", "decision"]


@dataclass(frozen=True)
class When:
    """The dates a check measures against: the selection's as-of date, and the date of the check
    or decision (today for `check`, the day of the event for a decision and its packets).

    Which records count is not a date: every record on file at the moment counts, whenever it was
    entered. These dates decide which facts count, by each fact's own date."""

    as_of: date
    decided_on: date

    @classmethod
    def of(cls, when: When | date) -> When:
        return when if isinstance(when, When) else cls(when, when)

    def until(self, facts_until: FactsUntil) -> tuple[date, str]:
        """The last fact date that counts, and how a reason names it: the as-of date, or with
        `facts_until: decision` the decision date when it is later."""
        if facts_until == "decision" and self.decided_on > self.as_of:
            return self.decided_on, f"the decision date {self.decided_on}"
        return self.as_of, f"the as-of date {self.as_of}"


# Documented ranges (docs/workflows.md): wide enough for any real rule, narrow enough that date
# arithmetic on them can never leave the calendar.
ServiceYears = Annotated[int, Field(ge=1, le=60)]
AgeDays = Annotated[int, Field(ge=1, le=3660)]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check for one candidate as of a date, with a reason citing evidence."""

    check: str
    status: Status
    reason: str
    evidence_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "applies": self.status != "not_applicable",
            "reason": self.reason,
            "evidence": list(self.evidence_ids),
        }


class FieldRef(NamedTuple):
    """A parameter that names an evidence field, and the field types it accepts."""

    param: str
    evidence: str
    field: str
    types: tuple[str, ...]
    evidence_param: str = "evidence"


class Params(BaseModel):
    """Parameters shared by every check kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def references(self) -> list[FieldRef]:
        """The evidence fields these parameters name."""
        return []


class DatedParams(Params):
    """Parameters of the kinds that read a dated fact: a fact dated after the as-of date does not
    count, unless `facts_until: decision` lets facts dated up to the decision count."""

    facts_until: FactsUntil = "as_of"


class AnsweredYesParams(DatedParams):
    evidence: str
    field: str
    date_field: str | None = None

    def references(self) -> list[FieldRef]:
        refs = [FieldRef("field", self.evidence, self.field, ("yes_no",))]
        if self.date_field is not None:
            refs.append(FieldRef("date_field", self.evidence, self.date_field, ("date",)))
        return refs


class MinServiceParams(DatedParams):
    evidence: str
    field: str
    years: ServiceYears
    months: int = Field(default=0, ge=0, le=11)

    def references(self) -> list[FieldRef]:
        return [FieldRef("field", self.evidence, self.field, ("date",))]


class EventCompletedParams(DatedParams):
    evidence: str
    field: str
    # The date fact the event cannot precede (a probation completes after the service it is the
    # probation of has begun): a completion dated before it is not counted.
    not_before_evidence: str | None = None
    not_before_field: str | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> EventCompletedParams:
        if (self.not_before_evidence is None) != (self.not_before_field is None):
            raise ValueError("give not_before_evidence and not_before_field together")
        return self

    def references(self) -> list[FieldRef]:
        refs = [FieldRef("field", self.evidence, self.field, ("date",))]
        if self.not_before_evidence is not None and self.not_before_field is not None:
            refs.append(
                FieldRef(
                    "not_before_field",
                    self.not_before_evidence,
                    self.not_before_field,
                    ("date",),
                    "not_before_evidence",
                )
            )
        return refs


class DocumentByRoleParams(DatedParams):
    evidence: str
    author_field: str
    role: str
    file_field: str | None = None
    date_field: str | None = None
    author_is_candidates_supervisor: bool = False

    def references(self) -> list[FieldRef]:
        refs = [FieldRef("author_field", self.evidence, self.author_field, ("user",))]
        if self.file_field is not None:
            refs.append(FieldRef("file_field", self.evidence, self.file_field, ("file",)))
        if self.date_field is not None:
            refs.append(FieldRef("date_field", self.evidence, self.date_field, ("date",)))
        return refs


class RecentResultParams(DatedParams):
    evidence: str
    result_field: str
    date_field: str
    max_age_days: AgeDays

    def references(self) -> list[FieldRef]:
        return [
            FieldRef("result_field", self.evidence, self.result_field, ("pass_fail",)),
            FieldRef("date_field", self.evidence, self.date_field, ("date",)),
        ]


class NoSustainedFindingsParams(DatedParams):
    review_evidence: str
    review_field: str
    finding_evidence: str
    date_field: str
    disposition_field: str
    counted: tuple[str, ...] = ("sustained",)
    years: ServiceYears
    # A review vouches for what it saw: the record up to its own date. It covers the window only
    # when dated on or after the window's end (the as-of date, or the decision date with
    # `facts_until: decision`); an earlier one leaves the check pending. False: any review on
    # file counts, whatever its date.
    review_covers_window: bool = True

    def references(self) -> list[FieldRef]:
        return [
            FieldRef("review_field", self.review_evidence, self.review_field, ("date",)),
            FieldRef("date_field", self.finding_evidence, self.date_field, ("date",)),
            FieldRef(
                "disposition_field", self.finding_evidence, self.disposition_field, ("choice",)
            ),
        ]


def elapsed(start: date, end: date) -> relativedelta:
    """Whole years, then months, then days from start to end (a Feb 29 anniversary is Feb 28)."""
    return relativedelta(end, start)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def describe(span: relativedelta) -> str:
    """'2 years 3 months', '1 year 11 months 30 days', '0 days'."""
    parts = [
        _plural(n, w)
        for n, w in ((span.years, "year"), (span.months, "month"), (span.days, "day"))
        if n
    ]
    return " ".join(parts) or "0 days"


def _cite(record: EvidenceRecord) -> str:
    return f"record #{record.id}"


def _pending(check: str, kind: str) -> CheckResult:
    return CheckResult(check, "pending", f"no {kind} evidence on file")


P = TypeVar("P", bound=Params)
OnRecord = Callable[[str, P, EvidenceRecord, CandidateFacts, When], CheckResult]
Evaluate = Callable[[str, P, CandidateFacts, When | date], CheckResult]


def on_current_record(evidence_param: str = "evidence") -> Callable[[OnRecord[P]], Evaluate[P]]:
    """What every check that reads a record does first, in one place: pending while no current
    record of the evidence kind its parameter `evidence_param` names is on file; else the check
    is given that record, and the dates as a When."""

    def wrap(on_record: OnRecord[P]) -> Evaluate[P]:
        @functools.wraps(on_record)
        def evaluate(check: str, p: P, facts: CandidateFacts, when: When | date) -> CheckResult:
            kind: str = getattr(p, evidence_param)
            record = facts.current(kind)
            if record is None:
                return _pending(check, kind)
            return on_record(check, p, record, facts, When.of(when))

        return evaluate

    return wrap


def _late(check: str, kind: str, record: EvidenceRecord, dated: date, label: str) -> CheckResult:
    """The record on file does not count: its fact is dated after the last date that counts."""
    text = f"{kind} not counted: {_cite(record)} is dated {dated}, after {label}"
    return CheckResult(check, "fail", text, (record.id,))


@on_current_record()
def answered_yes(
    check: str, p: AnsweredYesParams, record: EvidenceRecord, facts: CandidateFacts, when: When
) -> CheckResult:
    where = _cite(record)
    dated: date | None = record.fields.get(p.date_field) if p.date_field else None
    if dated is not None:
        limit, label = when.until(p.facts_until)
        if dated > limit:
            return _late(check, p.evidence, record, dated, label)
        where += f", dated {dated}"
    ok = record.fields.get(p.field) is True
    status: Status = "pass" if ok else "fail"
    answer = "yes" if ok else "no"
    return CheckResult(check, status, f"{p.field} = {answer} ({where})", (record.id,))


@on_current_record()
def min_service(
    check: str, p: MinServiceParams, record: EvidenceRecord, facts: CandidateFacts, when: When
) -> CheckResult:
    start: date = record.fields[p.field]
    limit, label = when.until(p.facts_until)
    if start > limit:
        return _late(check, p.evidence, record, start, label)
    required = describe(relativedelta(years=p.years, months=p.months))
    cited = (record.id,)
    served = describe(elapsed(start, limit))
    text = f"{served} of full-time service as of {limit} (full-time since {start}, {_cite(record)})"
    if start + relativedelta(years=p.years, months=p.months) <= limit:
        return CheckResult(check, "pass", text, cited)
    return CheckResult(check, "fail", f"{text}; {required} required", cited)


@on_current_record()
def event_completed(
    check: str, p: EventCompletedParams, record: EvidenceRecord, facts: CandidateFacts, when: When
) -> CheckResult:
    done: date = record.fields[p.field]
    limit, label = when.until(p.facts_until)
    if done > limit:
        return _late(check, p.evidence, record, done, label)
    began = facts.current(p.not_before_evidence) if p.not_before_evidence else None
    start: date | None = began.fields.get(p.not_before_field or "") if began else None
    if began is not None and start is not None and done < start:
        text = (
            f"{p.evidence} not counted: {_cite(record)} is dated {done}, before "
            f"{p.not_before_evidence} began {start} ({_cite(began)})"
        )
        return CheckResult(check, "fail", text, (record.id, began.id))
    text = f"{p.evidence} completed {done} ({_cite(record)})"
    return CheckResult(check, "pass", text, (record.id,))


@on_current_record()
def document_by_role(
    check: str, p: DocumentByRoleParams, record: EvidenceRecord, facts: CandidateFacts, when: When
) -> CheckResult:
    author: str = record.fields[p.author_field]
    cited = (record.id,)
    where = _cite(record)
    dated: date | None = record.fields.get(p.date_field) if p.date_field else None
    if dated is not None:
        limit, label = when.until(p.facts_until)
        if dated > limit:
            return _late(check, p.evidence, record, dated, label)
        where += f", dated {dated}"
    if p.author_is_candidates_supervisor:
        if not facts.supervisor:
            return CheckResult(
                check, "pending", "no supervisor is on file for the candidate", cited
            )
        if author != facts.supervisor:
            text = (
                f"{p.evidence} on file is by {author}, who is not the candidate's "
                f"supervisor ({facts.supervisor}) ({where})"
            )
            return CheckResult(check, "fail", text, cited)
    if p.role not in facts.user_roles.get(author, ()):
        return CheckResult(
            check,
            "fail",
            f"{p.evidence} on file is by {author}, who is not a {p.role} ({where})",
            cited,
        )
    return CheckResult(check, "pass", f"{p.evidence} by {p.role} {author} on file ({where})", cited)


@on_current_record()
def recent_result(
    check: str, p: RecentResultParams, record: EvidenceRecord, facts: CandidateFacts, when: When
) -> CheckResult:
    result: str = record.fields[p.result_field]
    tested: date = record.fields[p.date_field]
    limit, label = when.until(p.facts_until)
    if tested > limit:
        return _late(check, p.evidence, record, tested, label)
    cited = (record.id,)
    where = _cite(record)
    age = (limit - tested).days
    if age > p.max_age_days:
        text = (
            f"{p.evidence} result of {tested} is {age} days old as of {limit}; "
            f"at most {p.max_age_days} allowed ({where})"
        )
        return CheckResult(check, "fail", text, cited)
    if result != "pass":
        return CheckResult(
            check, "fail", f"{p.evidence} result of {tested}: {result} ({where})", cited
        )
    text = f"{p.evidence} result of {tested}: pass, {age} days old as of {limit} ({where})"
    return CheckResult(check, "pass", text, cited)


@on_current_record("review_evidence")
def no_sustained_findings(
    check: str,
    p: NoSustainedFindingsParams,
    review: EvidenceRecord,
    facts: CandidateFacts,
    when: When,
) -> CheckResult:
    # The review's date is when HR read the record (usually after the as-of date, as screening
    # follows the deadline): it saw findings up to that day, so it vouches for the window only
    # when made on or after the window's end (review_covers_window).
    limit, label = when.until(p.facts_until)
    since = limit - relativedelta(years=p.years)
    counted, late, ignored = [], [], []
    for finding in facts.records(p.finding_evidence):
        dated: date = finding.fields[p.date_field]
        if dated > limit:
            late.append(finding)
        elif since <= dated and finding.fields[p.disposition_field] in p.counted:
            counted.append(finding)
        else:
            ignored.append(finding)
    not_counted = "; ".join(
        f"{_cite(f)} is dated {f.fields[p.date_field]}, after {label}" for f in late
    )
    reviewed = f"conduct record reviewed {review.fields[p.review_field]} ({_cite(review)})"
    if counted:
        listed = ", ".join(
            f"{f.fields[p.disposition_field]} finding of {f.fields[p.date_field]} ({_cite(f)})"
            for f in counted
        )
        text = f"{listed} within {_plural(p.years, 'year')} before {limit}"
        if late:
            text += f"; not counted: {not_counted}"
        return CheckResult(check, "fail", text, tuple(f.id for f in counted))
    reviewed_on: date = review.fields[p.review_field]
    if p.review_covers_window and reviewed_on < limit:
        text = (
            f"the {p.review_evidence.replace('_', ' ')} on file is dated {reviewed_on}, "
            f"before {label}: it does not "
            f"cover the {_plural(p.years, 'year')} to {limit} ({_cite(review)})"
        )
        return CheckResult(check, "pending", text, (review.id,))
    text = f"{reviewed}; no {' or '.join(p.counted)} findings since {since}"
    if ignored:
        text += f" ({_plural(len(ignored), 'other finding')} not counted)"
    if late:
        text += f"; not counted: {not_counted}"
    return CheckResult(check, "pass", text, (review.id, *(f.id for f in ignored + late)))


def panel_submitted(check: str, p: Params, facts: CandidateFacts, when: When | date) -> CheckResult:
    interview = facts.interview
    if interview is None or interview.seats == 0:
        return CheckResult(check, "pending", "no interview panel is assigned")
    if not interview.complete:  # still being scored, or waiting on HR to fill a seat: not a fail
        text = "panel incomplete: " + "; ".join(interview.missing)
        return CheckResult(check, "pending", text)
    return CheckResult(check, "pass", f"all {interview.seats} seats submitted their scorecards")


def interview_passed(
    check: str, p: Params, facts: CandidateFacts, when: When | date
) -> CheckResult:
    interview = facts.interview
    if interview is None or not interview.complete or interview.total is None:
        return CheckResult(check, "pending", "the interview is not fully scored")
    if not interview.passed:
        return CheckResult(check, "fail", "interview not passed: " + "; ".join(interview.failures))
    return CheckResult(
        check, "pass", f"interview passed with a weighted total of {interview.total:.2f}"
    )


@dataclass(frozen=True)
class CheckKind:
    """A check kind: its parameter model and its pure evaluation function."""

    params: type[Params]
    evaluate: Callable[[str, Any, CandidateFacts, When | date], CheckResult]
    summary: str


CHECK_KINDS: dict[str, CheckKind] = {
    "answered_yes": CheckKind(AnsweredYesParams, answered_yes, "a yes/no field is answered yes"),
    "min_service": CheckKind(
        MinServiceParams, min_service, "at least N years of service as of the date"
    ),
    "event_completed": CheckKind(
        EventCompletedParams, event_completed, "a dated event completed by the date"
    ),
    "document_by_role": CheckKind(
        DocumentByRoleParams, document_by_role, "a document on file by a person of a role"
    ),
    "recent_result": CheckKind(
        RecentResultParams, recent_result, "a passing result no older than N days"
    ),
    "no_sustained_findings": CheckKind(
        NoSustainedFindingsParams, no_sustained_findings, "no counted findings within N years"
    ),
    "panel_submitted": CheckKind(
        Params, panel_submitted, "every panel seat submitted a scorecard for the candidate"
    ),
    "interview_passed": CheckKind(
        Params, interview_passed, "the interview passed: pass mark and criterion minimums met"
    ),
}


# Kinds renamed since a selection could freeze a workflow naming them: the frozen text still
# loads, read with the new name; a workflow file that names the old one is refused, naming the new.
RENAMED_KINDS = {"attestation": "answered_yes"}


def supervisor_roles(checks: dict[str, Any]) -> list[str]:
    """The roles a candidate's supervisor must hold: those of the checks that want a document by
    the candidate's own supervisor (`author_is_candidates_supervisor`), given the workflow's
    `checks` mapping of name to CheckSpec."""
    return sorted(
        {
            str(spec.params.get("role"))
            for spec in checks.values()
            if spec.kind == "document_by_role"
            and spec.params.get("author_is_candidates_supervisor")
            and spec.params.get("role")
        }
    )
