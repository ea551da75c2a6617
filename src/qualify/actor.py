"""Who acts, and through which front door: the value every service takes for its actor."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

CHANNELS = ("cli", "web")


def os_account() -> str:
    """The operating-system account running this process, from its real user id (not from
    $USER or $LOGNAME, which anyone can set)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


@dataclass(frozen=True)
class Origin:
    """Where a command came from: the front door (`cli` or `web`) and the account behind it
    (the operating-system account for the CLI, the signed-in session for the portal)."""

    channel: str
    account: str

    def actor(self, name: str) -> Actor:
        """The user `name` acting through this front door and account."""
        return Actor(name, self.channel, self.account)


@dataclass(frozen=True)
class Actor:
    """Who acts: the registered user's `name` (whom the rules and the record name), the front
    door's `channel` (`cli` or `web`) and the `account` behind it (the operating-system account
    for the CLI, the signed-in session's user for the portal). The front door builds it; every
    service that acts for someone takes it, and every audit event records all three."""

    name: str
    channel: str
    account: str

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r} (channels: {', '.join(CHANNELS)})")

    def __str__(self) -> str:
        return self.name
