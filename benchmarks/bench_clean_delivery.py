"""Is a delivery made without faults clean at every scale? Generate one (one reporting year by
default) and validate it in memory (``tip_pipeline.validate.dry_run``): print the rows each
rule would quarantine, with the time taken by each stage.

    python benchmarks/bench_clean_delivery.py --scale england --seed 4242 --year 2023/24

Not a test: an england year takes the generator most of an hour (docs/PERFORMANCE.md), too
long for the suite, which checks the small and leeds scales (tip_pipeline_tests/sources/
generator/test_clean.py). Exit status 1 when anything would be quarantined.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from tip_pipeline.sources.generator import SCALES, generate
from tip_pipeline.validate.dry_run import quarantine_by_rule


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="england")
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--year", default="2023/24", help="first and last reporting year")
    parser.add_argument("--keep", type=Path, help="generate here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix=f"tip-clean-{args.scale}-") as tmp:
        out = args.keep or Path(tmp)
        start = time.perf_counter()
        manifest = generate(
            out, scale=args.scale, seed=args.seed, first_year=args.year, last_year=args.year
        )
        generated = time.perf_counter()
        broken = quarantine_by_rule(out, [f["path"] for f in manifest["files"]])
        validated = time.perf_counter()
    rows = sum(f["rows"] for f in manifest["files"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"scale={args.scale} seed={args.seed} year={args.year} files={len(manifest['files'])} "
        f"rows={rows:,} generate={generated - start:.0f}s validate={validated - generated:.0f}s "
        f"peak_rss={peak_mb:,.0f} MB"
    )
    for rule_id, n in sorted(broken.items()):
        print(f"  {rule_id}: {n:,} rows would be quarantined")
    print("clean: nothing would be quarantined" if not broken else "NOT clean")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
