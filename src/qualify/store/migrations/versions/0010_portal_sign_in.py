"""portal sign-in: passwords, invitations, sessions, and failed sign-ins for the lockout

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "user_password",
        sa.Column("user_name", String(length=100), nullable=False),
        sa.Column("hash", String(length=255), nullable=False),
        sa.Column("set_at", Time(), nullable=False),
        sa.ForeignKeyConstraint(["user_name"], ["user.name"]),
        sa.PrimaryKeyConstraint("user_name"),
    )
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_name", String(length=100), nullable=False),
        sa.Column("token_sha256", String(length=64), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("created_by", String(length=100), nullable=False),
        sa.Column("expires_at", Time(), nullable=False),
        sa.Column("used_at", Time(), nullable=True),
        sa.Column("revoked_at", Time(), nullable=True),
        sa.ForeignKeyConstraint(["user_name"], ["user.name"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_invitation_user_name", "invitation", ["user_name"])
    op.create_table(
        "web_session",
        sa.Column("id_sha256", String(length=64), nullable=False),
        sa.Column("user_name", String(length=100), nullable=True),
        sa.Column("csrf_token", String(length=64), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("last_seen_at", Time(), nullable=False),
        sa.ForeignKeyConstraint(["user_name"], ["user.name"]),
        sa.PrimaryKeyConstraint("id_sha256"),
    )
    op.create_index("ix_web_session_user_name", "web_session", ["user_name"])
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", String(length=100), nullable=False),
        sa.Column("at", Time(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failure_name", "sign_in_failure", ["name"])
    op.create_table(
        "sign_in_lock",
        sa.Column("name", String(length=100), nullable=False),
        sa.Column("locked_at", Time(), nullable=False),
        sa.Column("locked_until", Time(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("sign_in_lock")
    op.drop_index("ix_sign_in_failure_name", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index("ix_web_session_user_name", table_name="web_session")
    op.drop_table("web_session")
    op.drop_index("ix_invitation_user_name", table_name="invitation")
    op.drop_table("invitation")
    op.drop_table("user_password")
