"""Two `tip run` of the same delivery, started together on one new PostgreSQL warehouse.

What it proves, end to end (issue #13, point 4): two whole runs of the same reporting year and
of the reference data, in two OS processes each with its own Dagster instance, at the same
time, both succeed, with no unique or integrity violation and no deadlock, and leave the
warehouse as one run leaves it. The warehouse is empty (not migrated), as a new deployment's
is: both processes migrate it before their first write (``migrate.upgrade``), then every
load, validation, indicator and publication of the year or of the reference data replaces its
rows under the advisory lock of its scope (``warehouse.engine.write_transaction``), so the two
processes take turns wherever they write the same rows.

"As one run leaves it" is checked from the schema and the delivery, not from a third run
(which would double the test's time), table by table over the three layers:

- a table whose rows are replaced (its run column outside its primary key: every restricted
  and published table, ``ops.quarantine`` and ``ops.quality_summary``) holds the rows of one
  run per period: a second set of rows, or a mixture, would be a lost race;
- a table that keeps every run's rows (run column in its primary key: ``ops.runs``,
  ``ops.ingest_log``, ``ops.validation_results``, ``ops.completeness``, ``ops.run_inputs``)
  holds, per period, the rows of both processes, the same number each;
- every delivered file is conserved: its rows (the manifest) are staged or quarantined as
  unreadable, and its staged rows accepted or quarantined by validation;
- the year is not lost: every table the year's run computes holds rows of it, and the
  published year is one publishing run's, recorded in ``ops.runs`` with its input files;
- every run id in the warehouse is one of the two processes' Dagster runs.

That the runs were concurrent is checked from the processes (both alive at once) and from
their Dagster instances (each process's runs, from the first start to the last end, overlap
the other's); which steps met is left to timing and not asserted. Cost: about 92 s of CPU (two
whole runs of the reference data and one small year, each about 33 s alone), so at least 46 s
on two cores; 108 to 230 s measured while other test suites shared them (load 4 to 8).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from tip_pipeline.sources.generator import generate
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.layers import LAYERS
from tip_pipeline.warehouse.schema import metadata, staging_table, validated_table
from tip_pipeline_tests.conftest import PLANTED_SEED

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

ROOT = Path(__file__).parents[1]
YEAR = "2024/25"
PROCESSES = ("first", "second")
RUN_TIMEOUT = 600  # seconds for both processes: generous, for a shared, loaded machine
#: what a lost race prints: a unique or foreign key violation, or a deadlock
RACE_ERRORS = ("UniqueViolation", "IntegrityError", "ForeignKeyViolation", "deadlock")


@dataclass
class Run:
    """One `tip run` process: its command's outcome and when it lived."""

    name: str
    home: Path
    started: float
    ended: float = 0.0
    code: int | None = None
    output: str = ""


def start(name: str, data: Path, url: str, tmp_path: Path) -> tuple[subprocess.Popen, Run]:
    """`tip run` in a process of its own, with a Dagster instance (DAGSTER_HOME) of its own and
    this checkout's code, writing its output to a file."""
    home = tmp_path / f"dagster_home_{name}"
    home.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DAGSTER_HOME": str(home),
        "TIP_FIRST_YEAR": YEAR,  # the year delivered; the earlier youth-justice files: history
        "TIP_REPORT_DIR": str(tmp_path / "reports"),  # shared, as in a deployment
    }
    command = [sys.executable, "-m", "tip_pipeline.cli", "run", "--data", str(data)]
    out = (tmp_path / f"{name}.log").open("wb")
    run = Run(name, home, started=time.time())
    process = subprocess.Popen(
        [*command, "--warehouse", url], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
    )
    out.close()
    return process, run


def wait_all(started: list[tuple[subprocess.Popen, Run]], tmp_path: Path) -> list[Run]:
    """Wait for every process, noting when each ended; kill them all past RUN_TIMEOUT."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while any(run.code is None for _, run in started):
        for process, run in started:
            if run.code is None and process.poll() is not None:
                run.code, run.ended = process.returncode, time.time()
        if time.monotonic() > deadline:
            for process, _ in started:
                process.kill()
                process.wait()
            pytest.fail(f"the runs took more than {RUN_TIMEOUT} s")
        time.sleep(0.2)
    for _, run in started:
        run.output = (tmp_path / f"{run.name}.log").read_text(errors="replace")
    return [run for _, run in started]


def dagster_runs(home: Path) -> list[dg.RunRecord]:
    """The runs a process recorded in its Dagster instance."""
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        return list(instance.get_run_records())
    finally:
        instance.dispose()


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1])


def run_column(table: sa.Table) -> str | None:
    """The run that wrote the row: ``run_id``, or ``load_run_id`` in a staging table; None for a
    table that records no writing run (``ops.pseudonym_keys``)."""
    return next((name for name in ("run_id", "load_run_id") if name in table.c), None)


def runs_per_period(conn: sa.Connection, table: sa.Table) -> dict[str | None, Counter]:
    """Per period (None for a table without one), the rows of each run id."""
    run = table.c[run_column(table)]
    period = table.c.period if "period" in table.c else sa.literal(None)
    query = sa.select(period, run, sa.func.count()).group_by(period, run)
    found: dict[str | None, Counter] = {}
    for key, run_id, rows in conn.execute(query):
        found.setdefault(key, Counter())[run_id] = rows
    return found


def count(conn: sa.Connection, table: sa.Table, **where: str) -> int:
    condition = sa.and_(*(table.c[name] == value for name, value in where.items()))
    return conn.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar()


def test_two_runs_of_the_same_year_at_once_on_postgresql(postgres_url, tmp_path):
    data = tmp_path / "data"
    manifest = generate(data, scale="small", seed=PLANTED_SEED, first_year=YEAR, last_year=YEAR)

    runs = wait_all([start(name, data, postgres_url, tmp_path) for name in PROCESSES], tmp_path)

    for run in runs:
        assert run.code == 0, f"{run.name} run failed:\n{run.output[-3000:]}"
        assert not [e for e in RACE_ERRORS if e in run.output], run.output[-3000:]
        assert f"years: {YEAR.replace('/', '-')};" in run.output
    first, second = runs
    assert overlap((first.started, first.ended), (second.started, second.ended))

    # each process ran the reference data, then the year, in its own Dagster instance; the
    # spans of their runs overlapped (not only the processes' start-up)
    records = {run.name: dagster_runs(run.home) for run in runs}
    for name, recorded in records.items():
        assert len(recorded) == 2, name
        assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in recorded), name
    spans = [
        (min(r.start_time for r in recorded), max(r.end_time for r in recorded))
        for recorded in records.values()
    ]
    assert overlap(*spans), spans
    run_ids = {r.dagster_run.run_id for recorded in records.values() for r in recorded}

    tables = [t for t in metadata.sorted_tables if t.schema in LAYERS and run_column(t)]
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            found = {table.fullname: runs_per_period(conn, table) for table in tables}
            # every row was written by one of the two processes' runs
            seen = {run_id for per in found.values() for c in per.values() for run_id in c}
            assert seen <= run_ids, seen - run_ids

            for table in tables:
                history = table.c[run_column(table)].primary_key
                for period, rows in found[table.fullname].items():
                    where = (table.fullname, period, dict(rows))
                    if history:  # each process's own record, whole
                        assert len(rows) == len(PROCESSES), where
                        assert len(set(rows.values())) == 1, where
                    else:  # replaced: one run's rows
                        assert len(rows) == 1, where

            conserved(conn, manifest)
            year_published_whole(conn, found)
    finally:
        engine.dispose()


def conserved(conn: sa.Connection, manifest: dict) -> None:
    """Every delivered file's rows: staged or unreadable; every staged row: accepted or
    quarantined (``ops.quarantine``, by stage)."""
    quarantine = metadata.tables["ops.quarantine"]
    total = 0
    for file in manifest["files"]:
        name, table = file["path"], file["table"]
        staged = count(conn, staging_table(table), source_file=name)
        accepted = count(conn, validated_table(table), source_file=name)
        unreadable = count(conn, quarantine, source_file=name, stage="read")
        rejected = count(conn, quarantine, source_file=name, stage="validate")
        # a file may rightly hold no rows (a small scale's quarter with no household placed
        # in temporary accommodation)
        assert file["rows"] == staged + unreadable, file
        assert staged == accepted + rejected, (file, staged, accepted, rejected)
        total += staged
    assert total > 0


#: tables a year may rightly leave empty: goal comparisons (none where no indicator has a goal
#: declared, as today), indicators not available (none where every look-back year is
#: delivered), the involvement flows and the cohorts (none without the years before: this
#: delivery's one year) and the match rates of linkage (none for a delivery of contract files,
#: which declares one pseudonym shared)
ROWS_ONLY_WHERE_THEY_APPLY = frozenset(
    {
        "published.indicator_goals",
        "published.indicator_not_available",
        "restricted.involvement_flows",
        "published.involvement_flows",
        "restricted.cohort_incidence",
        "published.cohort_incidence",
        "published.data_linkage",
    }
)


def year_published_whole(conn: sa.Connection, found: dict[str, dict]) -> None:
    """Every table computed for the year holds it; its published rows are one run's, the run
    ``ops.runs`` and ``ops.run_inputs`` record."""
    computed = [
        name
        for name, table in metadata.tables.items()
        if table.schema in ("restricted", "published")
        and "period" in table.c
        and "source_file" not in table.c  # not a delivered extract (checked by file)
    ]
    assert computed
    for name in computed:
        if name in ROWS_ONLY_WHERE_THEY_APPLY and YEAR not in found[name]:
            continue
        assert YEAR in found[name], f"{name} holds no row of {YEAR}"
    published = {
        run_id
        for name in computed
        if name.startswith("published.")
        for run_id in found[name].get(YEAR, ())
    }
    assert len(published) == 1, published
    (publisher,) = published
    assert publisher in found["ops.runs"][None]
    assert publisher in found["ops.run_inputs"][YEAR]
