"""Time the measuring-impact report on a warehouse (a script, not a test).

    python benchmarks/bench_report.py sqlite:///warehouse/tip.db [--area CODE] [--period 2024/25]

Builds the report from the published layer, writes it to a temporary file and prints the build
time and the file's size. Targets (docs/PERFORMANCE.md, "Targets"): a leeds report in under
30 s and under 10 MB.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tip_pipeline.reports import write_report
from tip_pipeline.warehouse.engine import make_engine, redact_url

TARGET_SECONDS = 30.0
TARGET_BYTES = 10_000_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", help="warehouse URL")
    parser.add_argument("--area")
    parser.add_argument("--period")
    args = parser.parse_args()
    engine = make_engine(args.warehouse)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        start = time.perf_counter()
        built = write_report(engine, out, args.area, args.period)
        seconds = time.perf_counter() - start
        size = out.stat().st_size
    engine.dispose()
    ok = seconds < TARGET_SECONDS and size < TARGET_BYTES
    print(f"warehouse: {redact_url(args.warehouse)}")
    print(f"report: {built.area_name} ({built.area_code}) {built.period}, {built.charts} charts")
    print(f"build time: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s)")
    print(f"file size: {size / 1e6:.2f} MB (target < {TARGET_BYTES / 1e6:.1f} MB)")
    print("within targets" if ok else "OUTSIDE TARGETS")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
