"""Run a scenario file (users, a selection, a roster, evidence) through the ordinary services,
and the demo: the bundled scenario on a fresh database, with its checks, results, fairness
report and a verified audit log.

The demo and the tests use it; it holds nothing specific to one workflow: the file says it all.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from qualify import safeyaml
from qualify.actor import Actor, Origin
from qualify.config import Settings
from qualify.errors import BadInput
from qualify.files import read_regular_file
from qualify.limits import YAML_MAX_CHARS
from qualify.packets.render import write_atomic
from qualify.services import candidates, evidence, panel, scorecards, selections, training, users
from qualify.services.accounts import demo_password
from qualify.services.advance import advance
from qualify.services.audit_admin import checkpoint_head
from qualify.services.demo import clean, demo_key, demo_password_of, states_after_selection
from qualify.services.eligibility import run_checks
from qualify.services.fairness import fairness_report, record_self_identification, report_pdf
from qualify.services.firing import PacketPlace
from qualify.services.report_packet import print_report
from qualify.services.reports import add_report
from qualify.services.results import results
from qualify.services.scenario_spec import check_scenario
from qualify.services.schedule import schedule_interview
from qualify.store import audit, checkpoints, db
from qualify.store.checking import INTERVIEW_KINDS
from qualify.store.frozen import workflow_of
from qualify.store.integrity import verify
from qualify.store.tables import Candidate, Selection
from qualify.workflow.filetypes import DEFAULT_ACCEPT

INTERVIEW_HELD = timedelta(hours=1)  # the story's interviews each last an hour


@dataclass
class Scenario:
    """A parsed scenario file."""

    path: Path
    data: dict[str, Any]
    origin: Origin
    clock: list[datetime] = field(default_factory=list)
    files_dir: Path | None = None  # where evidence files go, from the settings of set_up
    interviews: dict[int, datetime] = field(default_factory=dict)  # candidate id -> scheduled

    @classmethod
    def load(cls, path: Path, origin: Origin) -> Scenario:
        raw = read_regular_file(path, label=str(path), limit=YAML_MAX_CHARS)
        try:
            data = safeyaml.safe_load(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BadInput(f"{path}: not UTF-8 text (byte {exc.start})") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f":{mark.line + 1}" if mark else ""
            raise BadInput(f"{path}{line}: cannot read the scenario: {exc.problem}") from None
        except yaml.YAMLError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BadInput(f"{path}: cannot read the scenario: {reason}") from None
        if not isinstance(data, dict):
            raise BadInput(f"{path}: a scenario must be a mapping")
        check_scenario(path, data)
        return cls(path, data, origin)

    def candidate_id(self, ids: dict[str, int], employee: object) -> int:
        """The id of the candidate with this employee id, which the roster must hold."""
        found = ids.get(str(employee))
        if found is None:
            raise BadInput(f"{self.path}: employee {employee} is not on the roster")
        return found

    def tick(self) -> datetime:
        """The next timestamp: one second after the last, from `recorded_on` at 09:00 UTC."""
        if not self.clock:
            day = date.fromisoformat(str(self.data["recorded_on"]))
            self.clock.append(datetime.combine(day, time(9, 0), tzinfo=UTC))
        else:
            self.clock.append(self.clock[-1].replace(microsecond=0) + _SECOND)
        return self.clock[-1]

    def move_to(self, day: date) -> None:
        """Let the next timestamps fall on `day` (at 09:00 UTC), unless the clock is past it."""
        moment = datetime.combine(day, time(9, 0), tzinfo=UTC) - _SECOND
        if not self.clock:
            self.tick()
        if moment > self.clock[-1]:
            self.clock.append(moment)

    def move_past(self, moment: datetime) -> None:
        """Let the next timestamps fall after `moment`, unless the clock is past it."""
        if not self.clock:
            self.tick()
        if moment > self.clock[-1]:
            self.clock.append(moment)

    def actor(self, name: str) -> Actor:
        """The scenario's user `name` acting through its front door."""
        return self.origin.actor(name)

    @property
    def first_user(self) -> str:
        return str(next(iter(self.data["users"])))

    @property
    def users(self) -> dict[str, dict[str, Any]]:
        """Each user's roles, full name and title. A user is given either as a list of roles or
        as a mapping with `roles`, `full_name` and `title`; every user but the first (the
        administrator) needs the mapping, as `qualify user add` needs both names."""
        found: dict[str, dict[str, Any]] = {}
        for name, given in self.data["users"].items():
            entry = given if isinstance(given, dict) else {"roles": given}
            found[str(name)] = {
                "roles": [str(r) for r in entry.get("roles", [])],
                "full_name": str(entry.get("full_name", "")),
                "title": str(entry.get("title", "")),
            }
        return found

    def roles_of(self, name: str) -> list[str]:
        user = self.users.get(name)
        return user["roles"] if user else []


_SECOND = timedelta(seconds=1)


def user_with_role(scenario: Scenario, role: str) -> str:
    for name, user in scenario.users.items():
        if role in user["roles"]:
            return name
    raise BadInput(f"{scenario.path}: users: no user has the role {role}")


def set_up(session: Session, settings: Settings, scenario: Scenario) -> Selection:
    """Users, the selection and the roster: everything before evidence."""
    data = scenario.data
    hr = scenario.first_user
    scenario.files_dir = settings.files_dir
    (first, admin), *others = scenario.users.items()
    users.create_admin(
        session=session,
        workflows_dir=settings.workflows_dir,
        actor=scenario.actor(first),
        roles=admin["roles"],
        full_name=admin["full_name"],
        title=admin["title"],
        now=scenario.tick(),
    )
    for name, user in others:
        if not (user["full_name"].strip() and user["title"].strip()):
            raise BadInput(
                f"{scenario.path}: users: {name}: give full_name and title "
                "(documents name people by them)"
            )
        users.add_user(
            session=session,
            workflows_dir=settings.workflows_dir,
            name=name,
            roles=user["roles"],
            full_name=user["full_name"],
            title=user["title"],
            actor=scenario.actor(hr),
            now=scenario.tick(),
        )
    selection = selections.open_selection(
        session=session,
        settings=settings,
        title=str(data["title"]),
        workflow=str(data["workflow"]),
        as_of=date.fromisoformat(str(data["as_of"])),
        actor=scenario.actor(hr),
        now=scenario.tick(),
    )
    assert selection.id is not None
    candidates.import_roster(
        session=session,
        selection_id=selection.id,
        path=scenario.path.parent / str(data["roster"]),
        actor=scenario.actor(hr),
        now=scenario.tick(),
    )
    return selection


def candidate_ids(session: Session, selection_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Candidate.employee_id, Candidate.id).where(Candidate.selection_id == selection_id)
    ).all()
    return {employee: cid for employee, cid in rows if cid is not None}


def add_evidence(
    session: Session, settings: Settings, scenario: Scenario, selection: Selection
) -> None:
    """Every evidence record of the scenario, entered by its first (HR) user."""
    spec = workflow_of(selection).spec
    assert selection.id is not None
    ids = candidate_ids(session, selection.id)
    with tempfile.TemporaryDirectory() as tmp:
        for employee, records in scenario.data.get("evidence", {}).items():
            for record in records:
                values = {k: str(v) for k, v in record.items() if k != "kind"}
                kind = str(record["kind"])
                file = None
                # An unknown kind is refused by the service with the kinds it knows.
                declared = spec.evidence[kind].fields if kind in spec.evidence else {}
                for name, fspec in declared.items():
                    if fspec.type == "file" and name in values:
                        text = values.pop(name) + "\n"
                        if "text" in (fspec.accept or DEFAULT_ACCEPT):
                            file = Path(tmp) / f"{employee}-{kind}.txt"
                            file.write_text(text, encoding="utf-8")
                        else:
                            file = Path(tmp) / f"{employee}-{kind}.pdf"
                            file.write_bytes(letter_pdf(text))
                evidence.add_evidence(
                    session=session,
                    files_dir=settings.files_dir,
                    candidate_id=scenario.candidate_id(ids, employee),
                    kind=kind,
                    fields=values,
                    file=file,
                    actor=scenario.actor(scenario.first_user),
                    now=scenario.tick(),
                )


def add_self_identification(session: Session, scenario: Scenario, selection: Selection) -> None:
    """The scenario's voluntary self-identification, entered by its first (HR) user."""
    assert selection.id is not None
    ids = candidate_ids(session, selection.id)
    for employee, chosen in scenario.data.get("self_identification", {}).items():
        record_self_identification(
            session=session,
            candidate_id=scenario.candidate_id(ids, employee),
            sex=str(chosen.get("sex", "declined")),
            race_ethnicity=str(chosen.get("race_ethnicity", "declined")),
            actor=scenario.actor(scenario.first_user),
            now=scenario.tick(),
        )


def run_steps(
    session: Session,
    scenario: Scenario,
    selection: Selection,
    *,
    start: int = 0,
    until: int | None = None,
    packets: PacketPlace | None = None,
) -> None:
    """Carry out the scenario's `steps` in order (steps[start:until])."""
    assert selection.id is not None
    ids = candidate_ids(session, selection.id)
    steps = scenario.data.get("steps", [])
    for step in steps[start:until]:
        by = scenario.actor(str(step["by"]))
        if step.get("day") is not None:
            scenario.move_to(date.fromisoformat(str(step["day"])))
        if step["do"] in ("training_assign", "training_complete"):
            _training_step(session, scenario, ids, step, packets)
        elif step["do"] == "advance":
            for employee in step["candidates"]:
                advance(
                    session=session,
                    candidate_id=scenario.candidate_id(ids, employee),
                    trigger=str(step["trigger"]),
                    actor=by,
                    reason=step.get("reason"),
                    now=scenario.tick(),
                    packets=packets,
                    notice=step.get("notice"),
                    reason_code=step.get("reason_code"),
                    category=step.get("category"),
                    skip_reason=step.get("skip_reason"),
                )
        elif step["do"] == "panel":
            seats = [(seat, user) for seat, people in step["seats"].items() for user in people]
            spare = step.get("alternates", {})
            panel.assign_panel(
                session=session,
                selection_id=selection.id,
                seats=seats,
                alternates=[(seat, user) for seat, people in spare.items() for user in people],
                actor=by,
                now=scenario.tick(),
            )
            for employee, when in step.get("schedule", {}).items():
                scheduled = schedule_interview(
                    session=session,
                    candidate_id=ids[str(employee)],
                    at=str(when["at"]),
                    place=str(when["place"]),
                    actor=by,
                    now=scenario.tick(),
                )
                scenario.interviews[scheduled.candidate_id] = scheduled.at
        elif step["do"] == "declare":
            for employee in step["candidates"]:
                panel.declare(
                    session=session,
                    candidate_id=scenario.candidate_id(ids, employee),
                    actor=by,
                    conflict=step.get("conflict"),
                    now=scenario.tick(),
                )
        elif step["do"] == "score":
            scored = scenario.candidate_id(ids, step["candidate"])
            if scored in scenario.interviews:
                # A scorecard is submitted after the interview (an hour after it begins).
                scenario.move_past(scenario.interviews[scored] + INTERVIEW_HELD)
            scorecards.score(
                session=session,
                candidate_id=scored,
                actor=by,
                scores={k: str(v) for k, v in step["scores"].items()},
                comments={k: str(v) for k, v in step.get("comments", {}).items()},
                submit=step.get("submit", True),
                now=scenario.tick(),
            )
        elif step["do"] == "report":
            add_report(
                session=session,
                candidate_id=scenario.candidate_id(ids, step["candidate"]),
                quarter=str(step["quarter"]),
                fields={k: str(v) for k, v in step.get("fields", {}).items()},
                reason=step.get("reason"),
                actor=by,
                now=scenario.tick(),
            )
        elif step["do"] == "report_packet":
            if packets is not None:
                print_report(
                    session=session,
                    templates_dir=packets.templates_dir,
                    output_dir=packets.output_dir,
                    candidate_id=scenario.candidate_id(ids, step["candidate"]),
                    quarter=str(step["quarter"]),
                    actor=by,
                    now=scenario.tick(),
                )
        else:
            raise BadInput(f"{scenario.path}: unknown step '{step['do']}'")


def _training_step(
    session: Session,
    scenario: Scenario,
    ids: dict[str, int],
    step: dict[str, Any],
    packets: PacketPlace | None,
) -> None:
    candidate = scenario.candidate_id(ids, step["candidate"])
    if step["do"] == "training_assign":
        training.assign_training(
            session=session,
            candidate_id=candidate,
            courses=[str(c) for c in step.get("courses", [])],
            due_on=str(step["due"]),
            actor=scenario.actor(str(step["by"])),
            reason=step.get("reason"),
            now=scenario.tick(),
            packets=packets,
        )
        return
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    files = scenario.files_dir or Settings.from_env(database_url=url).files_dir
    with tempfile.TemporaryDirectory() as tmp:
        file = None
        if step.get("certificate"):
            file = Path(tmp) / f"{step['candidate']}-{step['course']}.pdf"
            file.write_bytes(letter_pdf(str(step["certificate"])))
        training.complete_training(
            session=session,
            files_dir=files,
            candidate_id=candidate,
            course=str(step["course"]),
            on=str(step["completed_on"]),
            actor=scenario.actor(str(step["by"])),
            file=file,
            now=scenario.tick(),
        )


def letter_pdf(text: str) -> bytes:
    """A one-page PDF holding `text`, for a scenario's document written as words: made without
    a renderer so its bytes are the same on every run."""
    escaped = text.strip().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


@dataclass(frozen=True)
class DemoRun:
    database_url: str
    packets: list[Path]
    summary: dict[str, Any]


def demo_passwords(session: Session, scenario: Scenario) -> list[dict[str, Any]]:
    """Give every demo user a known portal password; return who they are."""
    found = []
    for name, user in scenario.users.items():
        password = demo_password_of(name)
        demo_password(
            session=session, actor=scenario.actor(name), password=password, now=scenario.tick()
        )
        found.append({"name": name, "roles": user["roles"], "password": password})
    return found


def run_demo(
    *,
    settings: Settings,
    output_dir: Path,
    scenario_path: Path,
    origin: Origin,
    steps: int | None = None,
) -> DemoRun:
    """Run the scenario (its first `steps` steps, if given) on a fresh SQLite file in
    `output_dir`, its users acting through the front door `origin`; packets go there too."""
    output_dir.mkdir(parents=True, exist_ok=True)
    clean(output_dir)
    url = f"sqlite:///{output_dir.resolve() / 'demo.db'}"
    config = Settings(
        database_url=url,
        workflows_dir=settings.workflows_dir,
        templates_dir=settings.templates_dir,
        output_dir=output_dir,
        files_dir=output_dir / "demo-files",
        records_dir=output_dir,
        audit_key_file=demo_key(settings, url),
    )
    # Checkpoints go where later commands on the demo database look: its default records folder.
    checkpoint_dir = output_dir / "demo-records"
    checkpoints.checkpoint_file(checkpoint_dir).unlink(missing_ok=True)
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        scenario = Scenario.load(scenario_path, origin)
        with Session(engine, expire_on_commit=False) as session:
            audit.use_key_file(session, config.audit_key)
            selection = set_up(session, config, scenario)
            add_evidence(session, config, scenario, selection)
            add_self_identification(session, scenario, selection)
            run_steps(
                session,
                scenario,
                selection,
                until=steps,
                packets=PacketPlace(config.templates_dir, output_dir),
            )
            assert selection.id is not None
            portal_users = demo_passwords(session, scenario)
            hr = scenario.first_user
            checks = run_checks(
                session=session,
                candidate_id=None,
                selection_id=selection.id,
                actor=scenario.actor(hr),
            )
            ranked = results(
                session=session,
                selection_id=selection.id,
                actor=scenario.actor(user_with_role(scenario, "chief")),
            )
            states = {c.id: c.state for c in session.exec(select(Candidate))}
            fairness = fairness_report(
                session=session,
                selection_id=selection.id,
                actor=scenario.actor(hr),
                now=scenario.tick(),
            )
            fairness_pdf = output_dir / f"selection-{selection.id}_fairness-report.pdf"
            write_atomic(fairness_pdf, report_pdf(fairness, config.templates_dir))
            checkpoint_head(session=session, records_dir=checkpoint_dir, full=False)
            verified = verify(session, checkpoint_path=checkpoints.checkpoint_file(checkpoint_dir))
    finally:
        engine.dispose()
    return DemoRun(
        database_url=url,
        packets=sorted(output_dir.glob("selection-*_candidate-*.pdf")),
        summary={
            "title": selection.title,
            "workflow": f"{selection.workflow_name} {selection.workflow_version}",
            "as_of": selection.as_of.isoformat(),
            "checks": checks,
            "eligibility_checks": [
                (check_id, check.label)
                for check_id, check in workflow_of(selection).spec.checks.items()
                if check.kind not in INTERVIEW_KINDS
            ],
            "results": ranked,
            "states": states,
            # The states after the decision to select, in the workflow's order, by label.
            "position_states": states_after_selection(workflow_of(selection).spec),
            "audit": {
                "ok": verified.ok,
                "events": verified.count,
                "head": verified.head_hash,
                "head_id": verified.head_id,
                "problem": verified.problem,
                "key": str(config.audit_key),
            },
            "hr": hr,
            "portal_users": portal_users,
            "fairness": {
                "pdf": fairness_pdf,
                "self_identified": fairness.self_identified,
                "flags": sum(
                    c.below_four_fifths
                    for stage in fairness.stages
                    for analysis in stage.analyses.values()
                    for c in analysis.comparisons
                ),
            },
        },
    )
