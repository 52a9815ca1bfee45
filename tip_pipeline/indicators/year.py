"""A reporting year's indicator tables, computed from its validated tables.

The nine restricted tables of a year are computed together and handed to publishing, which
writes them in the same transaction as the published figures made from them
(``publish.store.publish_year``).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators import adversity, cohorts, flows, prevalence
from tip_pipeline.indicators.baseline import remember, year_inequality
from tip_pipeline.indicators.comparisons import comparisons, with_benchmark
from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.values import all_values
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse import schema


def year_tables(
    engine: sa.Engine, data: YearData, baseline: FinancialYear
) -> dict[sa.Table, pd.DataFrame]:
    """Every restricted indicator table of ``data``'s year; the inequality summary measures
    change from ``baseline`` (computed from its validated tables, or remembered from
    them when this process computed the baseline year: ``baseline.py``)."""
    values = with_benchmark(all_values(data), data)
    if data.period == baseline:
        remember(engine, data, values)
    modelled = prevalence.modelled_prevalence(data)
    tables = {
        schema.indicator_values: values,
        schema.indicator_comparisons: comparisons(values, data),
        schema.inequality_summary: year_inequality(values, engine, data.period, baseline),
        schema.adversity_distribution: adversity.distribution(data),
        schema.adversity_overlap: adversity.overlap(data),
        schema.modelled_prevalence: modelled,
        schema.prevalence_summary: prevalence.prevalence_summary(data, modelled),
    }
    data.forget_results()  # the flows and cohorts read none of them (issue #21 point 6)
    tables[schema.involvement_flows] = flows.flows(data)
    tables[schema.cohort_incidence] = cohorts.cohorts(data)
    return tables
