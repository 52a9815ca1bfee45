"""The reports of a year: one self-contained HTML file per local authority with published
figures for it, as the report asset writes them (``tip report`` writes one).

Only the published layer is read (``reports.data``), so a year or an area that nothing was
published for gets no report rather than an empty one.

At England scale a year has 153 reports of about half a second each (docs/PERFORMANCE.md,
"End to end against the floor"): they are independent, so several are written at once in
worker processes, one per core (each opens its own connections, as an analyst's client would;
the published layer is only read). A single report is written in the calling process.

What every report of the year reads alike (``data.Shared``: the catalogue, the areas, the
year's data quality, the regions' and England's flows) is read once per worker, for the
batch, and so are the year's rows of the large tables (indicator values, comparisons,
benchmarking), split by area, instead of a scan of each per report: a worker lives as long
as its batch's pool, so nothing is kept from one batch to the next (a year published again
is read afresh).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.reports.build import write_report
from tip_pipeline.reports.data import TOTAL, Shared, read


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
    """Local authorities with published headline values for ``period`` (a label, 2023/24),
    in code order (one query, not one per authority)."""
    with engine.connect() as conn:
        frame = read(
            conn,
            "SELECT DISTINCT area_code FROM published.indicator_values "
            "WHERE area_type = 'la' AND breakdown = :total AND period = :period "
            "ORDER BY area_code",
            total=TOTAL,
            period=period,
        )
    return [str(code) for code in frame["area_code"]]


def worker_count(reports: int, cores: int | None = None) -> int:
    """Processes to write ``reports`` with: one per core the process may use, never more than
    the reports (1 writes them in the calling process)."""
    available = cores if cores is not None else len(os.sched_getaffinity(0))
    return max(1, min(reports, available))


def write_reports(
    engine: sa.Engine, folder: Path, period: str, workers: int | None = None
) -> Batch:
    """Write the report of every local authority published for ``period`` into ``folder``;
    an empty batch when nothing is published for the year. ``workers`` processes (default:
    :func:`worker_count`) write them; the files and the batch are the same whatever the
    number."""
    areas = areas_published(engine, period)
    paths = [report_path(folder, area, period) for area in areas]
    workers = worker_count(len(areas)) if workers is None else workers
    if workers <= 1:
        shared = Shared(whole_year=True)
        charts = [
            write_report(engine, path, area, period, shared).charts
            for area, path in zip(areas, paths, strict=True)
        ]
    else:
        url = engine.url.render_as_string(hide_password=False)
        # spawn, not fork: the caller (a Dagster step) runs threads a forked child would copy
        # mid-state
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            jobs = [url] * len(areas), paths, areas, [period] * len(areas)
            charts = list(pool.map(_write_one, *jobs))
    size = sum(path.stat().st_size for path in paths)
    return Batch(period, tuple(areas), tuple(paths), size, sum(charts))


#: each worker process's engine, made on its first report
_ENGINES: dict[str, sa.Engine] = {}
#: what the worker's reports of a year read alike, kept from its first report of the year
_SHARED: dict[tuple[str, str], Shared] = {}


def _write_one(url: str, path: Path, area: str, period: str) -> int:
    """One report, in a worker process (its own engine of the warehouse at ``url``): the
    number of its charts (the document stays in the worker; only the file is shared)."""
    from tip_pipeline.warehouse.engine import make_engine

    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    shared = _SHARED.setdefault((url, period), Shared(whole_year=True))
    return write_report(_ENGINES[url], path, area, period, shared).charts
