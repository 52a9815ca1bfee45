"""Where the write of a year's restricted tables (``indicators.store.replace_period``) takes its
time on SQLite: the DELETE of the previous slice against the INSERT, wall against CPU, with the
file's pages in the OS cache or not, and under the SQLite settings one might change (issue #21).

    python -u benchmarks/bench_replace_period.py sqlite:////tmp/copy/tip.db --period 2020/21 \\
        [--variant default --variant cache:256 --variant no-secondary-index] [--cold]

Not a test: prints figures for docs/PERFORMANCE.md ("The SQLite writes of a year").

Run it on a warehouse whose year is already published (a ``tip run`` leaves one; a copy is
safer, though nothing is kept): the year's rows of the nine tables are read back in the order
they were inserted (rowid), then for each variant, in one transaction that is rolled back, the
year's slice is deleted (timed alone) and ``replace_period`` writes the rows again (its own
DELETE then finds nothing). Variants: ``default``; ``cache:MB``, the restricted file's page
cache raised to MB for the transaction (``PRAGMA restricted.cache_size``); ``no-secondary-index``,
``indicator_values``' index on (period, indicator_id) dropped inside the transaction.
``--cold`` asks the kernel to drop the restricted file's cached pages before each variant
(``posix_fadvise(DONTNEED)``, this file only), as after a day of other work. Printed: the
DELETE's and the INSERT's wall time, the process's CPU time of both, its largest resident set
(sampled every 20 ms) and the load average. No value of a row is printed.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.store import replace_period
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine, redact_url, sqlite_layer_paths
from tip_pipeline.warehouse.layers import RESTRICTED
from tip_pipeline.warehouse.readback import read_frame

#: what ``year_tables`` computes and ``replace_period`` writes
TABLES = [
    schema.indicator_values,
    schema.indicator_comparisons,
    schema.inequality_summary,
    schema.adversity_distribution,
    schema.adversity_overlap,
    schema.modelled_prevalence,
    schema.prevalence_summary,
    schema.involvement_flows,
    schema.cohort_incidence,
]
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


class Peak:
    """The largest resident set seen since the last ``reset``, sampled every 20 ms."""

    def __init__(self) -> None:
        self.value = 0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.value = max(self.value, resident_bytes())
            time.sleep(0.02)

    def reset(self) -> None:
        self.value = resident_bytes()


def year_rows(engine: sa.Engine, period: str) -> dict[sa.Table, pd.DataFrame]:
    """The year's rows of each table without lineage, in the order they were inserted."""
    with engine.connect() as conn:
        return {
            table: read_frame(
                conn,
                sa.select(*schema.content_columns(table))
                .where(table.c.period == period)
                .order_by(sa.literal_column("rowid")),
            )
            for table in TABLES
        }


def drop_cached_pages(url: str) -> None:
    """Ask the kernel to forget the restricted file's cached pages (this file only)."""
    path = sqlite_layer_paths(url)[RESTRICTED]
    for name in (path, path.with_name(path.name + "-wal")):
        if name.exists():
            descriptor = os.open(name, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(descriptor)


def set_up(conn: sa.Connection, variant: str) -> None:
    if variant.startswith("cache:"):
        kib = int(variant.removeprefix("cache:")) * 1024
        conn.exec_driver_sql(f"PRAGMA {RESTRICTED}.cache_size = -{kib}")
    elif variant == "no-secondary-index":
        conn.exec_driver_sql(f"DROP INDEX {RESTRICTED}.ix_indicator_values_period_indicator_id")
    elif variant != "default":
        raise SystemExit(f"unknown variant {variant!r}")


def run_variant(
    engine: sa.Engine, frames: dict, period: str, variant: str, peak: Peak
) -> dict[str, float]:
    """One rolled-back transaction: DELETE of the slice, then ``replace_period``."""
    peak.reset()
    cpu = time.process_time()
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            set_up(conn, variant)
            start = time.perf_counter()
            for table in TABLES:
                conn.execute(table.delete().where(table.c.period == period))
            deleted = time.perf_counter()
            replace_period(conn, frames, period, "bench", datetime.now(UTC))
            inserted = time.perf_counter()
        finally:
            transaction.rollback()
            conn.exec_driver_sql(f"PRAGMA {RESTRICTED}.cache_size = -2000")
    return {
        "delete_s": deleted - start,
        "insert_s": inserted - deleted,
        "cpu_s": time.process_time() - cpu,
        "peak_gb": peak.value / 1e9,
        "load": os.getloadavg()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", help="URL of a SQLite warehouse whose year is published")
    parser.add_argument("--period", required=True)
    parser.add_argument("--variant", action="append", help="default, cache:MB, no-secondary-index")
    parser.add_argument("--cold", action="store_true", help="drop the file's cached pages first")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"warehouse: {redact_url(args.warehouse)}, year {args.period}, cold: {args.cold}")
    peak = Peak()
    engine = make_engine(args.warehouse)
    frames = year_rows(engine, args.period)
    print("rows:", ", ".join(f"{t.name} {len(f):,}" for t, f in frames.items()))
    print(f"\n{'variant':20s} {'DELETE s':>9s} {'INSERT s':>9s} {'CPU s':>7s} {'peak GB':>8s} load")
    for variant in args.variant or ["default"]:
        if args.cold:
            drop_cached_pages(args.warehouse)
        f = run_variant(engine, frames, args.period, variant, peak)
        print(
            f"{variant:20s} {f['delete_s']:9.1f} {f['insert_s']:9.1f} {f['cpu_s']:7.1f} "
            f"{f['peak_gb']:8.2f} {f['load']:.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
