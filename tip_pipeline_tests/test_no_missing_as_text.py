"""Nothing published says "nan", "None" or "NaN" as text, and no RII is a negative ratio:
on the leeds run of the whole graph, every text column of the published layer, every report
it wrote and the Fingertips export (csv)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.export import export
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.schema import metadata

pytestmark = pytest.mark.integration

#: a missing value written out as text (pandas' and Python's spellings), as a whole word
MISSING_AS_TEXT = re.compile(r"\b(nan|NaN|None)\b")


def _published_text(engine: sa.Engine) -> dict[str, pd.Series]:
    """Every text column of every published table, as read back."""
    columns = {}
    with engine.connect() as conn:
        for table in metadata.tables.values():
            if table.schema != "published":
                continue
            for column in table.columns:
                if isinstance(column.type, sa.Text):
                    values = conn.execute(sa.select(column).where(column.is_not(None)))
                    columns[f"{table.fullname}.{column.name}"] = pd.Series(values.scalars().all())
    return columns


def _offending(values: pd.Series) -> list[str]:
    return sorted({str(v) for v in values if MISSING_AS_TEXT.search(str(v))})[:5]


def test_no_published_text_column_holds_a_missing_value_as_text(leeds_warehouse: str) -> None:
    engine = make_engine(leeds_warehouse)
    try:
        text = _published_text(engine)
    finally:
        engine.dispose()
    assert "published.indicator_comparisons.comparator_name" in text
    bad = {name: _offending(values) for name, values in text.items() if _offending(values)}
    assert bad == {}


def test_every_comparison_names_its_comparator(leeds_warehouse: str) -> None:
    engine = make_engine(leeds_warehouse)
    try:
        names = pd.read_sql("SELECT comparator_name FROM published.indicator_comparisons", engine)
    finally:
        engine.dispose()
    assert len(names) > 0 and names["comparator_name"].notna().all()


def test_no_report_says_nan(leeds_reports: Path) -> None:
    reports = sorted(leeds_reports.rglob("*.html"))
    assert reports
    for path in reports:
        visible = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
        assert MISSING_AS_TEXT.findall(visible) == [], path.name
        assert "not compared with nan" not in visible


def test_the_export_says_no_nan(leeds_warehouse: str, tmp_path: Path) -> None:
    out = tmp_path / "fingertips.csv"
    assert export(leeds_warehouse, "csv", out) > 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    bad = {c: _offending(frame[c]) for c in frame.columns if _offending(frame[c])}
    assert bad == {}


def test_no_negative_rii_is_published(leeds_warehouse: str) -> None:
    """Rates and proportions are fitted on the log/logit scale: every published RII and its
    limits are positive; an RII left NULL says why."""
    engine = make_engine(leeds_warehouse)
    try:
        ineq = pd.read_sql(
            "SELECT rii, lower_rii_95, upper_rii_95, rii_note, sii, suppressed "
            "FROM published.inequality_summary",
            engine,
        )
    finally:
        engine.dispose()
    published = ineq.dropna(subset=["rii"])
    assert len(published) > 0
    assert (published[["rii", "lower_rii_95", "upper_rii_95"]] > 0).all().all()
    unexplained = ineq["rii"].isna() & ineq["sii"].notna() & ineq["rii_note"].isna()
    assert not unexplained.any()
