"""Youth-justice history: the years before the first reporting year.

First-time entrants are children whose first caution or conviction falls in the year; without
earlier years every child would look like a first-time entrant. The youth justice service
delivers its history once, so it is staged and validated by two unpartitioned assets rather
than as reporting years of its own.
"""

from pathlib import Path

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.defs.validate import CHECK_NAMES, check_results, quarantine_threshold
from tip_pipeline.ingest.changes import HISTORY_TABLES, data_version
from tip_pipeline.ingest.discovery import DeliveryError, scan
from tip_pipeline.ingest.load import ingest_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.validate.guard import guard_delivery
from tip_pipeline.validate.identifiers import DeliveryRefused
from tip_pipeline.validate.store import TableReport, combine_reports, validate_tables

YOUTH_JUSTICE_TABLES = HISTORY_TABLES
INGEST_KEY = dg.AssetKey(["ingest", "yjs_history"])


def history_years(data_dir: Path) -> list[FinancialYear]:
    """Delivered youth-justice years before the first reporting year."""
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    known, _ = scan(data_dir)
    years = {f.period for f in known if f.extract.table in YOUTH_JUSTICE_TABLES and f.period}
    return sorted(y for y in years if y < first)


@dg.asset(key=INGEST_KEY, group_name="ingest", kinds={"csv", "pandas"})
def yjs_history(
    context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Stage the youth-justice offences and outcomes of every year before the first reporting
    year (TIP_FIRST_YEAR), after the identifier guard, one year per transaction."""
    years = history_years(data_sources.folder)
    rows = 0
    files: list[tuple[str, str]] = []
    try:
        for year in years:
            guard_delivery(data_sources.folder, YOUTH_JUSTICE_TABLES, year)
            for table in YOUTH_JUSTICE_TABLES:
                result = ingest_extract(
                    warehouse.engine(), data_sources.folder, table, year, context.run.run_id
                )
                rows += result.rows
                files += [(f.name, f.sha256) for f in result.files]
    except (DeliveryRefused, DeliveryError) as err:
        raise dg.Failure(description=str(err), allow_retries=False) from None
    return dg.MaterializeResult(
        metadata={"years": ", ".join(y.label for y in years) or "none", "dagster/row_count": rows},
        data_version=dg.DataVersion(data_version(files)),
    )


_KEYS = {t: dg.AssetKey(["validated", f"{t}_history"]) for t in YOUTH_JUSTICE_TABLES}


@dg.multi_asset(
    name="validate_yjs_history",
    specs=[
        dg.AssetSpec(
            key=key,
            group_name="validate",
            deps=[INGEST_KEY, dg.AssetKey(["validated", "ref_lsoa_lookup"])],
            description=f"Validated {table} of the history years (restricted.{table}, by period).",
            kinds={"pandas", "great_expectations"},
        )
        for table, key in _KEYS.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(name=check, asset=key, blocking=blocking, description=text)
        for key in _KEYS.values()
        for check, blocking, text in CHECK_NAMES
    ],
    can_subset=False,
)
def validate_yjs_history(
    context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse
):
    per_year: dict[str, list[TableReport]] = {t: [] for t in YOUTH_JUSTICE_TABLES}
    for year in history_years(data_sources.folder):
        reports = validate_tables(
            warehouse.engine(), list(YOUTH_JUSTICE_TABLES), year, context.run.run_id
        )
        for table, report in reports.items():
            per_year[table].append(report)
    for table, key in _KEYS.items():
        report = combine_reports(table, per_year[table])
        metadata = {"years": len(per_year[table]), "rows_read": report.rows_read}
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
        yield from check_results(report, key, quarantine_threshold())
