"""The scale benchmark: N candidates imported, checked, advanced, scored and ranked.

Each engine stage is timed beside a raw baseline run in the same process on a twin database
with the same schema: bare SQLAlchemy reads, inserts and updates of the same rows, with the same
number of transactions (one per command a user would run).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import Session
from tests.helpers.actors import as_user

from benchmarks.common import (
    Timing,
    database,
    interleaved,
    peak_rss_mib,
    register_users,
    timed,
    use_audit_key,
)
from qualify.config import PROJECT_ROOT, Settings
from qualify.services.advance import advance
from qualify.services.candidates import import_roster
from qualify.services.eligibility import run_checks
from qualify.services.panel import assign_panel, declare
from qualify.services.results import results
from qualify.services.scorecards import score
from qualify.services.selections import open_selection
from qualify.store import db
from qualify.store.tables import (
    AuditEvent,
    Candidate,
    ConflictDeclaration,
    Evidence,
    Scorecard,
    Selection,
)

USERS = {
    "hr1": ["hr"],
    "cmdr1": ["commander"],
    "rep1": ["school_rep"],
    "rep2": ["school_rep"],
    "chief1": ["chief"],
    "sgt1": ["supervisor"],
}
PANEL = [("commander", "cmdr1"), ("school_rep", "rep1"), ("school_rep", "rep2")]
ON_FILE = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
EVIDENCE = [
    ("certification", {"full_time_certified": True}),
    ("service", {"full_time_since": "2018-03-01"}),
    ("probation", {"completed_on": "2019-03-01"}),
    ("conduct_review", {"reviewed_on": "2027-01-15"}),  # on the as-of date: covers 5 years
    ("recommendation", {"author": "sgt1", "written_on": "2026-12-01", "letter": "0" * 64}),
    ("fitness", {"result": "pass", "tested_on": "2026-11-01"}),
    ("drug_screen", {"result": "pass", "tested_on": "2026-12-10"}),
    ("tobacco", {"tobacco_free": True, "attested_on": "2026-12-10"}),
]


def _roster(path: Path, n: int) -> list[dict[str, str]]:
    rows = [
        {
            "employee_id": f"E{i:06d}",
            "name": f"Officer {i}",
            "rank": "Officer",
            "unit": f"Patrol {'ABC'[i % 3]}",
            "supervisor": "sgt1",
            "email": f"officer{i}@example.org",
        }
        for i in range(1, n + 1)
    ]
    lines = ["employee_id,name,rank,unit,supervisor,email"]
    lines += [",".join(r.values()) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return rows


def _evidence_rows(candidate_ids: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "candidate_id": cid,
            "kind": kind,
            "fields": fields,
            "file_sha256": fields.get("letter"),
            "file_name": "letter.pdf" if "letter" in fields else None,
            "recorded_at": ON_FILE,
            "recorded_by": "hr1",
            "vouched_by": "hr1",
        }
        for cid in candidate_ids
        for kind, fields in EVIDENCE
    ]


def _raw_selection(session: Session) -> int:
    selection_id = session.execute(
        insert(Selection).returning(Selection.id),  # type: ignore[arg-type]
        {
            "title": "raw",
            "workflow_name": "x",
            "workflow_version": "1",
            "workflow_sha256": "0" * 64,
            "workflow_text": "",
            "as_of": date(2027, 1, 15),
            "opened_at": ON_FILE,
            "opened_by": "hr1",
        },
    ).scalar_one()
    session.commit()
    return int(selection_id)


def _raw_event(candidate_id: int, action: str, n: int) -> dict[str, Any]:
    digest = hashlib.sha256(f"{candidate_id}-{action}-{n}".encode()).hexdigest()
    return {
        "at": ON_FILE,
        "actor": "x",
        "role": "x",
        "action": action,
        "subject": f"candidate:{candidate_id}",
        "candidate_id": candidate_id,
        "outcome": "ok",
        "details": "{}",
        "prev_hash": digest,
        "hash": digest,
    }


def _cli_seconds(url: str, *args: str, runs: int = 5) -> dict[str, float]:
    """Wall time of one CLI command in a fresh process (start-up included): the first run, then
    the median of `runs` more. The first run after the bulk writes also pays for the database
    settling them (PostgreSQL sets hint bits on first read), which users rarely meet."""
    import statistics
    import time

    def once() -> float:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "qualify", "--db", url, "--as", "chief1", *args, "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start

    first = once()
    return {"first": first, "median": statistics.median(once() for _ in range(runs))}


def run(backend: str, n: int, folder: Path) -> dict[str, Any]:
    """Every stage on one backend; returns timings, ratios and memory."""
    stages: list[tuple[Timing, Timing]] = []
    with database(backend, folder) as url, database(backend, folder) as raw_url:
        engine, raw_engine = db.make_engine(url), db.make_engine(raw_url)
        db.upgrade(engine)
        db.upgrade(raw_engine)
        use_audit_key(folder)
        settings = Settings.from_env(
            {
                "QUALIFY_FILES": str(folder / "files"),
                "QUALIFY_WORKFLOWS": str(PROJECT_ROOT / "workflows"),
            },
            database_url=url,
        )
        roster = folder / f"roster-{n}.csv"
        rows = _roster(roster, n)
        with Session(engine, expire_on_commit=False) as s, Session(raw_engine) as raw:
            register_users(s, settings.workflows_dir, USERS)
            selection = open_selection(
                session=s,
                settings=settings,
                title="Scale",
                workflow="sro-selection",
                as_of=date(2027, 1, 15),
                actor=as_user("hr1"),
            )
            sid = selection.id or 0
            raw_sid = _raw_selection(raw)

            def raw_import() -> None:
                raw.execute(
                    insert(Candidate),
                    [
                        {
                            **r,
                            "selection_id": raw_sid,
                            "state": "nominated",
                            "version": 1,
                            "created_at": ON_FILE,
                        }
                        for r in rows
                    ],
                )
                raw.commit()

            stages.append(
                (
                    timed(
                        "import",
                        n,
                        lambda: import_roster(
                            session=s, selection_id=sid, path=roster, actor=as_user("hr1")
                        ),
                    ),
                    timed("import", n, raw_import),
                )
            )
            ids = list(
                s.execute(
                    select(Candidate.id).where(Candidate.selection_id == sid).order_by(Candidate.id)
                ).scalars()
            )  # type: ignore[arg-type]
            raw_ids = list(raw.execute(select(Candidate.id).order_by(Candidate.id)).scalars())  # type: ignore[arg-type]
            s.execute(insert(Evidence), _evidence_rows(ids))  # setup: HR's records, not timed
            s.commit()
            raw.execute(insert(Evidence), _evidence_rows(raw_ids))
            raw.commit()

            def raw_check() -> None:
                raw.execute(
                    select(Evidence).join(Candidate).where(Candidate.selection_id == raw_sid)
                ).all()
                raw.execute(select(Candidate).where(Candidate.selection_id == raw_sid)).all()
                raw.rollback()

            def engine_check() -> None:
                report = run_checks(
                    session=s, candidate_id=None, selection_id=sid, actor=as_user("hr1")
                )
                s.rollback()
                failed = [r for r in report["candidates"][0]["results"] if r["status"] == "fail"]
                assert not failed, failed

            stages.append((timed("check", n, engine_check), timed("check", n, raw_check)))

            def engine_advance(part: list[tuple[int, int]]) -> None:
                for _, cid in part:
                    advance(
                        session=s, candidate_id=cid, trigger="begin_screening", actor=as_user("hr1")
                    )
                    advance(
                        session=s,
                        candidate_id=cid,
                        trigger="confirm_eligible",
                        actor=as_user("cmdr1"),
                    )

            def raw_advance(part: list[tuple[int, int]]) -> None:
                for i, cid in part:
                    for version, state in ((1, "screening"), (2, "eligible")):
                        raw.execute(
                            update(Candidate)
                            .where(Candidate.id == cid, Candidate.version == version)
                            .values(state=state, version=version + 1)  # type: ignore[arg-type]
                        )
                        raw.execute(insert(AuditEvent), _raw_event(cid, state, i))
                        raw.commit()

            stages.append(interleaved("advance", 2 * n, engine_advance, raw_advance, ids, raw_ids))
            assign_panel(session=s, selection_id=sid, seats=PANEL, actor=as_user("hr1"))
            for cid in ids:  # setup for scoring: into the interview stage
                advance(
                    session=s, candidate_id=cid, trigger="schedule_interview", actor=as_user("hr1")
                )
            criteria = [
                "appearance_attitude",
                "role_model",
                "liaison",
                "not_disciplinarian",
                "prevention_education",
                "emergency_planning",
            ]

            def engine_score(part: list[tuple[int, int]]) -> None:
                for i, cid in part:
                    for _, panelist in PANEL:
                        declare(session=s, candidate_id=cid, actor=as_user(panelist))
                        values = {
                            c: str(2 + (i + j + len(panelist)) % 3) for j, c in enumerate(criteria)
                        }
                        score(
                            session=s,
                            candidate_id=cid,
                            actor=as_user(panelist),
                            scores=values,
                            comments={},
                            submit=True,
                        )

            def raw_score(part: list[tuple[int, int]]) -> None:
                for i, cid in part:
                    for k, (seat, panelist) in enumerate(PANEL):
                        raw.execute(
                            insert(ConflictDeclaration),
                            {
                                "candidate_id": cid,
                                "panelist": panelist,
                                "conflict": None,
                                "at": ON_FILE,
                            },
                        )
                        raw.execute(insert(AuditEvent), _raw_event(cid, f"declare-{k}", i))
                        raw.commit()
                        values = {
                            c: 2 + (i + j + len(panelist)) % 3 for j, c in enumerate(criteria)
                        }
                        raw.execute(
                            insert(Scorecard),
                            {
                                "candidate_id": cid,
                                "panelist": panelist,
                                "seat": seat,
                                "version": 1,
                                "status": "submitted",
                                "scores": values,
                                "comments": {},
                                "created_at": ON_FILE,
                                "submitted_at": ON_FILE,
                            },
                        )
                        raw.execute(
                            update(Candidate)
                            .where(Candidate.id == cid)
                            .values(version=Candidate.version + 1)
                        )  # type: ignore[arg-type]
                        raw.execute(insert(AuditEvent), _raw_event(cid, f"score-{k}", i))
                        raw.commit()

            stages.append(interleaved("score", 3 * n, engine_score, raw_score, ids, raw_ids))

            def engine_rank() -> None:
                data = results(session=s, selection_id=sid, actor=as_user("chief1"))
                s.rollback()
                assert data["candidates"][0]["rank"] == 1

            def raw_rank() -> None:
                raw.execute(
                    select(Scorecard).join(Candidate).where(Candidate.selection_id == raw_sid)
                ).all()
                raw.rollback()

            stages.append((timed("rank", n, engine_rank), timed("rank", n, raw_rank)))
        engine.dispose()
        raw_engine.dispose()
        cli = {
            "candidate list": _cli_seconds(url, "candidate", "list", "--selection", "1"),
            "results": _cli_seconds(url, "results", "1"),
        }
    return {
        "backend": backend,
        "candidates": n,
        "stages": [
            {
                "stage": engine_t.name,
                "operations": engine_t.count,
                "engine_s": round(engine_t.seconds, 3),
                "raw_s": round(raw_t.seconds, 3),
                "engine_per_s": round(engine_t.per_second, 1),
                "raw_per_s": round(raw_t.per_second, 1),
                "ratio": round(engine_t.seconds / raw_t.seconds, 2),
            }
            for engine_t, raw_t in stages
        ],
        "cli_s": {k: {m: round(v, 3) for m, v in t.items()} for k, t in cli.items()},
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(sys.argv[1], int(sys.argv[2]), Path(tmp)), indent=2))
