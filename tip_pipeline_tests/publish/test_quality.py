"""The data-quality summary waits in ops until what it describes is published: a reporting
year's with the year, the reference files' and the youth-justice history's with the
reference tables."""

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish.quality import publish_reference_quality, publish_year_quality
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import write_transaction
from tip_pipeline.warehouse.schema import quality_summary

FIRST = FinancialYear.parse("2020/21")
PENDING = [  # (period, source, table)
    ("2023/24", "cin", "cin_children"),
    ("2024/25", "cin", "cin_children"),
    ("2025", "ref", "ref_imd"),
    ("2019/20", "yjs", "yjs_offences"),  # a history year
    ("2023/24", "yjs", "yjs_offences"),  # a reporting year of a history table
]


def _pending() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [p for p, _, _ in PENDING],
            "source": [s for _, s, _ in PENDING],
            "table_name": [t for _, _, t in PENDING],
            "rule_id": "all",
            "rule_text": "All rules",
            "rows_read": 10,
            "rows_quarantined": 1,
            "run_id": "validating-run",
            "loaded_at": pd.Timestamp("2026-12-02", tz="UTC"),
        }
    )


def _published(engine: sa.Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT period, table_name FROM published.data_quality"))
        return set(rows.all())


def test_nothing_is_published_before_its_year(warehouse):
    with write_transaction(warehouse, "2023/24") as conn:
        replace_rows(conn, quality_summary, _pending(), {})
    assert _published(warehouse) == set()


def test_a_year_publishes_its_own_rows_and_the_reference_the_rest(warehouse):
    with write_transaction(warehouse, "2023/24") as conn:
        replace_rows(conn, quality_summary, _pending(), {})
        assert publish_year_quality(conn, "2023/24") == 2
    assert _published(warehouse) == {("2023/24", "cin_children"), ("2023/24", "yjs_offences")}
    with write_transaction(warehouse, "reference") as conn:
        assert publish_reference_quality(conn, FIRST) == 2
    assert _published(warehouse) == {
        ("2023/24", "cin_children"),
        ("2023/24", "yjs_offences"),
        ("2025", "ref_imd"),
        ("2019/20", "yjs_offences"),
    }
