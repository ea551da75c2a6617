"""The audit key file: the secret that signs the audit chain, kept outside the database.

A key file holds one key per line, `KEY_ID HEX`, oldest first; the last one signs new events.
Older keys stay so that the events they signed still verify (a rotation adds a key, see
docs/operations.md). The file is created with mode 0600 and never printed. Someone who can
write to the database but cannot read this file cannot make an event, a record hash or a
checkpoint that `audit verify` accepts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from qualify.errors import BadInput, DatabaseError, Step
from qualify.files import read_regular_file

KEY_BYTES = 32
KEY_FILE_LIMIT = 1024 * 1024  # thousands of rotations; anything bigger is not a key file
FILE_MODE = 0o600
HEADER = "# qualify audit key file: keep it secret, apart from the database (docs/operations.md)\n"


def key_id(key: bytes) -> str:
    """A short public name for a key: it says which key signed an event, and reveals nothing."""
    return hashlib.sha256(b"qualify audit key id\n" + key).hexdigest()[:16]


@dataclass(frozen=True)
class Keyring:
    """The keys of one key file, oldest first; the last is the current one."""

    path: Path
    keys: tuple[tuple[str, bytes], ...]

    @property
    def current_id(self) -> str:
        return self.keys[-1][0]

    def key(self, kid: str) -> bytes | None:
        for known, value in self.keys:
            if known == kid:
                return value
        return None

    def mac(self, kid: str, message: str) -> str:
        """HMAC-SHA256 of `message` under the key named `kid` (which must be held)."""
        key = self.key(kid)
        assert key is not None, kid
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _parse(path: Path, text: str) -> Keyring:
    keys: list[tuple[str, bytes]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            value = bytes.fromhex(parts[1]) if len(parts) == 2 else b""
        except ValueError:
            value = b""
        if len(value) != KEY_BYTES or key_id(value) != parts[0]:
            raise BadInput(f"audit key file {path}, line {number}: not a qualify audit key")
        keys.append((parts[0], value))
    if not keys:
        raise BadInput(f"audit key file {path}: holds no key")
    return Keyring(path, tuple(keys))


def load(path: Path) -> Keyring:
    """Read a key file; a missing one is a setup problem named with its fix."""
    if not os.path.lexists(path):
        raise DatabaseError(f"no audit key at {path}", step=Step("create_audit_key"))
    # A regular file only: a FIFO or a device given by mistake must not hang or flood the reader.
    data = read_regular_file(path, label=f"audit key file {path}", limit=KEY_FILE_LIMIT)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise BadInput(f"audit key file {path}: cannot read it: not a text file") from None
    return _parse(path, text)


def _write(path: Path, keys: list[tuple[str, bytes]], *, new: bool) -> None:
    """Write the whole file under a temporary name (0600), flush it, then move it into place;
    a new file is never written over an existing one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = HEADER + "".join(f"{kid} {value.hex()}\n" for kid, value in keys)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            os.write(fd, body.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            if new:
                os.link(tmp, path)  # fails if someone made the file meanwhile
            else:
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        raise BadInput(f"audit key file {path}: exists already") from None
    except OSError as exc:
        raise BadInput(f"audit key file {path}: cannot write it: {exc.strerror}") from None


def create(path: Path, key: bytes | None = None) -> Keyring:
    """Create a key file with one new random key (or the given one), mode 0600."""
    value = key if key is not None else secrets.token_bytes(KEY_BYTES)
    _write(path, [(key_id(value), value)], new=True)
    return load(path)


def add_key(ring: Keyring) -> Keyring:
    """A rotation: append a new random key to the file; it signs from now on."""
    value = secrets.token_bytes(KEY_BYTES)
    _write(ring.path, [*ring.keys, (key_id(value), value)], new=False)
    return load(ring.path)


def drop_last(ring: Keyring, kid: str) -> None:
    """Undo `add_key` when the rotation could not be recorded."""
    if len(ring.keys) > 1 and ring.keys[-1][0] == kid:
        _write(ring.path, list(ring.keys[:-1]), new=False)
