"""The one way qualify writes CSV: every export goes through `csv_bytes`.

Values are stored exactly as given (an employee id may really be "-104" or "=1"), but a
spreadsheet opening an exported file runs any cell that starts with `=`, `+`, `-` or `@` (and,
in some programs, a tab or carriage return) as a formula: "CSV injection", which can run
commands or send data away. So every text cell that starts with one of those characters is
written with a leading apostrophe, which spreadsheets show as text and never evaluate (OWASP's
advice). Numbers (int, float) are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str | int | float:
    """A value as it goes into a cell: text that a spreadsheet would run is made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A whole CSV file (UTF-8, a header line, `\\n` line ends) with every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")
