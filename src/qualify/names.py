"""People's names as text: splitting, display forms, and what text a name may hold. Pure.

Names are stored in Unicode's composed form (NFC), so that "Nguyễn" typed with combining marks
and "Nguyễn" typed precomposed are the same name and print with the font's own glyphs.
"""

# ruff: noqa: RUF001  (the table of look-alike letters holds look-alike letters on purpose)
from __future__ import annotations

import unicodedata

# Categories no name, title or user name ever needs: controls (ANSI escapes start with ESC),
# format characters (bidirectional overrides such as RLO, zero-width spaces and joiners), line
# and paragraph separators, private-use, surrogates and unassigned code points.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}

# Letters of other scripts that print like Latin ones (after NFKC and casefolding), from
# Unicode's confusables list (UTS #39): enough to catch a user name made to pass for another.
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "һ": "h",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "ӏ": "l",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "ԛ": "q",
        "г": "r",
        "ѕ": "s",
        "т": "t",
        "ѵ": "v",
        "ԝ": "w",
        "х": "x",
        "у": "y",
        "ԁ": "d",
        "ɡ": "g",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "γ": "y",
        "ζ": "z",
        # Latin letters that pass for others
        "ı": "i",
        "ȷ": "j",
        "ſ": "s",
    }
)


def describe_char(char: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: a character named so a user can find it."""
    name = unicodedata.name(char, "unnamed character")
    return f"U+{ord(char):04X} {name}"


def text_problem(text: str) -> str | None:
    """Why `text` cannot be a name or title (a control or invisible character), or None."""
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return (
                f"has a control or invisible character ({describe_char(char)}) at character "
                f"{position}; type the name as plain text"
            )
    return None


def clean(text: str) -> str:
    """Text as stored: composed (NFC), surrounding spaces removed, inner runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_name(name: str) -> tuple[str, str]:
    """(given name, family name) from one name field: "Last, First" when it has a comma,
    else everything before the last word is the given name ("Ann Marie Lee" -> Lee)."""
    name = clean(name)
    if "," in name:
        family, _, given = name.partition(",")
        return clean(given), clean(family)
    given, _, family = name.rpartition(" ")
    return given, family


def display_name(first_name: str, last_name: str) -> str:
    """The name as people write it: given name, then family name."""
    return " ".join(part for part in (clean(first_name), clean(last_name)) if part)


def skeleton(user_name: str) -> str:
    """What a user name looks like: compatibility-folded (NFKC), case-folded, and with letters
    of other scripts that print like Latin ones replaced by those. Two names with one skeleton
    cannot be told apart on a screen or on paper."""
    folded = unicodedata.normalize("NFKC", user_name).casefold()
    return unicodedata.normalize("NFKC", folded.translate(_LOOKALIKES))
