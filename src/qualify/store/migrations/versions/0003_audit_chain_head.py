"""audit_chain_head(): lock the audit chain and read its head in one round trip (PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Appends to the chain are serialised by one transaction-level advisory lock (any constant
# works). The function is VOLATILE, so under READ COMMITTED its query takes a fresh snapshot
# after the lock is granted: it sees the event the previous holder committed. SQLite needs none
# of this: qualify's writers there hold the database's write lock from BEGIN IMMEDIATE.
AUDIT_LOCK = 0x5155414C


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION audit_chain_head() RETURNS varchar LANGUAGE plpgsql VOLATILE AS $$ "
        f"BEGIN PERFORM pg_advisory_xact_lock({AUDIT_LOCK}); "
        "RETURN (SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1); END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_chain_head()")
