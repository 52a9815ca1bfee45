"""Kill ``tip run`` at every commit boundary and at random moments; after each kill, check that
the warehouse is as completed runs left it, then that a rerun equals a clean run.

    python benchmarks/kill_harness.py --backend sqlite [--random 10] [--every 1]
    python benchmarks/kill_harness.py --backend postgresql [--postgres-url URL]

Not a test (a trial is two runs of the whole graph): prints trials and partial states found,
for docs/PERFORMANCE.md ("Crash consistency").

The scene: a warehouse holds a completed run of delivery A (small scale, one reporting year);
delivery B (another seed: every file differs, reference files included) arrives and ``tip run``
is killed part way through loading it. A clean run of B on a copy of the same warehouse counts
the warehouse commits (N) and gives the reference tables.

- **Boundary trials**: for k = 1..N (every ``--every``-th), the run is killed with SIGKILL by
  a hook injected just before its k-th commit (killable_run.py): the k-th transaction is lost
  and the warehouse is exactly as after commit k - 1. Every commit boundary is visited.
- **Random trials**: the run is killed with SIGKILL after a delay drawn uniformly from the
  clean run's duration (``--random``, seeded by ``--seed``): kills inside a statement, a
  commit, a file read.

After each kill: ``tip_pipeline.warehouse.consistency.partial_states`` (a file's records
conserved and from one run; a year's indicator tables, and its published tables, from one run)
and the disclosure audit of every published year. Then ``tip run`` of B again, to completion,
and its restricted and published tables, quarantine and pending quality summaries compared
with the clean run's (lineage columns, run ids and times, left out).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.publish.audit import audit_year
from tip_pipeline.sources.generator import generate
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.consistency import partial_states, published_years
from tip_pipeline.warehouse.engine import make_engine, sqlite_layer_paths
from tip_pipeline.warehouse.layers import PUBLISHED, RESTRICTED

YEAR = "2023/24"
KILLABLE = Path(__file__).with_name("killable_run.py")
DEFAULT_SERVER = os.environ.get(
    "TIP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
#: columns that differ between two runs of the same delivery by design
LINEAGE = {"run_id", "load_run_id"}
#: ops tables that hold the state of the latest delivery (the rest of ops is a history log)
OPS_STATE = (schema.quarantine, schema.quality_summary)


# -- warehouses ------------------------------------------------------------------------------


class SqliteWarehouses:
    """Warehouses as folders of SQLite files; a copy is a copy of the files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def url(self, name: str) -> str:
        return f"sqlite:///{self.root / name / 'tip.db'}"

    def fresh(self, name: str) -> str:
        (self.root / name).mkdir(parents=True)
        return self.url(name)

    def copy(self, source: str, name: str) -> str:
        """A copy of a closed warehouse: each layer file with its write-ahead log (SQLite
        rebuilds the shared-memory index from the log on first open)."""
        (self.root / name).mkdir(parents=True)
        for layer, path in sqlite_layer_paths(source).items():
            target = sqlite_layer_paths(self.url(name))[layer]
            shutil.copyfile(path, target)
            wal = path.with_name(path.name + "-wal")
            if wal.exists():
                shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        return self.url(name)

    def drop(self, url: str) -> None:
        shutil.rmtree(Path(sa.make_url(url).database).parent)


class PostgresWarehouses:
    """Warehouses as databases on one server; a copy is ``CREATE DATABASE ... TEMPLATE``."""

    def __init__(self, server: str) -> None:
        self.server = sa.make_url(server)
        self.admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.prefix = f"tip_kill_{os.getpid()}_"

    def url(self, name: str) -> str:
        return self.server.set(database=self.prefix + name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def fresh(self, name: str) -> str:
        self._execute(f'CREATE DATABASE "{self.prefix + name}"')
        return self.url(name)

    def copy(self, source: str, name: str) -> str:
        template = sa.make_url(source).database
        self._execute(f'CREATE DATABASE "{self.prefix + name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')


# -- runs ------------------------------------------------------------------------------------


@dataclass
class Run:
    returncode: int
    seconds: float
    commits: int
    output: str

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


def tip_run(
    data: Path, url: str, home: Path, kill_at: int = 0, kill_after: float | None = None
) -> Run:
    """``tip run`` of ``data`` into ``url`` in a child process, with the kill switch armed at
    commit ``kill_at`` (0: never) or a SIGKILL after ``kill_after`` seconds."""
    home.mkdir(parents=True, exist_ok=True)
    count_file = home / "commits"
    count_file.write_text("0")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        config.FIRST_YEAR.name: YEAR,
        config.REPORT_DIR.name: str(home / "reports"),
    }
    command = [sys.executable, str(KILLABLE), "--kill-at", str(kill_at)]
    command += ["--count-file", str(count_file), "--", "run", "--data", str(data)]
    command += ["--warehouse", url]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output, _ = child.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate()
    seconds = time.perf_counter() - started
    commits = int(count_file.read_text() or 0)
    return Run(child.returncode, seconds, commits, output.decode(errors="replace"))


# -- checks ----------------------------------------------------------------------------------


def problems_after_kill(url: str) -> list[str]:
    """Partial states and disclosure-audit failures of the warehouse as the kill left it."""
    engine = make_engine(url)
    try:
        found = partial_states(engine)
        threshold = int(config.SUPPRESSION_THRESHOLD.value())
        with engine.connect() as conn:
            years = sorted(published_years(conn))
        for year in years:
            audit = audit_year(engine, year, threshold)
            if not audit.passed:
                found.append(f"disclosure audit of {year}: {len(audit.problems)} problem(s)")
        return found
    finally:
        engine.dispose()


def compared_tables() -> list[sa.Table]:
    layers = (RESTRICTED, PUBLISHED)
    return [t for t in schema.metadata.sorted_tables if t.schema in layers] + list(OPS_STATE)


def snapshot(url: str) -> dict[str, pd.DataFrame]:
    """Every compared table's rows without lineage columns and times, in a fixed order."""
    engine = make_engine(url)
    frames = {}
    try:
        with engine.connect() as conn:
            for table in compared_tables():
                kept = [
                    c
                    for c in table.columns
                    if c.name not in LINEAGE and not isinstance(c.type, sa.DateTime)
                ]
                frame = pd.read_sql(sa.select(*kept), conn)
                frame = frame.sort_values(list(frame.columns), ignore_index=True)
                frames[f"{table.schema}.{table.name}"] = frame
    finally:
        engine.dispose()
    return frames


def differences(found: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> list[str]:
    """Tables whose rows differ from the clean run's."""
    unequal = []
    for name, frame in expected.items():
        try:
            pd.testing.assert_frame_equal(
                found[name], frame, check_dtype=False, check_exact=False, rtol=1e-9
            )
        except AssertionError:
            unequal.append(f"{name} ({len(found[name])} rows, clean run {len(frame)})")
    return unequal


# -- the harness -----------------------------------------------------------------------------


@dataclass
class Trial:
    kind: str  # "boundary" or "random"
    point: str  # "commit k" or "t s"
    killed: bool
    partial: list[str]
    unequal: list[str]
    rerun_ok: bool


def trial(
    warehouses, base: str, data: Path, work: Path, expected: dict, n: int, kind: str, **kill
) -> tuple[Trial, str]:
    """One kill on a copy of ``base``, the checks, the rerun and its comparison; the trial
    and the rerun's output when it failed."""
    name = f"t{n}"
    url = warehouses.copy(base, name)
    home = work / "homes" / name
    try:
        killed = tip_run(data, url, home, **kill)
        partial = problems_after_kill(url) if killed.killed else []
        rerun = tip_run(data, url, home)
        unequal = differences(snapshot(url), expected) if rerun.returncode == 0 else []
        left = problems_after_kill(url) if rerun.returncode == 0 else []
        point = f"commit {kill['kill_at']}" if "kill_at" in kill else f"{kill['kill_after']:.1f} s"
        found = Trial(kind, point, killed.killed, partial, unequal + left, rerun.returncode == 0)
        detail = "" if rerun.returncode == 0 else rerun.output[-2000:]
        return found, detail
    finally:
        warehouses.drop(url)
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_SERVER, help="server for scratch DBs")
    parser.add_argument(
        "--every", type=int, default=1, help="kill at every k-th boundary (0: at none)"
    )
    parser.add_argument("--random", type=int, default=10, help="random-moment kills")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--within",
        type=float,
        default=1.0,
        help="random kills within this share of the clean run's duration (a loaded machine "
        "measures a longer clean run than the trials take)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tip_kill_"))
    if args.backend == "sqlite":
        warehouses = SqliteWarehouses(work / "warehouses")
    else:
        warehouses = PostgresWarehouses(args.postgres_url)
    first, second = work / "A", work / "B"
    generate(first, scale="small", seed=1, first_year=YEAR, last_year=YEAR)
    generate(second, scale="small", seed=2, first_year=YEAR, last_year=YEAR)
    base = warehouses.fresh("base")
    loaded = tip_run(first, base, work / "homes" / "base")
    if loaded.returncode != 0:
        print(loaded.output[-3000:])
        return 2
    clean_url = warehouses.copy(base, "clean")
    clean = tip_run(second, clean_url, work / "homes" / "clean")
    not_clean = problems_after_kill(clean_url) if clean.returncode == 0 else ["failed"]
    if not_clean:
        print(clean.output[-3000:], not_clean)
        return 2
    expected = snapshot(clean_url)
    warehouses.drop(clean_url)
    print(
        f"backend {args.backend}: a clean run of B on A makes {clean.commits} warehouse "
        f"commits in {clean.seconds:.1f} s",
        flush=True,
    )
    every = range(1, clean.commits + 1, args.every) if args.every else ()
    plans = [("boundary", {"kill_at": k}) for k in every]
    draw = random.Random(args.seed)
    plans += [
        ("random", {"kill_after": draw.uniform(0, clean.seconds * args.within)})
        for _ in range(args.random)
    ]
    trials = []
    for n, (kind, kill) in enumerate(plans, start=1):
        found, detail = trial(warehouses, base, second, work, expected, n, kind, **kill)
        trials.append(found)
        verdict = "consistent" if not found.partial else f"PARTIAL: {'; '.join(found.partial)}"
        rerun = (
            "rerun = clean run"
            if found.rerun_ok and not found.unequal
            else (
                f"RERUN DIFFERS: {'; '.join(found.unequal)}" if found.rerun_ok else "RERUN FAILED"
            )
        )
        print(
            f"{n:3d} {kind:8} {found.point:>10} {'killed' if found.killed else 'finished'}: "
            f"{verdict}; {rerun}",
            flush=True,
        )
        if detail:
            print(detail, flush=True)
    warehouses.drop(base)
    kills = [t for t in trials if t.killed]
    partial = [t for t in kills if t.partial]
    bad_reruns = [t for t in trials if not t.rerun_ok or t.unequal]
    print(
        f"backend {args.backend}: {len(trials)} trials, {len(kills)} kills "
        f"({sum(t.kind == 'boundary' for t in kills)} at commit boundaries, "
        f"{sum(t.kind == 'random' for t in kills)} at random moments); "
        f"partial states found: {len(partial)}; reruns unequal to a clean run or failed: "
        f"{len(bad_reruns)}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 1 if partial or bad_reruns else 0


if __name__ == "__main__":
    sys.exit(main())
