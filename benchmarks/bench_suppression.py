"""Time disclosure control on a warehouse's real cells: suppression, then the audit's ranges
(a script, not a test).

    python benchmarks/bench_suppression.py --warehouse sqlite:///warehouse/tip.db \
        [--period 2022/23 ...] [--save cells.pkl] [--repeat 3] [--workers N]
    python benchmarks/bench_suppression.py --cells cells.pkl [--repeat 3] [--workers N]

For each year it builds the cells and relations publishing builds (``inputs.read_restricted``,
``inputs.restricted_cells``, the earlier years' published flows and cohorts as
``store.year_suppression`` takes them), or loads them from a ``--save``d pickle (an england
year's cells take minutes to read and build; the pickle holds true counts of the synthetic
delivery only: keep it in a temporary folder). Then it times, each the median of ``--repeat``:

- ``suppress``: primary, secondary and the audit rounds, as publishing calls it;
- the disclosure audit's ranges (``audit._check_ranges``): ``feasible_ranges`` over every
  relation with the withheld cells unknown and the published ones at their true counts.

It prints the cells, relations, groups, withheld cells, a fingerprint of the withheld cells
(the same fingerprint before and after a change means the same cells are published) and the
load average before and after. Only ``suppress``, ``feasible_ranges`` and ``Suppression`` are
used, so the script times an older checkout too (``PYTHONPATH=/path/to/old/checkout``, without
``--workers``, which sets the threads the audit's groups are solved on).
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import pickle
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tip_pipeline.publish.cells import cohort_cells, earlier_statuses, flow_cells
from tip_pipeline.publish.inputs import (
    EARLIER_PUBLISHED_COHORTS,
    EARLIER_PUBLISHED_FLOWS,
    area_parents,
    read_restricted,
    restricted_cells,
)
from tip_pipeline.publish.suppression import Relation, Suppression, feasible_ranges, suppress
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine, redact_url

THRESHOLD = 5


@dataclass
class YearCells:
    """What ``store.year_suppression`` passes to ``suppress`` for one year."""

    period: str
    values: dict
    relations: list[Relation]
    hidden: set
    forced: set
    fixed: set


def year_cells(engine: sa.Engine, period: str, parents: dict[str, str]) -> YearCells:
    frames = read_restricted(engine, period)
    cells = restricted_cells(frames, parents)
    before = {
        **flow_cells(frames.get(EARLIER_PUBLISHED_FLOWS)),
        **cohort_cells(frames.get(EARLIER_PUBLISHED_COHORTS)),
    }
    forced, fixed = earlier_statuses(before, cells)
    return YearCells(period, cells.values, cells.relations, cells.hidden, forced, fixed)


def published_periods(engine: sa.Engine) -> list[str]:
    table = schema.published_indicator_values
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(table.c.period).distinct()).scalars())


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``repeat`` calls, and the last call's result."""
    seconds, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def fingerprint(cells: set) -> str:
    return hashlib.sha256("\n".join(sorted(map(repr, cells))).encode()).hexdigest()[:12]


def audit_ranges(year: YearCells, suppressed: set, threads: dict) -> dict:
    """The audit's ranges, as ``audit._check_ranges`` asks for them."""
    withheld = Suppression(primary=set(suppressed), hidden=set(year.hidden))
    failures: list[str] = []
    ranges = feasible_ranges(year.values, year.relations, withheld, failures, **threads)
    if failures:
        raise SystemExit(f"the audit's ranges failed: {failures}")
    return ranges


def groups_of(year: YearCells, unknown: set) -> tuple[int, int]:
    """Groups of relations sharing an unknown cell, and how many are a single relation."""
    parent: dict = {}

    def find(c):
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    involved = [[c for c in r.terms if c in unknown] for r in year.relations]
    involved = [cells for cells in involved if cells]
    for cells in involved:
        for other in cells[1:]:
            parent[find(other)] = find(cells[0])
    sizes: dict = {}
    for cells in involved:
        root = find(cells[0])
        sizes[root] = sizes.get(root, 0) + 1
    return len(sizes), sum(1 for n in sizes.values() if n == 1)


def bench_year(year: YearCells, repeat: int, workers: int | None) -> None:
    threads = {} if workers is None else {"workers": workers}  # an older checkout has none

    def run_suppress() -> Suppression:
        return suppress(
            year.values,
            year.relations,
            THRESHOLD,
            hidden=year.hidden,
            forced=year.forced,
            fixed=year.fixed,
            **threads,
        )

    s_time, result = timed(run_suppress, repeat)
    a_time, ranges = timed(lambda: audit_ranges(year, result.suppressed, threads), repeat)
    groups, single = groups_of(year, result.suppressed | set(year.hidden))
    narrowest = min((hi - lo for lo, hi in ranges.values()), default=math.inf)
    print(
        f"{year.period}: {len(year.values):,} cells, {len(year.relations):,} relations, "
        f"{groups:,} groups ({single:,} single sums); withheld {len(result.primary):,} primary "
        f"+ {len(result.secondary):,} secondary, fingerprint {fingerprint(result.suppressed)}, "
        f"narrowest {narrowest:g}"
    )
    print(
        f"  suppress {s_time:.2f} s, audit ranges {a_time:.2f} s, "
        f"together {s_time + a_time:.2f} s (median of {repeat})"
    )


def load_years(args: argparse.Namespace) -> list[YearCells]:
    if args.cells:
        with Path(args.cells).open("rb") as f:
            return [YearCells(**fields) for fields in pickle.load(f)]
    engine = make_engine(args.warehouse)
    parents = area_parents(engine)
    periods = args.period or published_periods(engine)
    start = time.perf_counter()
    years = [year_cells(engine, period, parents) for period in periods]
    engine.dispose()
    print(
        f"read and built the cells of {redact_url(args.warehouse)} in "
        f"{time.perf_counter() - start:.1f} s"
    )
    if args.save:
        with Path(args.save).open("wb") as f:
            pickle.dump([vars(y) for y in years], f, protocol=pickle.HIGHEST_PROTOCOL)
    return years


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--warehouse", help="warehouse URL")
    source.add_argument("--cells", help="a pickle written by --save")
    parser.add_argument("--period", action="append", help="a year (default: every published)")
    parser.add_argument("--save", help="write the years' cells to this pickle")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, help="threads for the audit's groups (default: one per core)"
    )
    args = parser.parse_args()
    years = load_years(args)
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), cores: {len(os.sched_getaffinity(0))}")
    for year in years:
        bench_year(year, args.repeat, args.workers)
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
