"""The reports of a year: one self-contained HTML file per local authority with published
figures for it, as the report asset writes them (``tip report`` writes one).

Only the published layer is read (``reports.data``), so a year or an area that nothing was
published for gets no report rather than an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.reports.build import write_report
from tip_pipeline.reports.data import published_areas, published_periods


@dataclass(frozen=True)
class Batch:
    """The files written for a year, and what they hold."""

    period: str
    areas: tuple[str, ...]
    paths: tuple[Path, ...]
    size_bytes: int
    charts: int


def report_path(folder: Path, area_code: str, period: str) -> Path:
    """``<folder>/impact_report_<area>_<2023-24>.html``."""
    return folder / f"impact_report_{area_code}_{FinancialYear.parse(period).tag}.html"


def areas_published(engine: sa.Engine, period: str) -> list[str]:
    """Local authorities with published headline values for ``period`` (a label, 2023/24)."""
    with engine.connect() as conn:
        return [
            code
            for code in published_areas(conn)["area_code"]
            if period in published_periods(conn, code)
        ]


def write_reports(engine: sa.Engine, folder: Path, period: str) -> Batch:
    """Write the report of every local authority published for ``period`` into ``folder``;
    an empty batch when nothing is published for the year."""
    areas = areas_published(engine, period)
    paths = []
    size = charts = 0
    for area in areas:
        path = report_path(folder, area, period)
        built = write_report(engine, path, area, period)
        paths.append(path)
        size += path.stat().st_size
        charts += built.charts
    return Batch(period, tuple(areas), tuple(paths), size, charts)
