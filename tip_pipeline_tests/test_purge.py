"""tip purge end to end: three small years run through the whole graph (the session's
``small_run``, copied), then the records of the middle year purged under TIP_RETAIN_YEARS=1
(the first is the baseline, kept). Its person-level rows and contract files go; youth justice
and the other years stay; its published figures are unchanged and every year's disclosure
audit still passes; the warehouse is consistent; staging or publishing the year again is
refused."""

import shutil

import pytest
import sqlalchemy as sa

from tip_pipeline.cli import main
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish.audit import audit_year
from tip_pipeline.publish.store import publish_year
from tip_pipeline.sources.contracts import tables
from tip_pipeline.validate.source_year import SourceYear
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.consistency import partial_states
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.retention import PurgedYear
from tip_pipeline_tests.conftest import SMALL_RUN_YEARS

pytestmark = pytest.mark.integration

YEARS = SMALL_RUN_YEARS
PURGED = "2024/25"


def _published(conn: sa.Connection, period: str) -> list[tuple]:
    t = schema.published_indicator_values
    kept = [c for c in t.c if c.name not in ("run_id", "published_at", "loaded_at")]
    return conn.execute(sa.select(*kept).where(t.c.period == period).order_by(*kept)).all()


def _count(conn: sa.Connection, table: str, period: str) -> int:
    t = schema.validated_table(table)
    return conn.execute(
        sa.select(sa.func.count()).select_from(t).where(t.c.period == period)
    ).scalar_one()


def test_a_purged_year_keeps_its_figures_and_is_never_run_again(
    small_run_copy, tmp_path, capsys, monkeypatch
):
    data, url = small_run_copy
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    for name in ("TIP_RETAIN_QUARANTINE_DAYS", "TIP_RETAIN_RAW_DAYS", "TIP_RETAIN_RUN_DAYS"):
        monkeypatch.delenv(name, raising=False)
    kept_files = tmp_path / "kept"
    shutil.copytree(data, kept_files)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            before = _published(conn, PURGED)
        assert before

        monkeypatch.setenv("TIP_RETAIN_YEARS", "1")
        capsys.readouterr()
        assert main(["purge", "--warehouse", url, "--data", str(data), "--dry-run"]) == 0
        said = capsys.readouterr().out
        assert f"would purge the records of {PURGED}" in said and "2023/24" in said  # kept
        assert (data / "cin_children_2024-25.csv").exists()
        assert main(["purge", "--warehouse", url, "--data", str(data)]) == 0
        said = capsys.readouterr().out
        assert f"year records restricted.cin_children {PURGED}" in said and "kept: " in said

        with engine.connect() as conn:
            assert _count(conn, "cin_children", PURGED) == 0
            assert _count(conn, "ssda903_episodes", PURGED) == 0
            assert _count(conn, "cin_children", YEARS[0]) > 0  # the baseline
            assert _count(conn, "cin_children", YEARS[2]) > 0
            assert _count(conn, "yjs_outcomes", PURGED) > 0  # read across years
            assert _published(conn, PURGED) == before
            for period in YEARS:
                assert audit_year(conn, period, 5).passed, period
        assert partial_states(engine) == []
        assert not (data / "cin_children_2024-25.csv").exists()
        assert (data / "yjs_outcomes_2024-25.csv").exists()

        # a backfill of the year, its files delivered again, is refused before it writes
        for path in kept_files.glob("*_2024-25*.csv"):
            shutil.copy(path, data / path.name)
        year = FinancialYear.parse(PURGED)
        with pytest.raises(PurgedYear, match="2024/25 was purged"):
            SourceYear(engine, data, tables(source="cin", per_period=True), year, "again").run()
        with pytest.raises(PurgedYear):
            publish_year(engine, PURGED, "again", 5)
        with engine.connect() as conn:
            assert _published(conn, PURGED) == before
    finally:
        engine.dispose()
