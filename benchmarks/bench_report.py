"""Time the measuring-impact report on a warehouse (a script, not a test).

    python benchmarks/bench_report.py sqlite:///warehouse/tip.db [--area CODE] [--period 2024/25]
    python benchmarks/bench_report.py sqlite:///warehouse/tip.db --all --period 2020/21
        [--workers N] [--out DIR]

One report: builds it from the published layer, writes it to a temporary file and prints the
build time and the file's size. Targets (docs/PERFORMANCE.md, "Targets"): a leeds report in
under 30 s and under 10 MB.

``--all``: a year's batch as the report asset writes it (``reports.batch.write_reports``: every
local authority published for ``--period``, in ``--workers`` processes, default one per core),
into ``--out`` (kept, e.g. to compare two versions' files with ``diff -r``) or a temporary
folder; prints the wall time, the CPU time of the batch (this process and its workers), the
reports, the mean time per report (wall x workers / reports, and CPU / reports) and the load
average before and after (the machine may be shared: the CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from tip_pipeline.reports import write_report
from tip_pipeline.reports.batch import worker_count, write_reports
from tip_pipeline.warehouse.engine import make_engine, redact_url

TARGET_SECONDS = 30.0
TARGET_BYTES = 10_000_000


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its children waited for (the batch's
    worker processes, once its pool is shut down)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one(url: str, area: str | None, period: str | None) -> int:
    """Time one report; 0 when within the targets."""
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        start = time.perf_counter()
        built = write_report(engine, out, area, period)
        seconds = time.perf_counter() - start
        size = out.stat().st_size
    engine.dispose()
    ok = seconds < TARGET_SECONDS and size < TARGET_BYTES
    print(f"warehouse: {redact_url(url)}")
    print(f"report: {built.area_name} ({built.area_code}) {built.period}, {built.charts} charts")
    print(f"build time: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s)")
    print(f"file size: {size / 1e6:.2f} MB (target < {TARGET_BYTES / 1e6:.1f} MB)")
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 1


def batch(url: str, period: str, workers: int | None, out: Path | None) -> int:
    """Time a year's batch of reports; 0 when any was written."""
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as scratch:
        folder = out if out is not None else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"warehouse: {redact_url(url)}, period {period}")
        print(f"load before: {load()}")
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        written = write_reports(engine, folder, period, workers)
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_before
        print(f"load after: {load()}")
    engine.dispose()
    reports = len(written.areas)
    used = worker_count(reports) if workers is None else max(1, workers)
    print(f"reports: {reports}, {written.charts} charts, {written.size_bytes / 1e6:.1f} MB")
    print(f"wall: {seconds:.2f} s with {used} worker(s); CPU {cpu:.1f} s")
    if reports:
        print(
            f"per report: {seconds * min(used, reports) / reports:.3f} s (wall x workers), "
            f"{cpu / reports:.3f} s CPU"
        )
    return 0 if reports else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", help="warehouse URL")
    parser.add_argument("--area")
    parser.add_argument("--period")
    parser.add_argument("--all", action="store_true", help="every LA's report of --period")
    parser.add_argument("--workers", type=int, help="--all: worker processes")
    parser.add_argument("--out", type=Path, help="--all: folder to keep the files in")
    args = parser.parse_args()
    if not args.all:
        return one(args.warehouse, args.area, args.period)
    if args.period is None:
        parser.error("--all needs --period")
    return batch(args.warehouse, args.period, args.workers, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
