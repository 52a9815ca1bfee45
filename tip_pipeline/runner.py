"""Materialise the whole asset graph in-process, from the same Definitions the UI loads.

Used by ``tip run`` (cron, scripts, CI): reference assets once, then every reporting year that
has a delivery, each as one run of Dagster's implicit asset job so that checks, metadata and
data versions are recorded in the instance exactly as for a run launched from the UI. At the
end, the SQLite warehouse is checkpointed, so that ``tip.db`` copied alone holds every row.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.progress import run_config
from tip_pipeline.errors import ValueFreeError
from tip_pipeline.ingest.discovery import delivered_periods
from tip_pipeline.periods import FinancialYear
from tip_pipeline.progress import Progress, showing
from tip_pipeline.publish.order import IN_ORDER_TAG
from tip_pipeline.warehouse.engine import CheckpointIncomplete, checkpoint


class RunFailed(ValueFreeError):
    """A run of the graph failed; the message says which step and why, in one paragraph."""


@dataclass
class RunSummary:
    run_ids: list[str] = field(default_factory=list)
    partitions: list[str] = field(default_factory=list)
    materialized: int = 0
    #: delivered years that are not complete financial years (never mixed into final data)
    skipped: list[str] = field(default_factory=list)


def _failure_paragraph(result: dg.ExecuteInProcessResult, what: str) -> str:
    reasons = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            data = event.step_failure_data
            text = data.user_failure_data.description if data.user_failure_data else None
            text = text or (data.error.message.strip() if data.error else "unknown error")
            reasons.append(f"{event.step_key}: {text}")
    detail = " ".join(reasons) or "no step reported an error; see the run's logs."
    return f"The run for {what} failed (run id {result.run_id}). {detail}"


def steps_of(defs: dg.Definitions, selection: list[dg.AssetKey]) -> int:
    """How many steps a run of ``selection`` has: one per op, and a multi-asset's keys share
    theirs (every check of this code location runs inside its asset's op)."""
    return len({defs.resolve_assets_def(key).node_def.name for key in selection})


def _execute(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    selection: list[dg.AssetKey],
    partition_key: str | None,
    summary: RunSummary,
    verbose: bool,
) -> None:
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        run_config=run_config(verbose),
        instance=instance,
        asset_selection=selection,
        partition_key=partition_key,
        raise_on_error=False,
        # its years run one after the other, oldest first: no later year waits for it
        # (defs/year.py), nor for one of its runs a kill left "started" in the instance
        tags={IN_ORDER_TAG: "true"},
    )
    summary.run_ids.append(result.run_id)
    if not result.success:
        raise RunFailed(_failure_paragraph(result, partition_key or "reference data"))
    summary.materialized += len(result.get_asset_materialization_events())


def _years_to_run(data_dir: Path, offered: set[str], summary: RunSummary) -> list[FinancialYear]:
    """The delivered years from the first reporting year on that the partitions offer; the
    others are noted in ``summary.skipped`` (not complete financial years)."""
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    years = []
    for period in delivered_periods(data_dir):
        if period < first:
            continue  # history before the first reporting year: staged by its own assets
        if period.tag not in offered:
            summary.skipped.append(period.tag)
            continue
        years.append(period)
    return years


@dataclass(frozen=True)
class _Run:
    """One run to execute: what the display calls it, its partition (None: unpartitioned) and
    the assets it materialises."""

    label: str
    partition: str | None
    selection: list[dg.AssetKey]


def _definitions(data_dir: Path, warehouse_url: str) -> dg.Definitions:
    """The code location's Definitions, loaded after the settings it reads are set."""
    os.environ[config.DATA_DIR.name] = str(data_dir)
    os.environ[config.WAREHOUSE_URL.name] = warehouse_url
    from tip_pipeline.definitions import defs

    return defs


def _in_turn(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    runs: list[_Run],
    summary: RunSummary,
    verbose: bool,
) -> None:
    """Execute ``runs`` one after the other under the progress display; a failed run stops
    the rest (``RunFailed``)."""
    display = Progress(sys.stderr, runs_total=len(runs), live=sys.stderr.isatty())
    with showing(display):
        for run in runs:
            display.begin_run(run.label, steps_of(defs, run.selection))
            _execute(defs, instance, run.selection, run.partition, summary, verbose)
            if run.partition is not None:
                summary.partitions.append(run.partition)


def run_all(
    data_dir: Path,
    warehouse_url: str,
    instance: dg.DagsterInstance | None = None,
    verbose: bool = False,
) -> RunSummary:
    """Ingest everything delivered in ``data_dir`` into ``warehouse_url``: the reference data,
    then each year, one run each, shown by the progress display on standard error (Dagster's
    event lines instead with ``verbose``)."""
    defs = _definitions(data_dir, warehouse_url)
    instance = instance or dg.DagsterInstance.get()
    specs = defs.resolve_all_asset_specs()
    unpartitioned = [s.key for s in specs if s.partitions_def is None]
    partitioned = [s.key for s in specs if s.partitions_def is not None]
    summary = RunSummary()
    offered = {k for s in specs if s.partitions_def for k in s.partitions_def.get_partition_keys()}
    years = _years_to_run(data_dir, offered, summary)
    runs = [_Run("reference data", None, unpartitioned)]
    runs += [_Run(year.tag, year.tag, partitioned) for year in years]
    try:
        _in_turn(defs, instance, runs, summary, verbose)
    except Exception:
        # the years committed before the failure are in the files too; the failure is the
        # reason shown, not a busy checkpoint
        with suppress(CheckpointIncomplete):
            checkpoint(warehouse_url)
        raise
    # the analysts' tip.db holds every committed row when copied alone (engine.checkpoint)
    checkpoint(warehouse_url)
    return summary


def run_years(
    data_dir: Path,
    warehouse_url: str,
    years: list[FinancialYear],
    instance: dg.DagsterInstance | None = None,
    verbose: bool = False,
) -> RunSummary:
    """Run ``years`` again from their delivered files, one run each, every partitioned asset
    (staged, validated, computed, published, reported) as ``tip run`` runs a year: after an
    erasure, staging refuses the erased children's rows, so that no table, quality summary or
    published figure of those years counts them."""
    defs = _definitions(data_dir, warehouse_url)
    instance = instance or dg.DagsterInstance.get()
    selection = [s.key for s in defs.resolve_all_asset_specs() if s.partitions_def is not None]
    summary = RunSummary()
    try:
        runs = [_Run(year.tag, year.tag, selection) for year in sorted(years)]
        _in_turn(defs, instance, runs, summary, verbose)
    finally:
        with suppress(CheckpointIncomplete):
            checkpoint(warehouse_url)
    return summary
