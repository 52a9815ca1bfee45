"""The documented PostgreSQL-backed instance (deploy/postgres/dagster.yaml) running the
nightly job: instance storage in its own database, the warehouse in another, two reporting
years in consecutive runs, each on the multiprocess executor (independent steps in parallel),
warehouse writers sharing the instance's concurrency pool. Two runs started from threads of
one process deadlocked here, so the runs are consecutive; parallel partitions belong to the
run coordinator and daemon of a deployment."""

import shutil
import uuid
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy.engine import make_url

from tip_pipeline.defs.policies import WAREHOUSE_POOL
from tip_pipeline.warehouse.engine import create_database, drop_database

DEPLOY = Path(__file__).parents[2] / "deploy"
YEARS = ("2022-23", "2023-24")
SOURCE = "cin"  # one service's extracts per year keeps the test short


def nightly_job_def() -> dg.JobDefinition:
    """Loadable in every step's subprocess (reconstructable needs a module-level function)."""
    from tip_pipeline.definitions import defs

    return defs.resolve_job_def("nightly_job")


def selection(partitioned: bool) -> list[dg.AssetKey]:
    from tip_pipeline.definitions import defs

    chosen = []
    for spec in defs.resolve_all_asset_specs():
        if (spec.partitions_def is not None) != partitioned or spec.group_name == "indicators":
            continue
        if (
            not partitioned
            or spec.tags.get("source") == SOURCE
            or spec.key.path[-1].endswith("delivery_guard")
        ):
            chosen.append(spec.key)
    return chosen


@pytest.fixture
def postgres_instance(postgres_server_url, tmp_path, monkeypatch):
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


@pytest.mark.postgres
def test_nightly_job_on_a_postgres_instance_in_parallel(
    postgres_instance, postgres_url, small_delivery, monkeypatch
):
    data, _ = small_delivery
    monkeypatch.setenv("TIP_DATA_DIR", str(data))
    monkeypatch.setenv("TIP_WAREHOUSE_URL", postgres_url)
    instance = postgres_instance
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    job = dg.reconstructable(nightly_job_def)
    in_process = {"execution": {"config": {"in_process": {}}}}
    with dg.execute_job(
        job, instance, run_config=in_process, asset_selection=selection(False)
    ) as reference:
        assert reference.success

    def run_year(year: str) -> tuple[bool, str]:
        with dg.execute_job(
            job,
            instance,
            run_config={"execution": {"config": {"multiprocess": {"max_concurrent": 2}}}},
            asset_selection=selection(True),
            tags={"dagster/partition": year},
        ) as result:
            return result.success, result.run_id

    outcomes = [run_year(year) for year in YEARS]
    assert all(ok for ok, _ in outcomes)

    for year, (_, run_id) in zip(YEARS, outcomes, strict=True):
        run = instance.get_run_by_id(run_id)
        assert run.tags["dagster/partition"] == year
        logs = instance.all_logs(run_id)
        assert any("multiprocess" in (e.message or "").lower() for e in logs)
    key = dg.AssetKey(["validated", "cin_episodes"])
    assert instance.get_materialized_partitions(key) == set(YEARS)
    assert WAREHOUSE_POOL in instance.event_log_storage.get_concurrency_keys()
