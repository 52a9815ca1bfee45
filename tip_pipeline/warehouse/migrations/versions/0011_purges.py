"""ops.purges: what each purge deleted past retention (counts, never values)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Retention and purge (tip purge): person-level records of reporting years past retention,
quarantined records' contents, raw files taken in, contract files and Dagster runs are
deleted, and each deletion is recorded here by table, year and kind, with its count. Written by
hand from schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "purges",
        sa.Column("purge_id", sa.Text(), nullable=False, comment="Purge or erasure run (ops.runs)"),
        sa.Column("item", sa.Integer(), nullable=False, comment="Number of the item in the run (1, 2, ...)"),
        sa.Column(
            "what",
            sa.Text(),
            nullable=False,
            comment="'year records', 'quarantined records', 'raw files', 'contract files' or 'dagster runs'",
        ),
        sa.Column("table_name", sa.Text(), nullable=True, comment="Table the rows were deleted from; NULL for files, runs"),
        sa.Column("period", sa.Text(), nullable=True, comment="Financial year (e.g. 2020/21) where the item is one year's"),
        sa.Column("count", sa.BigInteger(), nullable=False, comment="Rows, files or runs deleted"),
        sa.Column("why", sa.Text(), nullable=False, comment="The retention setting applied, e.g. its limit"),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False, comment="When"),
        sa.PrimaryKeyConstraint("purge_id", "item", name=op.f("pk_purges")),
        schema="ops",
        comment="What each tip purge deleted past retention, by table, year and kind: counts, never a value. A year with 'year records' here is purged: its published figures stand and it is never run again.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("purges", schema="ops")
