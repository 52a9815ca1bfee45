"""Involvement flows of regions and England; outcome measures in the benchmark file: comments

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-10

Issue #18 (measuring impact): restricted.involvement_flows and its published twin now also
hold a region's and England's flows where the delivery holds every one of their authorities
(tip_pipeline.indicators.flows), so area_code and area_name no longer name a local authority
only. The benchmark file's measure column now also lists the outcome measures DfE publishes
by local authority (sources.codes.OUTCOME_BENCHMARK_MEASURES), whose denominator is the units
a share is of. No column changes; the comments are PostgreSQL's only (SQLite keeps none).
Written by hand from schema.metadata.

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0023"
down_revision: Union[str, Sequence[str], None] = "0022"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = {"area_code": "Local authority", "area_name": "Local authority name"}
NEW = {
    "area_code": "Local authority; or region or England (dim_area), where the delivery holds every one of its authorities: then the sum of their flows",
    "area_name": "Area name",
}
NULLABLE = {"area_code": False, "area_name": True}
#: (schema, table, column, type, nullable) of the benchmark file's columns whose comment changes
BENCHMARK_COLUMNS = [
    ("restricted", "stg_ref_benchmarks", "measure", sa.Text(), True),
    ("restricted", "stg_ref_benchmarks", "denominator", sa.Text(), True),
    ("restricted", "stg_ref_benchmarks", "value", sa.Text(), True),
    ("restricted", "ref_benchmarks", "measure", sa.Text(), True),
    ("restricted", "ref_benchmarks", "denominator", sa.BigInteger(), True),
    ("restricted", "ref_benchmarks", "value", sa.Double(), True),
]
BENCHMARK_OLD = {
    'stg_ref_benchmarks.measure': 'Measure id: cla_31mar = Children looked after at 31 March per 10,000 aged 0-17; cpp_31mar = Children on a child protection plan at 31 March per 10,000 aged 0-17; cin_31mar = Children in need at 31 March per 10,000 aged 0-17; factor_domestic_abuse = Children with domestic abuse identified at assessment in the year per 10,000 aged 0-17; factor_parental_mental_health = Children with parental mental ill-health identified at assessment in the year per 10,000 aged 0-17; factor_parental_substance_misuse = Children with parental substance misuse identified at assessment in the year per 10,000 aged 0-17; yj_outcome = Children with a youth-justice outcome in the year per 10,000 aged 10-17; yj_first_time_entrants = First-time entrants to the youth justice system per 100,000 aged 10-17; homeless_children = Dependent children in households owed a prevention or relief duty per 10,000 aged 0-17 (delivered as measure)',
    'stg_ref_benchmarks.denominator': 'Population (delivered as denominator)',
    'stg_ref_benchmarks.value': "Rate per the measure's multiplier (delivered as value)",
    'ref_benchmarks.measure': 'Measure id: cla_31mar = Children looked after at 31 March per 10,000 aged 0-17; cpp_31mar = Children on a child protection plan at 31 March per 10,000 aged 0-17; cin_31mar = Children in need at 31 March per 10,000 aged 0-17; factor_domestic_abuse = Children with domestic abuse identified at assessment in the year per 10,000 aged 0-17; factor_parental_mental_health = Children with parental mental ill-health identified at assessment in the year per 10,000 aged 0-17; factor_parental_substance_misuse = Children with parental substance misuse identified at assessment in the year per 10,000 aged 0-17; yj_outcome = Children with a youth-justice outcome in the year per 10,000 aged 10-17; yj_first_time_entrants = First-time entrants to the youth justice system per 100,000 aged 10-17; homeless_children = Dependent children in households owed a prevention or relief duty per 10,000 aged 0-17 (delivered as measure)',
    'ref_benchmarks.denominator': 'Population (delivered as denominator)',
    'ref_benchmarks.value': "Rate per the measure's multiplier (delivered as value)",
}
BENCHMARK_NEW = {
    'stg_ref_benchmarks.measure': 'Measure id: cla_31mar = Children looked after at 31 March per 10,000 aged 0-17; cpp_31mar = Children on a child protection plan at 31 March per 10,000 aged 0-17; cin_31mar = Children in need at 31 March per 10,000 aged 0-17; factor_domestic_abuse = Children with domestic abuse identified at assessment in the year per 10,000 aged 0-17; factor_parental_mental_health = Children with parental mental ill-health identified at assessment in the year per 10,000 aged 0-17; factor_parental_substance_misuse = Children with parental substance misuse identified at assessment in the year per 10,000 aged 0-17; yj_outcome = Children with a youth-justice outcome in the year per 10,000 aged 10-17; yj_first_time_entrants = First-time entrants to the youth justice system per 100,000 aged 10-17; homeless_children = Dependent children in households owed a prevention or relief duty per 10,000 aged 0-17; cin_re_referrals_12m = Referrals within 12 months of a previous referral, % of referrals in the year; assessments_within_45_days = Assessments completed within 45 working days, % of assessments completed in the year; cpp_ended_two_years_or_more = Child protection plans ended in the year that lasted 2 years or more, % of plans ended; cpp_second_or_subsequent = Children starting a child protection plan for a second or subsequent time, % of children starting a plan; cla_three_or_more_placements = Children looked after at 31 March with 3 or more placements in the year, % of them; cla_long_term_stability = Children under 16 looked after for 2.5 years or more in the same placement for 2 years, % of them; cla_missing = Children looked after in the year who went missing, % of children looked after in the year; care_leavers_eet = Care leavers aged 19-21 in education, employment or training, % of them; care_leavers_suitable_accommodation = Care leavers aged 19-21 in suitable accommodation, % of them; s47_enquiries = Section 47 enquiries in the year per 10,000 aged 0-17; icpcs_after_s47 = Initial child protection conferences in the year per 10,000 aged 0-17 (delivered as measure)',
    'stg_ref_benchmarks.denominator': 'Population; for a share, the units it is a share of (referrals, assessments, plans, children, care leavers) (delivered as denominator)',
    'stg_ref_benchmarks.value': "Rate per the measure's multiplier (a share: per 100) (delivered as value)",
    'ref_benchmarks.measure': 'Measure id: cla_31mar = Children looked after at 31 March per 10,000 aged 0-17; cpp_31mar = Children on a child protection plan at 31 March per 10,000 aged 0-17; cin_31mar = Children in need at 31 March per 10,000 aged 0-17; factor_domestic_abuse = Children with domestic abuse identified at assessment in the year per 10,000 aged 0-17; factor_parental_mental_health = Children with parental mental ill-health identified at assessment in the year per 10,000 aged 0-17; factor_parental_substance_misuse = Children with parental substance misuse identified at assessment in the year per 10,000 aged 0-17; yj_outcome = Children with a youth-justice outcome in the year per 10,000 aged 10-17; yj_first_time_entrants = First-time entrants to the youth justice system per 100,000 aged 10-17; homeless_children = Dependent children in households owed a prevention or relief duty per 10,000 aged 0-17; cin_re_referrals_12m = Referrals within 12 months of a previous referral, % of referrals in the year; assessments_within_45_days = Assessments completed within 45 working days, % of assessments completed in the year; cpp_ended_two_years_or_more = Child protection plans ended in the year that lasted 2 years or more, % of plans ended; cpp_second_or_subsequent = Children starting a child protection plan for a second or subsequent time, % of children starting a plan; cla_three_or_more_placements = Children looked after at 31 March with 3 or more placements in the year, % of them; cla_long_term_stability = Children under 16 looked after for 2.5 years or more in the same placement for 2 years, % of them; cla_missing = Children looked after in the year who went missing, % of children looked after in the year; care_leavers_eet = Care leavers aged 19-21 in education, employment or training, % of them; care_leavers_suitable_accommodation = Care leavers aged 19-21 in suitable accommodation, % of them; s47_enquiries = Section 47 enquiries in the year per 10,000 aged 0-17; icpcs_after_s47 = Initial child protection conferences in the year per 10,000 aged 0-17 (delivered as measure)',
    'ref_benchmarks.denominator': 'Population; for a share, the units it is a share of (referrals, assessments, plans, children, care leavers) (delivered as denominator)',
    'ref_benchmarks.value': "Rate per the measure's multiplier (a share: per 100) (delivered as value)",
}


def _comment(comments: dict[str, str], existing: dict[str, str]) -> None:
    if op.get_bind().dialect.name != "postgresql":  # comments: PostgreSQL only
        return
    for schema in ("restricted", "published"):
        for column, comment in comments.items():
            op.alter_column(
                "involvement_flows",
                column,
                existing_type=sa.Text(),
                comment=comment,
                existing_comment=existing[column],
                existing_nullable=NULLABLE[column],
                schema=schema,
            )


def _benchmark_comments(comments: dict[str, str], existing: dict[str, str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for schema, table, column, kind, nullable in BENCHMARK_COLUMNS:
        op.alter_column(
            table,
            column,
            existing_type=kind,
            comment=comments[f"{table}.{column}"],
            existing_comment=existing[f"{table}.{column}"],
            existing_nullable=nullable,
            schema=schema,
        )


def upgrade() -> None:
    """Upgrade schema."""
    _comment(NEW, OLD)
    _benchmark_comments(BENCHMARK_NEW, BENCHMARK_OLD)


def downgrade() -> None:
    """Downgrade schema."""
    _benchmark_comments(BENCHMARK_OLD, BENCHMARK_NEW)
    _comment(OLD, NEW)
