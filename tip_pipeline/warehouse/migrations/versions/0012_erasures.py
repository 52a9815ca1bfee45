"""ops.erasures and ops.erased_people: tip erase's counts and its register

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Correction and erasure (tip erase): a child's records are removed from every layer; what was
removed is counted by table, year and file (ops.erasures), so that a file's records still add
up, and the child is kept in a register by a one-way hash of its pseudonym (ops.erased_people),
so that staging refuses its records when a file holding them is delivered again. Written by hand
from schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "erasures",
        sa.Column("erasure_id", sa.Text(), nullable=False, comment="Erasure or staging run (ops.runs)"),
        sa.Column("item", sa.Integer(), nullable=False, comment="Number of the item in the run (1, 2, ...)"),
        sa.Column("table_name", sa.Text(), nullable=False, comment="Contract extract the rows were of"),
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year (e.g. 2023/24)"),
        sa.Column("source_file", sa.Text(), nullable=False, comment="Delivered file the rows came from"),
        sa.Column(
            "load_run_id",
            sa.Text(),
            nullable=False,
            comment="Run that read the file (ops.ingest_log): its rows read = staged + malformed + erased",
        ),
        sa.Column(
            "layer",
            sa.Text(),
            nullable=False,
            comment="'staged' (with the validated or quarantined row made from it), 'malformed' (a line set aside at reading), or 'refused at staging' (delivered again after erasure)",
        ),
        sa.Column("count", sa.BigInteger(), nullable=False, comment="Rows erased"),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, comment="When"),
        sa.PrimaryKeyConstraint("erasure_id", "item", name=op.f("pk_erasures")),
        schema="ops",
        comment="What each tip erase removed, and what staging refused of children erased before, by table, year and file: counts, never a value, so that every file's records still add up.",
    )
    op.create_table(
        "erased_people",
        sa.Column(
            "token",
            sa.Text(),
            nullable=False,
            comment="SHA-256 of an erased child's pseudonym (hex): recognises the child delivered again without keeping the pseudonym",
        ),
        sa.Column("erasure_id", sa.Text(), nullable=False, comment="The erasure run (ops.runs)"),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False, comment="When"),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_erased_people")),
        schema="ops",
        comment="The erasure register: children erased by tip erase, whose records staging refuses when they are delivered again.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("erased_people", schema="ops")
    op.drop_table("erasures", schema="ops")
