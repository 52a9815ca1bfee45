"""Youth-justice history: the years before the first reporting year.

First-time entrants are children whose first caution or conviction falls in the year; without
earlier years every child would look like a first-time entrant. The youth justice service
delivers its history once, so it is staged and validated by one unpartitioned step (the
``ingest/yjs_history`` asset and the validated history tables) rather than as reporting years
of its own.
"""

from pathlib import Path

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.policies import warehouse_writer
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


_KEYS = {t: dg.AssetKey(["validated", f"{t}_history"]) for t in YOUTH_JUSTICE_TABLES}


def _guard_every_year(folder: Path, years: list[FinancialYear]) -> None:
    """Nothing of the history is staged unless every year's files pass the identifier guard."""
    for year in years:
        guard_delivery(folder, YOUTH_JUSTICE_TABLES, year)


@warehouse_writer(
    dg.multi_asset,
    name="ingest_validate_yjs_history",
    specs=[
        dg.AssetSpec(
            key=INGEST_KEY,
            group_name="ingest",
            kinds={"csv", "pandas"},
            description="The youth-justice offences and outcomes of every year before the "
            "first reporting year (TIP_FIRST_YEAR), staged after the identifier guard, one "
            "year per transaction.",
        ),
        *(
            dg.AssetSpec(
                key=key,
                group_name="validate",
                deps=[INGEST_KEY, dg.AssetKey(["validated", "ref_lsoa_lookup"])],
                description=f"Validated {table} of the history years "
                f"(restricted.{table}, by period).",
                kinds={"pandas", "great_expectations"},
            )
            for table, key in _KEYS.items()
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(name=check, asset=key, blocking=blocking, description=text)
        for key in _KEYS.values()
        for check, blocking, text in CHECK_NAMES
    ],
    can_subset=False,
)
def yjs_history(context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse):
    """Stage and validate the history, year by year, each year's rows validated in memory as
    soon as they are staged (as the reporting years are, defs/validate.py)."""
    folder = data_sources.folder
    years = history_years(folder)
    per_year: dict[str, list[TableReport]] = {t: [] for t in YOUTH_JUSTICE_TABLES}
    files: list[tuple[str, str]] = []
    rows = 0
    try:
        _guard_every_year(folder, years)
        for year in years:
            staged = {
                table: ingest_extract(warehouse.engine(), folder, table, year, context.run.run_id)
                for table in YOUTH_JUSTICE_TABLES
            }
            rows += sum(result.rows for result in staged.values())
            files += [(f.name, f.sha256) for result in staged.values() for f in result.files]
            reports = validate_tables(
                warehouse.engine(),
                list(YOUTH_JUSTICE_TABLES),
                year,
                context.run.run_id,
                just_staged={table: result.staged for table, result in staged.items()},
            )
            for table, report in reports.items():
                per_year[table].append(report)
    except (DeliveryRefused, DeliveryError) as err:
        raise dg.Failure(description=str(err), allow_retries=False) from None
    yield dg.MaterializeResult(
        asset_key=INGEST_KEY,
        metadata={"years": ", ".join(y.label for y in years) or "none", "dagster/row_count": rows},
        data_version=dg.DataVersion(data_version(files)),
    )
    for table, key in _KEYS.items():
        report = combine_reports(table, per_year[table])
        metadata = {"years": len(per_year[table]), "rows_read": report.rows_read}
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
        yield from check_results(report, key, quarantine_threshold())
