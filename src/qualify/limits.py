"""How long free text may be. Everything typed into qualify may end up in the permanent audit
log and in packets, so every free-text field has a documented cap (docs/operations.md, "Limits
on free text"); longer text is refused as bad input (exit 2), and nothing is written."""

from __future__ import annotations

from qualify.errors import BadInput

REASON = 2_000  # why: a decision, a correction, a panel change, a purge, a hold, a key rotation
COMMENT = 2_000  # a panelist's comment on one criterion
CONFLICT = 1_000  # a declared conflict of interest
TEXT_FIELD = 4_000  # an evidence field of type text (a finding's summary, a letter's text)
NAME_IN_REFUSAL = 64  # an unknown user's attempted name, as a refusal records it
REFUSAL = 500  # a refusal's message, as the audit log records it


def check(field: str, value: str | None, limit: int) -> None:
    """Refuse `value` if it is longer than `limit` characters."""
    if value is not None and len(value) > limit:
        raise BadInput(f"{field}: {len(value):,} characters is too long (at most {limit:,})")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
