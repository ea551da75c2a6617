"""Reading a roster CSV: every bad row reported with its line and column, or nothing at all."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from qualify.errors import BadInput
from qualify.names import clean, display_name, split_name, text_problem

# The columns a roster may have, with their length limits. A row names the officer either by
# `first_name` and `last_name` or by one `name` ("Last, First" when it has a comma).
COLUMNS = {
    "employee_id": 50,
    "first_name": 100,
    "last_name": 100,
    "name": 200,
    "rank": 100,
    "unit": 100,
    "supervisor": 100,
    "email": 200,
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    values: dict[str, str]


def candidate_values(given: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """One candidate's values as stored, and their problems as (column, message): the names
    split or joined, text cleaned (NFC, single spaces), control characters refused."""
    values = {column: clean(given.get(column) or "") for column in COLUMNS}
    problems: list[tuple[str, str]] = []
    for column in COLUMNS:
        problem = text_problem(given.get(column) or "")
        if problem and "\x00" not in (given.get(column) or ""):  # a NUL is named below
            problems.append((column, problem))
    if not values["employee_id"]:
        problems.append(("employee_id", "is empty; it is required"))
    if values["first_name"] or values["last_name"]:
        if not values["last_name"]:
            problems.append(("last_name", "is empty; it is required"))
    elif values["name"]:
        values["first_name"], values["last_name"] = split_name(values["name"])
    else:
        problems.append(("name", "is empty; it is required"))
    values["name"] = display_name(values["first_name"], values["last_name"])
    for column, limit in COLUMNS.items():
        value = values.get(column, "")
        if "\x00" in (given.get(column) or ""):  # as given: a split name would repeat it
            problems.append((column, "contains a NUL byte (\\x00); remove it"))
        if len(value) > limit:
            problems.append((column, f"is longer than {limit} characters"))
    email = values["email"]
    if email and ("@" not in email or " " in email):
        problems.append(("email", f"{email!r} is not an email address"))
    return values, problems


def parse_roster(data: bytes, source: str) -> tuple[list[RosterRow], list[tuple[int, str]]]:
    """Parse a UTF-8 roster (BOM or not, any line endings): its rows, and every problem of a
    row as (line, "FILE:LINE: what"), for the caller to list with its own in line order. A file
    that cannot be read as a roster at all (not UTF-8, no header, bad columns) raises BadInput."""
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
    if "employee_id" not in names:
        problems.append(f"{source}:1: missing column 'employee_id'")
    if "name" not in names and "last_name" not in names:
        problems.append(
            f"{source}:1: missing the names: give columns first_name,last_name (or name)"
        )
    problems += [
        f"{source}:1: column '{n}' appears twice" for n in set(names) if names.count(n) > 1
    ]
    if problems:
        raise BadInput("\n".join(problems))

    rows: list[RosterRow] = []
    found_in_rows: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    line = 1
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines, including trailing ones
            if len(record) != len(names):
                counted = f"{len(record)} values, but the header names {len(names)} columns"
                found_in_rows.append((line, f"{source}:{line}: {counted}"))
                continue
            given = dict(zip(names, record, strict=True))
            values, found = candidate_values(given)
            found_in_rows += [(line, f"{source}:{line}: {col}: {msg}") for col, msg in found]
            employee_id = values["employee_id"]
            if employee_id in first_line:
                earlier = first_line[employee_id]
                found_in_rows.append(
                    (line, f"{source}:{line}: employee_id: {employee_id} is also on line {earlier}")
                )
            first_line.setdefault(employee_id, line)
            rows.append(RosterRow(line, values))
    except csv.Error as exc:
        found_in_rows.append((line + 1, f"{source}:{line + 1}: {exc}"))
    return rows, found_in_rows


def refuse_problems(problems: list[tuple[int, str]], shown: int = 20) -> None:
    """Raise BadInput listing the problems in line order (a line's own in the order found): at
    most `shown`, then how many more, as a wrong file can have thousands."""
    if not problems:
        return
    ordered = [text for _, text in sorted(problems, key=lambda p: p[0])]
    if len(ordered) > shown:
        ordered = [*ordered[:shown], f"... and {len(ordered) - shown} more problems"]
    raise BadInput("\n".join(ordered))
