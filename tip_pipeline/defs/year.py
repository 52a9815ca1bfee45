"""A reporting year's figures in one step: the indicator tables (group ``indicators``) computed
from the validated tables, and the published twins (group ``published``) made from them.

Why one step: the restricted true counts and the published figures made from them must change
together. Written by two steps, a run killed between them left a published year beside true
counts it was not made from, and that year's disclosure audit failed (the kill harness,
``benchmarks/kill_harness.py``, found it). Here the year's nine restricted tables, its seven
published twins, its data-quality summary and its lineage are replaced in one transaction
(``publish.store.publish_year``), audited before it commits. Domain logic lives in
tip_pipeline.indicators and tip_pipeline.publish; this module wires them.

Years in parallel (issue #21): a year is published after the years before it
(``publish.order``). The step computes the year's figures whatever runs beside it, then, on
PostgreSQL, waits until no run of an earlier year that publishes it is in flight in the
Dagster instance, and publishes; figures whose inputs were validated again meanwhile are
computed again. On SQLite (one writer, one slot of the ``warehouse`` pool) a step waiting
would hold the only slot the earlier year needs: there the step looks before computing and,
an earlier year in flight, asks Dagster to retry it later (``dg.RetryRequested``), freeing the
slot. ``tip run`` runs its years in order in one process and is not waited for
(``order.IN_ORDER_TAG``): a ``tip run`` killed part way leaves its run "started" in the instance.
The run queue dequeues runs in the order submitted (``run_requests`` and a backfill submit
years oldest first), so the oldest year in flight never waits and waits end.

An asset backfill (the UI's "Materialize all" over the partitions) orders the years itself:
a year's published twins depend on the previous year's published flows and cohorts
(``defs.publish.earlier_publication``).
"""

import math

import dagster as dg
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.defs import indicators, publish
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.resources import Warehouse
from tip_pipeline.indicators.data import load_year, validated_runs
from tip_pipeline.indicators.year import year_tables
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import order, store

#: run statuses of a run not yet over
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
#: times a year's figures are computed again when their inputs change while it waits
RECOMPUTE = 3
STEP = "year_figures"


def publishes(run: dg.DagsterRun, key: dg.AssetKey) -> bool:
    """Whether ``run`` materialises the year step's ``key``: its assets, or its ops, name it,
    or it selects neither (a whole job over every asset; ``dg.materialize`` records an empty
    selection, its job being the selection)."""
    if run.asset_selection and key not in run.asset_selection:
        return False
    ops = run.resolved_op_selection
    return ops is None or STEP in ops


def runs_in_flight(instance: dg.DagsterInstance, key: dg.AssetKey) -> list[order.InFlight]:
    """The instance's runs not yet over that publish a reporting year, but ``tip run``'s."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=IN_FLIGHT))
    return [
        order.InFlight(run.run_id, run.tags["dagster/partition"])
        for run in runs
        if "dagster/partition" in run.tags
        and order.IN_ORDER_TAG not in run.tags
        and publishes(run, key)
    ]


def earlier_years(context: dg.AssetExecutionContext) -> list[str]:
    """The earlier years whose runs are still in flight beside this one."""
    key = publish.key("indicator_values")
    return order.earlier_in_flight(
        context.partition_key, runs_in_flight(context.instance, key), context.run.run_id
    )


def wait_in_step(context: dg.AssetExecutionContext, timeout_s: float) -> None:
    """Wait, holding the step, until no earlier year is in flight (PostgreSQL)."""
    left = order.wait_for_earlier(
        lambda: earlier_years(context),
        timeout_s,
        waiting=lambda years: context.log.info(
            f"waiting to publish until the runs of {', '.join(years)} are over"
        ),
    )
    if left:
        raise dg.Failure(
            description=order.still_waiting(context.partition_key, left, timeout_s),
            allow_retries=False,
        )


def retry_later(context: dg.AssetExecutionContext, timeout_s: float) -> None:
    """On SQLite: an earlier year in flight, the step is retried later, its slot freed."""
    years = earlier_years(context)
    if not years:
        return
    retries = max(math.ceil(timeout_s / order.POLL_S), 1)
    if context.retry_number >= retries:
        raise dg.Failure(
            description=order.still_waiting(context.partition_key, years, timeout_s),
            allow_retries=False,
        )
    context.log.info(f"to be published after {', '.join(years)}: retried in {order.POLL_S} s")
    raise dg.RetryRequested(max_retries=retries, seconds_to_wait=order.POLL_S)


def takes_writers_at_once(engine: sa.Engine) -> bool:
    """PostgreSQL takes concurrent writers; SQLite one at a time."""
    return engine.dialect.name == "postgresql"


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
    wait_s = float(config.PUBLISH_WAIT_S.value())
    at_once = takes_writers_at_once(engine)
    if not at_once:
        retry_later(context, wait_s)
    threshold = publish.threshold()
    try:
        for _ in range(RECOMPUTE):
            # ``tip run`` runs its years one after the other: nothing can validate an earlier
            # year beside it, so the count of every earlier year's rows by run is not taken
            inputs = None
            if order.IN_ORDER_TAG not in context.run.tags:
                with engine.connect() as conn:
                    inputs = validated_runs(conn, period, baseline)
            tables = year_tables(engine, load_year(engine, period), baseline)
            # the year's validated rows (about 2 GB at England scale) are freed here, before
            # publishing reads the restricted rows back: issue #21's memory
            if at_once:
                wait_in_step(context, wait_s)
            try:
                result = store.publish_year(
                    engine,
                    period.label,
                    context.run.run_id,
                    threshold,
                    context.job_name,
                    tables,
                    inputs,
                )
                break
            except store.InputsChanged:
                context.log.info("inputs validated again while waiting: computed again")
        else:
            raise dg.Failure(
                description=f"{period.label}: its inputs were validated again {RECOMPUTE} "
                "times while it was being computed; run it again once the earlier years' "
                "runs are over",
                allow_retries=False,
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
