"""Every audit event says where it came from: the channel and the account behind it."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

ACCOUNT = pwd.getpwuid(os.getuid()).pw_name


def test_every_event_the_demo_writes_has_a_channel_and_an_account(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    done = cli("demo", "-o", str(tmp_path / "out"))
    assert done.exit_code == 0, done.stderr
    with sqlite3.connect(tmp_path / "out" / "demo.db") as raw:
        rows = raw.execute("SELECT id, channel, account FROM audit_event").fetchall()
    assert len(rows) > 100
    assert {(channel, account) for _, channel, account in rows} == {("cli", ACCOUNT)}


def test_the_account_is_the_operating_system_account_whatever_as_and_user_claim(
    cli: Callable[..., Result], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "someone.else")
    monkeypatch.setenv("LOGNAME", "someone.else")
    assert cli("--db", sqlite_url, "init", "--admin", "hr1", "--role", "hr").exit_code == 0
    cli(
        "--db",
        sqlite_url,
        "--as",
        "hr1",
        "selection",
        "open",
        "SRO",
        "--workflow",
        "sro-selection",
        "--as-of",
        "2027-01-15",
    )
    log = cli("--db", sqlite_url, "--as", "hr1", "audit", "log", "--json")
    events = json.loads(log.stdout)
    added = [e for e in events if e["action"] == "user_added"]
    assert added
    assert all(e["actor"] == "hr1" for e in added)
    assert (added[0]["role"], added[0]["details"]) == (
        "bootstrap",
        {"name": "hr1", "roles": ["admin", "hr"], "full_name": "", "title": ""},
    )
    assert {(e["channel"], e["account"]) for e in events} == {("cli", ACCOUNT)}


def test_the_channel_and_account_are_covered_by_the_chain(
    cli: Callable[..., Result], sqlite_url: str, tmp_path: Path
) -> None:
    cli("--db", sqlite_url, "init", "--admin", "hr1", "--role", "hr")
    with sqlite3.connect(tmp_path / "qualify.db") as raw:
        raw.execute("DROP TRIGGER audit_event_no_update")
        raw.execute("UPDATE audit_event SET channel = 'web', account = 'hr1'")
    verified = cli("--db", sqlite_url, "--as", "hr1", "audit", "verify")
    assert verified.exit_code == 1
    assert "was edited" in verified.stderr
