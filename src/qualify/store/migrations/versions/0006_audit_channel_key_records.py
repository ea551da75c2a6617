"""audit_event: channel and account of every event, the key that signs it, and the hashes of the
records it created or changed; the chain head with the database server's time (PostgreSQL)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
# The advisory lock of migration 0003: one lock serialises every append to the chain.
AUDIT_LOCK = 0x5155414C


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): the append-only triggers stay, and no event row is
    # rewritten. Events written before this revision keep empty values here: `audit verify`
    # checks them by their plain sha256 chain, sealed by the first keyed event (`qualify init`).
    for name, kind, default in [
        ("channel", String(20), ""),
        ("account", String(100), ""),
        ("key_id", String(16), ""),
        ("records", String(), "{}"),
    ]:
        op.add_column("audit_event", sa.Column(name, kind, nullable=False, server_default=default))
    if op.get_bind().dialect.name == "postgresql":
        # The head and the server's clock, read after the lock is granted, so that event times
        # come from one clock and never run backwards between two appends.
        op.execute(
            "CREATE FUNCTION audit_chain_head_at(OUT head varchar, OUT now timestamptz) "
            "LANGUAGE plpgsql VOLATILE AS $$ "
            f"BEGIN PERFORM pg_advisory_xact_lock({AUDIT_LOCK}); "
            "head := (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1); "
            "now := clock_timestamp(); END $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head_at()")
    for column in ("records", "key_id", "account", "channel"):
        with op.batch_alter_table("audit_event") as batch_op:
            batch_op.drop_column(column)
