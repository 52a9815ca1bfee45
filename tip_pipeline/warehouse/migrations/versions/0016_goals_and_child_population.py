"""Goals and the child population: dim_indicator's goal, published.indicator_goals and
published.child_population

Revision ID: 0016
Revises: 0015
Create Date: 2027-01-14

Issue #19 (Fingertips and LAIT parity). dim_indicator carries each indicator's declared goal
(value, upper value of a range, polarity, comparison rule, source; NULL where none is
declared). published.indicator_goals holds every published value of an indicator with a goal
compared with it as OHID Fingertips compares a value with a target, computed from published
values only in the year's publish transaction (tip_pipeline.publish.goals).
published.child_population holds the ONS mid-year estimate of children aged 0-17 by local
authority, sex and single year of age, the year's denominators, published for the report's
population pyramid (tip_pipeline.publish.population). Written by hand from schema.metadata and
checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

AREA_TYPES = "area_type IN ('lsoa', 'ward', 'la', 'region', 'country')"
GOAL_COLUMNS = (
    ("goal_value", sa.Double(), "Goal on the value's scale (a range's lower end); NULL: none"),
    ("goal_upper", sa.Double(), "A goal range's upper end; NULL for a single value"),
    ("goal_polarity", sa.Text(), "The goal's side that is good: lower / higher is better"),
    ("goal_rule", sa.Text(), "How a value is compared with the goal (Fingertips)"),
    ("goal_source", sa.Text(), "Where the goal is set (document, body, date)"),
)


def _lineage() -> list[sa.Column]:
    return [
        sa.Column("run_id", sa.Text(), nullable=False, comment='Run that published the row (ops.runs)'),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment='When it was written'),
    ]


def upgrade() -> None:
    """Upgrade schema."""
    for name, type_, comment in GOAL_COLUMNS:
        op.add_column(
            "dim_indicator",
            sa.Column(name, type_, nullable=True, comment=comment),
            schema="published",
        )
    op.create_table(
        "indicator_goals",
        sa.Column("indicator_id", sa.Text(), nullable=False, comment='Indicator id (dim_indicator)'),
        sa.Column("period", sa.Text(), nullable=False, comment='Financial year'),
        sa.Column("area_type", sa.Text(), nullable=False, comment='ward, la, region or country'),
        sa.Column("area_code", sa.Text(), nullable=False, comment='ONS GSS code'),
        sa.Column("breakdown", sa.Text(), nullable=False, comment='As in indicator_values'),
        sa.Column("category", sa.Text(), nullable=False, comment='As in indicator_values'),
        sa.Column("goal_value", sa.Double(), nullable=False, comment='The goal compared with (lower end)'),
        sa.Column("goal_upper", sa.Double(), nullable=True, comment="A goal range's upper end; NULL for a single value"),
        sa.Column("goal_polarity", sa.Text(), nullable=False, comment='lower is better / higher is better'),
        sa.Column("compared_to_goal", sa.Text(), nullable=True, comment="Fingertips' wording: 'Better', 'Similar', 'Worse'; NULL: not compared (note)"),
        sa.Column("note", sa.Text(), nullable=True, comment='Why the value is not compared (suppressed, no value)'),
        *_lineage(),
        sa.CheckConstraint(AREA_TYPES, name=op.f("ck_indicator_goals_area_type")),
        sa.PrimaryKeyConstraint(
            "indicator_id", "period", "area_code", "breakdown", "category",
            name=op.f("pk_indicator_goals"),
        ),
        schema="published",
        comment="Each published value of an indicator with a declared goal (dim_indicator.goal_*) compared with it as OHID Fingertips compares a value with a target ('Compared to goal'); computed from published values only, a suppressed value not compared. An indicator without a goal has no rows.",
    )
    op.create_table(
        "child_population",
        sa.Column("period", sa.Text(), nullable=False, comment='Financial year whose denominator it is'),
        sa.Column("mid_year", sa.Integer(), nullable=False, comment='ONS mid-year estimate (30 June YYYY)'),
        sa.Column("area_type", sa.Text(), nullable=False, comment="'la'"),
        sa.Column("area_code", sa.Text(), nullable=False, comment='ONS GSS code of the local authority'),
        sa.Column("area_name", sa.Text(), nullable=True, comment='Local authority name'),
        sa.Column("sex", sa.Text(), nullable=False, comment='F or M (ONS estimates have two sexes)'),
        sa.Column("age", sa.Integer(), nullable=False, comment='Single year of age, 0-17'),
        sa.Column("population", sa.BigInteger(), nullable=False, comment='Children (ONS mid-year estimate)'),
        *_lineage(),
        sa.CheckConstraint(AREA_TYPES, name=op.f("ck_child_population_area_type")),
        sa.PrimaryKeyConstraint("period", "area_code", "sex", "age", name=op.f("pk_child_population")),
        schema="published",
        comment="Children aged 0-17 by local authority, sex and single year of age: the ONS mid-year population estimates the year's denominators come from, summed over the authority's LSOAs (ONS publishes them; no disclosure control applies).",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("child_population", schema="published")
    op.drop_table("indicator_goals", schema="published")
    for name, _, _ in reversed(GOAL_COLUMNS):
        op.drop_column("dim_indicator", name, schema="published")
