"""The intake assets and the raw-returns sensor, run directly with Dagster's tools: with no raw
folder an asset says the contract files came as they are; with one, raw_returns writes the
year's contract files and accounts for them under its run id, and raw_history writes those of
the youth-justice history years (before TIP_FIRST_YEAR) and nothing of a reporting year; the
sensor asks for a run of each year whose raw files are new or changed, once, and for the
reference run when a history year's are."""

import dagster as dg
import pandas as pd
import pytest

from tip_pipeline.defs.intake import (
    RAW_HISTORY,
    RAW_RETURNS,
    raw_history,
    raw_returns,
    raw_returns_sensor,
)
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


#: a history year: before the first reporting year (and partition) the history tests set
HISTORY, FIRST = "2019-20", "2020/21"
OFFENCES_CSV = (
    "YJ_CHILD_ID,OFFENCE_REF,OFFENCE_DATE,OFFENCE_CATEGORY,GRAVITY_SCORE,DOB,SEX,ETHNICITY,"
    "HOME_POSTCODE,PNC_ID,OFFENCE_DESCRIPTION\n"
    "YJ4411,OF-991,03/06/{year},THEFT,3,17/09/2008,1,WBRI,LS9 8AB,12/345678A,took a bike\n"
)
OUTCOMES_CSV = (
    "YJ_CHILD_ID,OFFENCE_REF,OUTCOME_DATE,OUTCOME,COURT\nYJ4411,OF-991,01/08/{year},YC,\n"
)


@pytest.fixture
def history_raw(raw, monkeypatch):
    """The raw folder with a history year's and a reporting year's youth-justice tables."""
    monkeypatch.setenv("TIP_FIRST_YEAR", FIRST)
    for folder, year in ((HISTORY, 2019), (YEAR, 2023)):
        (raw / folder).mkdir(exist_ok=True)
        (raw / folder / "offences.csv").write_text(OFFENCES_CSV.format(year=year))
        (raw / folder / "outcomes.csv").write_text(OUTCOMES_CSV.format(year=year))
    return raw


def _materialise_history(data, raw_dir, url) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_history],
        resources={
            "data_sources": DataSources(path=str(data), raw=str(raw_dir or "")),
            "warehouse": Warehouse(url=url),
        },
    )


def test_the_history_years_raw_returns_are_taken_in_and_no_reporting_year(
    tmp_path, history_raw, migrated_sqlite_url
):
    data = tmp_path / "data"
    result = _materialise_history(data, history_raw, migrated_sqlite_url)
    metadata = _metadata(result)
    assert metadata["mode"] == "raw returns taken in" and metadata["years"] == "2019/20"
    assert (metadata["records_read"], metadata["records_written"]) == (2, 2)
    written = sorted(p.name for p in data.iterdir())
    assert written == ["yjs_offences_2019-20.csv", "yjs_outcomes_2019-20.csv"]
    engine = make_engine(migrated_sqlite_url)
    with engine.connect() as conn:
        log = pd.read_sql("SELECT run_id, raw_file FROM ops.intake_tables", conn)
    engine.dispose()
    assert set(log["run_id"]) == {result.run_id}
    assert sorted(log["raw_file"]) == [f"{HISTORY}/offences.csv", f"{HISTORY}/outcomes.csv"]
    shown = str(metadata)
    for value in ("YJ4411", "OF-991", "12/345678A", "took a bike", "LS9 8AB", "17/09/2008"):
        assert value not in shown


def test_the_history_taken_in_again_with_the_same_key_writes_the_same_files(
    tmp_path, history_raw, migrated_sqlite_url
):
    data = tmp_path / "data"
    _materialise_history(data, history_raw, migrated_sqlite_url)
    first = {p.name: p.read_bytes() for p in data.iterdir()}
    again = _materialise_history(data, history_raw, migrated_sqlite_url)
    assert again.success
    assert {p.name: p.read_bytes() for p in data.iterdir()} == first


def test_without_a_history_year_in_the_raw_folder_nothing_is_taken_in(
    tmp_path, raw, migrated_sqlite_url, monkeypatch
):
    monkeypatch.setenv("TIP_FIRST_YEAR", "2023/24")  # the raw folder holds 2023-24 only
    data = tmp_path / "data"
    metadata = _metadata(_materialise_history(data, raw, migrated_sqlite_url))
    assert metadata["mode"].startswith("no year before 2023/24")
    assert not data.exists() or not any(data.iterdir())


def test_without_a_raw_folder_the_history_is_taken_as_delivered(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.setenv("TIP_FIRST_YEAR", "2023/24")
    data = tmp_path / "data"
    data.mkdir()
    (data / "yjs_offences_2022-23.csv").write_text("YJ_ID\n")
    (data / "yjs_offences_2023-24.csv").write_text("YJ_ID\n")
    metadata = _metadata(_materialise_history(data, None, sqlite_url))
    assert metadata == {"mode": metadata["mode"], "contract_files": 1}
    assert metadata["mode"].startswith("contract files delivered directly")
    assert sorted(p.name for p in data.iterdir()) == [
        "yjs_offences_2022-23.csv",
        "yjs_offences_2023-24.csv",
    ]


def test_the_history_is_staged_after_its_intake():
    from tip_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    assert RAW_HISTORY in graph.get(dg.AssetKey(["ingest", "yjs_history"])).parent_keys
    assert graph.get(RAW_HISTORY).partitions_def is None


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


def test_a_changed_history_year_asks_for_the_reference_run(tmp_path, history_raw):
    first = _tick(tmp_path, history_raw)
    scopes = [r.partition_key or "reference" for r in first.run_requests]
    assert scopes == ["reference", YEAR]
    assert RAW_HISTORY in first.run_requests[0].asset_selection
    (history_raw / HISTORY / "outcomes.csv").write_text(
        OUTCOMES_CSV.format(year=2019) + "YJ4411,OF-991,02/08/2019,YC,\n"
    )
    changed = _tick(tmp_path, history_raw, first.cursor)
    (request,) = changed.run_requests
    assert request.partition_key is None and RAW_HISTORY in request.asset_selection
