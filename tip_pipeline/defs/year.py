"""A reporting year's figures in one step: the indicator tables (group ``indicators``) computed
from the validated tables, and the published twins (group ``published``) made from them.

Why one step: the restricted true counts and the published figures made from them must change
together. Written by two steps, a run killed between them left a published year beside true
counts it was not made from, and that year's disclosure audit failed (the kill harness,
``benchmarks/kill_harness.py``, found it). Here the year's nine restricted tables, its seven
published twins, its data-quality summary and its lineage are replaced in one transaction
(``publish.store.publish_year``), audited before it commits. Domain logic lives in
tip_pipeline.indicators and tip_pipeline.publish; this module wires them.
"""

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs import indicators, publish
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.resources import Warehouse
from tip_pipeline.indicators.data import load_year
from tip_pipeline.indicators.year import year_tables
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import store


@warehouse_writer(
    dg.multi_asset,
    name="year_figures",
    specs=[*indicators.SPECS, *publish.SPECS],
    check_specs=[*indicators.CHECK_SPECS, publish.AUDIT],
    can_subset=False,
)
def year_figures(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Compute every indicator table of the year, disclosure-control them, and replace the
    year's restricted and published rows in one transaction that commits only if the
    disclosure audit passes; a failed audit publishes nothing and stops the run."""
    engine = warehouse.engine()
    period = FinancialYear.parse(context.partition_key)
    baseline = FinancialYear.parse(config.FIRST_YEAR.value())
    tables = year_tables(engine, load_year(engine, period), baseline)
    # the year's validated rows (about 2 GB at England scale) are freed here, before
    # publishing reads the restricted rows back: issue #21's memory (docs/PERFORMANCE.md)
    threshold = publish.threshold()
    try:
        result = store.publish_year(
            engine, period.label, context.run.run_id, threshold, context.job_name, tables
        )
    except store.AuditFailed as failed:
        yield publish.audit_result(failed.audit)
        raise dg.Failure(
            description=str(failed),
            metadata={"first_problems": "\n".join(failed.audit.problems[:10])},
            allow_retries=False,
        ) from None
    yield from indicators.indicator_results(engine, tables, result.rows, period, baseline)
    yield from publish.published_results(result, threshold)
    yield publish.audit_result(result.audit)


year_assets = [year_figures]
