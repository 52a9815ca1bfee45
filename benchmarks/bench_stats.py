"""Time tip_pipeline.stats against PHStatsMethods on the same frame (a script, not a test).

    python benchmarks/bench_stats.py [--groups 1000000] [--sample 20000]

Builds a long pandas frame of ``--groups`` groups (one row per group for proportions and rates;
four child age bands per group, 0-4 / 5-9 / 10-15 / 16-17, for the DSR) and times:

- ours: proportion_ci, rate_ci and dsr on the whole frame (column extraction included);
- PHStatsMethods 0.1.16 (ph_proportion, ph_rate, ph_dsr): row-wise ``DataFrame.apply``, so it
  is timed on the first ``--sample`` groups and extrapolated linearly to the full frame, as the
  output says.

Prints seconds and the speed-up; the target is >= 100x.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from tip_pipeline import stats

CHILD_STANDARD = np.array([1_500.0, 1_600.0, 1_900.0, 700.0])  # 0-4, 5-9, 10-15, 16-17


def make_frames(groups: int, seed: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = rng.integers(100, 50_000, size=groups).astype(float)
    x = rng.binomial(n.astype(np.int64), rng.uniform(0.001, 0.3, size=groups)).astype(float)
    x = np.maximum(x, 1.0)  # PHStatsMethods refuses zero counts
    crude = pd.DataFrame({"group": np.arange(groups), "x": x, "n": n})
    bands = CHILD_STANDARD.size
    pop = rng.integers(100, 20_000, size=(groups, bands)).astype(float)
    events = np.maximum(rng.poisson(pop * 0.01), 1).astype(float)
    dsr_frame = pd.DataFrame(
        {
            "group": np.repeat(np.arange(groups), bands),
            "x": events.ravel(),
            "n": pop.ravel(),
            "std": np.tile(CHILD_STANDARD, groups),
        }
    )
    return crude, dsr_frame


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ours(crude: pd.DataFrame, dsr_frame: pd.DataFrame) -> dict[str, float]:
    bands = CHILD_STANDARD.size

    def dsr_call() -> object:
        shape = (-1, bands)  # frame sorted by group, then band
        return stats.dsr(
            dsr_frame["x"].to_numpy().reshape(shape),
            dsr_frame["n"].to_numpy().reshape(shape),
            dsr_frame["std"].to_numpy()[:bands],
        )

    return {
        "proportion_ci": timed(lambda: stats.proportion_ci(crude["x"].to_numpy(), crude["n"])),
        "rate_ci": timed(lambda: stats.rate_ci(crude["x"].to_numpy(), crude["n"].to_numpy())),
        "dsr": timed(dsr_call),
    }


def theirs(crude: pd.DataFrame, dsr_frame: pd.DataFrame) -> dict[str, float]:
    import PHStatsMethods as phs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "proportion_ci": timed(lambda: phs.ph_proportion(crude, "x", "n", "group")),
            "rate_ci": timed(lambda: phs.ph_rate(crude, "x", "n", "group")),
            "dsr": timed(
                lambda: phs.ph_dsr(dsr_frame, "x", "n", "std", "group", euro_standard_pops=False)
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()

    crude, dsr_frame = make_frames(args.groups)
    ours(crude.head(1000), dsr_frame.head(4000))  # warm-up
    mine = ours(crude, dsr_frame)

    sample = min(args.sample, args.groups)
    scale = args.groups / sample
    bands = CHILD_STANDARD.size
    measured = theirs(crude.head(sample), dsr_frame.head(sample * bands))

    print(f"{args.groups:,} groups (DSR: {bands} age bands per group)")
    print(
        f"PHStatsMethods timed on the first {sample:,} groups and extrapolated linearly "
        f"(x{scale:g}) to {args.groups:,}"
    )
    print(f"{'method':<15}{'ours (s)':>12}{'PHS sample (s)':>16}{'PHS extrap. (s)':>17}{'x':>10}")
    for name, seconds in mine.items():
        extrapolated = measured[name] * scale
        print(
            f"{name:<15}{seconds:>12.3f}{measured[name]:>16.2f}{extrapolated:>17.1f}"
            f"{extrapolated / seconds:>10.0f}"
        )


if __name__ == "__main__":
    main()
