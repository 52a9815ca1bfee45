"""Benchmark the synthetic generator: wall time, rows written, rows/s and peak memory.

    python benchmarks/bench_generate.py                 # leeds
    python benchmarks/bench_generate.py --scale england # about 12 million children

Not a test: prints figures for the record. Peak memory is the process's maximum resident set
size (getrusage), which includes the interpreter and libraries.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from tip_pipeline.sources.generator import SCALES, generate


def run(scale: str, seed: int, faults: float, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix=f"tip-bench-{scale}-") as tmp:
        out = keep or Path(tmp)
        start = time.perf_counter()
        manifest = generate(out, scale=scale, seed=seed, faults=faults, progress=True)
        wall = time.perf_counter() - start
    rows = sum(f["rows"] for f in manifest["files"])
    size = sum(1 for _ in manifest["files"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"scale={scale} seed={seed} faults={faults} files={size} rows={rows:,} "
        f"wall={wall:.1f}s rows/s={rows / wall:,.0f} peak_rss={peak_mb:,.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="leeds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", type=float, default=0.0)
    parser.add_argument("--keep", type=Path, default=None, help="write here instead of a temp dir")
    args = parser.parse_args(argv)
    run(args.scale, args.seed, args.faults, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
