"""Benchmark generate -> ingest -> validate, stage by stage: wall time, rows, rows/s, peak memory.

    python benchmarks/bench_pipeline.py --scale leeds
    python benchmarks/bench_pipeline.py --scale england --years 1 --warehouse postgresql+psycopg://postgres@127.0.0.1:5432/tip_bench

Not a test: prints figures for docs/PERFORMANCE.md. Ingest and validation call the same plain
functions the Dagster assets call (no orchestration overhead), per source and year. Peak
memory is the process's maximum resident set size (getrusage) when the stage ended, so each
stage's figure includes the stages before it.

As in the assets, validation takes the rows ingestion has just staged in memory;
``--read-back`` makes it read them back from the warehouse instead (the path of a validation
run on its own), to measure what the hand-over saves.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tip_pipeline.ingest.discovery import delivered_periods
from tip_pipeline.ingest.load import IngestResult, ingest_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.generator import SCALES, generate
from tip_pipeline.validate.store import validate_tables
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.migrate import upgrade

#: the validation units of a year, as the assets run them: the per-period reference files, then
#: each service's extracts
UNITS = (contracts.REFERENCE_SOURCE, *contracts.service_sources())


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(stage: str, seconds: float, rows: int, peak: float | None = None) -> None:
    rate = rows / seconds if seconds else 0
    peak = peak_mb() if peak is None else peak
    print(f"{stage:<28} {seconds:8.1f} s {rows:>12,} rows {rate:>12,.0f} rows/s "
          f"peak {peak:>8,.0f} MB", flush=True)  # fmt: skip


def tables_of(unit: str) -> list[str]:
    return list(contracts.tables(source=unit, per_period=True))


def handed_over(staged: dict[str, IngestResult], read_back: bool) -> dict | None:
    """The staged rows validation takes in memory, as the assets hand them over."""
    return None if read_back else {t: r.staged for t, r in staged.items()}


def run(
    scale: str, years: int, url: str | None, data: Path | None, validate: bool, read_back: bool
) -> None:
    with tempfile.TemporaryDirectory(prefix=f"tip-bench-{scale}-") as tmp:
        folder = data or Path(tmp) / "data"
        if data is None:
            start = time.perf_counter()
            manifest = generate(folder, scale=scale, seed=1, progress=False)
            report("generate", time.perf_counter() - start,
                   sum(f["rows"] for f in manifest["files"]))  # fmt: skip
        url = url or f"sqlite:///{tmp}/wh/tip.db"
        upgrade(url)
        engine = make_engine(url)
        periods = [p for p in delivered_periods(folder) if p >= FinancialYear(2020)][-years:]
        static = list(contracts.tables(per_period=False))
        seconds: dict[str, float] = defaultdict(float)
        rows: dict[str, int] = defaultdict(int)
        peaks: dict[str, float] = {}  # the process's peak when the stage last ended
        start = time.perf_counter()
        staged = {t: ingest_extract(engine, folder, t, None, "b") for t in static}
        rows["ingest ref (static)"] = sum(r.rows for r in staged.values())
        seconds["ingest ref (static)"] = time.perf_counter() - start
        peaks["ingest ref (static)"] = peak_mb()
        if validate:
            start = time.perf_counter()
            validate_tables(engine, static, None, "b", handed_over(staged, read_back))
            seconds["validate ref (static)"] = time.perf_counter() - start
            rows["validate ref (static)"] = rows["ingest ref (static)"]
            peaks["validate ref (static)"] = peak_mb()
        for period in periods:
            for unit in UNITS:
                start = time.perf_counter()
                staged = {
                    t: ingest_extract(engine, folder, t, period, "b") for t in tables_of(unit)
                }
                rows[f"ingest {unit}"] += sum(r.rows for r in staged.values())
                seconds[f"ingest {unit}"] += time.perf_counter() - start
                peaks[f"ingest {unit}"] = peak_mb()
                if not validate:
                    continue
                start = time.perf_counter()
                reports = validate_tables(
                    engine, tables_of(unit), period, "b", handed_over(staged, read_back)
                )
                del staged
                seconds[f"validate {unit}"] += time.perf_counter() - start
                rows[f"validate {unit}"] += sum(r.rows_read for r in reports.values())
                peaks[f"validate {unit}"] = peak_mb()
        how = "read back from the warehouse" if read_back else "handed over in memory"
        backend = url.split("://")[0]
        print(f"-- {scale}, {len(periods)} year(s), warehouse {backend}, staged rows {how}")
        for stage in seconds:
            report(stage, seconds[stage], rows[stage], peaks[stage])
        totals = {}
        for prefix in ("ingest", "validate"):
            totals[prefix] = sum(v for k, v in seconds.items() if k.startswith(prefix))
            count = sum(v for k, v in rows.items() if k.startswith(prefix))
            report(f"{prefix} total", totals[prefix], count)
        if validate and totals["ingest"]:
            ratio = totals["validate"] / totals["ingest"]
            print(f"validate / ingest: {ratio:.2f}x (target <= 1)", flush=True)
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="leeds")
    parser.add_argument("--years", type=int, default=6, help="latest N reporting years")
    parser.add_argument("--warehouse", default=None, help="URL (default: a temporary SQLite)")
    parser.add_argument("--data", type=Path, default=None, help="use an existing delivery")
    parser.add_argument("--ingest-only", action="store_true", help="skip validation")
    parser.add_argument("--read-back", action="store_true", help="validate a read-back of staging")
    args = parser.parse_args(argv)
    run(
        args.scale,
        args.years,
        args.warehouse,
        args.data,
        validate=not args.ingest_only,
        read_back=args.read_back,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
