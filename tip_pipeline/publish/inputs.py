"""What publishing and the disclosure audit read: a year's restricted indicator tables (the true
counts) and the validated reference tables the area hierarchy comes from.

Both read through an engine, or through the publish transaction's own connection, so that the
audit checks exactly what that transaction is about to commit.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.data import area_lookup
from tip_pipeline.indicators.store import read_period, read_through
from tip_pipeline.publish import areas
from tip_pipeline.publish.cells import PUBLISHED_SCOPE, CellSet, build_cells, in_scope
from tip_pipeline.sources import contracts
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.schema import content_columns, validated_table

#: restricted indicator tables read for a year (the twins' inputs)
RESTRICTED_INPUTS = (
    schema.indicator_values,
    schema.indicator_comparisons,
    schema.inequality_summary,
    schema.adversity_distribution,
    schema.prevalence_summary,
)
#: reference tables read whatever their vintage, for the published areas
REFERENCE_TABLES = contracts.tables(published_areas=True)


#: the key of ``read_restricted``'s frame of the earlier years' published flows
EARLIER_PUBLISHED_FLOWS = "earlier_published_flows"
#: ... and of the earlier years' published cohorts
EARLIER_PUBLISHED_COHORTS = "earlier_published_cohorts"


def read_restricted(bind: sa.Engine | sa.Connection, period: str) -> dict[str, pd.DataFrame]:
    """The year's rows of every restricted table a published twin is made from (of
    ``indicator_values``, those in the published scope, ``published_scope``); the involvement
    flows and the cohorts of the year and of every earlier year (disclosure control relates
    them across years, ``cells``), and the earlier years' published flows and cohorts
    (``EARLIER_PUBLISHED_FLOWS``, ``EARLIER_PUBLISHED_COHORTS``)."""
    frames = {t.name: read_period(bind, t, period, _scope(t)) for t in RESTRICTED_INPUTS}
    frames[schema.involvement_flows.name] = read_up_to(bind, schema.involvement_flows, period)
    earlier = read_up_to(bind, schema.published_involvement_flows, period)
    frames[EARLIER_PUBLISHED_FLOWS] = earlier[earlier["period"] < period]
    frames[schema.cohort_incidence.name] = read_up_to(bind, schema.cohort_incidence, period)
    cohorts = read_up_to(bind, schema.published_cohort_incidence, period)
    frames[EARLIER_PUBLISHED_COHORTS] = cohorts[cohorts["period"] < period]
    return frames


def published_scope(values: sa.Table) -> sa.ColumnElement[bool]:
    """``cells.in_scope`` as a condition on ``restricted.indicator_values``: the rows that are
    published at all. Why: publishing and its audit use no other, and at england scale they
    are some 280,000 of 1.9 million (the LSOA rows and the wards' breakdowns stay restricted),
    so reading only them cut the read-back to a fraction (issue #21)."""
    return sa.or_(
        *(
            values.c.area_type == area_type
            if breakdowns is None
            else (values.c.area_type == area_type) & values.c.breakdown.in_(breakdowns)
            for area_type, breakdowns in PUBLISHED_SCOPE.items()
        )
    )


def _scope(table: sa.Table) -> sa.ColumnElement[bool] | None:
    return published_scope(table) if table is schema.indicator_values else None


def read_up_to(bind: sa.Engine | sa.Connection, table: sa.Table, period: str) -> pd.DataFrame:
    """The rows of ``table`` of ``period`` and every earlier year (labels sort as years do),
    without their lineage, as ``read_period`` reads them."""
    return read_through(bind, sa.select(*content_columns(table)).where(table.c.period <= period))


def read_reference(engine: sa.Engine) -> dict[str, pd.DataFrame]:
    """The validated lookups and IMD, whatever their vintage."""
    with engine.connect() as conn:
        return {
            name: pd.read_sql(sa.select(validated_table(name)), conn) for name in REFERENCE_TABLES
        }


def lookup_of(reference: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per LSOA with its ward, LA, region, England and IMD (indicators.data)."""
    return area_lookup(
        reference["ref_lsoa_lookup"], reference["ref_lad_region"], reference["ref_imd"]
    )


def area_parents(engine: sa.Engine) -> dict[str, str]:
    """Area code -> the code of the next area up (ward -> LA -> region -> England)."""
    return areas.parents(lookup_of(read_reference(engine)))


def restricted_cells(frames: Mapping[str, pd.DataFrame], parents: Mapping[str, str]) -> CellSet:
    """The true counts of the year's published cells, and their relations."""
    values = frames["indicator_values"]
    return build_cells(
        values[in_scope(values)],
        frames["adversity_distribution"],
        frames["prevalence_summary"],
        parents,
        frames.get(schema.involvement_flows.name),
        frames.get(schema.cohort_incidence.name),
    )
