"""Reading files users name and writing to folders they name: refused in one line, never hung.

A FIFO, a device or a socket given as an input file would block a read for ever (or never end),
so an input must be a regular file, checked on the open descriptor (opened without blocking,
so a FIFO with no writer cannot hang the open itself), and it is read only up to a limit.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qualify.errors import BadInput
from qualify.limits import MB


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_regular_file(
    path: Path, *, label: str, limit: int, follow_symlinks: bool = True, field: str | None = None
) -> bytes:
    """The bytes of `path`, which must be a regular file of at most `limit` bytes. `label` names
    the file in errors, as the value of the input `field` when the file is one;
    `follow_symlinks=False` refuses symlinks."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise BadInput(
                "is a symbolic link; give the file itself", field=field, value=label
            ) from None
        raise BadInput(f"cannot read: {_reason(exc)}", field=field, value=label) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _kind(info.st_mode)
            raise BadInput(f"is {kind}, not a regular file", field=field, value=label)
        if info.st_size > limit:
            raise BadInput(
                f"is {_size(info.st_size)}; the limit is {_size(limit)}", field=field, value=label
            )
        # The descriptor is non-blocking; for a regular file that changes nothing.
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(MB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while we read it
                raise BadInput(
                    f"is larger than the limit of {_size(limit)}", field=field, value=label
                )
        return b"".join(chunks)
    except OSError as exc:
        raise BadInput(f"cannot read: {_reason(exc)}", field=field, value=label) from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a plain file"


def _size(n: int) -> str:
    if n >= MB:
        return f"{n / MB:.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def output_folder(path: Path, *, label: str) -> Path:
    """Make sure `path` is a folder qualify can write in, creating it (and missing parents) when
    it does not exist; refuse a file, a folder that cannot be created or one that is not
    writable (such as /proc) in one line."""
    if path.exists() and not path.is_dir():
        raise BadInput(f"{label} {path}: is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        # Writing a file is the only true test: /proc and read-only mounts pass os.access as root.
        fd, probe = tempfile.mkstemp(dir=path, prefix=".qualify-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BadInput(f"{label} {path}: cannot write there: {_reason(exc)}") from None
    return path


@contextmanager
def output_folder_for(path: Path, *, label: str) -> Iterator[Path]:
    """`output_folder(path)` for one command: when the command fails, the folders it created
    are removed again if they are still empty, so a refused command leaves nothing behind."""
    absolute = path.absolute()
    missing = [p for p in (absolute, *absolute.parents) if not p.exists()]
    folder = output_folder(path, label=label)
    try:
        yield folder
    except BaseException:
        for created in missing:  # the deepest first
            try:
                created.rmdir()
            except OSError:
                break  # not empty (or not ours to remove): leave it and its parents
        raise
