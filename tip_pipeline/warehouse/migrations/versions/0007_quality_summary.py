"""ops.quality_summary: the quality summary waits for its year's publication

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Validation used to write published.data_quality itself, so a delivery validated but never
published (refused at its audit, or a run killed before publishing) showed its data quality to
analysts. Validation now writes ops.quality_summary (same columns), and publishing a year copies
its rows to published.data_quality in the publish transaction. Written by hand from
schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "quality_summary",
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year or reference vintage"),
        sa.Column("source", sa.Text(), nullable=False, comment="Source (cin, ssda903, yjs, hclic, ref)"),
        sa.Column("table_name", sa.Text(), nullable=False, comment="Extract"),
        sa.Column("rule_id", sa.Text(), nullable=False, comment="Rule id; 'all' for the table's total"),
        sa.Column("rule_text", sa.Text(), nullable=False, comment="The rule in plain English"),
        sa.Column("rows_read", sa.BigInteger(), nullable=False, comment="Records read from the files"),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False, comment="Records set aside"),
        sa.Column("run_id", sa.Text(), nullable=False, comment="Run that validated (ops.runs)"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment="When it was validated"),
        sa.PrimaryKeyConstraint("period", "table_name", "rule_id", name=op.f("pk_quality_summary")),
        schema="ops",
        comment="The latest validation's quality summary of each delivery, waiting to be published: publishing a year copies its rows to published.data_quality in the publish transaction.",
    )
    # what validation had published so far waits with the rest
    op.execute(
        "INSERT INTO ops.quality_summary SELECT period, source, table_name, rule_id, rule_text, "
        "rows_read, rows_quarantined, run_id, loaded_at FROM published.data_quality"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("quality_summary", schema="ops")
