"""interview_result: each candidate's interview result, kept current for fast listing

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interview_result",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.JSON(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.ForeignKeyConstraint(["selection_id"], ["selection.id"]),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    with op.batch_alter_table("interview_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_result_selection_id"), ["selection_id"], unique=False
        )
    # Fill the rows for interviews already under way, computed from their records.
    from qualify.services.results import rebuild_results

    with Session(bind=op.get_bind()) as session:
        rebuild_results(session)
        session.flush()


def downgrade() -> None:
    with op.batch_alter_table("interview_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_result_selection_id"))
    op.drop_table("interview_result")
