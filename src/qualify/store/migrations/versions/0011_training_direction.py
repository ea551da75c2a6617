"""training_direction: the courses of training directed for a candidate, and by when

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "training_direction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("course", String(length=50), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("directed_at", Time(), nullable=False),
        sa.Column("directed_by", String(length=100), nullable=False),
        sa.Column("role", String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("candidate_id", "course"),
    )
    with op.batch_alter_table("training_direction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_direction_candidate_id"), ["candidate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_direction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_direction_candidate_id"))
    op.drop_table("training_direction")
