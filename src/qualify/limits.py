"""Every limit on input in one place; docs/operations.md lists them for users.

Bad input is refused in one line before it can cost unbounded time or memory, or reach the
database as a value a column cannot hold.
"""

from __future__ import annotations

from datetime import date

MB = 1024 * 1024

# Record ids are PostgreSQL integers; a larger number cannot name a record on either backend.
ID_MAX = 2_147_483_647

# Dates anywhere (as-of dates, evidence dates): wide enough for any record, narrow enough that
# date arithmetic (years of service, ages of results) never leaves the calendar.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)

# YAML files (workflows, demo scenarios): bytes, nesting depth, and values once aliases are
# expanded. The SRO workflow is 14 KB, 6 levels deep and about 1,500 values.
YAML_MAX_CHARS = 1_000_000
YAML_MAX_DEPTH = 64
YAML_MAX_NODES = 100_000

# A roster of 10,000 officers is about 1 MB.
ROSTER_MAX_BYTES = 20 * MB

# A text field of evidence (a note, a case number): a paragraph, not a document.
EVIDENCE_TEXT_MAX = 2000

# One evidence file; the setting QUALIFY_MAX_EVIDENCE_MB changes it (1 to 1024).
EVIDENCE_MAX_MB = 25
