"""Reading a roster CSV: every bad row reported with its line and column, or nothing at all."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from qualify.errors import BadInput

COLUMNS = {
    "employee_id": 50,
    "name": 200,
    "rank": 100,
    "unit": 100,
    "supervisor": 100,
    "email": 200,
}
REQUIRED = ("employee_id", "name")


@dataclass(frozen=True)
class RosterRow:
    line: int
    values: dict[str, str]


def check_candidate_values(values: dict[str, str]) -> list[tuple[str, str]]:
    """Problems with one candidate's values, as (column, message)."""
    problems = []
    for column in REQUIRED:
        if not values.get(column, "").strip():
            problems.append((column, "is empty; it is required"))
    for column, limit in COLUMNS.items():
        value = values.get(column, "")
        if "\x00" in value:
            problems.append((column, "contains a NUL byte (\\x00); remove it"))
        if len(value) > limit:
            problems.append((column, f"is longer than {limit} characters"))
    email = values.get("email", "")
    if email and ("@" not in email or " " in email):
        problems.append(("email", f"{email!r} is not an email address"))
    return problems


def parse_roster(data: bytes, source: str) -> list[RosterRow]:
    """Parse a UTF-8 roster (BOM or not, any line endings); raise BadInput listing every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{source}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BadInput(
            f"{source}: the file is empty; the first line must name the columns"
        ) from None
    except csv.Error as exc:
        raise BadInput(f"{source}:1: {exc}") from None
    names = [h.strip().lower() for h in header]
    problems = [
        f"{source}:1: unknown column {name!r} (columns: {', '.join(COLUMNS)})"
        for name in names
        if name not in COLUMNS
    ]
    problems += [f"{source}:1: missing column '{c}'" for c in REQUIRED if c not in names]
    problems += [
        f"{source}:1: column '{n}' appears twice" for n in set(names) if names.count(n) > 1
    ]
    if problems:
        raise BadInput("\n".join(problems))

    rows: list[RosterRow] = []
    first_line: dict[str, int] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines, including trailing ones
            if len(record) != len(names):
                counted = f"{len(record)} values, but the header names {len(names)} columns"
                problems.append(f"{source}:{line}: {counted}")
                continue
            values = {name: cell.strip() for name, cell in zip(names, record, strict=True)}
            problems += [
                f"{source}:{line}: {col}: {msg}" for col, msg in check_candidate_values(values)
            ]
            employee_id = values["employee_id"]
            if employee_id in first_line:
                earlier = first_line[employee_id]
                problems.append(
                    f"{source}:{line}: employee_id: {employee_id} is also on line {earlier}"
                )
            first_line.setdefault(employee_id, line)
            rows.append(RosterRow(line, values))
    except csv.Error as exc:
        problems.append(f"{source}:{line + 1}: {exc}")
    if problems:
        raise BadInput("\n".join(_first(problems)))
    return rows


def _first(problems: list[str], shown: int = 20) -> list[str]:
    """At most `shown` problems, then how many more: a wrong file can have thousands."""
    if len(problems) <= shown:
        return problems
    return [*problems[:shown], f"... and {len(problems) - shown} more problems"]
