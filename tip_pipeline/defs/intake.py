"""Intake assets (group ``intake``): a local authority's raw returns taken in, one reporting
year per partition, upstream of the identifier guard; and the years before the first reporting
year (the youth-justice history) in one unpartitioned asset, upstream of the history's staging.
Domain logic lives in tip_pipeline.intake; this module wires it.

Where the contract files are delivered directly (no raw folder, ``TIP_RAW_DIR`` empty: the
demo, or an authority that pseudonymises upstream), the asset says so and lists the year's
contract files; nothing is converted. The raw-returns sensor watches the raw folder as the
delivery sensor watches the data folder, by content hash.
"""

from typing import TYPE_CHECKING

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.changes import Affected, changed_files, dump_cursor, load_cursor
from tip_pipeline.defs.jobs import TRIGGER_TAG, nightly_job, run_requests
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.ingest.discovery import scan
from tip_pipeline.ingest.reader import data_version
from tip_pipeline.periods import FinancialYear

if TYPE_CHECKING:
    from collections.abc import Callable

    from tip_pipeline.intake.run import IntakeSummary

GROUP = "intake"
RAW_RETURNS = dg.AssetKey([GROUP, "raw_returns"])
RAW_HISTORY = dg.AssetKey([GROUP, "raw_history"])
DIRECT = "contract files delivered directly (TIP_RAW_DIR is empty): nothing to take in"


def _files_markdown(summary: "IntakeSummary") -> str:
    """Each raw file of the years taken in: the table it became and its records, or why it was
    refused."""
    lines = [
        "| raw file | contract extract | read | written | refused |",
        "|---|---|---:|---:|---:|",
    ]
    for year in summary.years:
        for table, result in sorted(year.results.items()):
            lines.append(
                f"| {year.sources[table]} | {table} | {result.read} | {result.written} | "
                f"{len(result.refused)} |"
            )
        lines += [f"| {r.file} | refused: {r.reason} | | | |" for r in year.refused]
    return "\n".join(lines)


def _direct(
    data_sources: DataSources, wanted: "Callable[[FinancialYear], bool]"
) -> dg.MaterializeResult:
    """No raw folder: the contract files of the years ``wanted`` were delivered as they are."""
    known, _ = scan(data_sources.folder)
    names = sorted(f.path.name for f in known if f.period is not None and wanted(f.period))
    return dg.MaterializeResult(metadata={"mode": DIRECT, "contract_files": len(names)})


def _taken_in(summary: "IntakeSummary") -> dict:
    """What an intake run read, wrote and refused, by file (the ``raw_returns`` and
    ``raw_history`` metadata): counts, file names and reasons, never a value."""
    read, written, refused = summary.records
    return {
        "mode": "raw returns taken in",
        "key_fingerprint": summary.fingerprint,
        "records_read": read,
        "records_written": written,
        "records_refused": refused,
        "files": dg.MetadataValue.md(_files_markdown(summary)),
        "files_refused_where_they_lie": len(summary.refused),
    }


@warehouse_writer(
    dg.asset,
    key=RAW_RETURNS,
    group_name=GROUP,
    partitions_def=reporting_years,
    kinds={"csv", "xlsx"},
)
def raw_returns(
    context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse
) -> dg.MaterializeResult:
    """A year's raw returns in the raw landing folder (TIP_RAW_DIR/<year>/) converted into
    pseudonymised contract files in the data folder (tip_pipeline.intake.run.take_in): ids
    keyed-hashed, dates of birth cut to the month, postcodes to LSOA 2021, other columns
    dropped. Every raw file and refused record is accounted for in ops.intake_log and
    ops.intake_refusals, by file, line, column and reason, never a value."""
    period = FinancialYear.parse(context.partition_key)
    raw = data_sources.raw_folder
    if raw is None:
        return _direct(data_sources, lambda year: year == period)
    from tip_pipeline.intake.run import take_in  # lazy: openpyxl, off every definitions load

    summary = take_in(
        raw, data_sources.folder, warehouse.engine(), run_id=context.run.run_id, periods=[period]
    )
    return dg.MaterializeResult(metadata=_taken_in(summary))


@warehouse_writer(dg.asset, key=RAW_HISTORY, group_name=GROUP, kinds={"csv", "xlsx"})
def raw_history(
    context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The raw folder's years before the first reporting year (TIP_FIRST_YEAR) taken in as
    the reporting years are (``raw_returns``): the youth-justice history that
    ``ingest/yjs_history`` stages, since a first-time entrant is a child with no earlier
    caution or conviction. Unpartitioned, as the history is delivered once and staged by one
    step (defs/history.py); it runs in the reference run, before the history is staged."""
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    raw = data_sources.raw_folder
    if raw is None:
        return _direct(data_sources, lambda year: year < first)
    from tip_pipeline.intake.landing import scan_landing, years_before
    from tip_pipeline.intake.run import take_in  # lazy: openpyxl, off every definitions load

    history = years_before(scan_landing(raw).files, first)
    if not history:
        # taking in no year would still read a CIN XML lying in the raw folder itself
        return dg.MaterializeResult(
            metadata={"mode": f"no year before {first.label} in the raw folder: nothing to take in"}
        )
    summary = take_in(
        raw, data_sources.folder, warehouse.engine(), run_id=context.run.run_id, periods=history
    )
    return dg.MaterializeResult(
        metadata={"years": ", ".join(y.label for y in history), **_taken_in(summary)}
    )


MINIMUM_INTERVAL_SECONDS = 60


@dg.sensor(
    name="raw_returns_sensor",
    job=nightly_job,
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    description="Watches TIP_RAW_DIR: a run for each reporting year whose folder has a new or "
    "changed raw return, and a run of the unpartitioned assets (intake/raw_history, then the "
    "youth-justice history) when a year before TIP_FIRST_YEAR has one, judged by SHA-256. "
    "Skips when TIP_RAW_DIR is empty.",
)
def raw_returns_sensor(context: dg.SensorEvaluationContext, data_sources: DataSources):
    raw = data_sources.raw_folder
    if raw is None:
        return dg.SkipReason(f"{config.RAW_DIR.name} is empty: no raw returns to watch.")
    from tip_pipeline.intake.landing import (
        LandingError,
        landing_fingerprint,
        scan_landing,
        years_before,
    )

    try:
        landing = scan_landing(raw)
    except LandingError as err:
        return dg.SkipReason(str(err))
    current = landing_fingerprint(landing)
    changed = changed_files(load_cursor(context.cursor), current)
    if not changed:
        return dg.SkipReason(f"No new or changed raw return in {raw} ({len(current)} files).")
    offered = set(reporting_years.get_partition_keys())
    years = sorted({name.split("/")[0] for name in changed} & offered)
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    changed_names = set(changed)
    history = years_before((f for f in landing.files if f.name in changed_names), first)
    context.log.info(
        f"new or changed raw returns: {len(changed)} file(s), years {years}, "
        f"history years {[y.tag for y in history]}"
    )
    requests = run_requests(
        Affected(years=tuple(years), reference=bool(history)),
        context.repository_def,
        tags={TRIGGER_TAG: "raw_returns"},
        run_key=data_version(current.items())[:16],
    )
    return dg.SensorResult(run_requests=requests, cursor=dump_cursor(current))
