"""Staging an extract's year: exact rows, lineage, idempotent and atomic, on both backends."""

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.ingest import reader
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.ingest.load import ingest_extract
from tip_pipeline.ingest.reader import sha256_of
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.schema import staging_table

HEADER = "LAchildID,PersonBirthDate,Sex,Ethnicity,HomeLSOA,PersonDeathDate\n"
YEAR = FinancialYear(2023)


def deliver(folder: Path, *rows: str, name="cin_children_2023-24.csv") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows))
    return path


def staged(engine: sa.Engine, table: str = "cin_children") -> pd.DataFrame:
    stg = staging_table(table)
    with engine.connect() as conn:
        return pd.read_sql(sa.select(stg).order_by(stg.c.line_number), conn)


def test_rows_are_staged_as_delivered_with_file_and_line(warehouse, tmp_path):
    path = deliver(
        tmp_path / "d", "a1,2010-01-01,1,WBRI,E01011264,", "0007,2011-02-01,2,AIND,E01011265,"
    )
    result = ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-1")
    rows = staged(warehouse)
    assert list(rows["la_child_id"]) == ["a1", "0007"]
    assert list(rows["line_number"]) == [2, 3]
    assert set(rows["period"]) == {"2023/24"} and set(rows["load_run_id"]) == {"run-1"}
    assert rows["person_death_date"].isna().all()
    assert result.rows == 2 and result.files[0].sha256 == sha256_of(path.read_bytes())
    with warehouse.connect() as conn:
        log = conn.execute(sa.text("SELECT file_name, rows, sha256 FROM ops.ingest_log")).all()
    assert log == [("cin_children_2023-24.csv", 2, result.files[0].sha256)]


def test_reloading_a_year_replaces_exactly_that_year(warehouse, tmp_path):
    deliver(tmp_path / "d", "a1,2010-01-01,1,WBRI,E01011264,")
    deliver(tmp_path / "d", "b1,2010-01-01,1,WBRI,E01011264,", name="cin_children_2022-23.csv")
    ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-1")
    ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR.shifted(-1), "run-1")
    deliver(tmp_path / "d", "a1,2010-01-01,1,WBRI,E01011264,", "a2,2010-01-01,2,WBRI,E01011264,")
    ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-2")
    ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-3")  # same input again
    rows = staged(warehouse)
    assert sorted(rows["la_child_id"]) == ["a1", "a2", "b1"]
    assert set(rows.loc[rows["period"] == "2023/24", "load_run_id"]) == {"run-3"}


def test_a_refused_file_leaves_the_previous_load_intact(warehouse, tmp_path):
    deliver(tmp_path / "d", "a1,2010-01-01,1,WBRI,E01011264,")
    ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-1")
    (tmp_path / "d" / "cin_children_2023-24.csv").write_text("LAchildID,Sex\na2,1\n")
    with pytest.raises(DeliveryError, match=r"line 1 \(header\): missing column"):
        ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-2")
    assert list(staged(warehouse)["la_child_id"]) == ["a1"]


def test_malformed_lines_are_quarantined_not_dropped(warehouse, tmp_path):
    deliver(tmp_path / "d", "a1,2010-01-01,1,WBRI,E01011264,", "a2,broken", '"a3,x')
    result = ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-1")
    assert result.rows == 1 and result.malformed == 2
    with warehouse.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT line_number, stage, rule_id, record FROM ops.quarantine "
                "ORDER BY line_number"
            )
        ).all()
        logged = conn.execute(sa.text("SELECT rows FROM ops.ingest_log")).scalar_one()
    assert [(r.line_number, r.stage, r.rule_id) for r in rows] == [
        (3, "read", "cin_children.malformed_line"),
        (4, "read", "cin_children.malformed_line"),
    ]
    assert rows[0].record == "a2,broken"
    # records read = staged + quarantined
    assert logged == 3 == len(staged(warehouse)) + len(rows)


def test_a_line_too_long_to_read_is_quarantined_without_its_content(
    warehouse, tmp_path, monkeypatch
):
    monkeypatch.setattr(reader, "MAX_LINE_BYTES", 64)
    deliver(tmp_path / "d", "a1,2010-01-01,1,WBRI,E01011264,", "a2," + "9" * 100)
    result = ingest_extract(warehouse, tmp_path / "d", "cin_children", YEAR, "run-1")
    assert result.rows == 1 and result.malformed == 1
    with warehouse.connect() as conn:
        row = conn.execute(
            sa.text("SELECT line_number, rule_id, rule_text, record FROM ops.quarantine")
        ).one()
    assert (row.line_number, row.rule_id) == (3, "cin_children.malformed_line")
    assert row.rule_text == (
        "the line must be a CSV record of the contract's columns: "
        "line longer than 64 bytes (103 bytes)"
    )
    assert not row.record  # nothing of the line was read, so nothing of it is stored


def test_quarterly_files_are_staged_together_with_their_quarter(warehouse, tmp_path):
    header = "CASE_ID,SUPPORT_NEED\n"
    for q in (1, 2, 3, 4):
        (tmp_path / f"hclic_support_2023-24_Q{q}.csv").write_text(header + f"k{q},MH\n")
    result = ingest_extract(warehouse, tmp_path, "hclic_support", YEAR, "run-1")
    rows = staged(warehouse, "hclic_support")
    assert list(rows["quarter"]) == [1, 2, 3, 4] and result.rows == 4
    assert len(result.files) == 4 and len(result.data_version) == 64
