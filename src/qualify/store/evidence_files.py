"""Evidence files: read from the user's path (a regular file within the size limit), checked
against the types a field accepts, and kept in the store under their sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import Session, select

from qualify.files import read_regular_file
from qualify.limits import EVIDENCE_MAX_MB, MB
from qualify.store.private import private_dir
from qualify.store.tables import Evidence
from qualify.workflow.filetypes import DEFAULT_ACCEPT, LABELS, describe, sniff
from qualify.workflow.spec import FieldSpec

MAX_FILE_BYTES = EVIDENCE_MAX_MB * MB


def read_evidence_file(path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an evidence file: a regular file (not a pipe, device or symbolic link) of at
    most `limit` bytes."""
    return read_regular_file(
        path, label=str(path), limit=limit, follow_symlinks=False, field="file"
    )


def file_type_problem(field: FieldSpec, data: bytes) -> str | None:
    """Why the content of `data` is not a type `field` accepts, or None when it is."""
    accepted = field.accept or DEFAULT_ACCEPT
    found = sniff(data)
    if found in accepted:
        return None
    what = f"a {LABELS[found]} file" if found else "of a type qualify does not recognise"
    return f"is {what}; this field accepts {describe(accepted)}"


def store_file(files_dir: Path, data: bytes) -> tuple[str, Path]:
    """Keep a file's bytes in the store under their sha256; an existing copy is never
    overwritten."""
    digest, target, _ = store_bytes(files_dir, data)
    return digest, target


def store_bytes(files_dir: Path, data: bytes) -> tuple[str, Path, bool]:
    """As store_file, and say whether this call created the stored copy."""
    digest = hashlib.sha256(data).hexdigest()
    target = files_dir / digest[:2] / digest
    if target.exists():
        return digest, target, False
    private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    created = False
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(tmp, target)  # fails if another process stored it first: theirs is identical
        created = True
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return digest, target, created


def forget_unless_used(session: Session, digest: str, path: Path) -> None:
    """Remove a file this command stored for a record that did not commit, unless another
    record that did commit uses the same file."""
    used = session.exec(select(Evidence.id).where(Evidence.file_sha256 == digest)).first()
    session.rollback()
    if used is None:
        path.unlink(missing_ok=True)


@contextmanager
def kept_if_committed(session: Session, files_dir: Path, data: bytes | None) -> Iterator[None]:
    """Keep `data` (if any) in the store for the commit the block makes; a commit that fails is
    rolled back and the file this call stored is forgotten unless a committed record uses it."""
    stored = store_bytes(files_dir, data) if data is not None else None
    try:
        yield
    except BaseException:
        session.rollback()
        if stored is not None and stored[2]:
            forget_unless_used(session, stored[0], stored[1])
        raise
