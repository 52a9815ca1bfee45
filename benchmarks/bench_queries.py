"""Latency of typical analyst queries on a warehouse: every example query of the data
dictionary (tip_pipeline.warehouse.examples), run through SQLAlchemy as an analyst would.

    python benchmarks/bench_queries.py --warehouse sqlite:///warehouse/tip.db [--repeat 50]
        [--period 2024/25] [--area-code E08000035] [--indicator-id cla_31mar]

Each query runs once to warm the caches, then ``--repeat`` times; prints the rows returned
and the median, 95th percentile and worst latency in milliseconds. Target (docs/PERFORMANCE.md,
"Targets"): under 100 ms on the embedded default at leeds scale, for one indicator's ward
profile and the inequality table for all indicators.
"""

from __future__ import annotations

import argparse
import statistics
import time

from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.examples import EXAMPLE_PARAMS, EXAMPLES


def time_query(conn, example, params: dict, repeat: int) -> tuple[int, list[float]]:
    rows = len(example.run(conn, **params))
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        example.run(conn, **params)
        timings.append((time.perf_counter() - start) * 1000)
    return rows, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--repeat", type=int, default=50)
    for name, value in EXAMPLE_PARAMS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", default=value)
    args = parser.parse_args()
    params = {name: getattr(args, name) for name in EXAMPLE_PARAMS}
    engine = make_engine(args.warehouse)
    print(f"warehouse: {args.warehouse}; parameters: {params}; repeat {args.repeat}")
    print(f"{'query':<16} {'rows':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    with engine.connect() as conn:
        for key, example in EXAMPLES.items():
            wanted = {k: v for k, v in params.items() if k in example.params}
            rows, timings = time_query(conn, example, wanted, args.repeat)
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(
                f"{key:<16} {rows:>6} {statistics.median(timings):>10.2f} "
                f"{p95:>8.2f} {max(timings):>8.2f}"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
