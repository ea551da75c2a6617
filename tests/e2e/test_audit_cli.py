"""`qualify audit` as HR and operators use it: the key, verify (--json, --event), checkpoints,
log lines; and a database from before the keyed log, sealed by `init`."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command

from qualify.store import audit, db
from qualify.store.tables import AuditEvent
from tests.conftest import PROJECT, Result


@pytest.fixture
def q(cli: Callable[..., Result], sqlite_url: str) -> Callable[..., Result]:
    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", sqlite_url, "--as", user, *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    for name, role in [
        ("cmdr1", "commander"),
        ("chief", "chief"),
        ("sgt.moreau", "supervisor"),
        ("sgt.okafor", "supervisor"),
    ]:
        assert (
            run("user", "add", name, "--role", role, "--full-name", name, "--title", role).exit_code
            == 0
        )
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    imported = run(
        "candidate", "import", str(PROJECT / "docs" / "examples" / "roster.csv"), "--selection", "1"
    )
    assert imported.exit_code == 0, imported.stderr
    return run


def test_init_creates_the_key_file_mode_0600_outside_the_database_folder(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QUALIFY_AUDIT_KEY")
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    done = cli("--db", url, "init")
    assert done.exit_code == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("audit key "))
    assert "(created; keep it apart from the database)" in line
    path = Path(line.split(" at ", 1)[1].split(" (")[0])
    assert path.is_file()
    assert tmp_path not in path.parents
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = cli("--db", url, "init")
    assert "(in use; keep it apart from the database)" in again.stdout


def test_verify_json_and_event(q: Callable[..., Result]) -> None:
    advanced = q("advance", "1", "begin_screening")
    event = int(advanced.stdout.strip().rsplit("#", 1)[1])
    done = q("audit", "verify", "--json", "--event", str(event))
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["problems"] == []
    assert report["head"]["id"] == event
    assert report["event"]["id"] == event
    assert report["event"]["details"]["trigger"] == "begin_screening"
    assert report["checkpoint"]["id"] == event  # every write command leaves a checkpoint
    text = q("audit", "verify", "--event", str(event)).stdout
    assert f"event #{event} is in the verified chain: state_changed candidate:1" in text
    # A number the log does not hold is bad input: the log itself verifies.
    for json_too in ((), ("--json",)):
        missing = q("audit", "verify", "--event", str(event + 10), *json_too)
        assert missing.exit_code == 2
        assert missing.stdout == ""
        assert missing.stderr == (
            f"error: --event {event + 10}: no such event in the audit log; its newest is #{event}\n"
        )


def test_deleting_the_newest_events_is_caught_by_the_checkpoint_file(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    q("advance", "1", "begin_screening")
    q("advance", "2", "begin_screening")
    records = tmp_path / "qualify-records"
    checkpoints = records / "audit-checkpoints.txt"
    assert stat.S_IMODE(checkpoints.stat().st_mode) == 0o600
    assert q("audit", "checkpoint").stdout.startswith("checkpoint: event #")
    with sqlite3.connect(tmp_path / "qualify.db") as raw:
        head = raw.execute("SELECT max(id) FROM audit_event").fetchone()[0]
        raw.execute("DROP TRIGGER audit_event_no_delete")
        raw.execute(f"DELETE FROM audit_event WHERE id = {head}")
        raw.execute("UPDATE candidate SET state = 'nominated', version = version - 1 WHERE id = 2")
    broken = q("audit", "verify")
    assert broken.exit_code == 1
    assert broken.stderr.strip() == (
        f"error: audit log does not verify: the log ends at event #{head - 1}, but checkpoint "
        f"{checkpoints} recorded event #{head}: events were deleted from the end"
    )
    refused = q("audit", "checkpoint")
    assert refused.exit_code == 1
    assert refused.stderr.rstrip().endswith("no checkpoint written")


def test_log_lines_name_the_trigger_states_reason_and_channel(q: Callable[..., Result]) -> None:
    q("advance", "1", "begin_screening")
    q("advance", "1", "withdraw", "--reason", "moving to another state")
    lines = q("audit", "log", "--candidate", "1").stdout.splitlines()
    assert lines[0].split() == [
        "id", "at", "(UTC)", "actor", "role", "channel", "action", "subject", "outcome", "what",
    ]  # fmt: skip
    # The withdrawal's own line; the acknowledgement letter's packet event follows it.
    (line,) = [x for x in lines if "withdraw screening -> withdrawn" in x]
    words = line.split()
    assert " ".join(words).endswith(
        "state_changed candidate:1 ok withdraw screening -> withdrawn; "
        "reason: moving to another state"
    )
    assert words[4] == "cli"  # id, time, actor, role, channel


def test_a_record_that_replaces_one_says_which_and_why_on_its_log_line(
    q: Callable[..., Result],
) -> None:
    first = q("evidence", "add", "3", "service", "--date", "2017-03-01")
    assert first.exit_code == 0, first.stderr
    old = first.stdout.split("#")[1].split()[0]
    fixed = q(
        "evidence", "add", "3", "service", "--date", "2025-01-06",
        "--reason", "start date was mistyped; the personnel file says 2025",
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.stderr
    (line,) = [x for x in q("audit", "log", "--candidate", "3").stdout.splitlines() if "#" in x]
    assert " ".join(line.split()).endswith(
        f"evidence_added evidence:{int(old) + 1} ok kind: service; supersedes #{old}; "
        "reason: start date was mistyped; the personnel file says 2025"
    )
    # A record that replaces none needs no reason, and its line claims no replacement.
    assert q("evidence", "add", "4", "service", "--date", "2017-03-01").exit_code == 0
    fourth = q("audit", "log", "--candidate", "4").stdout.splitlines()[-1]
    assert " ".join(fourth.split()).endswith("ok kind: service")


def test_an_imported_candidates_own_history_starts_with_the_import(
    q: Callable[..., Result],
) -> None:
    """The import is one event for the file; each candidate's history shows it, with only
    their own employee id, as an added candidate's shows `candidate_added`."""
    log = json.loads(q("audit", "log", "--candidate", "2", "--json").stdout)
    assert [(e["action"], e["subject"]) for e in log] == [("candidates_imported", "selection:1")]
    details = log[0]["details"]
    assert details["file"] == "roster.csv"
    assert details["employee_id"] == "MPD-1077"
    assert "employee_ids" not in details  # the other officers are not this one's history
    line = q("audit", "log", "--candidate", "2").stdout.splitlines()[-1]
    assert " ".join(line.split()).endswith(
        f"candidates_imported selection:1 ok imported from roster.csv ({details['count']} "
        "candidates)"
    )
    shown = q("candidate", "show", "2").stdout.split("History:")[1]
    assert "hr1 candidates_imported ok" in shown
    q("advance", "2", "begin_screening")
    after = json.loads(q("audit", "log", "--candidate", "2", "--json").stdout)
    assert [e["action"] for e in after] == ["candidates_imported", "state_changed"]
    # The whole log is unchanged: the import's one event names every officer it brought in.
    everything = json.loads(q("audit", "log", "--json").stdout)
    (imported,) = [e for e in everything if e["action"] == "candidates_imported"]
    assert "MPD-1077" in imported["details"]["employee_ids"]


def test_rotating_the_key_is_an_event_and_the_log_still_verifies(
    q: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "own.key"
    own.write_bytes(Path(os.environ["QUALIFY_AUDIT_KEY"]).read_bytes())
    monkeypatch.setenv("QUALIFY_AUDIT_KEY", str(own))
    rotated = q("audit", "rotate-key", "--reason", "a yearly rotation")
    assert rotated.exit_code == 0, rotated.stderr
    assert rotated.stdout.startswith("audit key rotated: ")
    q("advance", "1", "begin_screening")
    assert q("audit", "verify").exit_code == 0
    assert len([x for x in own.read_text().splitlines() if not x.startswith("#")]) == 2
    denied = q("audit", "rotate-key", "--reason", "x", user="cmdr1")
    assert denied.exit_code == 1


def _legacy_event(prev: str, n: int, action: str) -> AuditEvent:
    event = AuditEvent(
        id=n,
        at=datetime(2026, 1, n, tzinfo=UTC),
        actor="hr1",
        role="hr",
        action=action,
        subject=f"x:{n}",
        outcome="ok",
        details="{}",
        prev_hash=prev,
        hash="",
    )
    event.hash = hashlib.sha256(f"{prev}\n{audit._content(event)}".encode()).hexdigest()
    return event


def test_a_database_from_before_the_keyed_log_is_sealed_by_init(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    with engine.begin() as connection:
        command.upgrade(db.alembic_config(connection), "0005")
        connection.exec_driver_sql(
            "INSERT INTO user (name, roles, created_at) VALUES ('hr1', '[\"hr\"]', "
            "'2026-01-01 00:00:00.000000')"
        )
        prev = audit.GENESIS
        for n, action in enumerate(["user_added", "selection_opened", "note"], start=1):
            event = _legacy_event(prev, n, action)
            connection.exec_driver_sql(
                "INSERT INTO audit_event (id, at, actor, role, action, subject, outcome, details,"
                " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (n, f"2026-01-0{n} 00:00:00.000000", "hr1", "hr", action, f"x:{n}", "ok",
                 "{}", prev, event.hash),
            )  # fmt: skip
            prev = event.hash
    engine.dispose()
    done = cli("--db", url, "init")
    assert done.exit_code == 0, done.stderr
    assert "audit log: 3 earlier events sealed with the key" in done.stdout
    assert "sealed" not in cli("--db", url, "init").stdout  # once
    verified = cli("--db", url, "--as", "hr1", "audit", "verify")
    assert verified.exit_code == 0, verified.stderr
    assert verified.stdout.startswith("audit log verified: 4 events; head #4 ")
    with sqlite3.connect(tmp_path / "old.db") as raw:
        raw.execute("""UPDATE user SET roles = '["chief", "hr"]'""")
    chief = cli("--db", url, "--as", "hr1", "audit", "verify")
    assert "user hr1 (roles chief, hr) differs from what audit event #4 recorded" in chief.stderr
    with sqlite3.connect(tmp_path / "old.db") as raw:
        raw.execute("""UPDATE user SET roles = '["hr"]'""")
        raw.execute("DROP TRIGGER audit_event_no_update")
        raw.execute("UPDATE audit_event SET actor = 'mallory' WHERE id = 2")
    edited = cli("--db", url, "--as", "hr1", "audit", "verify")
    assert edited.exit_code == 1
    assert "event #2 (selection_opened) was edited" in edited.stderr


def test_a_reason_over_the_cap_is_refused_and_writes_nothing(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    q("advance", "1", "begin_screening")
    before = json.loads(q("audit", "verify", "--json").stdout)["events"]
    long = q("advance", "1", "withdraw", "--reason", "x" * 120_000)
    assert long.exit_code == 2
    assert long.stderr == "error: --reason: 120,000 characters is too long (at most 2,000)\n"
    conflict = q("declare", "1", "--conflict", "y" * 1_001, user="cmdr1")
    assert conflict.exit_code == 2
    assert conflict.stderr == "error: --conflict: 1,001 characters is too long (at most 1,000)\n"
    assert json.loads(q("audit", "verify", "--json").stdout)["events"] == before


def test_an_unknown_users_refusal_is_recorded_once_with_the_name_cut(
    q: Callable[..., Result], tmp_path: Path
) -> None:
    name = "intruder" + "z" * 500
    before = json.loads(q("audit", "verify", "--json").stdout)["events"]
    refused = q("advance", "1", "begin_screening", "--reason", "r" * 2_000, user=name)
    assert refused.exit_code == 1
    events = json.loads(q("audit", "log", "--json").stdout)
    assert len(events) == before + 1
    last = events[-1]
    assert (last["action"], last["outcome"]) == ("advance_refused", "refused")
    assert len(last["actor"]) == 64
    assert last["actor"].startswith("intruder")
    assert len(last["details"]["refusal"]) <= 500
    assert q("audit", "verify").exit_code == 0


def test_every_packet_run_appends_a_checkpoint(q: Callable[..., Result], tmp_path: Path) -> None:
    q("advance", "1", "begin_screening")
    checkpoints = tmp_path / "qualify-records" / "audit-checkpoints.txt"
    before = checkpoints.read_text().splitlines()
    run = q("packet", "--selection", "1", "-o", str(tmp_path / "printed"))
    assert run.exit_code == 0, run.stderr
    after = checkpoints.read_text().splitlines()
    assert len(after) == len(before) + 1
    head = json.loads(q("audit", "verify", "--json").stdout)["head"]
    assert after[-1].split()[:2] == [str(head["id"]), head["hash"]]
