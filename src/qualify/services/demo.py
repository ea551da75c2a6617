"""The demo: a whole selection from a scenario file, through the same services a user calls."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from qualify import auditkey
from qualify.config import Settings, default_audit_key
from qualify.errors import BadInput, QualifyError
from qualify.packets.render import write_atomic
from qualify.services import audit, checkpoints
from qualify.services.advance import PacketPlace
from qualify.services.audit_admin import checkpoint_head
from qualify.services.eligibility import INTERVIEW_KINDS, run_checks
from qualify.services.fairness import fairness_report
from qualify.services.fairness_pdf import report_pdf
from qualify.services.frozen import workflow_of
from qualify.services.integrity import verify
from qualify.services.results import results
from qualify.services.scenario import (
    Scenario,
    add_evidence,
    add_self_identification,
    run_steps,
    set_up,
    user_with_role,
)
from qualify.store import db
from qualify.store.tables import Candidate
from qualify.workflow.spec import Workflow


@dataclass(frozen=True)
class DemoRun:
    database_url: str
    packets: list[Path]
    summary: dict[str, Any]


def clean(output_dir: Path) -> None:
    """Remove what an earlier demo wrote (and nothing else), so a run starts fresh."""
    for name in ("demo.db", "demo.db-wal", "demo.db-shm", "demo.db-journal"):
        (output_dir / name).unlink(missing_ok=True)
    shutil.rmtree(output_dir / "demo-files", ignore_errors=True)
    for pdf in output_dir.glob("selection-*_candidate-*.pdf"):
        pdf.unlink()
    for pdf in output_dir.glob("selection-*_fairness-report.pdf"):
        pdf.unlink()


# The demo's audit key is fixed, so that two runs write the same hashes and the same packets.
# It is sample data's key and no secret: never use it for a real selection.
DEMO_KEY = hashlib.sha256(b"qualify demo audit key: sample data only, not a secret").digest()


def _demo_key(settings: Settings, url: str) -> Path:
    """Write the demo's key where commands on the demo database will look for it: the
    QUALIFY_AUDIT_KEY file if set (refused if it holds another key), else the default place
    for the demo database (replaced: the demo database is made afresh too)."""
    path = settings.audit_key_file or default_audit_key(url, os.environ)
    if path.exists():
        try:
            same = auditkey.load(path).keys == ((auditkey.key_id(DEMO_KEY), DEMO_KEY),)
        except QualifyError:
            same = False
        if same:
            return path
        if settings.audit_key_file is not None:
            raise BadInput(
                f"QUALIFY_AUDIT_KEY names {path}, which holds another key than the demo's: "
                "unset it to run the demo"
            )
        path.unlink()
    auditkey.create(path, DEMO_KEY)
    return path


def _after_selection(spec: Workflow) -> dict[str, str]:
    """The states reachable from the destinations of triggers guarded by the interview result
    (`select`, `recall`), but not the withdrawn or not-selected ends, with their labels."""
    starts = {
        t.dest
        for t in spec.transitions
        if any(spec.checks[g].kind == "interview_passed" for g in t.guards)
    }
    reached, todo = set(starts), list(starts)
    while todo:
        state = todo.pop()
        for t in spec.triggers_from(state):
            if t.dest not in reached and t.dest not in spec.fairness.excluded:
                reached.add(t.dest)
                todo.append(t.dest)
    return {name: s.label for name, s in spec.states.items() if name in reached}


def demo_password_of(name: str) -> str:
    """A demo user's portal password: known, printed by the demo, for sample data only."""
    return f"practice-{name}"


def demo_passwords(session: Session, scenario: Scenario) -> list[dict[str, Any]]:
    """Give every demo user a known portal password; return who they are."""
    from qualify.services.accounts import demo_password

    found = []
    for name, user in scenario.users.items():
        password = demo_password_of(name)
        demo_password(session=session, name=name, password=password, now=scenario.tick())
        found.append({"name": name, "roles": user["roles"], "password": password})
    return found


def run_demo(
    *, settings: Settings, output_dir: Path, scenario_path: Path, steps: int | None = None
) -> DemoRun:
    """Run the scenario (its first `steps` steps, if given) on a fresh SQLite file in
    `output_dir`; packets go there too."""
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
        audit_key_file=_demo_key(settings, url),
    )
    # Checkpoints go where later commands on the demo database look: its default records folder.
    checkpoint_dir = output_dir / "demo-records"
    checkpoints.checkpoint_file(checkpoint_dir).unlink(missing_ok=True)
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        scenario = Scenario.load(scenario_path)
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
                session=session, candidate_id=None, selection_id=selection.id, actor=hr
            )
            ranked = results(
                session=session, selection_id=selection.id, actor=user_with_role(scenario, "chief")
            )
            states = {c.id: c.state for c in session.exec(select(Candidate))}
            fairness = fairness_report(
                session=session, selection_id=selection.id, actor=hr, now=scenario.tick()
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
            "position_states": _after_selection(workflow_of(selection).spec),
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
