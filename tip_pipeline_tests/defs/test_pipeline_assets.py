"""The asset graph on generated data, with Dagster's own testing tools: what a data engineer
sees when materialising a year in the UI."""

import logging
import shutil

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.validate import source_year
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline_tests.graph import keys as keys  # re-exported: the jobs' tests select by them
from tip_pipeline_tests.graph import materialise
from tip_pipeline_tests.graph import resources as resources

pytestmark = pytest.mark.integration

YEAR = "2023-24"


def checks(result) -> dict[tuple[str, str], dg.AssetCheckEvaluation]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in result.get_asset_check_evaluations()
    }


def count(url, sql) -> int:
    with make_engine(url).connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_a_clean_year_is_staged_validated_and_every_check_passes(small_delivery, sqlite_url):
    data, manifest = small_delivery
    year = materialise(data, sqlite_url, [YEAR]).last
    assert year.success
    evaluations = checks(year)
    assert evaluations and all(e.passed for e in evaluations.values())
    expected = sum(
        f["rows"]
        for f in manifest["files"]
        if f["table"] == "cin_episodes" and f["period"] == "2023/24"
    )
    assert (
        count(
            sqlite_url, "SELECT count(*) FROM restricted.stg_cin_episodes WHERE period = '2023/24'"
        )
        == expected
    )
    assert count(sqlite_url, "SELECT count(*) FROM restricted.cin_episodes") == expected
    node = year.asset_materializations_for_node("ingest_validate_cin")
    by_key = {m.asset_key.to_user_string(): m.metadata for m in node}
    assert by_key["validated/cin_episodes"]["quarantine_share"].value == 0
    # the same step staged the files: the ingestion assets carry the files' hashes
    assert by_key["ingest/cin_episodes"]["dagster/row_count"].value == expected


def test_data_version_is_the_file_hash(small_delivery, sqlite_url):
    data, manifest = small_delivery
    first = materialise(data, sqlite_url).reference  # the reference assets alone
    event = next(
        m
        for m in first.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["ingest", "ref_imd"])
    )
    sha = next(f["sha256"] for f in manifest["files"] if f["table"] == "ref_imd")
    assert (
        event.materialization.tags["dagster/data_version"]
        == dg.DataVersion(
            __import__("hashlib").sha256(f"ref_imd_2025.csv:{sha}".encode()).hexdigest()
        ).value
    )


def test_files_matching_no_contract_are_named_in_the_guards_warning(small_delivery, tmp_path):
    from tip_pipeline.defs.validate import reference_guard

    data = tmp_path / "data"
    shutil.copytree(small_delivery[0], data)
    (data / "referrals_2023.xlsx").write_bytes(b"PK")
    instance = dg.DagsterInstance.ephemeral()
    run = dg.materialize(
        [reference_guard], resources=resources(data, "sqlite:///unused.db"), instance=instance
    )
    (event,) = run.get_asset_materialization_events()
    assert "referrals_2023.xlsx" in event.materialization.metadata["unknown_files"].value
    warnings = [e.user_message for e in instance.all_logs(run.run_id) if e.level == logging.WARNING]
    assert any("match no contract" in w and "referrals_2023.xlsx" in w for w in warnings)


def test_faulty_rows_are_quarantined_and_a_high_share_blocks(faulty_delivery, sqlite_url):
    data, _ = faulty_delivery
    year = materialise(data, sqlite_url, [YEAR], raise_on_error=False).last
    assert not year.success  # 5% faults is above the 2% threshold: blocking
    evaluations = checks(year)
    share = evaluations[("validated/cin_episodes", "quarantine_share")]
    assert not share.passed and share.severity == dg.AssetCheckSeverity.ERROR
    assert evaluations[("validated/cin_episodes", "records_conserved")].passed
    assert evaluations[("validated/cin_episodes", "great_expectations")].passed
    rules = evaluations[("validated/cin_episodes", "rules")]
    assert not rules.passed and rules.severity == dg.AssetCheckSeverity.WARN


def test_threshold_is_configurable(faulty_delivery, sqlite_url, monkeypatch):
    monkeypatch.setenv("TIP_QUARANTINE_THRESHOLD", "0.5")
    data, _ = faulty_delivery
    # the threshold is validation's: the year's ingestion and validation steps are enough
    stages = [k for k in keys(True) if k.path[0] in ("ingest", "validated")]
    year = materialise(data, sqlite_url, [YEAR], selection=stages).last
    assert year.success
    assert count(sqlite_url, "SELECT count(*) FROM ops.quarantine WHERE period = '2023/24'") > 0


def test_planted_identifiers_refuse_the_delivery_before_anything_is_staged(
    planted_delivery, sqlite_url
):
    data, manifest = planted_delivery
    planted_year = manifest["identifiers"][0]["file"].split("_")[-1][:7]
    year = materialise(data, sqlite_url, [planted_year], raise_on_error=False).last
    assert not year.success
    failure = next(e for e in year.all_events if e.is_step_failure)
    message = failure.step_failure_data.user_failure_data.description
    for planted in manifest["identifiers"]:
        assert planted["file"] in message and planted["column"] in message
    materialized = {e.asset_key for e in year.get_asset_materialization_events()}
    assert not any(k.path[0] == "ingest" for k in materialized)
    assert (
        count(
            sqlite_url,
            f"SELECT count(*) FROM restricted.stg_cin_children "
            f"WHERE period = '{planted_year.replace('-', '/')}'",
        )
        == 0
    )


@pytest.mark.postgres
def test_a_year_on_postgresql(small_delivery, postgres_url):
    data, _ = small_delivery
    year = materialise(data, postgres_url, [YEAR]).last
    assert year.success and all(e.passed for e in checks(year).values())
    staged = count(postgres_url, "SELECT count(*) FROM restricted.stg_yjs_offences")
    assert staged == count(postgres_url, "SELECT count(*) FROM restricted.yjs_offences") > 0
    frame = pd.read_sql("SELECT * FROM published.data_quality", make_engine(postgres_url))
    assert set(frame["rows_quarantined"]) == {0}


def test_the_youth_justice_history_is_staged_and_validated_in_one_step(small_delivery, sqlite_url):
    data, manifest = small_delivery
    reference = materialise(data, sqlite_url).reference  # the history is reference data
    history = [
        f for f in manifest["files"] if f["table"] == "yjs_offences" and f["period"] < "2020/21"
    ]
    assert history  # the generator delivers years before TIP_FIRST_YEAR
    node = reference.asset_materializations_for_node("ingest_validate_yjs_history")
    by_key = {m.asset_key.to_user_string(): m.metadata for m in node}
    assert by_key["ingest/yjs_history"]["years"].value == ", ".join(f["period"] for f in history)
    assert by_key["validated/yjs_offences_history"]["rows_read"].value == sum(
        f["rows"] for f in history
    )
    evaluations = checks(reference)
    assert evaluations[("validated/yjs_offences_history", "records_conserved")].passed
    assert evaluations[("validated/yjs_outcomes_history", "great_expectations")].passed
    staged = count(
        sqlite_url, "SELECT count(*) FROM restricted.yjs_offences WHERE period < '2020/21'"
    )
    assert staged == sum(f["rows"] for f in history)


def test_a_file_failing_at_reading_fails_its_source_with_nothing_of_it_staged(
    small_delivery, sqlite_url, monkeypatch
):
    """The guard reads every file first, so this needs a file that changed after it: the
    step fails naming the file, before anything of its source-year is written."""
    data, _ = small_delivery
    prepare = source_year.prepare_extract

    def changed_since_the_guard(folder, table, period, run_id):
        if table == "cin_episodes":
            raise DeliveryError("cin_episodes_2023-24.csv: the file is empty (no header line)")
        return prepare(folder, table, period, run_id)

    monkeypatch.setattr(source_year, "prepare_extract", changed_since_the_guard)
    year = materialise(data, sqlite_url, [YEAR], raise_on_error=False).last
    assert not year.success
    failure = next(e for e in year.all_events if e.is_step_failure)
    assert failure.step_key == "ingest_validate_cin"
    description = failure.step_failure_data.user_failure_data.description
    assert "cin_episodes_2023-24.csv" in description
    materialized = {e.asset_key.to_user_string() for e in year.get_asset_materialization_events()}
    assert not {"ingest/cin_children", "ingest/cin_episodes", "validated/cin_children"} & (
        materialized
    )
    period = YEAR.replace("-", "/")
    assert (
        count(
            sqlite_url,
            f"SELECT count(*) FROM restricted.stg_cin_children WHERE period = '{period}'",
        )
        == 0
    )
    assert "validated/yjs_offences" in materialized  # the other sources go on
