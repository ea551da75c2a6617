"""Random sequences of triggers by random actors never break the workflow's rules."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import text
from sqlmodel import Session, select

from qualify.config import Settings
from qualify.errors import QualifyError, RuleViolation
from qualify.services.advance import advance
from qualify.services.panel import declare
from qualify.services.scenario import Scenario, candidate_ids
from qualify.services.scorecards import score
from qualify.services.training import assign_training, complete_training
from qualify.store import db
from qualify.store.checking import evaluate, load_facts
from qualify.store.frozen import workflow_of
from qualify.store.integrity import result_mismatches
from qualify.store.scores import ranking
from qualify.store.tables import Candidate, Evidence, Selection, TrainingDirection
from tests.conftest import SCENARIO
from tests.helpers.actors import CLI, as_user
from tests.helpers.builders import AFTER_INTERVIEWS, a_panel, a_selection
from tests.helpers.selected import selected_db

_TEMPLATE: dict[str, Path] = {}


def template_db() -> Path:
    """The sample selection with all its evidence and its panel seated (the interviews set, no
    one in screening yet), built once and copied for each example."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="qualify-stateful-"))
        path = folder / "template.db"
        engine = db.make_engine(f"sqlite:///{path}")
        db.upgrade(engine)
        config = Settings.from_env(
            {"QUALIFY_FILES": str(folder / "files")}, database_url=f"sqlite:///{path}"
        )
        with Session(engine, expire_on_commit=False) as session:
            a_panel(a_selection(session, config), timed=False)  # every officer still nominated
        engine.dispose()
        with sqlite3.connect(path) as raw:  # fold the WAL into the file before copying it
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


SCEN = Scenario.load(SCENARIO, CLI)
# Two eligible officers and one who fails checks, so that sequences go deep.
EMPLOYEES = ["MPD-1042", "MPD-1077", "MPD-1118"]
USERS = sorted(SCEN.data["users"])
PANEL = ["cmdr.obrien", "rep.chen", "rep.douglas"]
TRIGGERS = [
    "begin_screening",
    "confirm_eligible",
    "declare_ineligible",
    "reinstate",
    "schedule_interview",
    "record_scores",
    "select",
    "not_select",
    "assign_training",
    "appoint",
    "remove",
    "recall",
    "withdraw",
    "no_such_trigger",
]
COURSES = ["basic_sro", "legal_issues", "school_emergency_planning"]
DIRECTORS = {"detective_sergeant", "commander"}
RECORDERS = DIRECTORS | {"hr"}


def milford_today() -> date:
    """Today in the selection's time zone, as the training rules count days."""
    return datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()


class AdvanceMachine(RuleBasedStateMachine):
    @initialize()
    def open_copy(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="qualify-example-"))
        path = self.folder / "q.db"
        shutil.copy(template_db(), path)
        self.engine = db.make_engine(f"sqlite:///{path}")
        with Session(self.engine) as session:
            self.selection = session.get(Selection, 1)
            assert self.selection is not None
            self.ids = candidate_ids(session, 1)
        self.loaded = workflow_of(self.selection)
        self.spec = self.loaded.spec
        self.model = dict.fromkeys(self.ids.values(), self.spec.initial_state)
        self.guarded_ok: set[int] = set()
        self.decided = False  # a selection decision starts the eligible list
        # The courses directed for each candidate, and those recorded complete.
        self.directed: dict[int, set[str]] = {c: set() for c in self.ids.values()}
        self.completed: dict[int, set[str]] = {c: set() for c in self.ids.values()}

    @rule(
        employee=st.sampled_from(EMPLOYEES),
        trigger=st.sampled_from([*TRIGGERS, *["valid"] * 10]),
        pick=st.integers(0, 9),
        actor=st.sampled_from([*USERS, "stranger", "right", "right", "right"]),
        reason=st.sampled_from([None, "", "documented reason", "documented reason"]),
        notice=st.sampled_from([None, "What the letter says.", "What the letter says."]),
        category=st.sampled_from([None, "policy", "school_rule", "school_rules"]),
        skip_reason=st.sampled_from([None, None, None, "Declined the assignment."]),
    )
    def fire(
        self,
        employee: str,
        trigger: str,
        pick: int,
        actor: str,
        reason: str | None,
        notice: str | None,
        category: str | None,
        skip_reason: str | None,
    ) -> None:
        candidate = self.ids[employee]
        before = self.model[candidate]
        if trigger == "valid":  # often a trigger that exists from the current state
            valid = [t.trigger for t in self.spec.triggers_from(before)] or ["withdraw"]
            trigger = valid[0] if pick < 7 else valid[pick % len(valid)]  # mostly forward
        if actor == "right":  # often pick someone who holds a role the trigger allows
            transition = next((t for t in self.spec.transitions if t.trigger == trigger), None)
            roles = set(transition.roles) if transition else set()
            actor = next((u for u in USERS if roles & set(SCEN.roles_of(u))), "stranger")
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                done = advance(
                    session=session,
                    candidate_id=candidate,
                    trigger=trigger,
                    actor=as_user(actor),
                    reason=reason,
                    notice=notice,
                    category=category,
                    skip_reason=skip_reason,
                )
            except QualifyError:
                return
            transition = self.spec.transition(before, trigger)
            # Only a legal transition, by an allowed role, with a reason where required ...
            assert transition is not None, (before, trigger)
            assert done.to_state == transition.dest
            assert set(SCEN.roles_of(actor)) & set(transition.roles)
            assert not transition.reason_required or (reason or "").strip()
            assert not transition.notice_required or notice
            # A removal names a category the workflow lists; nothing else takes one.
            assert (category in transition.categories) if transition.categories else not category
            if transition.eligible_list:
                # A recall: after a selection decision (the list is valid for 12 months, far
                # longer than a test runs), and skipping a better-ranked passing officer who
                # waits only with a reason.
                assert self.decided
                assert self.selection is not None
                ranked = {r.candidate_id: r for r in ranking(session, self.selection)}
                mine = ranked[candidate].rank or 0
                above = [
                    c
                    for c, state in self.model.items()
                    if state == before and c != candidate
                    if c in ranked and ranked[c].passed and (ranked[c].rank or 0) < mine
                ]
                assert skip_reason or not above
            else:
                assert skip_reason is None
            # ... and only when every guard passes on the evidence as of the selection's date.
            candidate_row = session.get(Candidate, candidate)
            assert candidate_row is not None
            assert self.selection is not None
            facts = load_facts(session, self.selection, [candidate_row])[candidate]
            results = {
                r.check: r.status
                for r in evaluate(
                    self.loaded, facts, self.selection.as_of, datetime.now(UTC).date()
                )
            }
            assert all(results[g] == "pass" for g in transition.guards)
            if transition.guards:
                self.guarded_ok.add(candidate)
            # ... and into a state that holds a position only while one is free.
            if self.spec.takes_position(before, transition.dest):
                held = self.spec.position_states()
                others = [c for c, s in self.model.items() if c != candidate and s in held]
                assert len(others) < self.spec.positions, others
            # Training is directed only with its courses (qualify training assign) ...
            assert not transition.directs_training
            # ... and the appointment waits for every course directed, at least one.
            if transition.requires_training:
                assert self.directed[candidate]
                assert self.directed[candidate] <= self.completed[candidate]
        self.model[candidate] = done.to_state
        self.decided |= trigger == "select"
        event(f"reached {done.to_state} by {trigger}")

    # The training rules have no precondition (a rule that is often disabled makes Hypothesis
    # give up on examples): with nobody to train they do nothing.
    @rule(
        pick=st.integers(0, 2),
        courses=st.lists(st.sampled_from(COURSES), min_size=0, max_size=2),
        days=st.integers(-1, 30),
        actor=st.sampled_from(["sgt.lambert", "cmdr.obrien", "chief.walsh", "hr.alvarez"]),
    )
    def direct_training(self, pick: int, courses: list[str], days: int, actor: str) -> None:
        waiting = sorted(c for c, s in self.model.items() if s in ("selected", "training"))
        if not waiting:
            return
        candidate = waiting[pick % len(waiting)]
        due = milford_today() + timedelta(days=days)
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                assign_training(
                    session=session,
                    candidate_id=candidate,
                    courses=courses,
                    due_on=due.isoformat(),
                    actor=as_user(actor),
                )
            except QualifyError:
                return
        # Only courses named once, due no earlier than today, new for the candidate, by a
        # role that directs training.
        assert courses
        assert len(set(courses)) == len(courses)
        assert days >= 0
        assert set(SCEN.roles_of(actor)) & DIRECTORS
        assert not set(courses) & self.directed[candidate]
        self.directed[candidate] |= set(courses)
        self.model[candidate] = "training"
        event("training directed")

    @rule(
        pick=st.integers(0, 2),
        course=st.sampled_from([*COURSES, "open", "open", "open"]),
        days=st.sampled_from([0, 0, 0, -1, -2, 1]),
        actor=st.sampled_from(
            ["hr.alvarez", "sgt.lambert", "hr.alvarez", "chief.walsh", "rep.chen"]
        ),
    )
    def complete_course(self, pick: int, course: str, days: int, actor: str) -> None:
        waiting = sorted(c for c, s in self.model.items() if s == "training")
        if not waiting:
            return
        candidate = waiting[pick % len(waiting)]
        if course == "open":  # often a course directed and not yet complete
            still = sorted(self.directed[candidate] - self.completed[candidate]) or COURSES
            course = still[pick % len(still)]
        on = milford_today() + timedelta(days=days)
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                complete_training(
                    session=session,
                    files_dir=self.folder / "files",
                    candidate_id=candidate,
                    course=course,
                    on=on.isoformat(),
                    actor=as_user(actor),
                    # Directed today: a 40-hour course finished today needs its reason.
                    reason="Attended before it was directed.",
                )
            except QualifyError:
                return
        # Only a directed course, once, dated from the day it was directed (today, here) to
        # today, by HR or a role that directs training.
        assert course in self.directed[candidate]
        assert course not in self.completed[candidate]
        assert days == 0
        assert set(SCEN.roles_of(actor)) & RECORDERS
        self.completed[candidate].add(course)
        event("course completed")

    @precondition(lambda self: "interview" in getattr(self, "model", {}).values())
    @rule(
        pick=st.integers(0, 2),
        panelists=st.lists(st.sampled_from(PANEL), min_size=1, max_size=3, unique=True),
        values=st.lists(st.integers(2, 5), min_size=6, max_size=6),
    )
    def panel_scores(self, pick: int, panelists: list[str], values: list[int]) -> None:
        waiting = sorted(c for c, state in self.model.items() if state == "interview")
        candidate = waiting[pick % len(waiting)]
        criteria = [c.id for c in self.spec.rubric.criteria]
        for panelist in panelists:
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    declare(session=session, candidate_id=candidate, actor=as_user(panelist))
                except QualifyError:
                    session.rollback()
                try:
                    score(
                        session=session,
                        candidate_id=candidate,
                        actor=as_user(panelist),
                        scores={c: str(v) for c, v in zip(criteria, values, strict=True)},
                        comments=dict.fromkeys(criteria, "observed in the interview"),
                        submit=True,
                        now=AFTER_INTERVIEWS,
                    )
                except QualifyError:
                    continue
            event("scorecard submitted")

    @invariant()
    def stored_states_match_the_model(self) -> None:
        if not hasattr(self, "engine"):
            return
        with Session(self.engine) as session:
            rows = session.exec(text("SELECT id, state FROM candidate")).all()  # type: ignore[call-overload]
            # The stored interview results agree with a recomputation from the scorecards.
            assert result_mismatches(session) == []
            directions = session.exec(select(TrainingDirection)).all()
            completions = session.exec(
                select(Evidence).where(Evidence.kind == "training_completed")
            ).all()
        assert {(d.candidate_id, d.course) for d in directions} == {
            (c, course) for c, courses in self.directed.items() for course in courses
        }
        assert {(e.candidate_id, e.fields["course"]) for e in completions} == {
            (c, course) for c, courses in self.completed.items() for course in courses
        }
        assert dict(rows) == self.model
        for candidate, state in self.model.items():
            assert state in self.spec.states
            if state in ("eligible", "interview", "scored", "selected", "training", "appointed"):
                assert candidate in self.guarded_ok, "past eligibility without passed checks"
        chosen = {c for c, s in self.model.items() if s in ("selected", "training", "appointed")}
        if chosen:
            with Session(self.engine) as session:
                assert self.selection is not None
                by_id = {r.candidate_id: r for r in ranking(session, self.selection)}
            for candidate in chosen:  # every seat submitted, and the interview passed
                assert by_id[candidate].complete
                assert by_id[candidate].passed

    def teardown(self) -> None:
        if hasattr(self, "engine"):
            self.engine.dispose()
            shutil.rmtree(self.folder, ignore_errors=True)


AdvanceMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestRandomAdvances = AdvanceMachine.TestCase

_SELECTED: dict[str, Path] = {}


class TrainingMachine(AdvanceMachine):
    """The same rules from the moment the Chief selected Dana Whitfield (Luis Reyes scored and
    passed, Tom Brennan ineligible): directing courses, recording them and appointing, in any
    order, by anyone."""

    @initialize()
    def open_copy(self) -> None:
        if "path" not in _SELECTED:
            _SELECTED["path"] = selected_db(Path(tempfile.mkdtemp(prefix="qualify-selected-")))
        self.folder = Path(tempfile.mkdtemp(prefix="qualify-example-"))
        path = self.folder / "q.db"
        shutil.copy(_SELECTED["path"], path)
        self.engine = db.make_engine(f"sqlite:///{path}")
        with Session(self.engine) as session:
            self.selection = session.get(Selection, 1)
            assert self.selection is not None
            self.ids = candidate_ids(session, 1)
            rows = session.exec(text("SELECT id, state FROM candidate")).all()  # type: ignore[call-overload]
        self.loaded = workflow_of(self.selection)
        self.spec = self.loaded.spec
        self.model = dict(rows)
        past = {"eligible", "interview", "scored", "selected", "not_selected"}
        self.guarded_ok = {c for c, state in self.model.items() if state in past}
        self.decided = True  # the Chief selected Dana Whitfield: the eligible list runs
        self.directed = {c: set() for c in self.ids.values()}
        self.completed = {c: set() for c in self.ids.values()}

    @rule(pick=st.integers(0, 2))
    def appoint(self, pick: int) -> None:
        """The Chief appoints an officer in training: done exactly when every course directed
        is complete, else refused naming each one still open."""
        waiting = sorted(c for c, s in self.model.items() if s == "training")
        if not waiting:
            return
        candidate = waiting[pick % len(waiting)]
        still = self.directed[candidate] - self.completed[candidate]
        refused = ""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                advance(
                    session=session,
                    candidate_id=candidate,
                    trigger="appoint",
                    actor=as_user("chief.walsh"),
                )
            except RuleViolation as refusal:
                refused = str(refusal)
        if refused:
            assert still, refused
            assert "directed training is not complete" in refused
            assert all(f"({course}, due" in refused for course in still)
            return
        assert not still
        self.model[candidate] = "appointed"
        event("reached appointed")


TrainingMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestRandomTraining = TrainingMachine.TestCase
