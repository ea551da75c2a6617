"""Settings from the environment (QUALIFY_*) with defaults; passed around as a value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from qualify.errors import BadInput
from qualify.limits import EVIDENCE_MAX_MB, MB

# The source checkout's root, where `workflows/` and `templates/` live beside `src/`.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_dir(name: str) -> Path:
    """Prefer a folder of that name in the working folder, else the one shipped with qualify."""
    local = Path.cwd() / name
    return local if local.is_dir() else PROJECT_ROOT / name


@dataclass(frozen=True)
class Settings:
    """Where qualify keeps and finds things."""

    database_url: str
    workflows_dir: Path
    templates_dir: Path
    output_dir: Path
    files_dir: Path
    max_evidence_bytes: int = EVIDENCE_MAX_MB * MB

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, database_url: str | None = None
    ) -> Settings:
        """Read QUALIFY_* variables; an explicit `database_url` (the --db option) wins."""
        env = os.environ if env is None else env
        url = database_url or env.get("QUALIFY_DATABASE_URL") or "sqlite:///qualify.db"
        return cls(
            database_url=url,
            workflows_dir=Path(env.get("QUALIFY_WORKFLOWS") or _default_dir("workflows")),
            templates_dir=Path(env.get("QUALIFY_TEMPLATES") or _default_dir("templates")),
            output_dir=Path(env.get("QUALIFY_OUTPUT") or "out"),
            files_dir=Path(env.get("QUALIFY_FILES") or _files_dir_beside(url)),
            max_evidence_bytes=_megabytes(env, "QUALIFY_MAX_EVIDENCE_MB", EVIDENCE_MAX_MB),
        )


def _megabytes(env: Mapping[str, str], name: str, default: int) -> int:
    """A size setting given in whole megabytes (1 to 1024), as bytes."""
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default * MB
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 1024:
        raise BadInput(f"{name}={raw!r}: give a whole number of megabytes from 1 to 1024")
    return value * MB


def _files_dir_beside(url: str) -> Path:
    """Keep stored evidence files beside a SQLite database, else in ./qualify-files."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        db_path = Path(url[len(prefix) :])
        return db_path.parent / (db_path.stem + "-files")
    return Path("qualify-files")
