"""Files and folders that hold personnel records are readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents with mode 0700 (mkdir's `parents` would give the
    parents the default mode); an existing folder is left as it is."""
    missing = []
    here = path
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is narrowed by the umask, never widened
    return path


def private_file(path: Path) -> bool:
    """Make sure `path` exists with mode 0600: create it empty if it does not, else narrow its
    mode. Return whether it was created."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            os.chmod(path, FILE_MODE)
        return False
    os.close(fd)
    return True
