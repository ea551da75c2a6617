"""The workflow file's typed model. Every key is documented in docs/workflows.md."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from qualify.workflow.filetypes import FileType

# What must be true of a candidate, by the records, for a reason code's words to be sent
# (`reason_codes_true_when`): see services.reason_truth.
Truth = Literal[
    "outranked_by_selected",
    "interview_not_passed",
    "qualification_not_met",
    "qualification_undecided",
]
FieldType = Literal["date", "pass_fail", "yes_no", "text", "file", "choice", "user"]
Exclusion = Literal["candidate_supervisor"]


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _text(value: Any) -> Any:
    # YAML reads `version: 1.0` as a number; a version is text.
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Names = Annotated[list[str], BeforeValidator(_listify)]
# Names stored in the database's columns (states, roles, seats, evidence kinds) fit them.
Key = Annotated[str, StringConstraints(min_length=1, max_length=50)]
# Numbers are finite (YAML's .inf and .nan are refused) and within documented ranges.
Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1000, le=1000)]
Text = Annotated[str, BeforeValidator(_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoleSpec(Strict):
    label: str
    sees_sensitive: bool = False


class StateSpec(Strict):
    label: str
    initial: bool = False
    final: bool = False
    description: str = ""
    # An officer in this state holds one of the selection's `positions` (SRO: selected,
    # training, appointed); entering it is refused while every position is held.
    holds_position: bool = False


class TransitionSpec(Strict):
    trigger: Key
    # What it means, printed in packets and on the portal's buttons; `{name}` stands for the
    # candidate's name ("Recall {name} from the eligible list").
    label: str = ""
    source: Names
    dest: str
    roles: Names
    guards: Names = Field(default_factory=list)
    reason_required: bool = False
    reason_required_if_outranked: bool = False
    notice_required: bool = False
    reason_codes: dict[str, str] = Field(default_factory=dict)
    # code -> what must be true of the candidate by the records for its words to be sent;
    # advance refuses the code otherwise.
    reason_codes_true_when: dict[str, Truth] = Field(default_factory=dict)
    # When listed, firing the trigger needs one of these (--category): code -> the words the
    # letter prints, e.g. the infraction a removal is for.
    categories: dict[str, str] = Field(default_factory=dict)
    # Fires only while the selection's eligible list is valid (`eligible_list_months` from the
    # selection decision), and in rank order among passing candidates unless a reason to skip.
    eligible_list: bool = False
    # Firing it directs training: `qualify training assign` names the courses and the date due;
    # its roles are the roles that direct training.
    directs_training: bool = False
    # Refused until every course directed for the candidate is complete.
    requires_training: bool = False
    # Before the selection's as-of date, refused while none of the candidate's checks has failed
    # and some are pending: what is pending may yet be recorded by the date it is measured on.
    pending_waits_for_as_of: bool = False

    def label_for(self, name: str) -> str:
        """The label (else the trigger in words) about the candidate called `name`."""
        return (self.label or self.trigger.replace("_", " ")).replace(NAME, name)


NAME = "{name}"  # in a transition's label, the candidate's name


class FieldSpec(Strict):
    type: FieldType
    label: str = ""
    required: bool = True
    choices: list[str] = Field(default_factory=list)
    # For type file: the types its content may be (default pdf, png, jpeg).
    accept: list[FileType] = Field(default_factory=list)


class EvidenceSpec(Strict):
    label: str
    sensitive: bool = False
    multiple: bool = False
    fields: dict[str, FieldSpec]


class CheckSpec(Strict):
    kind: str
    label: str
    note: str = ""
    params: dict[str, Any] = Field(default_factory=dict)


class SeatSpec(Strict):
    role: str
    count: int = Field(default=1, ge=1, le=20)
    label: str = ""


class PanelSpec(Strict):
    seats: dict[Key, SeatSpec]
    scoring_states: Names
    excluded: list[Exclusion] = Field(default_factory=list)


class CriterionSpec(Strict):
    id: str
    label: str
    weight: float = Field(gt=0.0, le=100, allow_inf_nan=False)
    anchors: dict[int, str] = Field(default_factory=dict)
    minimum_mean: Finite | None = None
    minimum_mean_above: Finite | None = None


class RubricSpec(Strict):
    scale_min: int = Field(default=1, ge=0, le=100)
    scale_max: int = Field(default=5, ge=1, le=100)
    criteria: list[CriterionSpec]
    pass_mark: Finite
    disagreement_threshold: int = Field(ge=1, le=100)
    tie_breaks: list[str] = Field(default_factory=list)


class PermissionsSpec(Strict):
    """Which roles may do the things that are not state transitions."""

    manage_users: Names
    open_selection: Names
    manage_candidates: Names
    add_evidence: Names
    manage_panel: Names
    view_results: Names
    print_packets: Names
    view_audit: Names
    # Roles that see every candidate's record (with manage_candidates and add_evidence); others
    # see only officers they supervise, or as panelists the interview kit.
    view_candidates: Names = Field(default_factory=list)
    # Optional, so that selections frozen before they existed still load: an empty list means
    # no role may do it in that selection.
    record_eeo: Names = Field(default_factory=list)
    view_eeo: Names = Field(default_factory=list)
    manage_records: Names = Field(default_factory=list)
    # Quarterly activity reports: roles that see every candidate's record enter any officer's;
    # the others only those of officers they supervise.
    enter_reports: Names = Field(default_factory=list)


class FairnessStageSpec(Strict):
    """A stage that removes candidates, for the adverse-impact report."""

    id: str
    label: str
    entered: Names
    passed: Names


class FairnessSpec(Strict):
    stages: list[FairnessStageSpec] = Field(default_factory=list)
    excluded: Names = Field(default_factory=list)


class PacketKindSpec(Strict):
    """What a packet template is: its title, who receives it, what it may carry."""

    title: str
    audience: Names
    sensitive: bool = False
    letter: bool = False
    appeal: bool = False


class AppealSpec(Strict):
    """The right to ask for reconsideration that notices state."""

    days: int = Field(ge=1)
    business_days: bool = True
    to: str
    how: str = "in writing"


FundingBasis = Literal["full", "share", "hourly", "none"]
Money = Annotated[int, Field(ge=0, le=100_000_000)]


class FundingOptionSpec(Strict):
    """One way to fund the position, with what it assumes; its cost is computed from `basis`:
    full (the salary range), share (`share_percent` of it for the school days), hourly
    (`hourly_rate` x `hours_per_day` x the school days) or none."""

    id: Key
    label: str
    basis: FundingBasis
    share_percent: int | None = Field(default=None, ge=1, le=100)
    hourly_rate: Money | None = None
    hours_per_day: int | None = Field(default=None, ge=1, le=24)
    assumptions: list[str] = Field(default_factory=list)


class PositionBriefSpec(Strict):
    """The position's funding options for the school board (`qualify position brief`)."""

    title: str
    source: str
    salary_low: Money
    salary_high: Money
    salary_note: str = ""
    work_days: int = Field(ge=1, le=366)
    school_days: int = Field(ge=1, le=366)
    assumptions: list[str] = Field(default_factory=list)
    options: list[FundingOptionSpec]


class CourseSpec(Strict):
    """A course or block of training the workflow may direct."""

    id: Key
    label: str
    hours: float = Field(allow_inf_nan=False)


class TrainingSpec(Strict):
    """The training an officer may be directed to attend before the appointment, and the
    letters printed when courses are added for an officer already in training (the first
    letter is the training state's packet): each lists every course directed by then."""

    courses: list[CourseSpec] = Field(default_factory=list)
    amended_packets: Names = Field(default_factory=list)

    def course(self, course_id: str) -> CourseSpec | None:
        return next((c for c in self.courses if c.id == course_id), None)


class ReportFieldSpec(Strict):
    """One figure or note of the quarterly activity report."""

    id: Key
    label: str
    kind: Literal["count", "text"]


class ActivityReportsSpec(Strict):
    """The quarterly activity report an officer in one of `states` owes, its fields, the packet
    that prints it, and the rule for the quarters owed and each one's due day: from the quarter
    of appointment (or the next) until the officer leaves those states or the term ends."""

    label: str = "Quarterly activity report"
    states: Names
    # Roles that supervise every officer in those states (such as the Detective Sergeant the SRO
    # reports to): they see every officer's reports, and enter them if `enter_reports` lists them.
    supervised_by: Names = Field(default_factory=list)
    to: list[str] = Field(default_factory=list)
    fields: list[ReportFieldSpec]
    packet: str
    # The first report covers the quarter in which the officer is appointed (appointment), or
    # the first quarter after it (next: the days before are reported with that quarter's).
    first_quarter: Literal["appointment", "next"]
    # Each report is due this many days after its quarter's last day; a due day that falls on a
    # weekend or one of the `holidays` moves to the working day before or after.
    due_days_after_quarter: int = Field(ge=1, le=90)
    due_on_closed_day: Literal["before", "after"] = "after"
    # The position's term from the day of appointment, if it has one: the last report covers
    # the quarter in which the term ends.
    term_months: int | None = Field(default=None, ge=1, le=600)
    # Only in the text of a selection opened before the rule: each listed quarter's due date,
    # kept as it was (see loader._read_old_report_calendar).
    due: dict[str, date] = Field(default_factory=dict)


class QualificationSpec(Strict):
    id: int = Field(ge=1, le=999)
    text: str
    enforced_by: Names


class Workflow(Strict):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    title: str
    version: Annotated[Text, StringConstraints(min_length=1, max_length=50)]
    description: str = ""
    letterhead: str
    position: str = ""
    # How many officers the selection fills: a transition into a state that holds a position
    # is refused while this many candidates are in such states.
    positions: int = Field(default=1, ge=1, le=100)
    assignment: str = ""
    roles: dict[Key, RoleSpec]
    permissions: PermissionsSpec
    states: dict[Key, StateSpec]
    transitions: list[TransitionSpec]
    evidence: dict[Key, EvidenceSpec]
    checks: dict[str, CheckSpec]
    panel: PanelSpec
    rubric: RubricSpec
    qualifications: list[QualificationSpec] = Field(default_factory=list)
    packets: dict[str, Names] = Field(default_factory=dict)
    packet_kinds: dict[str, PacketKindSpec] = Field(default_factory=dict)
    time_zone: str = "UTC"
    appeal: AppealSpec | None = None
    holidays: list[date] = Field(default_factory=list)
    fairness: FairnessSpec = Field(default_factory=FairnessSpec)
    # How long the ranking stays a valid eligible list, counted from the selection decision.
    eligible_list_months: int | None = Field(default=None, ge=1, le=120)
    position_brief: PositionBriefSpec | None = None
    training: TrainingSpec = Field(default_factory=TrainingSpec)

    activity_reports: ActivityReportsSpec | None = None

    @property
    def initial_state(self) -> str:
        return next(name for name, state in self.states.items() if state.initial)

    def transition(self, state: str, trigger: str) -> TransitionSpec | None:
        """The transition `trigger` fires from `state`, if any."""
        return next(
            (t for t in self.transitions if t.trigger == trigger and state in t.source), None
        )

    def triggers_from(self, state: str) -> list[TransitionSpec]:
        return [t for t in self.transitions if state in t.source]

    def trigger_labels(self) -> dict[str, str]:
        """Each trigger's label (its first transition's; `{name}` stands for the candidate's)."""
        labels: dict[str, str] = {}
        for t in self.transitions:
            labels.setdefault(t.trigger, t.label or t.trigger.replace("_", " "))
        return labels

    def closes_interview(self, transition: TransitionSpec) -> bool:
        """Whether the transition waits on every seat's submitted scorecard (a `panel_submitted`
        guard, as SRO's record_scores does): it records the interview's scores as held."""
        return any(
            g in self.checks and self.checks[g].kind == "panel_submitted" for g in transition.guards
        )

    def scores_recorded_states(self) -> set[str]:
        """The panel's scoring states in which the interview's scores are recorded: those a
        transition that closes the interview leads to (SRO: scored). Panelists still see the
        candidate there, but the scorecards are closed."""
        return {
            t.dest
            for t in self.transitions
            if self.closes_interview(t) and t.dest in self.panel.scoring_states
        }

    def training_states(self) -> set[str]:
        """The states in which training is directed and completed: where the transitions that
        direct training lead."""
        return {t.dest for t in self.transitions if t.directs_training}

    def interview_ahead(self, state: str) -> bool:
        """Whether a candidate in `state` is being interviewed or still may be: the state is one
        of the panel's scoring states or some path of transitions leads to one."""
        seen, frontier = {state}, [state]
        while frontier:
            here = frontier.pop()
            if here in self.panel.scoring_states:
                return True
            for t in self.triggers_from(here):
                if t.dest not in seen:
                    seen.add(t.dest)
                    frontier.append(t.dest)
        return False

    def schedulable_states(self) -> list[str]:
        """The states in which a candidate's interview may be scheduled: the panel's scoring
        states, and each state a transition leads from straight into one (SRO: eligible). An
        officer found ineligible is not among them, though a reinstatement could lead there."""
        scoring = self.panel.scoring_states
        sources = {s for t in self.transitions if t.dest in scoring for s in t.source}
        return [
            name for name in self.states if name in sources or name in self.panel.scoring_states
        ]

    def position_states(self) -> set[str]:
        """The states in which an officer holds one of the positions."""
        return {name for name, state in self.states.items() if state.holds_position}

    def takes_position(self, from_state: str, to_state: str) -> bool:
        """Whether moving from `from_state` to `to_state` takes one of the positions: it leads
        into a state that holds one from a state that does not."""
        held = self.position_states()
        return to_state in held and from_state not in held

    def in_words(self, text: str) -> str:
        """A generated line ("appearance_attitude mean 3.00 is not above 3") with each
        criterion named by its label, as people read it."""
        for criterion in self.rubric.criteria:
            text = re.sub(rf"\b{re.escape(criterion.id)}\b", criterion.label, text)
        return text

    def criterion(self, criterion_id: str) -> CriterionSpec | None:
        return next((c for c in self.rubric.criteria if c.id == criterion_id), None)


# The tie-break rules a rubric may list, the one place they are named: `criterion:<id>` for
# each criterion, and the fixed ones.
FIXED_TIE_BREAKS = {
    "fewest_flags": "fewer disagreement flags ranks first",
    "employee_id": "lower employee id ranks first (always decides)",
}
TIE_BREAK_RULES = {
    "criterion:<id>": "higher mean on that criterion ranks first",
    **FIXED_TIE_BREAKS,
}

ALL_KEYS = sorted({name for model in Strict.__subclasses__() for name in model.model_fields})
