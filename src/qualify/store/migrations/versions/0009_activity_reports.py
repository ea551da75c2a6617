"""activity_report: an appointed officer's quarterly activity reports, versioned

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "activity_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("quarter", String(length=6), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("reason", String(), nullable=True),
        sa.Column("entered_at", Time(), nullable=False),
        sa.Column("entered_by", String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "quarter", "version"),
    )
    with op.batch_alter_table("activity_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_report_candidate_id"), ["candidate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("activity_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_report_candidate_id"))
    op.drop_table("activity_report")
