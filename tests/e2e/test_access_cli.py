"""Who may do what comes only from the database; the records are private files."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Result

ROSTER = PROJECT / "docs" / "examples" / "roster.csv"


@pytest.fixture
def q(cli: Callable[..., Result], database_url: str) -> Callable[..., Result]:
    """qualify on a database whose administrator is hr1 (also HR), with a rep and a commander."""

    def run(*args: str, user: str = "hr1") -> Result:
        return cli("--db", database_url, "--as", user, *args)

    made = run("init", "--admin", "hr1", "--role", "hr")
    assert made.exit_code == 0, made.stderr
    assert "added the administrator hr1 (admin, hr)" in made.stdout
    for name, role in [("rep1", "school_rep"), ("cmdr1", "commander")]:
        assert (
            run("user", "add", name, "--role", role, "--full-name", name, "--title", role).exit_code
            == 0
        )
    return run


def _crafted_folder(tmp_path: Path, permissions: dict[str, list[str]]) -> Path:
    """A workflows folder whose sro-selection grants the school representative more."""
    folder = tmp_path / "crafted"
    folder.mkdir()
    text = (PROJECT / "workflows" / "sro-selection.yaml").read_text()
    for key, roles in permissions.items():
        start = text.index(f"  {key}: [")
        end = text.index("\n", start)
        text = text[:start] + f"  {key}: [{', '.join(roles)}]" + text[end:]
    (folder / "sro-selection.yaml").write_text(text)
    return folder


def test_a_workflow_file_the_caller_points_at_grants_no_permission(
    q: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert q("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    folder = _crafted_folder(
        tmp_path, {"manage_users": ["school_rep"], "open_selection": ["school_rep"]}
    )
    monkeypatch.setenv("QUALIFY_WORKFLOWS", str(folder))
    chief = q(
        "user",
        "add",
        "evil.chief",
        "--role",
        "chief",
        "--full-name",
        "evil.chief",
        "--title",
        "chief",
        user="rep1",
    )
    assert chief.exit_code == 1
    assert chief.stderr.strip() == (
        "error: rep1 (Milford School System representative) may not add users: that needs the "
        "role administrator or Human Resources"
    )
    opened = q(
        "selection", "open", "Mine", "--workflow", "sro-selection", "--as-of", "2027-01-15",
        user="rep1",
    )  # fmt: skip
    assert opened.exit_code == 1
    assert "rep1 (Milford School System representative) may not open a selection" in opened.stderr
    names = [u["name"] for u in json.loads(q("user", "list", "--json").stdout)]
    assert names == ["cmdr1", "hr1", "rep1"]
    assert [s["id"] for s in json.loads(q("selection", "list", "--json").stdout)] == [1]


def test_the_frozen_workflow_decides_who_manages_users(q: Callable[..., Result]) -> None:
    # Before any selection, only the administrator adds users; hr is only a workflow's word.
    assert (
        q("user", "add", "hr2", "--role", "hr", "--full-name", "hr2", "--title", "hr").exit_code
        == 0
    )
    early = q("user", "add", "x", "--role", "hr", "--full-name", "x", "--title", "hr", user="hr2")
    assert early.exit_code == 1
    # No workflow is frozen yet to name the role hr in words.
    assert "hr2 (hr) may not add users: that needs the role administrator\n" in early.stderr
    q("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    later = q(
        "user",
        "add",
        "x",
        "--role",
        "commander",
        "--full-name",
        "x",
        "--title",
        "commander",
        user="hr2",
    )
    assert later.exit_code == 0, later.stderr
    no_admin = q(
        "user", "add", "y", "--role", "admin", "--full-name", "y", "--title", "admin", user="hr2"
    )
    assert no_admin.exit_code == 1
    assert "hr2 may not make an administrator: only an administrator may" in no_admin.stderr


def test_only_init_admin_makes_the_first_user(cli: Callable[..., Result], sqlite_url: str) -> None:
    assert cli("--db", sqlite_url, "init").stdout.endswith(
        "no users yet: run 'qualify init --admin NAME' to add the administrator\n"
    )
    first = cli(
        "--db",
        sqlite_url,
        "--as",
        "anyone",
        "user",
        "add",
        "anyone",
        "--role",
        "chief",
        "--full-name",
        "anyone",
        "--title",
        "chief",
    )
    assert first.exit_code == 1
    assert "the first one, its administrator, is made by 'qualify init --admin NAME'" in (
        first.stderr
    )
    made = cli("--db", sqlite_url, "init", "--admin", "boss")
    assert made.exit_code == 0, made.stderr
    again = cli("--db", sqlite_url, "init", "--admin", "other")
    assert again.exit_code == 1
    assert "this database has users already (the first is boss)" in again.stderr
    listed = json.loads(cli("--db", sqlite_url, "--as", "boss", "user", "list", "--json").stdout)
    assert listed == [{"name": "boss", "roles": ["admin"], "full_name": "", "title": ""}]
    role_alone = cli("--db", sqlite_url, "init", "--role", "hr")
    assert role_alone.exit_code == 2


def test_the_database_and_evidence_folders_are_private(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'records.db'}"

    def run(*args: str) -> Result:
        return cli("--db", url, "--as", "hr1", *args)

    assert run("init", "--admin", "hr1", "--role", "hr").exit_code == 0
    assert stat.S_IMODE((tmp_path / "records.db").stat().st_mode) == 0o600
    run("selection", "open", "SRO", "--workflow", "sro-selection", "--as-of", "2027-01-15")
    run(
        "user",
        "add",
        "sgt.moreau",
        "--role",
        "supervisor",
        "--full-name",
        "sgt.moreau",
        "--title",
        "supervisor",
    )
    run(
        "user",
        "add",
        "sgt.okafor",
        "--role",
        "supervisor",
        "--full-name",
        "sgt.okafor",
        "--title",
        "supervisor",
    )
    run("candidate", "import", str(ROSTER), "--selection", "1")
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n% I recommend this officer.\n%%EOF\n")
    added = run(
        "evidence", "add", "1", "recommendation", "--field", "author=sgt.moreau",
        "--field", "written_on=2026-11-02", "--file", str(letter),
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    store = tmp_path / "records-files"
    folders = [store, *(p for p in store.rglob("*") if p.is_dir())]
    assert len(folders) == 2
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in folders)
    files = [p for p in store.rglob("*") if p.is_file()]
    assert files
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in files)
    for side in ("records.db-wal", "records.db-shm"):
        if (tmp_path / side).exists():
            assert stat.S_IMODE((tmp_path / side).stat().st_mode) & 0o077 == 0
    # An existing database made with a looser mode is narrowed by init.
    (tmp_path / "records.db").chmod(0o644)
    assert run("init").exit_code == 0
    assert stat.S_IMODE((tmp_path / "records.db").stat().st_mode) == 0o600


def test_a_workflow_may_not_name_a_role_admin(cli: Callable[..., Result], tmp_path: Path) -> None:
    text = (PROJECT / "workflows" / "sro-selection.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("  supervisor:\n    label:", "  admin:\n    label:", 1))
    result = cli("workflow", "validate", str(bad))
    assert result.exit_code == 2
    assert "roles.admin: the role name 'admin' is qualify's own" in result.stderr
