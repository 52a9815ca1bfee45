"""The nightly schedule, evaluated with Dagster's build_schedule_context."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from tip_pipeline.definitions import defs
from tip_pipeline.defs.jobs import SCOPE_TAG
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.resources import DataSources
from tip_pipeline.defs.schedules import nightly_schedule
from tip_pipeline.ingest.reader import data_version, file_sha256

LATEST = reporting_years.get_partition_keys()[-1]
EARLIER = reporting_years.get_partition_keys()[-2]
REFERENCE = "ref_imd_2025.csv"


@pytest.fixture
def delivery(tmp_path) -> Path:
    for name in (f"cin_children_{EARLIER}.csv", f"cin_children_{LATEST}.csv", REFERENCE):
        (tmp_path / name).write_text(f"{name}\n")
    return tmp_path


@pytest.fixture(scope="module")
def _instance_on_disk() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def instance(_instance_on_disk: dg.DagsterInstance) -> dg.DagsterInstance:
    """A test instance (the schedule's context reopens it from its reference, so not an
    in-memory one), one per module, its runs and materialisations wiped for each test."""
    _instance_on_disk.wipe()
    return _instance_on_disk


def evaluate(folder: Path, instance: dg.DagsterInstance):
    # closed after the tick: the context reopens the instance from its reference, and an
    # instance left open stays Dagster's current one, breaking later tests of the worker
    with dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=datetime(2026, 6, 2, 2, 0, tzinfo=ZoneInfo("Europe/London")),
        resources={"data_sources": DataSources(path=str(folder))},
        repository_def=defs.get_repository_def(),
    ) as context:
        return nightly_schedule.evaluate_tick(context)


def record(instance: dg.DagsterInstance, folder: Path, name: str, table: str, year: str | None):
    """A materialisation of ingest/<table> as the asset records it: the files' hash."""
    version = data_version([(name, file_sha256(folder / name))])
    instance.report_runless_asset_event(
        dg.AssetMaterialization(
            asset_key=["ingest", table], partition=year, tags={"dagster/data_version": version}
        )
    )


def scopes(data) -> list[str]:
    return sorted(r.tags[SCOPE_TAG] for r in data.run_requests)


def test_nightly_at_two_in_london():
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Europe/London"
    assert nightly_schedule.job_name == "nightly_job"
    assert defs.resolve_schedule_def("nightly_schedule") is not None


def test_first_night_requests_reference_and_every_delivered_year(delivery, instance):
    data = evaluate(delivery, instance)
    assert scopes(data) == sorted([EARLIER, LATEST, "reference"])
    year = next(r for r in data.run_requests if r.partition_key == LATEST)
    specs = {s.key: s for s in defs.resolve_all_asset_specs()}
    assert {k for k, s in specs.items() if s.partitions_def} == set(year.asset_selection)
    reference = next(r for r in data.run_requests if r.partition_key is None)
    assert dg.AssetKey(["ingest", "ref_imd"]) in reference.asset_selection


def test_unchanged_inputs_request_only_the_latest_complete_year(delivery, instance):
    record(instance, delivery, f"cin_children_{EARLIER}.csv", "cin_children", EARLIER)
    record(instance, delivery, f"cin_children_{LATEST}.csv", "cin_children", LATEST)
    record(instance, delivery, REFERENCE, "ref_imd", None)
    assert scopes(evaluate(delivery, instance)) == [LATEST]
    (delivery / f"cin_children_{EARLIER}.csv").write_text("re-delivered\n")
    (delivery / REFERENCE).write_text("new vintage\n")
    assert scopes(evaluate(delivery, instance)) == sorted([EARLIER, LATEST, "reference"])


def test_no_delivery_is_a_skip(tmp_path, instance):
    data = evaluate(tmp_path, instance)
    assert not data.run_requests and "Nothing to run" in data.skip_message
    data = evaluate(tmp_path / "missing", instance)
    assert not data.run_requests and "does not exist" in data.skip_message
