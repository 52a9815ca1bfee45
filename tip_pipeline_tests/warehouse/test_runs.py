"""ops.runs records who ran each run: the operating-system account, and the database role on
PostgreSQL."""

import getpass
from datetime import UTC, datetime

import sqlalchemy as sa

from tip_pipeline.warehouse import runs, schema
from tip_pipeline.warehouse.engine import make_engine

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def test_a_run_records_its_account_and_role(migrated_warehouse_url):
    engine = make_engine(migrated_warehouse_url)
    try:
        with engine.begin() as conn:
            runs.record_run(conn, "r1", "tip run", NOW)
        with engine.connect() as conn:
            row = conn.execute(sa.select(schema.runs)).mappings().one()
            postgres = conn.dialect.name == "postgresql"
            role = conn.execute(sa.text("SELECT current_user")).scalar_one() if postgres else None
    finally:
        engine.dispose()
    assert row["run_by"] == getpass.getuser()
    assert row["database_role"] == role
    assert row["job"] == "tip run" and row["code_version"]


def test_an_account_with_no_name_is_recorded_as_unknown(monkeypatch):
    def nameless():
        raise KeyError("getpwuid(): uid not found: 1000")

    monkeypatch.setattr(getpass, "getuser", nameless)
    assert runs.os_account() is None
