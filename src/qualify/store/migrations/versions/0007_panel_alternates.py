"""panel_alternate: alternates per seat, who sit for a candidate whose seat holder may not

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "panel_alternate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("seat", String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("panelist", String(length=100), nullable=False),
        sa.Column("assigned_at", Time(), nullable=False),
        sa.Column("assigned_by", String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["selection_id"], ["selection.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("selection_id", "panelist"),
    )
    with op.batch_alter_table("panel_alternate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_alternate_selection_id"), ["selection_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("panel_alternate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_alternate_selection_id"))
    op.drop_table("panel_alternate")
