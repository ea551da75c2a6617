"""The records folder on disk: private, written atomically, never overwritten.

Packets that `advance` makes, and the audit checkpoints, live in one folder per database (the
`records_dir` setting). The folder is created with mode 0700 and its files 0600. A file is
written to a temporary name in the same folder, flushed to disk and then linked to its final
name, which fails rather than replace an earlier file. A process killed mid-write leaves only
a temporary file, named `.NAME.HOST.PID.RANDOM.tmp`; `remove_stale_temporaries` removes those
whose writer is no longer running.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from pathlib import Path

from qualify.errors import BadInput

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# A temporary file older than this is stale even if its writer's id is in use again.
STALE_AFTER_SECONDS = 3600


def ensure_folder(folder: Path) -> Path:
    """Create the folder (mode 0700) if it is missing; an existing one keeps its mode."""
    if folder.is_dir():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=FOLDER_MODE)
        os.chmod(folder, FOLDER_MODE)  # whatever the umask
    except FileExistsError:
        if not folder.is_dir():
            raise BadInput(f"records folder {folder}: exists and is not a folder") from None
    except OSError as exc:
        raise BadInput(f"records folder {folder}: cannot create it: {exc.strerror}") from None
    return folder


def _host() -> str:
    return "".join(c if c.isalnum() or c == "-" else "_" for c in socket.gethostname()) or "host"


def temporary(folder: Path, name: str) -> tuple[int, str]:
    """Open a new temporary file (mode 0600) in `folder` for the file `name`, named so that
    `remove_stale_temporaries` can tell when its writer has ended."""
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f".{name}.{_host()}.{os.getpid()}.", suffix=".tmp"
    )
    os.fchmod(fd, FILE_MODE)
    return fd, tmp


def write_new(path: Path, data: bytes) -> bool:
    """Write `data` to `path` (mode 0600) unless a file of that name exists; return whether it
    was written. Written files are whole: flushed to disk, then linked into place."""
    folder = ensure_folder(path.parent)
    if path.exists():
        return False
    fd, tmp = temporary(folder, path.name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
            written = True
        except FileExistsError:  # someone else wrote it first; theirs stays
            written = False
    finally:
        Path(tmp).unlink(missing_ok=True)
    sync_folder(folder)
    return written


def sync_folder(folder: Path) -> None:
    """Flush the folder's entries to disk, so a new name survives a power cut."""
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _writer_gone(name: str, now: float, modified: float) -> bool:
    """Whether the process that wrote temporary file `name` has ended."""
    if now - modified > STALE_AFTER_SECONDS:
        return True
    parts = name.rsplit(".", 4)  # ".NAME", HOST, PID, RANDOM, "tmp"
    if len(parts) != 5 or parts[1] != _host() or not parts[2].isdigit():
        return False  # another machine's, or not ours: leave it until it is old
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporary files left by writers that were killed; return what was removed."""
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    with os.scandir(folder) as entries:
        for entry in entries:
            if not (entry.name.startswith(".") and entry.name.endswith(".tmp")):
                continue
            try:
                modified = entry.stat(follow_symlinks=False).st_mtime
            except FileNotFoundError:
                continue
            if entry.is_file(follow_symlinks=False) and _writer_gone(entry.name, now, modified):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed
