"""The documented PostgreSQL-backed instance (deploy/postgres/dagster.yaml) running the
nightly job as a deployment does: instance storage in its own database, the warehouse in
another (both created for the test and dropped afterwards), the runs of two reporting years
queued on the instance's QueuedRunCoordinator, dequeued together by a ``dagster-daemon``
process and launched by its DefaultRunLauncher as separate OS processes, each executing its
steps on the multiprocess executor, warehouse writers sharing the instance's ``warehouse``
pool. The test proves that the two runs overlapped in time, that their steps ran in
subprocesses of their run workers, and that the warehouse holds both years.

Runs are submitted as an operator would, with ``dagster job launch`` (one run per year, the
``dagster/partition`` tag, the partitioned steps only): the CLI submits them to the instance's
run coordinator, which queues them for the daemon.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tip_pipeline.defs.policies import WAREHOUSE_POOL
from tip_pipeline.warehouse.engine import create_database, drop_database, make_engine

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
WORKSPACE = ROOT / "workspace.yaml"
YEARS = ("2022-23", "2023-24")
SOURCE = "ssda903"  # one service's extracts (two files a year) keeps the test short
MULTIPROCESS = {"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}}
RUN_TIMEOUT = 300  # seconds for both runs; they take well under a minute on 2 cores
#: the tag the DefaultRunLauncher sets on a run it launched (Dagster's hidden ".dagster/" tags)
GRPC_INFO_TAG = ".dagster/grpc_info"
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}

pytestmark = pytest.mark.integration


def nightly_job_def() -> dg.JobDefinition:
    """The job for execute_job (reconstructable needs a module-level function)."""
    from tip_pipeline.definitions import defs

    return defs.resolve_job_def("nightly_job")


def selection(partitioned: bool) -> list[dg.AssetKey]:
    """SOURCE's assets and everything upstream of them: the partitioned ones (a year's run)
    or the unpartitioned ones (the reference assets they read, run once beforehand)."""
    from tip_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    chosen = dg.AssetSelection.tag("source", SOURCE).upstream()
    # multi-assets (one op each) are run whole, with whatever they read
    keys = chosen.required_multi_asset_neighbors().upstream().resolve(graph)
    return sorted(
        (k for k in keys if (graph.get(k).partitions_def is not None) == partitioned),
        key=lambda k: k.to_user_string(),
    )


@pytest.fixture
def postgres_instance(postgres_server_url, tmp_path, monkeypatch):
    """A DAGSTER_HOME holding deploy/postgres/dagster.yaml, its storage a fresh database."""
    name = f"tip_dagster_{uuid.uuid4().hex[:8]}"
    url = make_url(create_database(postgres_server_url, name)).set(drivername="postgresql+psycopg2")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "postgres" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_PG_URL", url.render_as_string(hide_password=False))
    instance = dg.DagsterInstance.get()
    try:
        yield instance
    finally:
        instance.dispose()
        drop_database(postgres_server_url, name)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (the daemon, its code server, run workers and their
    step processes), SIGKILL to whatever is left after a grace period."""
    for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # the leader is gone; its group may not be: kill stragglers
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return


@contextmanager
def daemon(log: Path) -> Iterator[subprocess.Popen]:
    """``dagster-daemon run`` on the workspace, in a process group of its own."""
    executable = Path(sys.executable).with_name("dagster-daemon")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(executable), "run", "-w", str(WORKSPACE)],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            _stop(process)


def launch_year(year: str) -> str:
    """Submit the run of one year with ``dagster job launch``: the partitioned steps of the
    selection (the run's op selection), queued by the instance's run coordinator."""
    from tip_pipeline.definitions import defs

    ops = sorted({defs.resolve_assets_def(k).node_def.name for k in selection(partitioned=True)})
    run_id = str(uuid.uuid4())
    executable = Path(sys.executable).with_name("dagster")
    subprocess.run(
        [
            str(executable),
            *("job", "launch", "-w", str(WORKSPACE), "-j", "nightly_job"),
            *("--op-selection", ",".join(ops)),
            *("--tags", json.dumps({"dagster/partition": year})),
            *("--config-json", json.dumps(MULTIPROCESS)),
            *("--run-id", run_id),
        ],
        cwd=ROOT,
        env=dict(os.environ),
        check=True,
        capture_output=True,
    )
    return run_id


def wait_for(
    instance: dg.DagsterInstance, run_ids: list[str], process: subprocess.Popen, log: Path
) -> list[dg.DagsterRun]:
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        runs = [instance.get_run_by_id(run_id) for run_id in run_ids]
        if all(run.status in FINISHED for run in runs):
            return runs
        if process.poll() is not None or time.monotonic() > deadline:
            state = "exited" if process.poll() is not None else "timed out"
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(
                f"daemon {state}; runs {[(r.run_id[:8], r.status.value) for r in runs]}\n{tail}"
            )
        time.sleep(1)


def launched(instance: dg.DagsterInstance, run_id: str) -> float:
    """When the daemon launched the run (its RUN_STARTING event)."""
    return next(
        entry.timestamp
        for entry in instance.all_logs(run_id)
        if entry.dagster_event is not None
        and entry.dagster_event.event_type == dg.DagsterEventType.RUN_STARTING
    )


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1])


def failure_report(instance: dg.DagsterInstance, runs: list[dg.DagsterRun]) -> str:
    lines = []
    for run in runs:
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is not None and event.is_failure:
                lines.append(f"{run.tags['dagster/partition']}: {event.message}")
    return "\n".join(lines)


@pytest.mark.postgres
def test_nightly_job_runs_years_in_parallel_on_a_postgres_instance(
    postgres_instance, postgres_url, small_delivery, monkeypatch, tmp_path
):
    data, manifest = small_delivery
    monkeypatch.setenv("TIP_DATA_DIR", str(data))
    monkeypatch.setenv("TIP_WAREHOUSE_URL", postgres_url)
    instance = postgres_instance
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    log = tmp_path / "daemon.log"

    with daemon(log) as process:  # loads its workspace while the reference run goes on
        # the unpartitioned reference assets first, once, as their own run
        with dg.execute_job(
            dg.reconstructable(nightly_job_def),
            instance,
            run_config={"execution": {"config": {"in_process": {}}}},
            asset_selection=selection(partitioned=False),
        ) as reference:
            assert reference.success

        # queued back to back; max_concurrent_runs (4) lets the daemon launch both at once
        run_ids = [launch_year(year) for year in YEARS]
        runs = wait_for(instance, run_ids, process, log)

    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs), failure_report(
        instance, runs
    )
    assert [run.tags["dagster/partition"] for run in runs] == list(YEARS)

    # queued by the run coordinator, dequeued and launched by the daemon
    for run in runs:
        events = [e.dagster_event for e in instance.all_logs(run.run_id) if e.is_dagster_event]
        types = {event.event_type for event in events}
        assert {dg.DagsterEventType.RUN_ENQUEUED, dg.DagsterEventType.RUN_STARTING} <= types
        assert GRPC_INFO_TAG in run.tags  # set by the DefaultRunLauncher

    # the daemon launched the second run before the first had finished: both were in flight at
    # once, from launch (RUN_STARTING) to end. (Not from their workers' start: each worker takes
    # seconds to start, and on two cores busy with other tests the first run can be over before
    # the second's worker is up; nor whether their steps overlapped, which is left to chance.)
    records = [instance.get_run_record_by_id(run.run_id) for run in runs]
    first, second = ((launched(instance, r.dagster_run.run_id), r.end_time) for r in records)
    assert overlap(first, second), (first, second)

    # each run worker is its own OS process, and executed its steps in subprocesses of it
    workers = set()
    for run in runs:
        logs = instance.all_logs(run.run_id)
        assert any("multiprocess executor" in (e.message or "") for e in logs)
        events = [e.dagster_event for e in logs if e.dagster_event is not None]
        worker = next(e.pid for e in events if e.event_type == dg.DagsterEventType.RUN_START)
        step_pids = {e.pid for e in events if e.event_type == dg.DagsterEventType.STEP_START}
        assert worker not in step_pids and len(step_pids) > 1
        workers.add(worker)
    assert len(workers) == 2 and os.getpid() not in workers

    # the instance recorded both partitions, the pool was used, the warehouse holds both years
    key = dg.AssetKey(["validated", f"{SOURCE}_episodes"])
    assert instance.get_materialized_partitions(key) == set(YEARS)
    assert WAREHOUSE_POOL in instance.event_log_storage.get_concurrency_keys()
    expected = {}
    for f in manifest["files"]:
        if f["table"] == f"{SOURCE}_episodes" and f["period"].replace("/", "-") in YEARS:
            expected[f["period"]] = expected.get(f["period"], 0) + f["rows"]
    assert len(expected) == len(YEARS)
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT period, count(*) FROM restricted.{SOURCE}_episodes GROUP BY period")
            )
            assert dict(rows.all()) == expected
    finally:
        engine.dispose()
