"""Settings from the environment (QUALIFY_*) with defaults; passed around as a value."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from qualify.errors import BadInput
from qualify.limits import EVIDENCE_MAX_MB, MB

# The source checkout's root, where `workflows/` and `templates/` live beside `src/`.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_dir(name: str) -> Path:
    """Prefer a folder of that name in the working folder, else the one shipped with qualify."""
    local = Path.cwd() / name
    return local if local.is_dir() else PROJECT_ROOT / name


@dataclass(frozen=True)
class PortalSettings:
    """The web portal's sign-in rules (`qualify serve`)."""

    # The address people open, for the invitation links the CLI prints (QUALIFY_PORTAL_URL).
    url: str = "http://127.0.0.1:8000"
    # Behind HTTPS (QUALIFY_PORTAL_HTTPS=1): the session cookie is then sent only over HTTPS.
    https: bool = False
    session_idle_minutes: int = 30  # QUALIFY_SESSION_IDLE_MINUTES
    session_max_hours: int = 12  # QUALIFY_SESSION_MAX_HOURS: from sign-in, however active
    invitation_hours: int = 72
    # Five failed sign-ins for a user name within 15 minutes lock it for 15 minutes.
    lockout_failures: int = 5
    lockout_minutes: int = 15
    # Requests each server process works on at once (QUALIFY_PORTAL_AT_ONCE); the others wait
    # their turn in the order they came (web/turns.py says why).
    at_once: int = 4

    @property
    def port(self) -> int:
        """The port of the address people open (80 or 443 when it names none)."""
        parsed = urlsplit(self.url)  # from_env refused a port that is not a number
        return parsed.port or (443 if parsed.scheme == "https" else 80)

    def port_warning(self, host: str, port: int) -> str | None:
        """One line when the portal listens on `host`:`port` but the address people open, where
        invitation links lead, is this machine on another port; None when they agree, or when
        the address is another machine's (a reverse proxy forwards to the portal)."""
        named = urlsplit(self.url).hostname or ""
        if named not in {"127.0.0.1", "localhost", "::1", host} or port == self.port:
            return None
        return (
            f"invitation links lead to {self.url} (QUALIFY_PORTAL_URL), but this portal listens "
            f"on port {port}: set QUALIFY_PORTAL_URL=http://{named}:{port}"
        )

    def link_note(self) -> str:
        """Which address an invitation link starts with, and how to change it."""
        if self.url == PortalSettings.url:
            return (
                f"the link starts with {self.url}, the default address of 'qualify serve'; if "
                "people open the portal at another address, set QUALIFY_PORTAL_URL to it and "
                "issue the link again"
            )
        return f"the link starts with {self.url}, from QUALIFY_PORTAL_URL"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PortalSettings:
        https = (env.get("QUALIFY_PORTAL_HTTPS") or "").strip().lower()
        if https not in ("", "0", "1", "no", "yes", "false", "true"):
            raise BadInput(f"QUALIFY_PORTAL_HTTPS={https!r}: give 1 or 0")
        url = (env.get("QUALIFY_PORTAL_URL") or cls.url).strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise BadInput(f"QUALIFY_PORTAL_URL={url!r}: give an http:// or https:// address")
        try:
            _ = urlsplit(url).port  # the port, when given, is a number from 0 to 65535
        except ValueError:
            raise BadInput(f"QUALIFY_PORTAL_URL={url!r}: its port is not a number") from None
        return cls(
            url=url,
            https=https in ("1", "yes", "true"),
            session_idle_minutes=_whole(env, "QUALIFY_SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
            session_max_hours=_whole(env, "QUALIFY_SESSION_MAX_HOURS", 12, 1, 24 * 7),
            at_once=_whole(env, "QUALIFY_PORTAL_AT_ONCE", cls.at_once, 1, 64),
        )


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number setting from `low` to `high`."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadInput(f"{name}={raw!r}: give a whole number from {low} to {high}")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Where qualify keeps and finds things."""

    database_url: str
    workflows_dir: Path
    templates_dir: Path
    output_dir: Path
    files_dir: Path
    # The records folder: packets made by `advance` (and `packet --repair`), and the audit
    # checkpoints. Created with mode 0700, its files 0600; one per database.
    records_dir: Path
    # Years a selection's records are kept after its last action (29 CFR 1602: at least 2).
    retention_years: int = 2
    # Public-records export profiles (`profiles/NAME.yaml`).
    profiles_dir: Path = field(default_factory=lambda: _default_dir("profiles"))
    max_evidence_bytes: int = EVIDENCE_MAX_MB * MB
    # The audit key file (QUALIFY_AUDIT_KEY): the secret that signs the audit chain, created by
    # `init` with mode 0600. By default in the user's config folder, never beside the database.
    audit_key_file: Path | None = None
    portal: PortalSettings = field(default_factory=lambda: PortalSettings())

    @property
    def audit_key(self) -> Path:
        """The audit key file: the setting, else the default place for this database."""
        if self.audit_key_file is not None:
            return self.audit_key_file
        named = os.environ.get("QUALIFY_AUDIT_KEY")
        return Path(named) if named else default_audit_key(self.database_url, os.environ)

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
            records_dir=Path(env.get("QUALIFY_RECORDS") or _records_dir_beside(url, env)),
            retention_years=_retention_years(env.get("QUALIFY_RETENTION_YEARS")),
            profiles_dir=Path(env.get("QUALIFY_PROFILES") or _default_dir("profiles")),
            max_evidence_bytes=_megabytes(env, "QUALIFY_MAX_EVIDENCE_MB", EVIDENCE_MAX_MB),
            audit_key_file=Path(env["QUALIFY_AUDIT_KEY"]) if env.get("QUALIFY_AUDIT_KEY") else None,
            portal=PortalSettings.from_env(env),
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


def _records_dir_beside(url: str, env: Mapping[str, str]) -> Path:
    """The records folder: beside a SQLite database (`NAME-records/`); for a server database, in
    the user's data folder, named after the server and database. Never the working folder as
    such: packets hold personnel records and must not land wherever a command was run."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        db_path = Path(url[len(prefix) :]).absolute()
        return db_path.parent / (db_path.stem + "-records")
    data = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "qualify" / (_server_name(url) + "-records")


def default_audit_key(url: str, env: Mapping[str, str]) -> Path:
    """The audit key's default place: the user's config folder, one file per database (named
    after a SQLite file's absolute path, or a server's host, port and database), so that
    whoever can copy the database folder does not get the key with it."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        path = str(Path(url[len(prefix) :]).absolute()).strip("/")
        name = "".join(c if c.isalnum() or c in "._-" else "_" for c in path)
    else:
        name = _server_name(url)
    config = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "qualify" / "keys" / (name[-200:] + ".key")


def _server_name(url: str) -> str:
    """host-port-database of a database URL, safe as a folder name."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL: the --db check says so in one line
        return "qualify"
    parts = [parsed.host or "localhost", str(parsed.port or ""), parsed.database or "qualify"]
    name = "-".join(p for p in parts if p)
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


MINIMUM_RETENTION_YEARS = 2


def _retention_years(text: str | None) -> int:
    """QUALIFY_RETENTION_YEARS, a whole number of years, never below the legal floor."""
    from qualify.errors import BadInput

    if not text:
        return MINIMUM_RETENTION_YEARS
    try:
        years = int(text)
    except ValueError:
        raise BadInput(
            f"QUALIFY_RETENTION_YEARS: {text!r} is not a whole number of years"
        ) from None
    if not MINIMUM_RETENTION_YEARS <= years <= 100:
        raise BadInput(
            f"QUALIFY_RETENTION_YEARS: {years} is out of range: at least "
            f"{MINIMUM_RETENTION_YEARS} (29 CFR 1602 keeps selection records 2 years), at most 100"
        )
    return years
