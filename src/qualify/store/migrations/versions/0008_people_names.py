"""people's names: users get a full name and a title, candidates a given and a family name

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _split(name: str) -> tuple[str, str]:
    # Frozen here (not imported from qualify.names): a migration keeps its meaning when the
    # service code changes later. "Last, First" when there is a comma, else the last word.
    name = _clean(name)
    if "," in name:
        family, _, given = name.partition(",")
        return _clean(given), _clean(family)
    given, _, family = name.rpartition(" ")
    return given, family


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(
        name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=False, server_default=""
    )


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(_text("full_name", 200))
        batch_op.add_column(_text("title", 200))
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(_text("first_name", 100))
        batch_op.add_column(_text("last_name", 100))

    # Existing candidates: split the one name field, and store the name as "First Last".
    candidate = sa.table(
        "candidate",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(candidate.c.id, candidate.c.name)).all()
    for row_id, name in rows:
        given, family = _split(name)
        bind.execute(
            candidate.update()
            .where(candidate.c.id == row_id)
            .values(
                first_name=given[:100],
                last_name=family[:100],
                name=" ".join(p for p in (given, family) if p)[:200],
            )
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch "move and copy" of the candidate table would
    # trip the foreign keys that point at it.
    for table, column in [
        ("candidate", "last_name"),
        ("candidate", "first_name"),
        ("user", "title"),
        ("user", "full_name"),
    ]:
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
