"""Where an end-to-end run's time goes, against the engine's floor on the same files.

    python -u benchmarks/bench_end_to_end.py --scale leeds --years 6
    python -u benchmarks/bench_end_to_end.py --scale england --years 1 --repeat 1
    python -u benchmarks/bench_end_to_end.py --scale leeds --years 2 \\
        --warehouse postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -u benchmarks/bench_end_to_end.py --scale leeds --years 6 --repeat 1 \\
        --warehouse postgresql+psycopg://postgres@127.0.0.1:5432/test --parallel 2

Not a test: prints figures for docs/PERFORMANCE.md ("End to end against the floor").

**The run.** Each repeat is ``tip run`` as a user runs it (``runner.run_all``: the reference
assets, then every reporting year, each one run of the whole graph, in-process), in a child
process of its own, on a fresh warehouse (a temporary SQLite folder, or a new database on the
PostgreSQL server of ``--warehouse``, dropped afterwards) and a fresh Dagster instance. Per step
it prints the wall time from the instance's event log (the step's start to its success), the
rows per second (the records of the run's delivery files over the step's time: a yardstick of
throughput, not the rows that step touched) and the peak resident memory while the step ran
(sampled every 20 ms from ``/proc/self/statm`` by a thread of the child: the process's, so a step
that frees little carries its predecessor's memory).

**The floor.** In the same invocation, on the same files: DuckDB reading every file of a
reporting year (its service extracts, youth-justice history up to the year, and the reference
files it needs) and computing the core counts by LSOA, national IMD decile and local authority
with Wilson 95% limits (``wilson_sql``): children in need at 31 March and on a child protection
plan at 31 March (open on the snapshot date), children with a toxic-trio factor at an assessment
in the year (``codes.TOXIC_TRIO_RECORDED``), children looked after at 31 March, children with a
youth-justice outcome in the year, and children in homeless households owed a duty in the year;
denominators are the year's mid-year children 0-17 (10-17 for youth justice). These are the
same files and the same kind of work as the pipeline's headline counts, without staging,
validation, breakdowns, comparisons, disclosure control, publishing or the report: the cost of
the engine's reading and grouping alone, which the ratio measures the pipeline against
(docs/PERFORMANCE.md says what it leaves out).

**Years in parallel** (``--parallel N``, PostgreSQL only; issue #21 point 5). Each repeat also
runs the same delivery a second way, on a second fresh warehouse and instance: the reference
assets in one run in-process, then every reporting year as a run of its own submitted to the
instance's run queue (``dagster job launch``, oldest year first, the partitioned steps, as
``tip_pipeline_tests/defs/test_instance.py`` launches them) and launched by a
``dagster-daemon`` with ``QueuedRunCoordinator`` at ``max_concurrent_runs`` N (each run's
steps in process, one after another, as ``tip run``'s: ``IN_PROCESS``) and the
``warehouse`` pool at N (a year waiting to publish holds a slot: the pool must take as many
writers as there are runs, ``defs/year.py``). Its wall time runs from the child's start to
the end of the last year's run; the years compute at once and publish oldest first
(``publish.order``). Both wall times are printed, in order and in parallel.

Each figure is the median of ``--repeat`` runs (three by default, as the targets ask), printed
with the load average before and after, because the ratio to the floor is what is judged on a
shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS, parse_file_name
from tip_pipeline.sources.generator import SCALES, generate

FIRST_YEAR = "2020/21"
Z = 1.959963984540054  # the 97.5th percentile of the standard normal

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent


# --- the floor ------------------------------------------------------------------------------


def wilson_sql(n: str, d: str) -> tuple[str, str]:
    """Wilson score 95% limits of the proportion n/d as SQL expressions (PHE's formula,
    *Public Health England: technical guide, confidence intervals*, as ``stats.wilson``)."""
    p = f"({n})::DOUBLE / NULLIF({d}, 0)"
    root = f"{Z} * sqrt({Z * Z} + 4 * ({n}) * (1 - {p}))"
    lower = f"(2 * ({n}) + {Z * Z} - {root}) / (2 * (({d}) + {Z * Z}))"
    upper = f"(2 * ({n}) + {Z * Z} + {root}) / (2 * (({d}) + {Z * Z}))"
    return lower, upper


def _csv(path: Path | list[Path]) -> str:
    paths = [path] if isinstance(path, Path) else path
    listed = ", ".join(f"'{p}'" for p in paths)
    return f"read_csv([{listed}], all_varchar = true, header = true)"


def _year_files(data: Path, year: FinancialYear) -> dict[str, list[Path]]:
    """The files a year's run reads: its own extracts (every quarter), the youth-justice
    extracts of every delivered year up to it, and the reference files."""
    out: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(data.glob("*.csv")):
        parsed = parse_file_name(path.name)
        if parsed is None:
            continue
        table, period = parsed.extract.table, parsed.period
        if parsed.extract.source == "ref":
            if table == "ref_population" and path.name != _population_name(year):
                continue
            if table == "ref_benchmarks" and period != year:
                continue
            out[table].append(path)
        elif period == year or (table.startswith("yjs_") and period and period <= year):
            out[table].append(path)
    return dict(out)


def _population_name(year: FinancialYear) -> str:
    return EXTRACTS["ref_population"].file_names(year)[0]


def _children_sql(ages: range) -> str:
    cols = [f'"{sex}{age}"' for sex in "FM" for age in ages]
    return " + ".join(f"COALESCE(TRY_CAST({c} AS BIGINT), 0)" for c in cols)


def _factor_list() -> str:
    factors = sorted({c for group in codes.TOXIC_TRIO_RECORDED.values() for c in group})
    return "[" + ", ".join(f"'{f}'" for f in factors) + "]"


def floor_sql(year: FinancialYear) -> dict[str, str]:
    """Each core count as a query giving (child, lsoa): one row per child counted, with the
    LSOA the count places them in."""
    start, end = year.start.isoformat(), year.end.isoformat()
    snap = end  # 31 March, the snapshot date
    return {
        "children in need at 31 March": f"""
            SELECT DISTINCT e.LAchildID AS child, c.HomeLSOA AS lsoa
            FROM cin_episodes e JOIN cin_children c USING (LAchildID)
            WHERE e.CINreferralDate <= '{snap}'
              AND (coalesce(e.CINclosureDate, '') = '' OR e.CINclosureDate > '{snap}')""",
        "child protection plan at 31 March": f"""
            SELECT DISTINCT p.LAchildID AS child, c.HomeLSOA AS lsoa
            FROM cin_cp_plans p JOIN cin_children c USING (LAchildID)
            WHERE p.CPPstartDate <= '{snap}'
              AND (coalesce(p.CPPendDate, '') = '' OR p.CPPendDate > '{snap}')""",
        "toxic trio at assessment": f"""
            SELECT DISTINCT a.LAchildID AS child, c.HomeLSOA AS lsoa
            FROM cin_assessments a JOIN cin_children c USING (LAchildID)
            WHERE a.AssessmentAuthorisationDate BETWEEN '{start}' AND '{end}'
              AND list_has_any(string_split(a.AssessmentFactors, ','), {_factor_list()})""",
        "looked after at 31 March": f"""
            SELECT DISTINCT CHILD AS child, HOME_POST AS lsoa FROM ssda903_episodes
            WHERE DECOM <= '{snap}' AND (coalesce(DEC, '') = '' OR DEC > '{snap}')""",
        "youth-justice outcome in the year": f"""
            SELECT DISTINCT o.YJ_ID AS child, f.HOME_LSOA AS lsoa
            FROM yjs_outcomes o JOIN yjs_offences f USING (YJ_ID, OFFENCE_ID)
            WHERE o.OUTCOME_DATE BETWEEN '{start}' AND '{end}'""",
        "children in homeless households owed a duty": """
            SELECT DISTINCT k.CHILD_ID AS child, m.HOME_LSOA AS lsoa
            FROM hclic_children k JOIN hclic_main m USING (CASE_ID)""",
    }


def floor_year(data: Path, year: FinancialYear) -> tuple[float, int, int]:
    """The floor for one year: (seconds, records read, result rows). Reading is part of it:
    every file of the year is loaded into DuckDB before the counts."""
    files = _year_files(data, year)
    started = time.perf_counter()
    con = duckdb.connect()
    records = 0
    for table, paths in files.items():
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {_csv(paths)}")
        records += con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.execute(
        f"""CREATE TABLE denominators AS
        SELECT p."LSOA 2021 Code" AS lsoa, l.LAD24CD AS la,
               TRY_CAST(i."Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)" AS INTEGER) AS decile,
               {_children_sql(range(18))} AS children, {_children_sql(range(10, 18))} AS youths
        FROM ref_population p
        JOIN ref_lsoa_lookup l ON l.LSOA21CD = p."LSOA 2021 Code"
        JOIN ref_imd i ON i."LSOA code (2021)" = p."LSOA 2021 Code"
        """  # noqa: E501
    )
    rows = 0
    for name, query in floor_sql(year).items():
        den = "youths" if name.startswith("youth") else "children"
        counts = f"""
            WITH counted AS ({query}),
            by_lsoa AS (SELECT lsoa, count(*) AS n FROM counted GROUP BY lsoa),
            joined AS (
                SELECT d.lsoa, d.la, d.decile, coalesce(b.n, 0) AS n, d.{den} AS d
                FROM denominators d LEFT JOIN by_lsoa b USING (lsoa))
            SELECT lsoa, la, decile, sum(n) AS n, sum(d) AS d
            FROM joined GROUP BY GROUPING SETS ((lsoa), (decile), (la))"""
        lower, upper = wilson_sql("n", "d")
        result = con.execute(
            f"SELECT *, n::DOUBLE / NULLIF(d, 0) AS p, {lower} AS lower, {upper} AS upper "
            f"FROM ({counts})"
        ).fetchall()
        rows += len(result)
    con.close()
    return time.perf_counter() - started, records, rows


# --- one end-to-end run, in a child process -------------------------------------------------


class MemorySampler:
    """The process's resident memory sampled on a thread, so that each step's peak can be
    read off the samples taken between its start and its end."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, every_s: float = 0.02) -> None:
        self.every_s = every_s
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with open("/proc/self/statm") as statm:
            while not self._stop.is_set():
                statm.seek(0)
                resident = int(statm.read().split()[1]) * self.PAGE
                self.samples.append((time.time(), resident))
                self._stop.wait(self.every_s)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak_between(self, start: float, end: float) -> int:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside, default=0)


def _step_times(instance, run_ids: list[str]) -> list[dict]:
    """Each step of each run, from the instance's event log: its run's partition (None for
    the reference run), key, start and end (success or failure)."""
    import dagster as dg

    steps = []
    for run_id in run_ids:
        partition = instance.get_run_by_id(run_id).tags.get("dagster/partition")
        started: dict[str, float] = {}
        for entry in instance.all_logs(run_id):
            kind = entry.dagster_event_type
            if kind == dg.DagsterEventType.STEP_START:
                started[entry.step_key] = entry.timestamp
            elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
                steps.append(
                    {
                        "partition": partition,
                        "step": entry.step_key,
                        "start": started[entry.step_key],
                        "end": entry.timestamp,
                    }
                )
    return steps


def one_run(data: Path, url: str, out: Path) -> None:
    """``tip run`` of ``data`` into ``url`` in this process (a fresh instance in
    ``DAGSTER_HOME``), writing each step's time and peak memory to ``out`` as JSON."""
    import dagster as dg

    from tip_pipeline.runner import run_all

    with MemorySampler() as sampler:
        started = time.time()
        instance = dg.DagsterInstance.get()
        summary = run_all(data, url, instance=instance)
        ended = time.time()
    steps = _step_times(instance, summary.run_ids)
    for step in steps:
        step["peak"] = sampler.peak_between(step["start"], step["end"])
    result = {"wall": ended - started, "peak": sampler.peak_between(started, ended), "steps": steps}
    out.write_text(json.dumps(result))


PARALLEL_INSTANCE = """\
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
concurrency:
  pools:
    default_limit: {n}
    granularity: op
  runs:
    max_concurrent_runs: {n}
telemetry:
  enabled: false
"""
#: each year's run executes its steps one after the other in its run worker, as ``tip run``
#: does: the years, not the steps, run at once. (The multiprocess executor starts a process
#: per step, each loading the code location: on two cores, a small two-year run took 350 s
#: that way against 86 s in order, load 6.)
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}
#: seconds the years' runs may take in all before the benchmark gives up
PARALLEL_TIMEOUT_S = 4 * 3600


def _launch_year(year: str, ops: list[str], env: dict) -> str:
    """Submit one year's run to the instance's run queue as an operator does: the
    partitioned steps of ``nightly_job`` for the ``dagster/partition`` ``year``."""
    for attempt in range(3):  # the CLI meets the daemon on the instance's SQLite storage
        run_id = str(uuid.uuid4())
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("dagster")),
                *("job", "launch", "-w", str(ROOT / "workspace.yaml"), "-j", "nightly_job"),
                *("--op-selection", ",".join(ops)),
                *("--tags", json.dumps({"dagster/partition": year})),
                *("--config-json", json.dumps(IN_PROCESS)),
                *("--run-id", run_id),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            return run_id
        print(f"dagster job launch of {year} failed (attempt {attempt + 1}):\n"
              f"{done.stderr[-2000:]}", file=sys.stderr, flush=True)  # fmt: skip
        time.sleep(5)
    raise SystemExit(f"could not submit the run of {year}")


def parallel_run(data: Path, url: str, out: Path) -> None:
    """In this process: the reference run in-process, then each year as a run of its own
    through the run queue of the instance in ``DAGSTER_HOME``, launched by a
    ``dagster-daemon`` started here; each step's time to ``out`` as JSON."""
    import dagster as dg

    os.environ["TIP_DATA_DIR"] = str(data)
    os.environ["TIP_WAREHOUSE_URL"] = url
    started = time.time()
    env = dict(os.environ)
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w",
         str(ROOT / "workspace.yaml")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        from tip_pipeline.definitions import defs
        from tip_pipeline.ingest.discovery import delivered_periods

        instance = dg.DagsterInstance.get()
        specs = defs.resolve_all_asset_specs()
        job = defs.resolve_implicit_global_asset_job_def()
        reference = job.execute_in_process(
            instance=instance,
            asset_selection=[s.key for s in specs if s.partitions_def is None],
            raise_on_error=True,
        )
        offered = {
            k for s in specs if s.partitions_def for k in s.partitions_def.get_partition_keys()
        }
        years = sorted(p.tag for p in delivered_periods(data) if p.tag in offered)
        ops = sorted(
            {defs.resolve_assets_def(s.key).node_def.name for s in specs if s.partitions_def}
        )
        run_ids = [_launch_year(year, ops, env) for year in years]
        deadline = time.monotonic() + PARALLEL_TIMEOUT_S
        while True:
            runs = [instance.get_run_by_id(r) for r in run_ids]
            if all(r.is_finished for r in runs):
                break
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the daemon stopped or the runs took too long")
            time.sleep(1)
        failed = [r.tags["dagster/partition"] for r in runs if r.status.value != "SUCCESS"]
        if failed:
            raise SystemExit(f"the runs of {', '.join(failed)} failed")
        ended = max(instance.get_run_record_by_id(r).end_time for r in run_ids)
    finally:
        _stop_group(daemon)
    steps = _step_times(instance, [reference.run_id, *run_ids])
    for step in steps:
        step["peak"] = 0  # other processes: not sampled
    out.write_text(json.dumps({"wall": ended - started, "peak": 0, "steps": steps}))


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the daemon's process group, SIGKILL to what is left after a grace."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass
class Warehouse:
    """A fresh warehouse for one repeat: its URL, and how to drop it afterwards."""

    url: str
    admin: sa.URL | None = None  # PostgreSQL: the server's maintenance database
    name: str | None = None

    @classmethod
    def fresh(cls, base: str | None, folder: Path, i: int) -> Warehouse:
        if base is None:
            return cls(f"sqlite:///{folder}/wh/tip.db")
        url = sa.make_url(base)
        if not url.drivername.startswith("postgresql"):
            raise SystemExit("--warehouse: a PostgreSQL URL (SQLite is the default)")
        name = f"tip_e2e_{os.getpid()}_{i}"
        admin = url.set(database="postgres")
        _admin(admin, f'CREATE DATABASE "{name}"')
        return cls(url.set(database=name).render_as_string(hide_password=False), admin, name)

    def drop(self) -> None:
        if self.admin is not None:
            _admin(self.admin, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _admin(url: sa.URL, statement: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def end_to_end(data: Path, base_url: str | None, i: int, parallel: int = 0) -> dict:
    """One repeat: ``tip run`` in a child process on a fresh warehouse and instance; with
    ``parallel``, the years as runs of their own through the run queue instead."""
    with tempfile.TemporaryDirectory(prefix="tip-e2e-") as tmp:
        folder = Path(tmp)
        home = folder / "dagster_home"
        home.mkdir()
        if parallel:
            (home / "dagster.yaml").write_text(PARALLEL_INSTANCE.format(n=parallel))
        else:
            shutil.copy(ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
        warehouse = Warehouse.fresh(base_url, folder, i + 1000 * bool(parallel))
        out = folder / "result.json"
        env = {**os.environ, "DAGSTER_HOME": str(home), "TIP_REPORT_DIR": str(folder / "rep")}
        mode = "--parallel-run" if parallel else "--one-run"
        try:
            subprocess.run(
                [sys.executable, str(HERE), mode, str(data), warehouse.url, str(out)],
                check=True,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            return json.loads(out.read_text())
        finally:
            warehouse.drop()


# --- the delivery and the figures -----------------------------------------------------------


def records_of(data: Path) -> dict[str | None, int]:
    """Records (data lines) of the delivery's files by reporting year (None: reference files
    of no year and the youth-justice history before the first reporting year)."""
    first = FinancialYear.parse(FIRST_YEAR)
    out: dict[str | None, int] = defaultdict(int)
    for path in data.glob("*.csv"):
        parsed = parse_file_name(path.name)
        if parsed is None:
            continue
        period = parsed.period
        key = period.tag if period and period >= first and parsed.extract.per_period else None
        with path.open("rb") as f:
            out[key] += max(sum(1 for _ in f) - 1, 0)
    return dict(out)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_figures(runs: list[dict], floors: dict[str, list[float]], records: dict) -> None:
    """Per step (in the order the first run took them) and per run, the median wall time,
    rows per second and peak memory; then the whole run against the floor."""
    by_step: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    by_run: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        per_run: dict[str, float] = defaultdict(float)
        for step in sorted(run["steps"], key=lambda s: s["start"]):
            part = step["partition"] or "reference"
            by_step[(part, step["step"])].append((step["end"] - step["start"], step["peak"]))
            per_run[part] += step["end"] - step["start"]
        for part, seconds in per_run.items():
            by_run[part].append(seconds)
    print(f"\n{'run':<12} {'step':<44} {'wall s':>8} {'rows/s':>12} {'peak MiB':>8}")
    for (part, step), figures in by_step.items():
        wall = _median([w for w, _ in figures])
        peak = _median([p for _, p in figures]) / 2**20
        rows = records.get(None if part == "reference" else part, 0)
        rate = rows / wall if wall else 0
        print(f"{part:<12} {step:<44} {wall:8.1f} {rate:12,.0f} {peak:8,.0f}")
    for part, seconds in by_run.items():
        floor = _median(floors.get(part, []))
        ratio = f"{_median(seconds) / floor:.1f}x its floor" if part in floors else ""
        print(f"{part:<12} {'(its steps in all)':<44} {_median(seconds):8.1f} {ratio}")
    walls = [run["wall"] for run in runs]
    peaks = [run["peak"] / 2**30 for run in runs]
    floor = sum(_median(v) for v in floors.values())
    total = _median(walls)
    print(f"\nend to end (median of {len(walls)}): {total:.1f} s; runs {_fmt(walls)} s")
    print(
        f"peak memory (median): {_median(peaks):.2f} GiB ({_median(peaks) * 2**30 / 1e9:.2f} GB);"
        f" runs {_fmt(peaks)} GiB"
    )
    for year, values in floors.items():
        print(f"floor {year} (median of {len(values)}): {_median(values):.2f} s; {_fmt(values)}")
    if floor:
        print(f"ratio to the floor: {total / floor:.1f}x (floor {floor:.1f} s in all)")


def print_parallel(parallel: list[dict], in_order: list[dict]) -> None:
    """The years-in-parallel runs: each year's run from its first step's start to its last
    step's end (its steps overlap other years'), and the wall time against in order."""
    spans: dict[str, list[float]] = defaultdict(list)
    figures: dict[str, list[float]] = defaultdict(list)
    for run in parallel:
        by_run: dict[str, list[dict]] = defaultdict(list)
        for step in run["steps"]:
            by_run[step["partition"] or "reference"].append(step)
            if step["step"] == "year_figures":
                figures[step["partition"]].append(step["end"] - step["start"])
        for part, steps in by_run.items():
            spans[part].append(max(s["end"] for s in steps) - min(s["start"] for s in steps))
    print(f"{'run':<12} {'first step to last, s':>22} {'year_figures s':>15}")
    for part, values in spans.items():
        fig = f"{_median(figures[part]):15.1f}" if part in figures else ""
        print(f"{part:<12} {_median(values):22.1f} {fig}")
    walls = [run["wall"] for run in parallel]
    order = [run["wall"] for run in in_order]
    print(f"years in parallel (median of {len(walls)}): {_median(walls):.1f} s; runs {_fmt(walls)}")
    print(f"in order, tip run (median of {len(order)}): {_median(order):.1f} s; runs {_fmt(order)}")
    print(f"speed-up: {_median(order) / _median(walls):.2f}x")


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def reporting_years(years: int) -> tuple[str, str]:
    first = FinancialYear.parse(FIRST_YEAR)
    return first.label, FinancialYear(first.start_year + years - 1).label


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--one-run":
        one_run(Path(argv[1]), argv[2], Path(argv[3]))
        return 0
    if argv and argv[0] == "--parallel-run":
        parallel_run(Path(argv[1]), argv[2], Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="leeds")
    parser.add_argument("--years", type=int, default=6, help="reporting years from 2020/21")
    parser.add_argument("--warehouse", default=None, help="a PostgreSQL server's URL")
    parser.add_argument("--data", type=Path, default=None, help="an existing delivery")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median printed)")
    parser.add_argument(
        "--parallel",
        type=int,
        default=0,
        metavar="N",
        help="also run the years as separate runs through the run queue, N at once "
        "(PostgreSQL only; os.cpu_count() is the machine's cores)",
    )
    args = parser.parse_args(argv)
    if args.parallel and not args.warehouse:
        parser.error("--parallel needs --warehouse (SQLite takes one writer at a time)")
    print(f"load average before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tip-e2e-data-") as tmp:
        data = args.data or Path(tmp) / "data"
        if args.data is None:
            first, last = reporting_years(args.years)
            started = time.perf_counter()
            generate(data, scale=args.scale, seed=1, first_year=first, last_year=last)
            print(f"generated {args.scale}, {first} to {last}: "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        records = records_of(data)
        years = [FinancialYear.parse(tag) for tag in sorted(k for k in records if k)]
        print(f"records: {sum(records.values()):,} in {len(years)} reporting year(s)", flush=True)
        floors: dict[str, list[float]] = defaultdict(list)
        runs = []
        in_parallel = []
        for i in range(args.repeat):
            for year in years:
                seconds, read, rows = floor_year(data, year)
                floors[year.tag].append(seconds)
                print(f"floor {year.tag}: {seconds:.2f} s, {read:,} records read, "
                      f"{rows:,} result rows", flush=True)  # fmt: skip
            run = end_to_end(data, args.warehouse, i)
            runs.append(run)
            print(f"end to end {i + 1}: {run['wall']:.1f} s, peak "
                  f"{run['peak'] / 2**30:.2f} GiB", flush=True)  # fmt: skip
            if args.parallel:
                print(f"load average: {load_average()}", flush=True)
                run = end_to_end(data, args.warehouse, i, parallel=args.parallel)
                in_parallel.append(run)
                print(f"years in parallel ({args.parallel} runs at once) {i + 1}: "
                      f"{run['wall']:.1f} s", flush=True)  # fmt: skip
        print_figures(runs, floors, records)
        if in_parallel:
            print(
                f"\n--- years in parallel, {args.parallel} runs at once, on {os.cpu_count()} cores"
            )
            print_parallel(in_parallel, runs)
    print(f"load average after: {load_average()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
