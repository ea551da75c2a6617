"""self-identification, legal holds and purge tombstones

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "self_identification",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("sex", String(length=30), nullable=False),
        sa.Column("race_ethnicity", String(length=50), nullable=False),
        sa.Column("recorded_at", Time(), nullable=False),
        sa.Column("recorded_by", String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("reason", String(), nullable=False),
        sa.Column("placed_at", Time(), nullable=False),
        sa.Column("placed_by", String(length=100), nullable=False),
        sa.Column("released_at", Time(), nullable=True),
        sa.Column("released_by", String(length=100), nullable=True),
        sa.Column("release_reason", String(), nullable=True),
        sa.ForeignKeyConstraint(["selection_id"], ["selection.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_legal_hold_selection_id"), ["selection_id"], unique=False
        )
    op.create_table(
        "tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("table_name", String(length=50), nullable=False),
        sa.Column("row_key", String(length=100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("sha256", String(length=64), nullable=False),
        sa.Column("purged_at", Time(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["selection_id"], ["selection.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tombstone_selection_id"), ["selection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tombstone_selection_id"))
    op.drop_table("tombstone")
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_hold_selection_id"))
    op.drop_table("legal_hold")
    op.drop_table("self_identification")
