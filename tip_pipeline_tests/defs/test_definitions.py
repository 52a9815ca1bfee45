"""The code location loads, and its shape follows the contracts."""

from datetime import date

import dagster as dg

from tip_pipeline.definitions import defs
from tip_pipeline.defs.partitions import reporting_year_keys
from tip_pipeline.sources.contracts import EXTRACTS


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)


def test_one_ingest_asset_per_extract_with_group_docs_and_partitions():
    specs = {s.key: s for s in defs.resolve_all_asset_specs()}
    for extract in EXTRACTS.values():
        spec = specs[dg.AssetKey(["ingest", extract.table])]
        assert spec.group_name == "ingest"
        assert spec.description and extract.description in spec.description
        assert (spec.partitions_def is not None) == extract.per_period


def test_resources_come_from_the_environment():
    resources = defs.resources
    assert isinstance(resources["warehouse"].url, dg.EnvVar)
    assert isinstance(resources["data_sources"].path, dg.EnvVar)


def test_partitions_are_complete_financial_years(monkeypatch):
    monkeypatch.setenv("TIP_FIRST_YEAR", "2022/23")
    assert reporting_year_keys(date(2025, 3, 31)) == ["2022-23", "2023-24"]
    assert reporting_year_keys(date(2025, 4, 1)) == ["2022-23", "2023-24", "2024-25"]
