"""The audit key file is read as a regular file only, and named in every refusal."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qualify import auditkey
from qualify.cli.errors import render
from qualify.errors import BadInput, DatabaseError


def test_a_key_file_round_trips(tmp_path: Path) -> None:
    ring = auditkey.create(tmp_path / "audit.key")
    assert auditkey.load(ring.path).current_id == ring.current_id
    assert (ring.path.stat().st_mode & 0o777) == 0o600


def test_a_fifo_given_as_the_key_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "audit.key"
    os.mkfifo(fifo)
    with pytest.raises(
        BadInput, match=r"audit key file .*audit\.key: is a pipe \(FIFO\), not a regular file"
    ):
        auditkey.load(fifo)


def test_a_huge_or_binary_key_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.key"
    big.write_bytes(b"#" * (auditkey.KEY_FILE_LIMIT + 1))
    with pytest.raises(BadInput, match=r"big\.key: is .*; the limit is"):
        auditkey.load(big)
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfe key")
    with pytest.raises(BadInput, match=r"binary\.key: cannot read it: not a text file"):
        auditkey.load(binary)


def test_a_missing_key_file_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as refused:
        auditkey.load(tmp_path / "absent.key")
    assert re.match(r"no audit key at .*absent\.key: run 'qualify init'", render(refused.value))
