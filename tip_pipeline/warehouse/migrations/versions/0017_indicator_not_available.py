"""published.indicator_not_available: the indicators a published year has no values of, and why

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-20

One published table: for a reporting year, each indicator not computed because the earlier
years it looks back to were not delivered (tip_pipeline.indicators.look_back), with the reason.
Written in the year's publish transaction (tip_pipeline.publish.store.publish_year). Written by
hand from schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0017"
down_revision: Union[str, Sequence[str], None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "indicator_not_available",
        sa.Column("indicator_id", sa.Text(), nullable=False, comment='Indicator id (dim_indicator)'),
        sa.Column("period", sa.Text(), nullable=False, comment='Financial year with no values of it'),
        sa.Column("reason", sa.Text(), nullable=False, comment='Why the indicator has no values for the year: the look-back years and tables not delivered'),
        sa.Column("run_id", sa.Text(), nullable=False, comment='Run that published the row (ops.runs)'),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment='When it was written'),
        sa.PrimaryKeyConstraint("indicator_id", "period", name=op.f("pk_indicator_not_available")),
        schema="published",
        comment="Indicators not computed for a published year, with the reason: their value for the year is NULL (no row in indicator_values), never one from part of the years they need.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("indicator_not_available", schema="published")
