"""tip erase end to end: three small years run through the whole graph (the session's
``small_run``, copied); a child first known in the second year, and in the third, erased. Its
rows are gone from every layer, every file's records still add up, both years are run again
from their files and published (their audits passing): staging refuses the child's rows and
counts them, so that the same files delivered again do not bring the child back."""

import pytest
import sqlalchemy as sa

from tip_pipeline.cli import main
from tip_pipeline.publish.audit import audit_year
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.consistency import partial_states
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.erasure import REFUSED, person_columns, person_tables
from tip_pipeline_tests.conftest import SMALL_RUN_YEARS

pytestmark = pytest.mark.integration

#: the years the erased child is in: the last two of the run
YEARS = SMALL_RUN_YEARS[1:]


def _held(conn: sa.Connection, pseudonym: str) -> int:
    """Rows anywhere in the restricted layer and the quarantine holding ``pseudonym``."""
    found = 0
    for table in person_tables():
        for t in (schema.staging_table(table), schema.validated_table(table)):
            where = sa.or_(*(t.c[c] == pseudonym for c in person_columns(table)))
            found += conn.execute(sa.select(sa.func.count()).select_from(t).where(where)).scalar()
    q = schema.quarantine
    where = sa.or_(q.c.child_id == pseudonym, q.c.record.contains(pseudonym))
    return found + conn.execute(sa.select(sa.func.count()).select_from(q).where(where)).scalar()


def _publishing_runs(conn: sa.Connection) -> dict[str, str]:
    t = schema.published_indicator_values
    return dict(conn.execute(sa.select(t.c.period, t.c.run_id).distinct()).all())


def test_an_erased_child_is_gone_republished_and_stays_out(
    small_run_copy, tmp_path, capsys, monkeypatch
):
    data, url = small_run_copy
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("TIP_REPORT_DIR", str(tmp_path / "reports"))
    engine = make_engine(url)
    try:
        t = schema.validated_table("cin_children")
        with engine.connect() as conn:
            child = conn.execute(
                sa.select(t.c.la_child_id)
                .group_by(t.c.la_child_id)
                .having(sa.func.min(t.c.period) == YEARS[0])
                .having(sa.func.count(sa.distinct(t.c.period)) == 2)
                .order_by(t.c.la_child_id)
                .limit(1)
            ).scalar_one()
            before = _publishing_runs(conn)
            assert _held(conn, child) >= 2
        request = tmp_path / "erase.txt"
        request.write_text(f"# request 1\n{child}\n")
        capsys.readouterr()
        assert main(["erase", "--warehouse", url, "--data", str(data), "--from", str(request)]) == 0
        said = capsys.readouterr().out
        assert (
            "of 1 children from 2 years" in said
            and "run again and published: 2024/25, 2025/26" in said
        )
        assert child not in said
        with engine.connect() as conn:
            assert _held(conn, child) == 0
            after = _publishing_runs(conn)
            assert all(after[y] != before[y] for y in YEARS)
            assert after[SMALL_RUN_YEARS[0]] == before[SMALL_RUN_YEARS[0]]  # not run again
            for year in YEARS:
                assert audit_year(conn, year, 5).passed
        assert partial_states(engine) == []

        # the years were staged again from the same files: the child's rows were refused
        with engine.connect() as conn:
            e = schema.erasures
            refused = conn.execute(
                sa.select(sa.func.count(sa.distinct(e.c.period))).where(e.c.layer == REFUSED)
            ).scalar()
        assert refused == 2
    finally:
        engine.dispose()
