"""Cohorts across years: restricted.cohort_incidence and its published twin

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

Issue #18 (measuring impact), point 3: children followed across years on the shared pseudonym
from a first toxic-trio factor or a first referral (each after a 12-month wash-out), for a
child protection plan, care, youth justice or homelessness, by 12-month interval of follow-up:
at risk, events and censored, with the Kaplan-Meier cumulative incidence and Greenwood log-log
limits (tip_pipeline.indicators.cohorts), true counts in the restricted layer and
disclosure-controlled in the published one (tip_pipeline.publish.cells). The indicator_id of
published.indicator_not_available now also names the cohorts of each entry year (its column
comment says so). Written by hand from schema.metadata.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0020"
down_revision: Union[str, Sequence[str], None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WHAT = "Cohorts across years: children followed on the shared pseudonym from a first toxic-trio factor or a first referral, for a plan, care, youth justice or homelessness, by 12-month interval of follow-up, with the Kaplan-Meier cumulative incidence."
COMMENTS = {
    "restricted": WHAT + " True counts, before disclosure control.",
    "published": WHAT + " Disclosure-controlled: see the suppressed column.",
}
OLD_ID = "Indicator id (dim_indicator), or involvement_flows (the flows table)"
NEW_ID = "Indicator id (dim_indicator), involvement_flows (the flows table), or cohort_incidence_entered_Y-k (the cohorts entered k years before)"


def _count(name: str, comment: str, published: bool) -> sa.Column:
    suffix = "; NULL where suppressed" if published else ""
    return sa.Column(name, sa.BigInteger(), nullable=published, comment=comment + suffix)


def _cohorts(schema: str) -> None:
    published = schema == "published"
    tail = []
    if published:
        tail.append(sa.Column("suppressed", sa.Boolean(), nullable=False, comment="True when a count is withheld (incidence and limits NULL)"))
    verb = "published" if published else "computed"
    op.create_table(
        "cohort_incidence",
        sa.Column("period", sa.Text(), nullable=False, comment="Financial year Y published: the data end on its 31 March"),
        sa.Column("entry", sa.Text(), nullable=False, comment="How children entered: toxic_trio (a first toxic-trio factor at assessment) or referral (a first referral), each after 12 months with none"),
        sa.Column("entry_period", sa.Text(), nullable=False, comment="Financial year the children entered (Y-3 to Y)"),
        sa.Column("area_code", sa.Text(), nullable=False, comment="Local authority"),
        sa.Column("area_name", sa.Text(), nullable=True, comment="Local authority name"),
        sa.Column("outcome", sa.Text(), nullable=False, comment="What the children were followed for: child_protection (a plan starting), looked_after (a period of care starting), youth_justice (an outcome), homelessness (a household owed a duty), or any (the first of them)"),
        sa.Column("imd_quintile", sa.Text(), nullable=False, comment="National IMD quintile of the home LSOA in the entry year (1 most deprived), 'unknown' for an unknown home area, 'all' for the whole cohort"),
        sa.Column("months_from", sa.Integer(), nullable=False, comment="Start of the follow-up interval, months after entry (0, 12, 24)"),
        sa.Column("months_to", sa.Integer(), nullable=False, comment="End of the interval (12, 24, 36)"),
        _count("at_risk", "Children followed at the start of the interval", published),
        _count("events", "Children whose first such event was in the interval", published),
        _count("censored", "Children no longer followed during the interval (18th birthday, death, transfer to another LA, end of the data) without the event", published),
        sa.Column("incidence_pct", sa.Double(), nullable=True, comment="Kaplan-Meier cumulative incidence before months_to, percent"),
        sa.Column("lower_ci_95", sa.Double(), nullable=True, comment="Lower 95% limit of the incidence (Greenwood's variance, log-log)"),
        sa.Column("upper_ci_95", sa.Double(), nullable=True, comment="Upper 95% limit of the incidence (Greenwood's variance, log-log)"),
        *tail,
        sa.Column("run_id", sa.Text(), nullable=False, comment=f"Run that {verb} the row (ops.runs)"),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False, comment="When it was written"),
        sa.PrimaryKeyConstraint("period", "entry", "entry_period", "area_code", "outcome", "imd_quintile", "months_from", name=op.f("pk_cohort_incidence")),
        schema=schema,
        comment=COMMENTS[schema],
    )


def upgrade() -> None:
    """Upgrade schema."""
    _cohorts("restricted")
    _cohorts("published")
    if op.get_bind().dialect.name == "postgresql":  # comments: PostgreSQL only
        op.alter_column(
            "indicator_not_available",
            "indicator_id",
            existing_type=sa.Text(),
            comment=NEW_ID,
            existing_comment=OLD_ID,
            existing_nullable=False,
            schema="published",
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "indicator_not_available",
            "indicator_id",
            existing_type=sa.Text(),
            comment=OLD_ID,
            existing_comment=NEW_ID,
            existing_nullable=False,
            schema="published",
        )
    op.drop_table("cohort_incidence", schema="published")
    op.drop_table("cohort_incidence", schema="restricted")
