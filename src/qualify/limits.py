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
# The earliest date of a fact (service begun, a probation completed, a review, a test, a course
# completed): no officer serving now has a record from before 1950, so an earlier date is a
# mistyped year (1926 for 2026), refused at entry. After today is refused too (store/clock.py).
FACT_DATE_MIN = date(1950, 1, 1)

# YAML files (workflows, demo scenarios): bytes, nesting depth, and values once aliases are
# expanded. The SRO workflow is 14 KB, 6 levels deep and about 1,500 values.
YAML_MAX_CHARS = 1_000_000
YAML_MAX_DEPTH = 64
YAML_MAX_NODES = 100_000

# A roster of 10,000 officers is about 1 MB.
ROSTER_MAX_BYTES = 20 * MB

# A course's hours in the workflow's training (a fraction is allowed): a semester, not a career.
TRAINING_HOURS_MAX = 1000

# A text field of evidence (a note, a case number): a paragraph, not a document.
EVIDENCE_TEXT_MAX = 2000

# One evidence file; the setting QUALIFY_MAX_EVIDENCE_MB changes it (1 to 1024).
EVIDENCE_MAX_MB = 25

# Free text that may end up in the permanent audit log and in packets (docs/operations.md,
# "Limits on free text"): longer text is refused as bad input (exit 2), and nothing is written.
REASON = 2_000  # why: a decision, a correction, a panel change, a purge, a hold, a key rotation
COMMENT = 2_000  # a panelist's comment on one criterion
CONFLICT = 1_000  # a declared conflict of interest
NAME_IN_REFUSAL = 64  # an unknown user's attempted name, as a refusal records it
REFUSAL = 500  # a refusal's message, as the audit log records it


def check(field: str, text: str | None, limit: int, *, shown: str | None = None) -> None:
    """Refuse `text`, given as `field` (and shown as `shown`), if it is longer than `limit`
    characters."""
    if text is not None and len(text) > limit:
        from qualify.errors import BadInput

        raise BadInput(
            f"{len(text):,} characters is too long (at most {limit:,})", field=field, value=shown
        )


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
