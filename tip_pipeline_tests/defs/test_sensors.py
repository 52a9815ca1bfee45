"""The delivery sensor, evaluated with Dagster's build_sensor_context."""

import json
from pathlib import Path

import dagster as dg

from tip_pipeline.definitions import defs
from tip_pipeline.defs.jobs import SCOPE_TAG
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.resources import DataSources
from tip_pipeline.defs.sensors import delivery_sensor
from tip_pipeline.ingest.reader import file_sha256

YEAR = reporting_years.get_partition_keys()[-2]
OTHER_YEAR = reporting_years.get_partition_keys()[-3]


def tick(folder: Path, cursor: str | None):
    """One evaluation of the sensor on ``folder`` from ``cursor``, on an in-memory instance
    (the sensor keeps its state in the cursor: an instance on disk would change nothing)."""
    context = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        cursor=cursor,
        resources={"data_sources": DataSources(path=str(folder))},
        repository_def=defs.get_repository_def(),
    )
    return delivery_sensor.evaluate_tick(context)


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)


def scopes(data) -> list[str]:
    return sorted(r.tags[SCOPE_TAG] for r in data.run_requests)


def test_registered_with_a_sensible_interval():
    sensor = defs.resolve_sensor_def("delivery_sensor")
    assert sensor.minimum_interval_seconds == 60
    assert sensor.job_name == "nightly_job"


def test_a_new_file_requests_its_year_and_an_unchanged_one_nothing(tmp_path):
    write(tmp_path, f"ssda903_header_{YEAR}.csv", "v1\n")
    first = tick(tmp_path, None)
    assert scopes(first) == [YEAR]
    request = first.run_requests[0]
    assert request.partition_key == YEAR and request.job_name in (None, "nightly_job")
    assert dg.AssetKey(["ingest", "ssda903_header"]) in request.asset_selection
    assert json.loads(first.cursor) == {
        f"ssda903_header_{YEAR}.csv": file_sha256(tmp_path / f"ssda903_header_{YEAR}.csv")
    }

    again = tick(tmp_path, first.cursor)  # copied again, same bytes: nothing to do
    assert not again.run_requests
    assert "No new or changed delivery" in again.skip_message

    write(tmp_path, f"ssda903_missing_{OTHER_YEAR}.csv", "v1\n")  # a new file, another year
    new = tick(tmp_path, first.cursor)
    assert scopes(new) == [OTHER_YEAR]

    write(tmp_path, f"ssda903_header_{YEAR}.csv", "v2\n")  # changed content
    changed = tick(tmp_path, new.cursor)
    assert scopes(changed) == [YEAR]
    assert json.loads(changed.cursor)[f"ssda903_header_{YEAR}.csv"] == file_sha256(
        tmp_path / f"ssda903_header_{YEAR}.csv"
    )


def test_a_new_file_looked_back_to_requests_the_years_that_read_it(tmp_path):
    """Re-referrals read the previous year's CIN episodes, the cohorts four years of them: new
    episodes of OTHER_YEAR change the figures of the years after it too (indicators.look_back),
    YEAR and the last offered year."""
    write(tmp_path, f"cin_children_{YEAR}.csv", "v1\n")
    first = tick(tmp_path, None)
    write(tmp_path, f"cin_episodes_{OTHER_YEAR}.csv", "v1\n")
    later = reporting_years.get_partition_keys()[-1]
    assert scopes(tick(tmp_path, first.cursor)) == [OTHER_YEAR, YEAR, later]


def test_a_changed_reference_file_requests_the_reference_assets(tmp_path):
    write(tmp_path, "ref_imd_2025.csv", "v1\n")
    cursor = tick(tmp_path, None).cursor
    write(tmp_path, "ref_imd_2025.csv", "v2\n")
    data = tick(tmp_path, cursor)
    assert scopes(data) == ["reference"]
    request = data.run_requests[0]
    assert request.partition_key is None
    assert dg.AssetKey(["ingest", "ref_imd"]) in request.asset_selection
    assert dg.AssetKey(["ingest", "yjs_history"]) in request.asset_selection
    assert not any(k.path[-1] == "cin_children" for k in request.asset_selection)


def test_files_of_no_offered_year_move_the_cursor_but_request_nothing(tmp_path):
    write(tmp_path, "cin_children_2099-00.csv", "future\n")
    write(tmp_path, "notes.csv", "not a delivery\n")
    data = tick(tmp_path, None)
    assert not data.run_requests
    assert "no complete reporting year" in data.skip_message
    assert list(json.loads(data.cursor)) == ["cin_children_2099-00.csv"]


def test_a_missing_folder_is_a_skip(tmp_path):
    data = tick(tmp_path / "missing", None)
    assert not data.run_requests and "does not exist" in data.skip_message
