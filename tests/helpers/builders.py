"""Small builders for test data: each makes one named thing through the real services.

`a_selection` opens the sample School Resource Officer selection (the demo's users, its roster
of eight officers and their evidence). The stage builders carry it one named stage further
(`in_screening`, `screened`, `with_panel`, `in_interview`, `declared`, `interviewed`,
`selected`, `in_training`, `trained`, `appointed`, `reported`, `removed`, `recalled`); each first reaches the stage before it, and a
stage already reached is not made twice, so a test names only the state it needs:

    sample = interviewed(a_selection(session, settings))

The smaller ones (`a_user`, `an_officer`, `renamed`, `a_panel`, `declare`, `scorecard`,
`advanced`, `some_users`, `with_passwords`) do one thing and nothing before it. Every service call of the tests' data is here, so a change of a service's signature is
made here only. Records are stamped on the sample's own clock: from 2027-01-15 09:00 UTC, one
second apart, jumping to the day a stage happens on (the demo's dates).
"""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Concatenate, ParamSpec

import yaml
from sqlmodel import Session

from qualify.config import Settings
from qualify.services import candidates, evidence, panel, scorecards, selections, training, users
from qualify.services.accounts import demo_password
from qualify.services.advance import advance
from qualify.services.candidate_edit import edit_candidate
from qualify.services.fairness import record_self_identification
from qualify.services.reports import add_report
from qualify.services.scenario import candidate_ids, letter_pdf
from qualify.services.schedule import parse_local, schedule_interview
from qualify.store.tables import Candidate, Selection
from tests.helpers.actors import as_user

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
# The demo's officers' evidence and self-identification (borrowed, not its steps).
DEMO = yaml.safe_load((EXAMPLES / "sro-demo.yaml").read_text(encoding="utf-8"))

HR, COMMANDER, CHIEF = "hr.alvarez", "cmdr.obrien", "chief.walsh"
USERS = {  # login: (role, full name, title)
    HR: ("hr", "Marisol Alvarez", "Human Resources Manager"),
    COMMANDER: ("commander", "Ann O'Brien", "Captain, Support Division Commander"),
    "rep.chen": ("school_rep", "Dr. Helen Chen", "Principal, Milford High School"),
    "rep.douglas": ("school_rep", "Robert Douglas", "Assistant Superintendent, SAU 40"),
    CHIEF: ("chief", "Michael Walsh", "Chief of Police"),
    "sgt.moreau": ("supervisor", "Claire Moreau", "Sergeant, Patrol Division"),
    "sgt.okafor": ("supervisor", "Emeka Okafor", "Sergeant, Patrol Division"),
    "sgt.lambert": (
        "detective_sergeant",
        "Daniel Lambert",
        "Detective Sergeant, Support Division",
    ),
}
PANEL = (COMMANDER, "rep.chen", "rep.douglas")
# Whitfield, Reyes, Natarajan and Fitzgerald meet every qualification.
ELIGIBLE = ("MPD-1042", "MPD-1077", "MPD-1103", "MPD-1199")
INELIGIBLE = {  # the commander's reason for each officer who does not qualify
    "MPD-1118": "Not certified full-time; under 2 years of full-time service on 2027-01-15.",
    "MPD-1150": "Probationary period completes 2027-03-01, after the as-of date.",
    "MPD-1166": "Sustained finding within 5 years; recommendation not from his supervisor.",
    "MPD-1181": "Does not meet qualification 4 (see the eligibility review).",
}
INTERVIEWS = {  # when each eligible officer is interviewed (Conference Room B)
    "MPD-1042": "2027-01-20 09:00",
    "MPD-1077": "2027-01-20 10:30",
    "MPD-1103": "2027-01-20 13:00",
    "MPD-1199": "2027-01-21 09:00",
}
ROOM = "Conference Room B, Milford Police Department"
TIME_ZONE = "America/New_York"  # the SRO workflow's
INTERVIEW_HELD = timedelta(hours=1)  # each interview lasts an hour, then the cards are submitted
INTERVIEWED = ("MPD-1042", "MPD-1077", "MPD-1103")  # Fitzgerald withdraws before his interview
OWEN_CONFLICT = "Corporal Fitzgerald is my neighbour and coaches my son."
CRITERIA = (
    "appearance_attitude",
    "role_model",
    "liaison",
    "not_disciplinarian",
    "prevention_education",
    "emergency_planning",
)
SCORES = {  # each panelist's scores (in CRITERIA's order) for each officer interviewed
    "MPD-1042": {COMMANDER: (5, 5, 4, 4, 4, 4), "rep.chen": (4, 5, 4, 5, 4, 3), "rep.douglas": (5, 4, 4, 4, 5, 4)},
    "MPD-1077": {COMMANDER: (4, 4, 4, 4, 3, 4), "rep.chen": (4, 4, 2, 4, 3, 3), "rep.douglas": (4, 4, 3, 4, 4, 3)},
    "MPD-1103": {COMMANDER: (3, 4, 4, 4, 4, 4), "rep.chen": (3, 4, 4, 3, 4, 4), "rep.douglas": (3, 4, 4, 4, 3, 4)},
}  # fmt: skip
COMMENTS = {  # the panel's comments on Dana Whitfield
    COMMANDER: {
        "appearance_attitude": "Immaculate uniform; warm and composed throughout.",
        "role_model": "Ran the Police Athletic League for three years; named students who still "
        "visit her.",
    },
    "rep.chen": {
        "role_model": "Described mentoring a student through a family crisis, with the counselor.",
        "not_disciplinarian": "Drew the line between crime and school rules exactly, with "
        "examples.",
    },
    "rep.douglas": {
        "appearance_attitude": "Professional and approachable; greeted every panelist by name.",
        "prevention_education": "Has taught a six-week anti-bullying unit at the middle school.",
    },
}
NOT_SELECTED = {  # the Chief's reason code and reason for each officer not selected
    "MPD-1077": ("higher_ranked_selected", "Ranked second; Officer Whitfield ranked first."),
    "MPD-1103": (
        "interview_standard_not_met",
        "Appearance and attitude not above average (mean 3.0); qualification 5.",
    ),
}
APPOINTED_ON = date(2027, 3, 15)
# Whitfield's quarterly activity reports.
FIRST_QUARTER = {
    "meetings": "5",
    "presentations": "3",
    "referrals": "2",
    "rule_referrals": "4",
    "drills": "2",
    "incidents": "3",
    "highlights": "Taught the six-week anti-bullying unit at Milford Middle School.",
}
SECOND_QUARTER = {
    "meetings": "6",
    "presentations": "2",
    "referrals": "3",
    "rule_referrals": "2",
    "drills": "1",
    "incidents": "2",
    "highlights": "Summer safety meetings with the Parks Department.",
}


@dataclass
class Clock:
    """The sample's clock: one second per record, from 09:00 UTC on its first day."""

    last: datetime

    def tick(self) -> datetime:
        self.last = self.last.replace(microsecond=0) + timedelta(seconds=1)
        return self.last

    def move_past(self, moment: datetime) -> None:
        """Let the next record fall after `moment` (unless the clock is past it already)."""
        self.last = max(self.last, moment)

    def move_to(self, day: date, at: time = time(9, 0)) -> None:
        """Let the next record fall on `day` at `at` UTC (unless the clock is past it already)."""
        self.last = max(self.last, datetime.combine(day, at, tzinfo=UTC) - timedelta(seconds=1))


@dataclass
class Sample:
    """The sample selection a test builds: its id, each officer's candidate id, its clock."""

    session: Session
    settings: Settings
    selection: Selection
    ids: dict[str, int]  # employee id -> candidate id
    clock: Clock
    years_back: int = 0  # every date of the demo moved this many years earlier
    reached: set[str] = field(default_factory=set)

    @property
    def selection_id(self) -> int:
        assert self.selection.id is not None
        return self.selection.id

    def day(self, text: str) -> str:
        """`text` with every date in it moved back by `years_back` (28 February for the 29th)."""

        def moved(found: re.Match[str]) -> str:
            day = date.fromisoformat(found.group(0))
            last = 28 if day.month == 2 else 31
            return day.replace(year=day.year - self.years_back, day=min(day.day, last)).isoformat()

        return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", moved, text) if self.years_back else text

    def date(self, text: str) -> date:
        return date.fromisoformat(self.day(text))


P = ParamSpec("P")


def stage(
    build: Callable[Concatenate[Sample, P], None],
) -> Callable[Concatenate[Sample, P], Sample]:
    """A stage is made once per sample; calling it again returns the sample as it is."""

    @functools.wraps(build)
    def once(sample: Sample, /, *args: P.args, **kwargs: P.kwargs) -> Sample:
        if build.__name__ not in sample.reached:
            build(sample, *args, **kwargs)
            sample.reached.add(build.__name__)
        return sample

    return once


def a_selection(
    session: Session,
    settings: Settings,
    *,
    self_identified: bool = False,
    years_back: int = 0,
) -> Sample:
    """The sample selection: the demo's users, School Resource Officer 2027 as of 2027-01-15,
    its eight officers (roster.csv) and every officer's evidence; with `self_identified`, their
    voluntary self-identification too. `years_back` moves every date
    that many years earlier (for tests on the real clock)."""
    start = date(2027 - years_back, 1, 15)
    clock = Clock(datetime.combine(start, time(9, 0), tzinfo=UTC) - timedelta(seconds=1))
    (role, full_name, title) = USERS[HR]
    users.create_admin(
        session=session,
        workflows_dir=settings.workflows_dir,
        actor=as_user(HR),
        roles=[role],
        full_name=full_name,
        title=title,
        now=clock.tick(),
    )
    opened = Sample(session, settings, Selection(), {}, clock, years_back)
    for name, (role, full_name, title) in USERS.items():
        if name != HR:
            a_user(opened, name, role, full_name=full_name, title=title)
    opened.selection = selections.open_selection(
        session=session,
        settings=settings,
        title="School Resource Officer 2027",
        workflow="sro-selection",
        as_of=opened.date("2027-01-15"),
        actor=as_user(HR),
        now=clock.tick(),
    )
    candidates.import_roster(
        session=session,
        selection_id=opened.selection_id,
        path=EXAMPLES / "roster.csv",
        actor=as_user(HR),
        now=clock.tick(),
    )
    opened.ids = candidate_ids(session, opened.selection_id)
    with_evidence(opened)
    if self_identified:
        for employee, chosen in DEMO["self_identification"].items():
            record_self_identification(
                session=session,
                candidate_id=opened.ids[employee],
                sex=chosen["sex"],
                race_ethnicity=chosen["race_ethnicity"],
                actor=as_user(HR),
                now=clock.tick(),
            )
    return opened


def a_past_selection(session: Session, settings: Settings) -> Sample:
    """The sample selection moved back to last year (or further), so that on the real clock
    its interviews have been held: for tests that score on the real clock (the command line,
    a service called without `now`)."""
    return a_selection(session, settings, years_back=2027 - (date.today().year - 1))


def a_user(sample: Sample, name: str, role: str, *, full_name: str, title: str) -> str:
    """A user with one role, added by HR with the full name and title documents name them by;
    returns the login."""
    users.add_user(
        session=sample.session,
        workflows_dir=sample.settings.workflows_dir,
        name=name,
        roles=[role],
        full_name=full_name,
        title=title,
        actor=as_user(HR),
        now=sample.clock.tick(),
    )
    return name


def an_officer(
    sample: Sample, employee_id: str, first_name: str, last_name: str, *, unit: str = "Patrol A"
) -> int:
    """One more officer (supervised by Sgt. Moreau) added to the roster by HR, not yet in
    screening; returns the candidate id, also kept in the sample's `ids`."""
    added = candidates.add_candidate(
        session=sample.session,
        selection_id=sample.selection_id,
        values={
            "employee_id": employee_id,
            "first_name": first_name,
            "last_name": last_name,
            "rank": "Officer",
            "unit": unit,
            "supervisor": "sgt.moreau",
            "email": "",
        },
        actor=as_user(HR),
        now=sample.clock.tick(),
    )
    assert added.id is not None
    sample.ids[employee_id] = added.id
    return added.id


def renamed(sample: Sample, employee: str, first_name: str, last_name: str) -> None:
    """HR corrects the officer's name."""
    edit_candidate(
        session=sample.session,
        candidate_id=sample.ids[employee],
        changes={"first_name": first_name, "last_name": last_name},
        reason="testing that names are shown as text",
        actor=as_user(HR),
        now=sample.clock.tick(),
    )


def some_users(session: Session, settings: Settings, roles: dict[str, str]) -> list[str]:
    """Users with one role each (login: role), with no selection: the first is the administrator,
    who adds the others. Returns the logins. Each is named by their login, with their role
    for a title, so that pages show the logins the tests sign in with."""
    (admin, role), *others = roles.items()
    users.create_admin(
        session=session, workflows_dir=settings.workflows_dir, actor=as_user(admin), roles=[role]
    )
    for name, role in others:
        users.add_user(
            session=session,
            workflows_dir=settings.workflows_dir,
            name=name,
            roles=[role],
            full_name=name,
            title=role.replace("_", " "),
            actor=as_user(admin),
        )
    return list(roles)


def password_of(name: str) -> str:
    """The portal password `portal_data.prepare` gives each sample user (test data only)."""
    return f"{name} portal password"


def with_passwords(session: Session, passwords: dict[str, str]) -> None:
    """Each user's portal password (login: password), set as the demo sets them."""
    for name, password in passwords.items():
        demo_password(session=session, actor=as_user(name), password=password)


def with_evidence(sample: Sample) -> Sample:
    """Every officer's evidence records (the demo's), entered by HR; letters as PDF files."""
    with tempfile.TemporaryDirectory() as tmp:
        for employee, records in DEMO["evidence"].items():
            for record in records:
                fields = {k: sample.day(str(v)) for k, v in record.items() if k != "kind"}
                file = None
                if "letter" in fields:
                    file = Path(tmp) / f"{employee}-letter.pdf"
                    file.write_bytes(letter_pdf(fields.pop("letter") + "\n"))
                evidence.add_evidence(
                    session=sample.session,
                    files_dir=sample.settings.files_dir,
                    candidate_id=sample.ids[employee],
                    kind=record["kind"],
                    fields=fields,
                    file=file,
                    actor=as_user(HR),
                    now=sample.clock.tick(),
                )
    return sample


def advanced(sample: Sample, trigger: str, by: str, employees: Iterable[str], **why: str) -> None:
    """Fire `trigger` on each officer named, as `by` (with a reason, reason_code, ... in `why`)."""
    for employee in employees:
        advance(
            session=sample.session,
            candidate_id=sample.ids[employee],
            trigger=trigger,
            actor=as_user(by),
            now=sample.clock.tick(),
            **why,  # type: ignore[arg-type]
        )


def a_panel(
    sample: Sample, *, alternates: Iterable[tuple[str, str]] = (), timed: bool = True
) -> list[str]:
    """The interview panel seated by HR (the commander and the two school representatives,
    with `alternates` as (seat, user)) and, with `timed`, each eligible officer's interview set
    for a time and a place (only an officer found eligible has one to set); no one's state
    changes. Returns the panelists."""
    panel.assign_panel(
        session=sample.session,
        selection_id=sample.selection_id,
        seats=[("commander", COMMANDER), ("school_rep", "rep.chen"), ("school_rep", "rep.douglas")],
        alternates=list(alternates),
        actor=as_user(HR),
        now=sample.clock.tick(),
    )
    for employee, at in INTERVIEWS.items() if timed else ():
        schedule_interview(
            session=sample.session,
            candidate_id=sample.ids[employee],
            at=sample.day(at),
            place=ROOM,
            actor=as_user(HR),
            now=sample.clock.tick(),
        )
    return list(PANEL)


def declare(
    sample: Sample, panelist: str, employees: Iterable[str], conflict: str | None = None
) -> None:
    """The panelist's declaration for each officer named: no conflict, or `conflict`."""
    for employee in employees:
        panel.declare(
            session=sample.session,
            candidate_id=sample.ids[employee],
            actor=as_user(panelist),
            conflict=conflict,
            now=sample.clock.tick(),
        )


def scorecard(
    sample: Sample,
    panelist: str,
    employee: str,
    scores: dict[str, str],
    comments: dict[str, str] | None = None,
    *,
    submit: bool = True,
) -> None:
    """The panelist's scorecard for the officer, submitted unless `submit` is False, an hour
    after their interview begins as INTERVIEWS sets it (a scorecard is submitted after the
    interview; the clock moves on, whether `a_panel` set the time or not)."""
    if employee in INTERVIEWS:
        at = parse_local(sample.day(INTERVIEWS[employee]), TIME_ZONE)
        sample.clock.move_past(at.astimezone(UTC) + INTERVIEW_HELD)
    scorecards.score(
        session=sample.session,
        candidate_id=sample.ids[employee],
        actor=as_user(panelist),
        scores=scores,
        comments=comments or {},
        submit=submit,
        now=sample.clock.tick(),
    )


@stage
def in_screening(sample: Sample) -> None:
    """Every officer put into screening by HR; none screened yet."""
    advanced(sample, "begin_screening", HR, sample.ids)


@stage
def screened(sample: Sample) -> None:
    """The commander's findings: four officers eligible, four not (each with the reason)."""
    in_screening(sample)
    advanced(sample, "confirm_eligible", COMMANDER, ELIGIBLE)
    for employee, reason in INELIGIBLE.items():
        advanced(
            sample,
            "declare_ineligible",
            COMMANDER,
            [employee],
            # Grace Liu's probation is not complete on file: undecided, not failed.
            reason_code="records_incomplete"
            if employee == "MPD-1150"
            else "qualifications_not_met",
            reason=reason,
        )


@stage
def with_panel(sample: Sample, *, alternates: Iterable[tuple[str, str]] = ()) -> None:
    """The panel seated, the interviews set, the four eligible officers in interview; nobody
    has declared yet."""
    screened(sample)
    a_panel(sample, alternates=alternates)
    advanced(sample, "schedule_interview", HR, ELIGIBLE)


@stage
def in_interview(sample: Sample) -> None:
    """Rep. Douglas declares a conflict with Corporal Fitzgerald (MPD-1199), who then
    withdraws: three officers left in interview, nobody else has declared."""
    with_panel(sample)
    declare(sample, "rep.douglas", ["MPD-1199"], conflict=OWEN_CONFLICT)
    advanced(
        sample,
        "withdraw",
        HR,
        ["MPD-1199"],
        reason_code="accepted_other_assignment",
        reason="Accepted a detective position before his interview.",
    )


@stage
def declared(sample: Sample, *, panelists: Iterable[str] = PANEL) -> None:
    """Each of `panelists` (the whole panel unless named) declares no conflict for the three
    officers in interview; nothing is scored yet."""
    in_interview(sample)
    for panelist in panelists:
        declare(sample, panelist, INTERVIEWED)


@stage
def panel_scored(sample: Sample, *, changes: dict[str, dict[str, str]] | None = None) -> None:
    """Every panelist's scorecard submitted (SCORES, with `changes` to an officer's scores
    on every card); the interview not closed yet, so a panelist may still correct a card."""
    declared(sample)
    for employee, cards in SCORES.items():
        for panelist, numbers in cards.items():
            scores = {c: str(n) for c, n in zip(CRITERIA, numbers, strict=True)}
            scores |= (changes or {}).get(employee, {})
            comments = COMMENTS[panelist] if employee == "MPD-1042" else {}
            scorecard(sample, panelist, employee, scores, comments)


@stage
def interviewed(sample: Sample, *, changes: dict[str, dict[str, str]] | None = None) -> None:
    """Every panelist's scorecard submitted (`panel_scored`), and HR records the scores
    (the scorecards are closed): Whitfield ranks first and passes, Natarajan fails on
    appearance (mean 3.0) unless changed, Reyes passes."""
    panel_scored(sample, changes=changes)
    advanced(sample, "record_scores", HR, INTERVIEWED)


@stage
def selected(
    sample: Sample, *, not_selected: dict[str, tuple[str, str]] | None = NOT_SELECTED
) -> None:
    """The Chief selects Dana Whitfield (MPD-1042) and does not select the officers in
    `not_selected` (employee: (reason code, reason)); `None` leaves them scored."""
    interviewed(sample)
    advanced(sample, "select", CHIEF, ["MPD-1042"])
    for employee, (code, reason) in (not_selected or {}).items():
        advanced(sample, "not_select", CHIEF, [employee], reason_code=code, reason=reason)


@stage
def in_training(sample: Sample) -> None:
    """Whitfield's training directed, by the Detective Sergeant (basic_sro and legal_issues,
    due 2027-03-05) and the commander (school_emergency_planning, due 2027-03-12), in January
    2027; nothing recorded complete yet."""
    selected(sample)
    dana = sample.ids["MPD-1042"]
    directed = [
        ("2027-01-25", "sgt.lambert", ["basic_sro", "legal_issues"], "2027-03-05"),
        ("2027-01-27", COMMANDER, ["school_emergency_planning"], "2027-03-12"),
    ]
    for day, by, courses, due in directed:
        sample.clock.move_to(sample.date(day))
        training.assign_training(
            session=sample.session,
            candidate_id=dana,
            courses=courses,
            due_on=sample.day(due),
            actor=as_user(by),
            now=sample.clock.tick(),
        )


@stage
def trained(sample: Sample) -> None:
    """Whitfield's training, directed by the Detective Sergeant and the commander and completed
    between January and March 2027 (two courses with a certificate)."""
    in_training(sample)
    dana = sample.ids["MPD-1042"]
    completed = [
        ("2027-02-22", HR, "basic_sro", "2027-02-19", "Basic School Resource Officer course."),
        ("2027-02-26", "sgt.lambert", "legal_issues", "2027-02-26", None),
        ("2027-03-10", HR, "school_emergency_planning", "2027-03-09", "Emergency planning."),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for day, by, course, on, certificate in completed:
            sample.clock.move_to(sample.date(day))
            file = None
            if certificate:
                file = Path(tmp) / f"{course}.pdf"
                file.write_bytes(letter_pdf(certificate))
            training.complete_training(
                session=sample.session,
                files_dir=sample.settings.files_dir,
                candidate_id=dana,
                course=course,
                on=sample.day(on),
                actor=as_user(by),
                file=file,
                now=sample.clock.tick(),
            )


@stage
def appointed(sample: Sample, *, on: date | None = None) -> None:
    """The Chief appoints Whitfield at noon in Milford (17:00 UTC) on `on` (the demo's
    2027-03-15 unless given; it must come after her training)."""
    trained(sample)
    day = on or sample.date(APPOINTED_ON.isoformat())
    assert datetime.combine(day, time(17, 0), tzinfo=UTC) > sample.clock.last, (
        f"appointment on {day} before the training that leads to it"
    )
    sample.clock.move_to(day, time(17, 0))
    advanced(
        sample,
        "appoint",
        CHIEF,
        ["MPD-1042"],
        reason="Completed the SRO training directed by the Detective Sergeant and the Support "
        "Division Commander.",
    )


@stage
def reported(sample: Sample) -> None:
    """Whitfield's quarterly activity reports for 2027Q1 (filed on 9 April, corrected by HR on
    20 April) and 2027Q2 (filed 19 July), by her supervisor."""
    appointed(sample)
    filed: list[tuple[str, str, str, dict[str, str], str | None]] = [
        ("2027-04-09", "sgt.moreau", "2027Q1", FIRST_QUARTER, None),
        ("2027-04-20", HR, "2027Q1", {"presentations": "4"}, "The Career Day talk was left out."),
        ("2027-07-19", "sgt.moreau", "2027Q2", SECOND_QUARTER, None),
    ]
    for day, by, quarter, fields, reason in filed:
        sample.clock.move_to(sample.date(day))
        add_report(
            session=sample.session,
            candidate_id=sample.ids["MPD-1042"],
            quarter=quarter,
            fields=fields,
            reason=reason,
            actor=as_user(by),
            now=sample.clock.tick(),
        )


@stage
def removed(sample: Sample) -> None:
    """The Chief removes Whitfield on 2027-09-20 for an infraction of a school rule."""
    reported(sample)
    sample.clock.move_to(sample.date("2027-09-20"))
    advanced(
        sample,
        "remove",
        CHIEF,
        ["MPD-1042"],
        category="school_rule",
        reason="Disciplined a student for a dress-code violation instead of referring it to the "
        "administration (duty 9).",
    )


@stage
def recalled(sample: Sample) -> None:
    """The Chief recalls Reyes, next on the eligible list, on 2027-09-27."""
    removed(sample)
    sample.clock.move_to(sample.date("2027-09-27"))
    advanced(
        sample,
        "recall",
        CHIEF,
        ["MPD-1077"],
        reason="The position is vacant since Officer Whitfield's removal; Officer Reyes is next.",
    )


def states(sample: Sample) -> dict[str, str]:
    """Each officer's state, by employee id."""
    found: dict[str, str] = {}
    for employee, cid in sample.ids.items():
        candidate = sample.session.get(Candidate, cid)
        assert candidate is not None
        found[employee] = candidate.state
    return found


# After every sample interview is held (the last, MPD-1199's, begins 2027-01-21 09:00 EST): for
# a test that submits scorecards on the sample with a `now` of its own.
AFTER_INTERVIEWS = datetime(2027, 1, 21, 15, 0, tzinfo=UTC) + INTERVIEW_HELD
