"""The measuring-impact report asset (group ``reports``): one self-contained HTML file per
local authority and reporting year, read from the published layer only. Domain logic lives in
tip_pipeline.reports; this module wires it.
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
from tip_pipeline.reports import write_report
from tip_pipeline.reports.data import published_areas, published_periods

GROUP = "reports"
KEY = dg.AssetKey(["reports", "impact_report"])

#: the published-layer assets the report reads (written by tip_pipeline.publish)
PUBLISHED_DEPS = [
    *(publish_key(name) for name in TWINS),
    publish_key("dim_indicator"),
    publish_key("dim_area"),
]


def report_path(folder: Path, area_code: str, period: str) -> Path:
    """``<folder>/impact_report_<area>_<2023-24>.html``."""
    return folder / f"impact_report_{area_code}_{FinancialYear.parse(period).tag}.html"


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
    engine = warehouse.engine()
    with engine.connect() as conn:
        areas = [
            code
            for code in published_areas(conn)["area_code"]
            if period in published_periods(conn, code)
        ]
    if not areas:
        context.log.warning(f"nothing is published for {period}: no report written")
        return
    paths, size, charts = [], 0, 0
    for area in areas:
        out = report_path(folder, area, period)
        built = write_report(engine, out, area, period)
        paths.append(out)
        size += out.stat().st_size
        charts += built.charts
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(paths[0].resolve() if len(paths) == 1 else folder)),
            "files": len(paths),
            "size_bytes": size,
            "size": dg.MetadataValue.text(f"{size / 1e6:.2f} MB"),
            "charts": charts,
            "areas": ", ".join(areas),
        }
    )
