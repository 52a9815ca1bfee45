"""Time disclosure control on a warehouse's real cells: suppression, then the audit's ranges
(a script, not a test).

    python benchmarks/bench_suppression.py --warehouse sqlite:///warehouse/tip.db \
        [--period 2022/23 ...] [--save cells.pkl] [--repeat 3] [--workers N]
    python benchmarks/bench_suppression.py --cells cells.pkl [--repeat 3] [--workers N]
    python benchmarks/bench_suppression.py --synthetic 40,80,160,320 [--repeat 3]

For each year it builds the cells and relations publishing builds (``inputs.read_restricted``,
``inputs.restricted_cells``, the earlier years' published flows and cohorts as
``store.year_suppression`` takes them), or loads them from a ``--save``d pickle (an england
year's cells take minutes to read and build; the pickle holds true counts of the synthetic
delivery only: keep it in a temporary folder). Then it times, each the median of ``--repeat``:

- ``suppress``: primary, secondary and the audit rounds, as publishing calls it;
- the disclosure audit's ranges (``audit._check_ranges``): ``feasible_ranges`` over every
  relation with the withheld cells unknown and the published ones at their true counts.

``--synthetic`` builds instead, for each number of authorities, an England of regions of 16
authorities with the authorities' breakdowns and wards (``synthetic_year``), to show how the
time grows with the cells (in proportion: issue #21's "total cost growing linearly with the
cells").

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
import random
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


#: the synthetic authorities' category counts: about one in six below the threshold
SYNTHETIC_COUNTS = (0, 1, 2, 3, 4, 6, 8, 11, 15, 20, 30, 45, 70, 120, 250)


def synthetic_year(authorities: int, seed: int = 21) -> YearCells:
    """England as regions of 16 authorities (England's 153 in 9), ``authorities`` in all, each
    authority's count
    split by 8 categories and a hidden remainder and by 20 wards (each summing to its total),
    each region's categories and total the sums of its authorities', England's of the
    regions'. The published layer's shape (``cells``) at a chosen size, counts from a seed.

    Every authority has a remainder of at least the threshold: without one, a region's
    category is implied exactly by its published total and other categories (a sum of the
    declared relations, none of which holds a published cell left to withhold), and
    suppression does not converge, before this change as after it."""
    rng = random.Random(seed)
    values: dict = {}
    relations: list[Relation] = []
    hidden: set = set()
    regions = [f"R{r}" for r in range(max(1, authorities // 16))]
    members: dict[str, list[str]] = {r: [] for r in regions}
    for a in range(authorities):
        la = f"L{a}"
        members[regions[a % len(regions)]].append(la)
        parts = [(la, k) for k in range(8)]
        values.update({p: float(rng.choice(SYNTHETIC_COUNTS)) for p in parts})
        rest = float(rng.choice((5, 9, 14)))
        values[(la, "total")] = sum(values[p] for p in parts) + rest
        if rest:
            values[(la, "rest")] = rest
            hidden.add((la, "rest"))
            parts.append((la, "rest"))
        relations.append(Relation({**dict.fromkeys(parts, 1), (la, "total"): -1}))
        shares = [rng.random() for _ in range(20)]
        wards = [(la, "ward", w) for w in range(20)]
        left = values[(la, "total")]
        for ward, share in zip(wards[:-1], shares, strict=False):
            values[ward] = min(left, float(round(values[(la, "total")] * share / sum(shares))))
            left -= values[ward]
        values[wards[-1]] = left
        relations.append(Relation({**dict.fromkeys(wards, 1), (la, "total"): -1}))
    keys = [*range(8), "total"]
    for region in regions:
        for key in keys:
            values[(region, key)] = sum(values[(la, key)] for la in members[region])
            relations.append(
                Relation({**{(la, key): 1 for la in members[region]}, (region, key): -1})
            )
    for key in keys:
        values[("E", key)] = sum(values[(region, key)] for region in regions)
        relations.append(Relation({**{(r, key): 1 for r in regions}, ("E", key): -1}))
    return YearCells(f"synthetic {authorities}", values, relations, hidden, set(), set())


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
        f"together {s_time + a_time:.2f} s (median of {repeat}), "
        f"{(s_time + a_time) / len(year.values) * 1e6:.0f} µs a cell"
    )


def load_years(args: argparse.Namespace) -> list[YearCells]:
    if args.synthetic:
        return [synthetic_year(int(n)) for n in args.synthetic.split(",")]
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
    source.add_argument("--synthetic", help="numbers of authorities, e.g. 40,80,160,320")
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
