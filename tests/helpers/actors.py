"""Actors for tests that call the services directly: users on the command line, from the
operating-system account running the tests, as the CLI would build them."""

from __future__ import annotations

from qualify.actor import Actor, Origin, os_account

CLI = Origin("cli", os_account())


def as_user(name: str) -> Actor:
    """The registered user `name` acting on the command line."""
    return CLI.actor(name)
