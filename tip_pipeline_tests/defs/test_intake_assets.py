"""The intake asset and the raw-returns sensor, run directly with Dagster's tools: with no raw
folder the asset says the contract files came as they are; with one it writes the year's
contract files and accounts for them under its run id; the sensor asks for a run of each year
whose raw files are new or changed, once."""

import dagster as dg
import pandas as pd
import pytest

from tip_pipeline.defs.intake import RAW_RETURNS, raw_returns, raw_returns_sensor
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.warehouse.engine import make_engine

YEAR = "2023-24"
HEADER_CSV = "CHILD,SEX,DOB,ETHNIC,UPN\n00123,2,17/09/2014,WBRI,A123456789012\n"
LOOKUP_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035\n"
)


@pytest.fixture
def raw(tmp_path, monkeypatch):
    """A raw folder with one year's Header table, and the key and lookup settings."""
    folder = tmp_path / "raw"
    (folder / YEAR).mkdir(parents=True)
    (folder / YEAR / "header.csv").write_text(HEADER_CSV)
    key = tmp_path / "key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o600)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP_CSV)
    monkeypatch.setenv("TIP_PSEUDONYM_KEY_FILE", str(key))
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(lookup))
    return folder


def _materialise(data, raw_dir, url) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_returns],
        resources={
            "data_sources": DataSources(path=str(data), raw=str(raw_dir or "")),
            "warehouse": Warehouse(url=url),
        },
        partition_key=YEAR,
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_without_a_raw_folder_the_contract_files_are_taken_as_delivered(tmp_path, sqlite_url):
    data = tmp_path / "data"
    data.mkdir()
    (data / "ssda903_header_2023-24.csv").write_text("CHILD,SEX,DOB,ETHNIC\n")
    metadata = _metadata(_materialise(data, None, sqlite_url))
    assert metadata["contract_files"] == 1
    assert metadata["mode"].startswith("contract files delivered directly")


def test_a_years_raw_returns_taken_in_under_the_runs_id(tmp_path, raw, migrated_sqlite_url):
    data = tmp_path / "data"
    result = _materialise(data, raw, migrated_sqlite_url)
    metadata = _metadata(result)
    assert (metadata["records_read"], metadata["records_written"]) == (1, 1)
    assert metadata["mode"] == "raw returns taken in"
    assert (data / "ssda903_header_2023-24.csv").is_file()
    engine = make_engine(migrated_sqlite_url)
    with engine.connect() as conn:
        log = pd.read_sql("SELECT run_id, raw_file, records_written FROM ops.intake_tables", conn)
    engine.dispose()
    assert log.to_dict("records") == [
        {"run_id": result.run_id, "raw_file": f"{YEAR}/header.csv", "records_written": 1}
    ]
    shown = str(metadata)
    for value in ("00123", "A123456789012", "17/09/2014"):
        assert value not in shown


def test_the_guard_waits_for_intake():
    from tip_pipeline.definitions import defs

    guard = defs.resolve_asset_graph().get(dg.AssetKey(["ingest", "delivery_guard"]))
    assert RAW_RETURNS in guard.parent_keys


def _tick(data, raw_dir, cursor=None):
    from tip_pipeline.definitions import defs

    context = dg.build_sensor_context(
        cursor=cursor,
        repository_def=defs.get_repository_def(),
        resources={"data_sources": DataSources(path=str(data), raw=str(raw_dir or ""))},
    )
    return raw_returns_sensor(context)


def test_the_sensor_skips_without_a_raw_folder(tmp_path):
    result = _tick(tmp_path, None)
    assert isinstance(result, dg.SkipReason) and "TIP_RAW_DIR" in result.skip_message


def test_the_sensor_asks_once_for_each_year_with_a_new_or_changed_raw_file(tmp_path, raw):
    first = _tick(tmp_path, raw)
    assert [r.partition_key for r in first.run_requests] == [YEAR]
    assert RAW_RETURNS in first.run_requests[0].asset_selection
    again = _tick(tmp_path, raw, first.cursor)
    assert isinstance(again, dg.SkipReason)
    (raw / YEAR / "header.csv").write_text(HEADER_CSV + "C77,1,03/03/2016,WBRI,\n")
    changed = _tick(tmp_path, raw, first.cursor)
    assert [r.partition_key for r in changed.run_requests] == [YEAR]
