"""How the command line reads to a person: conventional metavars in help, and usage errors as
one line on stderr.

Typer 0.29 shows `{CANDIDATE}` for a required argument, `<int>` and `<str>` for types, and
lower-case argument names; the conventions of Unix tools (and of Click) are `CANDIDATE`,
`[CANDIDATE]`, `INTEGER` and `TEXT`. Typer has no setting for this, so `conventional_help()`
adjusts its parameter classes once, at import of the CLI.
"""

from __future__ import annotations

from typing import Any

from typer import core
from typer._click import exceptions as click_errors

# Typer's type labels (inside its <...>) and the conventional words for them.
_TYPE_WORDS = {
    "int": "INTEGER",
    "str": "TEXT",
    "float": "FLOAT",
    "bool": "BOOLEAN",
    "path": "PATH",
    "file": "FILE",
    "directory": "DIRECTORY",
    "datetime": "DATE",
}


def _type_word(label: str) -> str:
    inner = label.strip("<>").removesuffix(" range")  # the range itself is shown in the help
    if inner.startswith("list[") and inner.endswith("]"):
        inner = inner[5:-1]
    return _TYPE_WORDS.get(inner, inner.upper() if inner.isidentifier() else inner)


def conventional_help() -> None:
    """Make Typer print CANDIDATE / [CANDIDATE] and TEXT / INTEGER, as Unix tools do."""
    argument: Any = core.TyperArgument
    option: Any = core.TyperOption
    if getattr(argument, "_qualify_conventional", False):
        return
    typer_display_type = argument.display_type

    def display_name_raw(self: Any) -> str:
        return str(self.metavar or (self.name or "").upper())

    def usage_name(self: Any) -> str:
        name = display_name_raw(self)
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def display_type(self: Any, ctx: Any) -> str:
        return _type_word(str(typer_display_type(self, ctx)))

    argument.display_name_raw = property(display_name_raw)
    argument._usage_display_name = usage_name
    # In an argument's help row the name (CANDIDATE) says enough; no type beside it.
    argument.display_type_rich = lambda self, ctx: None
    argument.display_type = display_type
    option.display_type = display_type
    argument._qualify_conventional = True


def one_line(exc: click_errors.ClickException) -> str:
    """A usage error as one line: what is wrong, then where to read more."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click_errors.UsageError) and ctx is not None:
        return f"error: {message} (see '{ctx.command_path} --help')"
    return f"error: {message}"
