"""Youth-justice history: the years before the first reporting year.

First-time entrants are children whose first caution or conviction falls in the year; without
earlier years every child would look like a first-time entrant. The youth justice service
delivers its history once, so it is staged and validated by one unpartitioned step (the
``ingest/yjs_history`` asset and the validated history tables) rather than as reporting years
of its own. The step is tip_pipeline.validate.source_year.stage_and_validate_history.
"""

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.intake import RAW_HISTORY
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.defs.validate import CHECK_NAMES, check_results, quarantine_threshold
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.validate.source_year import stage_and_validate_history, years_before

YOUTH_JUSTICE_TABLES = contracts.tables(history=True)
INGEST_KEY = dg.AssetKey(["ingest", "yjs_history"])
_KEYS = {t: dg.AssetKey(["validated", f"{t}_history"]) for t in YOUTH_JUSTICE_TABLES}


@warehouse_writer(
    dg.multi_asset,
    name="ingest_validate_yjs_history",
    specs=[
        dg.AssetSpec(
            key=INGEST_KEY,
            group_name="ingest",
            deps=[RAW_HISTORY],  # the contract files intake writes, where raw returns are taken in
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
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    history = stage_and_validate_history(
        warehouse.engine(),
        folder,
        YOUTH_JUSTICE_TABLES,
        years_before(folder, YOUTH_JUSTICE_TABLES, first),
        context.run.run_id,
    )
    yield dg.MaterializeResult(
        asset_key=INGEST_KEY,
        metadata={
            "years": ", ".join(y.label for y in history.years) or "none",
            "dagster/row_count": history.rows,
        },
        data_version=dg.DataVersion(history.data_version),
    )
    for table, key in _KEYS.items():
        report = history.reports[table]
        metadata = {"years": len(history.years), "rows_read": report.rows_read}
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)
        yield from check_results(report, key, quarantine_threshold())
