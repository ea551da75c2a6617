"""The records folder: private, written whole, never overwritten, cleaned of dead writers' files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from qualify.records import ensure_folder, remove_stale_temporaries, write_new


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_folder_is_created_private_and_its_files_too(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = tmp_path / "deep" / "records"
        assert write_new(folder / "a.pdf", b"%PDF-1")
    finally:
        os.umask(old)
    assert _mode(folder) == 0o700
    assert _mode(folder / "a.pdf") == 0o600
    assert (folder / "a.pdf").read_bytes() == b"%PDF-1"


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o750)
    os.chmod(folder, 0o750)
    ensure_folder(folder)
    assert _mode(folder) == 0o750


def test_an_earlier_file_is_never_overwritten(tmp_path: Path) -> None:
    assert write_new(tmp_path / "p.pdf", b"first")
    assert not write_new(tmp_path / "p.pdf", b"second")
    assert (tmp_path / "p.pdf").read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf"]


def test_temporary_files_of_dead_writers_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    import socket

    host = "".join(c if c.isalnum() or c == "-" else "_" for c in socket.gethostname())
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead_pid = int(dead.stdout)
    left = tmp_path / f".p.pdf.{host}.{dead_pid}.abc123.tmp"
    live = tmp_path / f".q.pdf.{host}.{os.getpid()}.def456.tmp"
    other_host = tmp_path / f".r.pdf.elsewhere.{dead_pid}.ghi789.tmp"
    for path in (left, live, other_host):
        path.write_bytes(b"half")
    assert remove_stale_temporaries(tmp_path) == [left]
    assert live.exists()
    assert other_host.exists()
    os.utime(other_host, (0, 0))  # hours old: stale whoever wrote it
    assert remove_stale_temporaries(tmp_path) == [other_host]
