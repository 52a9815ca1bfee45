"""The measuring-impact report asset (group ``reports``): one self-contained HTML file per
local authority and reporting year, read from the published layer only. Domain logic lives in
tip_pipeline.reports (``reports.batch`` writes a year's files); this module wires it.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.publish import TWINS
from tip_pipeline.defs.publish import key as publish_key
from tip_pipeline.defs.resources import Warehouse
from tip_pipeline.periods import FinancialYear
from tip_pipeline.reports.batch import write_reports

GROUP = "reports"
KEY = dg.AssetKey(["reports", "impact_report"])

#: the published-layer assets the report reads (written by tip_pipeline.publish)
PUBLISHED_DEPS = [
    *(publish_key(name) for name in TWINS),
    publish_key("dim_indicator"),
    publish_key("dim_area"),
]


@warehouse_writer(
    dg.asset,
    key=KEY,
    group_name=GROUP,
    partitions_def=reporting_years,
    deps=PUBLISHED_DEPS,
    output_required=False,
    description="The measuring-impact report: one offline, self-contained HTML file per local "
    "authority for the year (prevalence, trends, comparisons, inequality, wards, linked "
    "adversity, data quality), from the published layer only. Written to TIP_REPORT_DIR.",
)
def impact_report(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult]:
    period = FinancialYear.parse(context.partition_key).label
    folder = Path(config.REPORT_DIR.value())
    batch = write_reports(warehouse.engine(), folder, period)
    if not batch.paths:
        context.log.warning(f"nothing is published for {period}: no report written")
        return
    only = batch.paths[0].resolve() if len(batch.paths) == 1 else folder
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(only)),
            "files": len(batch.paths),
            "size_bytes": batch.size_bytes,
            "size": dg.MetadataValue.text(f"{batch.size_bytes / 1e6:.2f} MB"),
            "charts": batch.charts,
            "areas": ", ".join(batch.areas),
        }
    )
