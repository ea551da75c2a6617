"""one word for each thing: the table `attestation` is `conflict_declaration`, and evidence's
`attested_by` (who vouches for the fact) is `vouched_by`; renamed in place, rows kept

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename(old: str, new: str, old_column: str, new_column: str) -> None:
    op.rename_table(old, new)
    # SQLite cannot rename an index: it is made again (it holds nothing of its own).
    op.drop_index(f"ix_{old}_candidate_id", table_name=new)
    op.create_index(f"ix_{new}_candidate_id", new, ["candidate_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # The names PostgreSQL gave the table's key, foreign key and id sequence follow it.
        op.execute(f"ALTER INDEX {old}_pkey RENAME TO {new}_pkey")
        fkey = "candidate_id_fkey"
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT {old}_{fkey} TO {new}_{fkey}")
        op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
    # Both databases rename a column in place (SQLite since 3.25).
    op.execute(f"ALTER TABLE evidence RENAME COLUMN {old_column} TO {new_column}")


def upgrade() -> None:
    _rename("attestation", "conflict_declaration", "attested_by", "vouched_by")


def downgrade() -> None:
    _rename("conflict_declaration", "attestation", "vouched_by", "attested_by")
