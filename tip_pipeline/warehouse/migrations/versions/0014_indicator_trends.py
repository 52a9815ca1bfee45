"""published.indicator_trends: Fingertips' recent trend and the change since baseline

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-12

One published table: for every published headline series (indicator, area) and year, the
recent trend over the five years ending with it as OHID Fingertips computes it (the
chi-squared test for trend of a proportion, the weighted regression of a rate, 99.8% level,
with Fingertips' wording) and the change since the baseline year with its test, computed from
published values only in the year's publish transaction (tip_pipeline.publish.trends). Written
by hand from schema.metadata and checked with the autogenerate comparison on both backends.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "indicator_trends",
        sa.Column("indicator_id", sa.Text(), nullable=False, comment='Indicator id (dim_indicator)'),
        sa.Column("period", sa.Text(), nullable=False, comment='Financial year: the last of the window'),
        sa.Column("area_type", sa.Text(), nullable=False, comment='ward, la, region or country'),
        sa.Column("area_code", sa.Text(), nullable=False, comment='ONS GSS code'),
        sa.Column("breakdown", sa.Text(), nullable=False, comment="'total' (headline series)"),
        sa.Column("category", sa.Text(), nullable=False, comment="'all'"),
        sa.Column("first_period", sa.Text(), nullable=False, comment='First financial year of the window'),
        sa.Column("method", sa.Text(), nullable=False, comment="Fingertips' recent-trend method: 'chi-squared test for trend' (proportions) or 'weighted regression' (rates: values with 95% limits)"),
        sa.Column("direction", sa.Text(), nullable=True, comment='increasing / decreasing / no significant change (99.8% level); NULL: cannot be calculated (see note)'),
        sa.Column("assessment", sa.Text(), nullable=True, comment="getting better / getting worse / no significant change, by the indicator's polarity; NULL without a polarity or a trend"),
        sa.Column("recent_trend", sa.Text(), nullable=False, comment="Fingertips' wording, e.g. 'Increasing and getting worse', 'No significant change', 'Cannot be calculated'"),
        sa.Column("slope", sa.Double(), nullable=True, comment='Gradient per year: of the logit (proportions), of the value'),
        sa.Column("chi2", sa.Double(), nullable=True, comment='Chi-square statistic for trend (1 degree of freedom)'),
        sa.Column("p_value", sa.Double(), nullable=True, comment='P(chi-square > chi2)'),
        sa.Column("note", sa.Text(), nullable=True, comment='Why the trend cannot be calculated, or an outlier'),
        sa.Column("baseline_period", sa.Text(), nullable=True, comment='Baseline year (the first reporting year)'),
        sa.Column("change_since_baseline", sa.Double(), nullable=True, comment="Value minus the baseline year's value"),
        sa.Column("lower_change_95", sa.Double(), nullable=True, comment='Lower 95% limit of the change since baseline'),
        sa.Column("upper_change_95", sa.Double(), nullable=True, comment='Upper 95% limit of the change since baseline'),
        sa.Column("change_p_value", sa.Double(), nullable=True, comment='Test of the change (two proportions / exact)'),
        sa.Column("change_result", sa.Text(), nullable=True, comment='higher / lower / similar (95% level); NULL when not computed (change_note)'),
        sa.Column("change_note", sa.Text(), nullable=True, comment='Why the change since baseline is not computed'),
        sa.Column("run_id", sa.Text(), nullable=False, comment='Run that published the row (ops.runs)'),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment='When it was written'),
        sa.CheckConstraint(
            "area_type IN ('lsoa', 'ward', 'la', 'region', 'country')",
            name=op.f("ck_indicator_trends_area_type"),
        ),
        sa.PrimaryKeyConstraint(
            "indicator_id",
            "period",
            "area_code",
            "breakdown",
            "category",
            name=op.f("pk_indicator_trends"),
        ),
        schema="published",
        comment="Recent trend of each published headline series (indicator, area) over the five years ending in the period, as OHID Fingertips computes it, and the change since the baseline year with its test; computed from published values only, a window with a suppressed value left uncomputed.",
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("indicator_trends", schema="published")
