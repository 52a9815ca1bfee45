"""Retention in Dagster: the purge job and its schedule (off by default), and the purge of the
instance's finished runs with their event logs and compute logs."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.defs.retention import (
    delete_runs,
    purge_job,
    purge_schedule,
    runs_past_retention,
)
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine


@dg.op
def does_little() -> int:
    return 1


@dg.job
def little_job() -> None:
    does_little()


@pytest.fixture
def instance(tmp_path, monkeypatch) -> dg.DagsterInstance:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        yield instance


def test_the_schedule_is_off_until_turned_on():
    from tip_pipeline.definitions import defs

    assert purge_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert defs.resolve_schedule_def("purge_schedule") is not None
    assert defs.resolve_job_def("purge_job") is not None


def test_finished_runs_go_with_their_event_and_compute_logs(instance):
    ids = [little_job.execute_in_process(instance=instance).run_id for _ in range(2)]
    storage = Path(os.environ["DAGSTER_HOME"]) / "storage"
    assert all((storage / run_id).is_dir() for run_id in ids)
    assert runs_past_retention(instance, datetime.now(UTC) - timedelta(days=1)) == []
    found = runs_past_retention(instance, datetime.now(UTC) + timedelta(seconds=1))
    assert sorted(found) == sorted(ids)
    assert delete_runs(instance, found) == 2
    assert instance.get_run_records() == []
    assert not any((storage / run_id).exists() for run_id in ids)
    assert instance.all_logs(ids[0]) == []


def test_the_job_purges_records_what_it_did_and_keeps_its_own_run(
    instance, migrated_sqlite_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("TIP_RETAIN_RUN_DAYS", "0")
    for name in ("TIP_RETAIN_YEARS", "TIP_RETAIN_QUARANTINE_DAYS", "TIP_RETAIN_RAW_DAYS"):
        monkeypatch.delenv(name, raising=False)
    earlier = little_job.execute_in_process(instance=instance).run_id
    result = purge_job.execute_in_process(
        instance=instance,
        resources={
            "warehouse": Warehouse(url=migrated_sqlite_url),
            "data_sources": DataSources(path=str(tmp_path)),
        },
    )
    assert result.success
    assert instance.get_run_by_id(earlier) is None
    assert instance.get_run_by_id(result.run_id) is not None
    engine = make_engine(migrated_sqlite_url)
    try:
        with engine.connect() as conn:
            purges = conn.execute(sa.select(schema.purges.c.what, schema.purges.c.count)).all()
            job = conn.execute(
                sa.select(schema.runs.c.job).where(schema.runs.c.run_id == result.run_id)
            ).scalar_one()
    finally:
        engine.dispose()
    assert purges == [("dagster runs", 1)] and job == "tip purge"
