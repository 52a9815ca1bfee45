"""Where a reporting year's figures take their time and memory, phase by phase (issue #21,
points 2 and 6: "peak per england year at most 4 GB").

    python -u benchmarks/bench_year_phases.py sqlite:////tmp/engwh/tip.db --period 2020/21
    python -u benchmarks/bench_year_phases.py URL --period 2020/21 --publish

Not a test: prints figures for docs/PERFORMANCE.md ("Publishing's reads and writes, and memory
phase by phase").

Does what the ``year_figures`` step does (``defs/year.py``) on a warehouse whose year is already
validated (a ``tip run`` leaves one): ``load_year``, ``year_tables``, the validated rows let go,
and with ``--publish`` ``publish.store.publish_year`` with the tables just computed (it
replaces the year's restricted and published rows: run it on a copy). Each phase is named as
it starts: the functions ``year_tables`` and ``publish_year`` call are wrapped, for this
process only, so that a thread sampling the resident set size every 20 ms
(``/proc/self/statm``) charges each sample to the phase running. Printed per phase: its time
and the largest resident set seen while it ran (the process's: a phase that frees little
carries the memory of those before it), with the load average before and after.
"""

from __future__ import annotations

import argparse
import functools
import os
import threading
import time
from collections.abc import Callable
from types import ModuleType

from tip_pipeline import config
from tip_pipeline.indicators import adversity, cohorts, flows, prevalence
from tip_pipeline.indicators import year as year_module
from tip_pipeline.indicators.data import load_year
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import store
from tip_pipeline.warehouse.engine import make_engine, redact_url

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SAMPLE_S = 0.02

#: (module, function) of each phase, as ``year_tables`` and ``publish_year`` call them
YEAR_TABLES = [
    (year_module, "all_values"),
    (year_module, "with_benchmark"),
    (year_module, "remember"),
    (prevalence, "modelled_prevalence"),
    (year_module, "comparisons"),
    (year_module, "year_inequality"),
    (adversity, "distribution"),
    (adversity, "overlap"),
    (prevalence, "prevalence_summary"),
    (flows, "flows"),
    (cohorts, "cohorts"),
]
PUBLISH = [
    (store, "area_parents"),
    (store, "replace_period"),
    (store, "read_restricted"),
    (store, "year_suppression"),
    (store, "published_frames"),
    (store, "publish_trends"),
    (store, "publish_benchmarking"),
    (store, "publish_population"),
    (store.audit, "audit_year"),
]


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES


class Phases:
    """The phase running, and each phase's time and largest resident set seen."""

    def __init__(self) -> None:
        self.current = "start"
        self.peak: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def sample_forever(self) -> None:
        while True:
            phase, rss = self.current, resident_bytes()
            self.peak[phase] = max(self.peak.get(phase, 0), rss)
            time.sleep(SAMPLE_S)

    def run(self, name: str, call: Callable[[], object]) -> object:
        """``call()`` charged to phase ``name``; the caller's phase resumes after it."""
        outer, self.current = self.current, name
        self.peak[name] = max(self.peak.get(name, 0), resident_bytes())
        start = time.perf_counter()
        try:
            return call()
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            self.current = outer

    def wrap(self, module: ModuleType, name: str) -> None:
        """Charge every call of ``module.name`` to the phase ``name``."""
        function = getattr(module, name)

        @functools.wraps(function)
        def charged(*args, **kwargs):
            return self.run(name, lambda: function(*args, **kwargs))

        setattr(module, name, charged)


def computed(phases: Phases, engine, period: FinancialYear, baseline: FinancialYear) -> dict:
    """The year's tables; its validated rows let go on return, as the step lets them go
    before publishing."""
    data = phases.run("load_year", functools.partial(load_year, engine, period))
    return phases.run(
        "year_tables", functools.partial(year_module.year_tables, engine, data, baseline)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", help="warehouse URL (a copy: --publish writes to it)")
    parser.add_argument("--period", required=True, help="a validated reporting year")
    parser.add_argument("--publish", action="store_true", help="publish the year too")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"warehouse: {redact_url(args.warehouse)}, year {args.period}")
    phases = Phases()
    for module, name in YEAR_TABLES + (PUBLISH if args.publish else []):
        phases.wrap(module, name)
    threading.Thread(target=phases.sample_forever, daemon=True).start()
    engine = make_engine(args.warehouse)
    period = FinancialYear.parse(args.period)
    baseline = FinancialYear.parse(config.FIRST_YEAR.value())
    threshold = int(config.SUPPRESSION_THRESHOLD.value())
    tables = computed(phases, engine, period, baseline)
    phases.run("(validated rows let go)", lambda: time.sleep(0.1))
    if args.publish:
        phases.run(
            "publish_year",
            lambda: store.publish_year(engine, period.label, "bench", threshold, "bench", tables),
        )
    print(f"\n{'phase':34s} {'s':>8s} {'peak GB':>8s}")
    for name, peak in phases.peak.items():
        if name == "start":
            continue
        print(f"{name:34s} {phases.seconds.get(name, 0.0):8.1f} {peak / 1e9:8.2f}")
    print(f"\npeak of all: {max(phases.peak.values()) / 1e9:.2f} GB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
