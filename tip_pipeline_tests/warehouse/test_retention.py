"""Retention and purge on hand-filled warehouses: which years are past retention (never the
baseline), a year's person-level rows deleted and its published rows kept, a purged year
refused, quarantined records erased with their counts kept, raw files deleted only when taken
in and unchanged, and every deletion recorded by count."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.retention import (
    CONTRACT_FILES,
    QUARANTINED,
    RAW_FILES,
    YEAR_RECORDS,
    BadRetention,
    PurgedYear,
    Retention,
    contract_files,
    kept_across_years,
    plan,
    purge,
    purged_years,
    raw_files_taken_in,
    refuse_if_purged,
    year_tables,
    years_past_retention,
)

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
Y = {label: FinancialYear.parse(label) for label in ("2020/21", "2021/22", "2022/23", "2023/24")}


@pytest.fixture
def engine(migrated_sqlite_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(migrated_sqlite_url)
    yield engine
    engine.dispose()


def test_the_most_recent_years_and_the_baseline_are_kept():
    years = list(Y.values())
    assert years_past_retention(years, 2, Y["2020/21"]) == [Y["2021/22"]]
    assert years_past_retention(years, 1, Y["2021/22"]) == [Y["2020/21"], Y["2022/23"]]
    assert years_past_retention(years, 4, Y["2020/21"]) == []


def test_youth_justice_is_kept_across_years_and_every_other_service_table_purged():
    assert set(kept_across_years()) == {"yjs_offences", "yjs_outcomes"}
    assert {"cin_children", "ssda903_episodes", "hclic_main"} <= set(year_tables())
    assert not any(t.startswith("ref_") for t in year_tables())


def test_settings_are_whole_numbers_or_empty(monkeypatch):
    for name in ("TIP_RETAIN_YEARS", "TIP_RETAIN_QUARANTINE_DAYS", "TIP_RETAIN_RAW_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TIP_RETAIN_RUN_DAYS", "30")
    assert Retention.from_settings() == Retention(run_days=30)
    monkeypatch.setenv("TIP_RETAIN_YEARS", "0")
    with pytest.raises(BadRetention, match="TIP_RETAIN_YEARS must be a whole number of at least 1"):
        Retention.from_settings()
    monkeypatch.setenv("TIP_RETAIN_YEARS", "two")
    with pytest.raises(BadRetention):
        Retention.from_settings()


def _fill_year(conn: sa.Connection, period: str, run: str = "r1") -> None:
    """Two staged and validated rows of cin_children and yjs_offences, a quarantined row of
    each, the ingest log's entries and a published value, all of ``period``."""
    for table in ("cin_children", "yjs_offences"):
        name = f"{table}_{period.replace('/', '-')}.csv"
        rows = [{"period": period, "source_file": name, "line_number": n} for n in (2, 3)]
        conn.execute(
            sa.insert(schema.staging_table(table)), [r | {"load_run_id": run} for r in rows]
        )
        conn.execute(sa.insert(schema.validated_table(table)), [r | {"run_id": run} for r in rows])
        conn.execute(
            sa.insert(schema.quarantine),
            {
                "period": period,
                "table_name": table,
                "source_file": name,
                "line_number": 4,
                "stage": "validate",
                "rule_id": f"{table}.rule",
                "rule_text": "a rule",
                "child_id": "c" * 64,
                "record": '{"a": "b"}',
                "run_id": run,
                "quarantined_at": NOW - timedelta(days=400),
            },
        )
        log = {"run_id": run, "file_name": name, "table_name": table, "period": period}
        conn.execute(
            sa.insert(schema.ingest_log),
            log | {"size_bytes": 1, "sha256": "0" * 64, "rows": 3, "loaded_at": NOW},
        )


def _count(conn: sa.Connection, table: sa.Table, period: str) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(table.c.period == period)
    return conn.execute(query).scalar_one()


def test_a_purged_year_loses_its_records_keeps_youth_justice_and_is_refused(engine, tmp_path):
    with engine.begin() as conn:
        for label in Y:
            _fill_year(conn, label)
    (tmp_path / "cin_children_2021-22.csv").write_text("x\n")
    (tmp_path / "yjs_offences_2021-22.csv").write_text("x\n")
    retention = Retention(years=2)
    with engine.connect() as conn:
        found = plan(conn, retention, tmp_path, None, Y["2020/21"], NOW)
    assert found.years == [Y["2021/22"]]
    assert found.contract_files == [tmp_path / "cin_children_2021-22.csv"]
    done = purge(engine, found, retention, "purge-1", NOW)

    with engine.connect() as conn:
        for table in (schema.staging_table("cin_children"), schema.validated_table("cin_children")):
            assert _count(conn, table, "2021/22") == 0 and _count(conn, table, "2022/23") == 2
        assert _count(conn, schema.validated_table("yjs_offences"), "2021/22") == 2
        assert _count(conn, schema.quarantine, "2021/22") == 1  # youth justice's
        assert purged_years(conn) == {"2021/22"}
        with pytest.raises(PurgedYear, match="2021/22 was purged"):
            refuse_if_purged(conn, "2021/22")
        refuse_if_purged(conn, "2022/23")
        recorded = conn.execute(
            sa.select(schema.purges.c.what, schema.purges.c.table_name, schema.purges.c.count)
            .where(schema.purges.c.count > 0)
            .order_by(schema.purges.c.item)
        ).all()
    assert recorded == [
        (YEAR_RECORDS, "restricted.stg_cin_children", 2),
        (YEAR_RECORDS, "restricted.cin_children", 2),
        (YEAR_RECORDS, "ops.quarantine", 1),
        (CONTRACT_FILES, None, 1),
    ]
    assert [(i.what, i.count) for i in done if i.count][-1] == (CONTRACT_FILES, 1)
    assert not (tmp_path / "cin_children_2021-22.csv").exists()
    assert (tmp_path / "yjs_offences_2021-22.csv").exists()
    # a second purge finds nothing more: the purged year is no longer a loaded year
    with engine.connect() as conn:
        assert plan(conn, retention, tmp_path, None, Y["2020/21"], NOW).years == []


def test_old_quarantined_records_are_erased_and_still_counted(engine):
    with engine.begin() as conn:
        _fill_year(conn, "2023/24")
        conn.execute(
            sa.update(schema.quarantine)
            .where(schema.quarantine.c.table_name == "cin_children")
            .values(quarantined_at=NOW)
        )
    retention = Retention(quarantine_days=365)
    with engine.connect() as conn:
        found = plan(conn, retention, Path("."), None, Y["2020/21"], NOW)
    done = purge(engine, found, retention, "purge-2", NOW)
    assert [(i.what, i.count) for i in done] == [(QUARANTINED, 1)]
    with engine.connect() as conn:
        q = schema.quarantine
        rows = conn.execute(
            sa.select(q.c.table_name, q.c.record, q.c.child_id, q.c.rule_id).order_by(
                q.c.table_name
            )
        ).all()
    assert rows == [
        ("cin_children", '{"a": "b"}', "c" * 64, "cin_children.rule"),
        ("yjs_offences", None, None, "yjs_offences.rule"),
    ]


def test_raw_files_go_only_when_taken_in_long_enough_ago_and_unchanged(engine, tmp_path):
    raw = tmp_path / "raw"
    (raw / "2023-24").mkdir(parents=True)
    old, changed, fresh, never = (raw / "2023-24" / n for n in ("a.csv", "b.csv", "c.xml", "d.csv"))
    for path in (old, changed, fresh, never):
        path.write_text("x\n")
    taken = NOW - timedelta(days=40)
    for path in (old, changed, fresh):
        os.utime(path, (taken.timestamp() - 60, taken.timestamp() - 60))
    os.utime(changed, (NOW.timestamp(), NOW.timestamp()))
    entries = [("2023-24/a.csv", taken), ("2023-24/b.csv", taken), ("2023-24/c.xml", NOW)]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema.intake_log),
            [
                {
                    "run_id": f"i{n}",
                    "raw_file": name,
                    "period": "2023/24",
                    "status": "converted",
                    "key_fingerprint": "f" * 16,
                    "loaded_at": at,
                }
                for n, (name, at) in enumerate(entries)
            ],
        )
        assert raw_files_taken_in(conn, raw, NOW - timedelta(days=30)) == [old]
    retention = Retention(raw_days=30)
    with engine.connect() as conn:
        found = plan(conn, retention, tmp_path, raw, Y["2020/21"], NOW)
    done = purge(engine, found, retention, "purge-3", NOW)
    assert [(i.what, i.count) for i in done] == [(RAW_FILES, 1)]
    assert not old.exists() and changed.exists() and fresh.exists() and never.exists()


def test_contract_files_are_the_years_delivered_files_of_the_purged_tables(tmp_path):
    for name in (
        "hclic_main_2021-22_Q1.csv",
        "hclic_main_2021-22_Q4.csv",
        "cin_children_2022-23.csv",
    ):
        (tmp_path / name).write_text("x\n")
    assert sorted(p.name for p in contract_files(tmp_path, Y["2021/22"])) == [
        "hclic_main_2021-22_Q1.csv",
        "hclic_main_2021-22_Q4.csv",
    ]
