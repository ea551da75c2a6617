"""Who acts, and through which front door: the value every service takes for its actor."""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("cli", "web")


@dataclass(frozen=True)
class Origin:
    """Where a command came from: the front door (`cli` or `web`) and the account behind it
    (the operating-system account for the CLI, the signed-in session for the portal)."""

    channel: str
    account: str


@dataclass(frozen=True)
class Actor:
    """Who acts: the registered user's `name` (whom the rules and the record name), the front
    door's `channel` (`cli` or `web`) and the `account` behind it (the operating-system account
    for the CLI, the signed-in session's user for the portal). The front door builds it; every
    audit event the action writes records all three."""

    name: str
    channel: str
    account: str

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r} (channels: {', '.join(CHANNELS)})")

    @property
    def origin(self) -> Origin:
        return Origin(self.channel, self.account)
