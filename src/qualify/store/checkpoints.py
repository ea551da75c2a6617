"""Audit checkpoints: the head's number and hash, signed with the audit key, appended to a file
in the records folder, outside the database. `audit verify` refuses a log that is shorter than,
or different from, its latest checkpoint: that is how deleting the newest events shows."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qualify import auditkey
from qualify.errors import BadInput
from qualify.records import FILE_MODE, ensure_folder

FILE_NAME = "audit-checkpoints.txt"


def checkpoint_file(records_dir: Path) -> Path:
    return records_dir / FILE_NAME


def _message(event_id: int, event_hash: str) -> str:
    return f"checkpoint\n{event_id}\n{event_hash}"


def append(path: Path, ring: auditkey.Keyring, event_id: int, event_hash: str) -> None:
    """Append one signed line `ID HASH KEY_ID MAC`, flushed to disk. One short write to a file
    opened for appending: lines from processes writing at once never interleave."""
    kid = ring.current_id
    line = f"{event_id} {event_hash} {kid} {ring.mac(kid, _message(event_id, event_hash))}\n"
    ensure_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise BadInput(f"checkpoint file {path}: cannot write it: {exc.strerror}") from None
    try:
        os.write(fd, line.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Latest:
    """The newest well-signed checkpoint (None if there is none), and lines that are not."""

    checkpoint: tuple[int, str] | None
    problems: tuple[str, ...] = ()


def latest(path: Path, ring: auditkey.Keyring) -> Latest:
    """Read the checkpoint file; the checkpoint with the highest event number counts."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return Latest(None)
    except (OSError, UnicodeDecodeError):
        return Latest(None, (f"checkpoint file {path}: cannot read it",))
    best: tuple[int, str] | None = None
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        valid = (
            len(parts) == 4
            and parts[0].isdigit()
            and ring.key(parts[2]) is not None
            and ring.mac(parts[2], _message(int(parts[0]), parts[1])) == parts[3]
        )
        if not valid:
            problems.append(
                f"checkpoint file {path}, line {number}: not signed by the audit key (edited?)"
            )
            continue
        if best is None or int(parts[0]) > best[0]:
            best = (int(parts[0]), parts[1])
    return Latest(best, tuple(problems))
