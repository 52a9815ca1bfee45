"""The code location loads, and its shape follows the contracts; the README and the workspace
file describe it as it is."""

import re
import tomllib
from datetime import date
from pathlib import Path

import dagster as dg
import yaml

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


ROOT = Path(__file__).parents[2]


def test_the_readme_lists_the_asset_groups_the_ui_shows():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("Assets are grouped by stage") :]
    paragraph = paragraph[: paragraph.index("Service extracts are partitioned")]
    listed = re.findall(r"`(\w+)` \(", paragraph)
    assert sorted(listed) == sorted({s.group_name for s in defs.resolve_all_asset_specs()})


def test_the_code_location_has_one_name_however_the_ui_starts():
    """``dagster dev -w workspace.yaml`` names it from the workspace file, a plain ``dagster
    dev`` from pyproject.toml: both must load the same module under the same name."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dagster"]
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    [location] = workspace["load_from"]
    module = location["python_module"]
    assert module["module_name"] == tool["module_name"] == "tip_pipeline.definitions"
    assert module["location_name"] == tool["code_location_name"] == "tip_pipeline"
