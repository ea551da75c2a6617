"""'Did you mean' for a word that names nothing: the closest of the names it could have meant.
Pure; used wherever a refusal names an unknown key, workflow, user or field."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def suggest(word: object, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
