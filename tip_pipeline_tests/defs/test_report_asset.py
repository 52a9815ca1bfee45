"""The report asset (group ``reports``), materialised with Dagster on the hand-made published
layer; and end to end on the leeds run: the whole graph (ingest, validate, indicators,
publish, report) of a year."""

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from tip_pipeline.definitions import defs
from tip_pipeline.defs.reports import KEY, PUBLISHED_DEPS, impact_report
from tip_pipeline.defs.resources import Warehouse
from tip_pipeline.periods import FinancialYear
from tip_pipeline.reports.batch import report_path
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline_tests.conftest import LEEDS_YEARS
from tip_pipeline_tests.published import LA
from tip_pipeline_tests.reports.tables import tables


def test_the_asset_is_wired_after_the_published_layer():
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == KEY)
    assert spec.group_name == "reports" and spec.partitions_def is not None
    assert {d.asset_key for d in spec.deps} == set(PUBLISHED_DEPS)
    assert set(PUBLISHED_DEPS) <= set(defs.resolve_all_asset_keys())


def test_materialise_a_year_writes_the_report(published_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TIP_REPORT_DIR", str(tmp_path / "reports"))
    result = dg.materialize(
        [impact_report],
        partition_key="2024-25",
        resources={"warehouse": Warehouse(url=published_url)},
    )
    assert result.success
    path = report_path(tmp_path / "reports", LA, "2024/25")
    assert path.exists() and path.name == "impact_report_E08000035_2024-25.html"
    metadata = result.asset_materializations_for_node("reports__impact_report")[0].metadata
    assert Path(metadata["path"].value) == path.resolve()
    assert metadata["size_bytes"].value == path.stat().st_size
    assert (
        metadata["charts"].value == 15
    )  # the population pyramid, the spine chart, the flows, the two cohorts, 10 others
    assert "Leeds, 2024/25" in path.read_text(encoding="utf-8")


def test_a_year_with_nothing_published_materialises_nothing(published_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TIP_REPORT_DIR", str(tmp_path / "reports"))
    result = dg.materialize(
        [impact_report],
        partition_key="2025-26",
        resources={"warehouse": Warehouse(url=published_url)},
    )
    assert result.success and not result.asset_materializations_for_node("reports__impact_report")
    assert not (tmp_path / "reports").exists()


@pytest.mark.integration
def test_end_to_end_leeds_run_to_report(leeds_warehouse, leeds_reports):
    """Synthetic leeds data -> the whole graph (the report asset included) -> the report; its
    figures are the published layer's."""
    year = FinancialYear.parse(LEEDS_YEARS[-1])
    files = sorted(leeds_reports.glob(f"impact_report_*_{year.tag}.html"))
    assert len(files) == 1
    html = files[0].read_text(encoding="utf-8")
    engine = make_engine(leeds_warehouse)
    try:
        with engine.connect() as conn:
            la = pd.read_sql(
                text(
                    "SELECT indicator_id, value, suppressed FROM published.indicator_values "
                    "WHERE area_type = 'la' AND breakdown = 'total' AND period = :p"
                ),
                conn,
                params={"p": year.label},
            )
    finally:
        engine.dispose()
    shown = tables(html)
    assert len(la) > 0
    for _, row in la.iterrows():
        last = shown[f"trend-{row['indicator_id']}"][-1]
        if row["suppressed"]:
            assert last[3] == "suppressed"
        else:
            shown_value = float(last[3].replace(",", ""))
            places = len(last[3].split(".")[1]) if "." in last[3] else 0
            assert shown_value == pytest.approx(row["value"], abs=0.5 * 10**-places + 1e-9)
