"""The jobs: shape, a partitioned materialisation through nightly_job (whose data versions the
nightly schedule then reads), and a blocking check stopping everything downstream."""

import dagster as dg
import pytest

from tip_pipeline.definitions import defs
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.schedules import nightly_schedule
from tip_pipeline.indicators import look_back
from tip_pipeline_tests.defs.test_pipeline_assets import keys, resources
from tip_pipeline_tests.defs.test_schedules import evaluate, scopes

YEAR = "2023-24"
STAGES = ("ingest", "validated")


def stage_keys(partitioned: bool) -> list[dg.AssetKey]:
    """Ingestion and validation only: what this file tests, whatever is downstream."""
    return [k for k in keys(partitioned) if k.path[0] in STAGES]


def test_jobs_cover_the_whole_graph_by_reporting_year():
    every = set(defs.resolve_all_asset_keys())
    for name in ("nightly_job", "full_refresh_job"):
        job = defs.resolve_job_def(name)
        assert job.partitions_def == reporting_years
        assert set(job.asset_layer.executable_asset_keys) == every
    # a multi-run backfill: each asset body handles one partition key, not a range
    assert all(a.backfill_policy is None for a in defs.assets if a.partitions_def)
    assert nightly_schedule.job_name == "nightly_job"


@pytest.fixture
def environment(monkeypatch, small_delivery, sqlite_url):
    data, _ = small_delivery
    monkeypatch.setenv("TIP_DATA_DIR", str(data))
    monkeypatch.setenv("TIP_WAREHOUSE_URL", sqlite_url)
    return data


def looked_back_to(year: str) -> list[str]:
    """The years before ``year`` whose tables its indicators read (``look_back``): a change
    to any of them reruns ``year``, so the schedule sees ``year`` done only with them."""
    keys = reporting_years.get_partition_keys()
    reach = max(look_back.tables_to_read().values(), default=0)
    at = keys.index(year)
    return keys[max(at - reach, 0) : at]


@pytest.mark.integration
def test_a_partition_through_nightly_job_then_the_schedule_sees_it_done(environment):
    job = defs.resolve_job_def("nightly_job")
    with dg.instance_for_test() as instance:
        reference = job.execute_in_process(instance=instance, asset_selection=stage_keys(False))
        for earlier in looked_back_to(YEAR):
            run = job.execute_in_process(
                instance=instance, partition_key=earlier, asset_selection=stage_keys(True)
            )
            assert run.success
        year = job.execute_in_process(
            instance=instance, partition_key=YEAR, asset_selection=stage_keys(True)
        )
        assert reference.success and year.success
        materialised = {e.asset_key for e in year.get_asset_materialization_events()}
        assert set(stage_keys(True)) <= materialised
        assert {e.partition for e in year.get_asset_materialization_events()} == {YEAR}
        requested = scopes(evaluate(environment, instance))
    assert YEAR not in requested and "reference" not in requested
    assert reporting_years.get_partition_keys()[-1] in requested


@pytest.mark.integration
def test_a_blocking_check_failure_fails_the_run_and_skips_downstream(
    monkeypatch, faulty_delivery, sqlite_url
):
    data, _ = faulty_delivery
    cin = dg.AssetKey(["validated", "cin_episodes"])

    @dg.asset(deps=[cin], partitions_def=reporting_years, group_name="test")
    def downstream_of_cin() -> None:
        raise AssertionError("must not run after a blocking check failed")

    # and whatever the project itself has downstream of the validated tables (indicators)
    below = dg.AssetSelection.assets(cin).downstream(include_self=False)
    downstream = [downstream_of_cin.key, *below.resolve(defs.resolve_asset_graph())]
    assets = [*defs.assets, downstream_of_cin]
    # the faulty history may fail its own checks; the lookup the year needs is validated
    dg.materialize(
        assets,
        selection=stage_keys(False),
        resources=resources(data, sqlite_url),
        raise_on_error=False,
    )
    result = dg.materialize(
        assets,
        selection=[*stage_keys(True), *downstream],
        partition_key=YEAR,
        resources=resources(data, sqlite_url),
        raise_on_error=False,
    )
    assert not result.success
    failed = {
        (e.asset_key, e.check_name) for e in result.get_asset_check_evaluations() if not e.passed
    }
    assert (cin, "quarantine_share") in failed
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert not materialised & set(downstream)
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "ingest_validate_cin" in started and "downstream_of_cin" not in started
