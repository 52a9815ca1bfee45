"""The publishing assets with Dagster's own tools: a year's partition on the leeds run, the
blocking disclosure audit, and what a failed audit stops."""

import dagster as dg
import pytest

from tip_pipeline.definitions import defs
from tip_pipeline.defs import publish as publish_defs
from tip_pipeline.defs.reports import KEY as report_key
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish.audit import Audit
from tip_pipeline_tests.conftest import LEEDS_YEARS
from tip_pipeline_tests.graph import materialise

YEAR = FinancialYear.parse(LEEDS_YEARS[-1])


def _materialise(url: str, keys: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    """Only ``keys`` of the year, on the leeds run's warehouse (no delivery is read)."""
    runs = materialise(
        "unused", url, [YEAR.tag], reference=False, selection=keys, raise_on_error=False
    )
    return runs.last


def _published_keys() -> list[dg.AssetKey]:
    return [publish_defs.key(name) for name in publish_defs.TWINS]


def _downstream_of_published() -> list[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    children = graph.get(publish_defs.key("indicator_values")).child_keys
    return sorted(children, key=lambda k: k.to_user_string())


@pytest.mark.integration
def test_a_year_is_published_and_its_audit_passes(leeds_warehouse):
    result = _materialise(leeds_warehouse, _published_keys())
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == "disclosure_audit" and check.passed
    metadata = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.get_asset_materialization_events()
        for m in [m.materialization]
    }["published/indicator_values"]
    assert metadata["primary_suppressed"].value > 0
    assert metadata["narrowest_range"].value >= 5
    assert metadata["input_files"].value > 0


@pytest.mark.integration
def test_a_failed_audit_is_blocking(leeds_warehouse, monkeypatch):
    failing = Audit(period=YEAR.label, cells=1, withheld=1, narrowest=0.0, problems=["leak"])
    monkeypatch.setattr(publish_defs.audit, "audit_year", lambda *a, **k: failing)
    downstream = _downstream_of_published()
    assert report_key in downstream  # the report reads the published layer
    result = _materialise(leeds_warehouse, _published_keys() + downstream)
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert not result.success
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert not materialised & set(downstream)


@pytest.mark.parametrize("name", list(publish_defs.TWINS))
def test_published_assets_are_grouped_partitioned_and_described(name):
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == publish_defs.key(name))
    assert spec.group_name == "published"
    assert spec.partitions_def is not None
    assert spec.description
