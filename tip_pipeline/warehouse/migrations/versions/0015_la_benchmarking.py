"""published.la_benchmarking: LAIT-style benchmarking with Fingertips' England quintiles

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-20

One published table: for each catalogue indicator with a published benchmark, each year and
each authority the pipeline publishes, every English authority's published value (the
pipeline's own after disclosure control, or the benchmark file's), whether it is one of the
authority's statistical neighbours, ranks among the neighbours and England, LAIT's quartile band
and Fingertips' England quintile, computed from published values only in the year's publish
transaction (tip_pipeline.publish.benchmarking). Written by hand from schema.metadata and
checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "la_benchmarking",
        sa.Column("indicator_id", sa.Text(), nullable=False, comment='Indicator id (dim_indicator)'),
        sa.Column("period", sa.Text(), nullable=False, comment='Financial year'),
        sa.Column("la_code", sa.Text(), nullable=False, comment="The authority whose benchmarking view the row belongs to: one this pipeline publishes (its statistical neighbours are those of ref_stat_neighbours)"),
        sa.Column("area_code", sa.Text(), nullable=False, comment='An English upper-tier authority'),
        sa.Column("area_name", sa.Text(), nullable=True, comment='Its name'),
        sa.Column("region_code", sa.Text(), nullable=True, comment='Its region (ONS LA-to-region lookup)'),
        sa.Column("region_name", sa.Text(), nullable=True, comment="Its region's name"),
        sa.Column("value", sa.Double(), nullable=True, comment="Its published value: this pipeline's own (after disclosure control) for an authority it publishes, else the benchmark file's; NULL with value_note"),
        sa.Column("value_source", sa.Text(), nullable=False, comment="'this pipeline' (published.indicator_values) or 'ref_benchmarks' (the published benchmark file)"),
        sa.Column("value_note", sa.Text(), nullable=True, comment='Why the value is NULL (suppressed, not published)'),
        sa.Column("neighbour_rank", sa.Integer(), nullable=True, comment="1-10 if the authority is one of la_code's statistical neighbours (1 = most similar); NULL for la_code itself and any other authority"),
        sa.Column("neighbour_group_rank", sa.Integer(), nullable=True, comment='Rank among la_code and its ten neighbours with a value (1 = best; see rank_order); NULL outside the group or without a value'),
        sa.Column("neighbour_group_ranked", sa.Integer(), nullable=True, comment='Authorities of the group with a value'),
        sa.Column("england_rank", sa.Integer(), nullable=True, comment="Rank among England's authorities with a value (1 = best; ties share the lowest rank; see rank_order)"),
        sa.Column("england_ranked", sa.Integer(), nullable=True, comment="England's authorities with a value"),
        sa.Column("rank_order", sa.Text(), nullable=False, comment="What rank 1 is: 'lowest value first (higher is worse)', 'highest value first (higher is better)' or 'highest value first (no polarity: not a judgement)'"),
        sa.Column("quartile_band", sa.Text(), nullable=True, comment="LAIT's quartile banding: A (the quarter ranked first) to D, from england_rank"),
        sa.Column("england_quintile", sa.Integer(), nullable=True, comment="Quintile among England's values, 1 = lowest values (Fingertips' quintile bounds); NULL without a value or with fewer than five"),
        sa.Column("compared_to_percentiles", sa.Text(), nullable=True, comment="Fingertips' wording of the quintile: Best / Better / Middle / Worse / Worst with a polarity, Lowest / Low / Middle / High / Highest without, Not compared"),
        sa.Column("run_id", sa.Text(), nullable=False, comment='Run that published the row (ops.runs)'),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment='When it was written'),
        sa.CheckConstraint("quartile_band IN ('A', 'B', 'C', 'D')", name=op.f("ck_la_benchmarking_quartile_band")),
        sa.CheckConstraint("england_quintile BETWEEN 1 AND 5", name=op.f("ck_la_benchmarking_england_quintile")),
        sa.PrimaryKeyConstraint(
            "indicator_id",
            "period",
            "la_code",
            "area_code",
            name=op.f("pk_la_benchmarking"),
        ),
        schema="published",
        comment="LAIT-style benchmarking: for each indicator with a published benchmark and year, every English authority's published value (this pipeline's own for the authorities it publishes, the benchmark file's for the others), whether it is a statistical neighbour, ranks among the neighbours and England, LAIT's quartile band and Fingertips' England quintile; computed from published values only.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("la_benchmarking", schema="published")
