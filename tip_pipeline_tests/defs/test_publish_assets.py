"""The publishing assets with Dagster's own tools: a year's partition on the leeds run, the
blocking disclosure audit, and what a failed audit stops."""

import dagster as dg
import pytest
import sqlalchemy as sa

from tip_pipeline.definitions import defs
from tip_pipeline.defs import publish as publish_defs
from tip_pipeline.defs.reports import KEY as report_key
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import audit
from tip_pipeline.publish.audit import Audit
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline_tests.conftest import LEEDS_YEARS
from tip_pipeline_tests.graph import keys, materialise

YEAR = FinancialYear.parse(LEEDS_YEARS[-1])


def _materialise(url: str, keys: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    """Only ``keys`` of the year, on the leeds run's warehouse (no delivery is read)."""
    runs = materialise(
        "unused", url, [YEAR.tag], reference=False, selection=keys, raise_on_error=False
    )
    return runs.last


def _year_keys() -> list[dg.AssetKey]:
    """The year's one step: its indicator tables and their published twins (defs/year.py)."""
    return [*keys(True, "indicators"), *(publish_defs.key(name) for name in publish_defs.TWINS)]


def _audits(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    return [e for e in result.get_asset_check_evaluations() if e.check_name == "disclosure_audit"]


def _downstream_of_published() -> list[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    children = graph.get(publish_defs.key("indicator_values")).child_keys
    return sorted(children, key=lambda k: k.to_user_string())


@pytest.mark.integration
def test_a_year_is_published_and_its_audit_passes(leeds_warehouse):
    result = _materialise(leeds_warehouse, _year_keys())
    assert result.success
    [check] = _audits(result)
    assert check.passed
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
    monkeypatch.setattr(audit, "audit_year", lambda *a, **k: failing)
    before = _run_ids(leeds_warehouse)
    downstream = _downstream_of_published()
    assert report_key in downstream  # the report reads the published layer
    result = _materialise(leeds_warehouse, _year_keys() + downstream)
    [check] = _audits(result)
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert not result.success
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert not materialised  # the audit ran before the commit: nothing of the year was written
    assert _run_ids(leeds_warehouse) == before


def _run_ids(url: str) -> dict[str, set[str]]:
    """The runs that wrote the year's restricted and published rows."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.fullname: set(
                    conn.execute(
                        sa.select(table.c.run_id).where(table.c.period == YEAR.label).distinct()
                    ).scalars()
                )
                for table in (*schema.INDICATOR_TABLES, *schema.PUBLISHED_TWINS.values())
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", list(publish_defs.TWINS))
def test_published_assets_are_grouped_partitioned_and_described(name):
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == publish_defs.key(name))
    assert spec.group_name == "published"
    assert spec.partitions_def is not None
    assert spec.description
