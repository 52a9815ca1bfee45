"""The added cost of the measures across years: what the cohorts, the involvement flows and the
outcome measures add to computing a reporting year's indicator tables.

    python -u benchmarks/bench_outcomes.py --data /tmp/leeds [--year 2025/26] [--repeat 3]
    python -u benchmarks/bench_outcomes.py --data /tmp/england --repeat 1

Not a test: prints figures for docs/PERFORMANCE.md ("Measuring impact: the added cost").

**The data.** ``--data`` is a delivery folder (``tip generate``). The year's inputs are built
in memory as ``indicators.data.load_year`` reads them from the validated layer: the year's
service tables, its per-year reference files, the reference files of their own vintage, the
youth-justice outcomes of every year up to it, and the earlier years' rows of the tables read
for the look-back (``look_back.tables_to_read``), each with its ``period``. Each file is read
as ingestion reads it (``ingest.reader.read_extract``) and typed as validation types it
(``validate.parse.typed``), with nothing quarantined: a delivery the generator made without
faults is clean (``benchmarks/bench_clean_delivery.py``). No warehouse is needed, so that the
figure is the computation's alone, and an england-sized folder can be measured without
loading it first. The read is timed and reported apart.

**What is timed**, each ``--repeat`` times (the median printed), each on a fresh copy of the
inputs so that no cached result is shared between timings:

- ``year_tables``: all nine restricted tables of the year (``indicators.year.year_tables``)
  with no baseline year before it, so that the baseline year's values are not computed (in
  a real run they are computed once and remembered, ``indicators.baseline``: the share
  printed here is an upper bound of the measures' share);
- ``without``: the same with the three measures left out (the catalogue less the outcome
  measures, no flows, no cohorts): the rest of ``year_tables``;
- each measure on its own: ``cohorts.cohorts``, ``flows.flows``, and the values of the
  outcome measures (``values.all_values`` of ``catalogue.OUTCOMES``).

The added cost is ``year_tables`` less ``without``. Peak memory is the process's resident set
(sampled every 20 ms from ``/proc/self/statm``) while each is computed, and its rise over the
resident set just before, with the inputs already in memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_end_to_end import MemorySampler

from tip_pipeline.indicators import cohorts, flows, look_back, year
from tip_pipeline.indicators.catalogue import CATALOGUE, OUTCOMES
from tip_pipeline.indicators.data import (
    ALL_TABLES,
    HISTORY_KEY,
    HISTORY_TABLE,
    YearData,
    columns_of,
    empty,
)
from tip_pipeline.indicators.values import all_values
from tip_pipeline.ingest.reader import read_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Cadence, parse_file_name
from tip_pipeline.validate.parse import typed
from tip_pipeline.warehouse.schema import staging_columns

MB = 1024 * 1024


def typed_file(path: Path, table: str, quarter: int | None) -> pd.DataFrame:
    """One delivered file as its validated table holds it: typed, under its validated column
    names (with ``quarter`` for a quarterly extract, as ``load_year`` reads it)."""
    extract = EXTRACTS[table]
    raw = read_extract(path, extract).frame
    frame = pd.DataFrame(
        {column.name: typed(column, raw[column.name]) for column in extract.columns}
    )
    frame = frame.rename(columns=dict(staging_columns(table)))[columns_of(table)]
    if extract.cadence is Cadence.QUARTERLY:
        frame["quarter"] = quarter
    return frame


def latest_year(folder: Path) -> FinancialYear:
    """The latest reporting year of the folder's service files."""
    years = {
        parsed.period
        for name in os.listdir(folder)
        if (parsed := parse_file_name(name)) is not None
        and parsed.period is not None
        and parsed.extract.service
    }
    return max(years)


def year_from_folder(folder: Path, period: FinancialYear) -> YearData:
    """``period``'s inputs from the delivery folder, as ``load_year`` reads them from the
    validated layer (see the module docstring)."""
    reach = look_back.tables_to_read()
    earliest = {name: look_back.window(period, years) for name, years in reach.items()}
    now: dict[str, list[pd.DataFrame]] = {name: [] for name in ALL_TABLES}
    history: list[pd.DataFrame] = []
    earlier: dict[str, list[pd.DataFrame]] = {name: [] for name in reach}
    for name in sorted(os.listdir(folder)):
        parsed = parse_file_name(name)
        if parsed is None:
            continue
        table, file_year = parsed.extract.table, parsed.period
        wanted_now = table in now and (not parsed.extract.per_period or file_year == period)
        wanted_history = table == HISTORY_TABLE and file_year is not None and file_year <= period
        wanted_earlier = table in earlier and file_year in earliest[table]
        if not (wanted_now or wanted_history or wanted_earlier):
            continue
        frame = typed_file(folder / name, table, parsed.quarter)
        if wanted_now:
            now[table].append(frame)
        if wanted_history:
            history.append(frame[columns_of(table)])
        if wanted_earlier:
            earlier[table].append(frame[columns_of(table)].assign(period=file_year.label))
    tables = {name: _joined(frames, name) for name, frames in now.items()}
    tables[HISTORY_KEY] = _joined(history, HISTORY_TABLE)
    return YearData(
        period=period,
        tables=tables,
        earlier={
            name: pd.concat(frames, ignore_index=True) for name, frames in earlier.items() if frames
        },
    )


def _joined(frames: list[pd.DataFrame], table: str) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else empty(table)


def fresh(data: YearData) -> YearData:
    """The same inputs with nothing computed from them yet (no cached units or areas)."""
    return YearData(period=data.period, tables=dict(data.tables), earlier=dict(data.earlier))


@contextmanager
def without_measures() -> Iterator[None]:
    """``year_tables`` with the outcome measures, the flows and the cohorts left out: the rest
    of a year's tables. The three are replaced where ``indicators.year`` looks them up, and put
    back after."""
    rest = [i for i in CATALOGUE if i not in OUTCOMES]
    saved = (year.all_values, year.flows, year.cohorts)
    nothing = SimpleNamespace(flows=lambda data: pd.DataFrame(columns=flows.COLUMNS))
    none_followed = SimpleNamespace(cohorts=lambda data: pd.DataFrame(columns=cohorts.COLUMNS))
    year.all_values = lambda data: all_values(data, rest)  # type: ignore[assignment]
    year.flows, year.cohorts = nothing, none_followed  # type: ignore[assignment]
    try:
        yield
    finally:
        year.all_values, year.flows, year.cohorts = saved  # type: ignore[assignment]


@dataclass
class Timed:
    name: str
    seconds: list[float]
    peak_mb: list[float]
    rise_mb: list[float]
    rows: int


def timed(
    sampler: MemorySampler,
    name: str,
    work: Callable[[YearData], object],
    data: YearData,
    repeat: int,
) -> Timed:
    """``work`` on a fresh copy of ``data``, ``repeat`` times."""
    out = Timed(name, [], [], [], 0)
    for _ in range(repeat):
        inputs = fresh(data)
        time.sleep(0.05)  # a sample of the resident set before
        before = sampler.samples[-1][1]
        start, clock = time.time(), time.perf_counter()
        result = work(inputs)
        seconds = time.perf_counter() - clock
        time.sleep(0.05)
        peak = sampler.peak_between(start, time.time())
        out.seconds.append(seconds)
        out.peak_mb.append(peak / MB)
        out.rise_mb.append(max(peak - before, 0) / MB)
        out.rows = _rows(result)
    return out


def _rows(result: object) -> int:
    if isinstance(result, pd.DataFrame):
        return len(result)
    if isinstance(result, dict):
        return sum(len(frame) for frame in result.values())
    return 0


def _no_baseline(data: YearData) -> FinancialYear:
    """A baseline after the year: no change since it is computed and nothing is remembered
    for later years (``indicators.baseline``), so no warehouse is read."""
    return FinancialYear(data.period.start_year + 1)


def _all_tables(data: YearData) -> object:
    return year.year_tables(None, data, _no_baseline(data))  # type: ignore[arg-type]


def _without(data: YearData) -> object:
    with without_measures():
        return year.year_tables(None, data, _no_baseline(data))  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a delivery folder")
    parser.add_argument("--year", help="reporting year (default: the folder's latest)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    period = FinancialYear.parse(args.year) if args.year else latest_year(args.data)
    load = os.getloadavg()
    with MemorySampler() as sampler:
        clock = time.perf_counter()
        data = year_from_folder(args.data, period)
        read_s = time.perf_counter() - clock
        inputs_mb = sampler.samples[-1][1] / MB
        print(
            f"{args.data} {period.label}: inputs read and typed in {read_s:.1f} s; resident "
            f"{inputs_mb:,.0f} MB after; repeat {args.repeat}; load average {load[0]:.2f}"
        )
        runs = [
            timed(sampler, "year_tables (all nine tables)", _all_tables, data, args.repeat),
            timed(sampler, "  without the three measures", _without, data, args.repeat),
            timed(sampler, "  cohorts.cohorts", cohorts.cohorts, data, args.repeat),
            timed(sampler, "  flows.flows", flows.flows, data, args.repeat),
            timed(
                sampler,
                "  outcome measures' values",
                lambda d: all_values(d, OUTCOMES),
                data,
                args.repeat,
            ),
        ]
    print(
        f"{'computed':<32} {'rows':>9} {'median s':>9} {'min s':>7} {'peak MB':>8} {'rise MB':>8}"
    )
    for run in runs:
        print(
            f"{run.name:<32} {run.rows:>9,} {statistics.median(run.seconds):>9.2f} "
            f"{min(run.seconds):>7.2f} {max(run.peak_mb):>8,.0f} {max(run.rise_mb):>8,.0f}"
        )
    whole, rest = (statistics.median(r.seconds) for r in runs[:2])
    print(
        f"added by the measures across years: {whole - rest:.2f} s of {whole:.2f} s "
        f"({(whole - rest) / whole:.0%}); load average after {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
