"""PostgreSQL roles, with real roles on the test server: a pipeline role without superuser
rights migrates and loads the warehouse; an analyst role reads the published layer and nothing
else. Role and database names are unique per test run, and dropped afterwards."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import (
    create_database,
    drop_database,
    make_engine,
    run_autocommit,
)
from tip_pipeline.warehouse.examples import EXAMPLES
from tip_pipeline.warehouse.migrate import current_revision, upgrade
from tip_pipeline.warehouse.roles import (
    RoleError,
    analyst_sql,
    grant_analyst,
    main,
    pipeline_sql,
    schema_owner,
    setup_pipeline_role,
)
from tip_pipeline.warehouse.views import VIEWS
from tip_pipeline_tests import published as sample
from tip_pipeline_tests.docs import SQLITE_URL, blocks

INSUFFICIENT_PRIVILEGE = "42501"


# -- the SQL, without a server -------------------------------------------------------------


def test_analyst_sql_grants_published_only():
    sql = analyst_sql("tip_analyst", "tip", owner="tip_pipeline")
    grants = [s for s in sql if s.startswith(("GRANT", "ALTER DEFAULT"))]
    assert grants == [
        'GRANT CONNECT ON DATABASE "tip" TO "tip_analyst"',
        'GRANT USAGE ON SCHEMA published TO "tip_analyst"',
        'GRANT SELECT ON ALL TABLES IN SCHEMA published TO "tip_analyst"',
        'ALTER DEFAULT PRIVILEGES FOR ROLE "tip_pipeline" IN SCHEMA published '
        'GRANT SELECT ON TABLES TO "tip_analyst"',
    ]
    assert "NOSUPERUSER NOCREATEDB NOCREATEROLE" in sql[0]
    # the documents' plain names, in this database only
    assert 'ALTER ROLE "tip_analyst" IN DATABASE "tip" SET search_path = published' in sql


def test_pipeline_sql_owns_the_three_schemas_without_superuser():
    sql = "\n".join(pipeline_sql("tip_pipeline", "tip"))
    for layer in ("restricted", "published", "ops"):
        assert f'ALTER SCHEMA {layer} OWNER TO "tip_pipeline"' in sql
    assert 'GRANT CONNECT, CREATE, TEMPORARY ON DATABASE "tip" TO "tip_pipeline"' in sql
    assert "SUPERUSER" not in sql.replace("NOSUPERUSER", "")


@pytest.mark.parametrize("name", ["", "Analyst", 'a"b', "a;drop role postgres", "x" * 64, "1a"])
def test_unsafe_names_are_refused(name: str):
    with pytest.raises(RoleError, match="not a safe"):
        analyst_sql(name, "tip", owner="tip_pipeline")
    with pytest.raises(RoleError, match="not a safe"):
        pipeline_sql(name, "tip")


def test_analyst_cannot_be_the_owner_and_sqlite_has_no_roles(tmp_path):
    with pytest.raises(RoleError, match="cannot be the owner"):
        analyst_sql("tip_pipeline", "tip", owner="tip_pipeline")
    with pytest.raises(RoleError, match="SQLite"):
        setup_pipeline_role(f"sqlite:///{tmp_path}/tip.db", "tip_pipeline")


def test_print_shows_the_sql_without_connecting(capsys: pytest.CaptureFixture[str]):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/tip"  # nothing listens on port 1
    assert main(["pipeline", "--warehouse", url, "--role", "tip_pipeline", "--print"]) == 0
    assert 'ALTER SCHEMA published OWNER TO "tip_pipeline";' in capsys.readouterr().out
    args = ["analyst", "--warehouse", url, "--role", "tip_analyst", "--print"]
    assert main(args) == 1
    assert "--owner" in capsys.readouterr().err
    assert main([*args, "--owner", "tip_pipeline"]) == 0
    assert "GRANT USAGE ON SCHEMA published" in capsys.readouterr().out


# -- real roles on the server ----------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    admin_url: str
    pipeline: str
    analyst: str

    def url_as(self, role: str) -> str:
        """The warehouse's URL, logged in as ``role`` (trust authentication, no password)."""
        url = make_url(self.admin_url).set(username=role, password=None)
        return url.render_as_string(hide_password=False)


@contextmanager
def _roles_warehouse(server_url: str, template: str | None) -> Iterator[Warehouse]:
    """A new database (a copy of ``template``, or empty) and two role names, all unique to
    the test; dropped afterwards (the database first, which takes the roles' objects and
    privileges with it)."""
    suffix = uuid.uuid4().hex[:8]
    database = f"tip_roles_{suffix}"
    names = Warehouse(
        admin_url=create_database(server_url, database, template=template),
        pipeline=f"tip_pipeline_{suffix}",
        analyst=f"tip_analyst_{suffix}",
    )
    try:
        yield names
    finally:
        drop_database(server_url, database)
        run_autocommit(server_url, f'DROP ROLE IF EXISTS "{names.pipeline}"')
        run_autocommit(server_url, f'DROP ROLE IF EXISTS "{names.analyst}"')


@pytest.fixture
def roles_warehouse(postgres_server_url: str) -> Iterator[Warehouse]:
    """An empty database and two role names, unique to this test."""
    with _roles_warehouse(postgres_server_url, None) as wh:
        yield wh


@pytest.fixture
def superuser_warehouse(postgres_server_url: str, _postgres_template: str) -> Iterator[Warehouse]:
    """A warehouse an administrator migrated before any role existed (a copy of the session's
    template, which the superuser migrated: conftest.py) and two role names, unique to this
    test."""
    with _roles_warehouse(postgres_server_url, _postgres_template) as wh:
        yield wh


#: the tests of ``loaded_by_the_pipeline`` run on one worker (``--dist loadgroup``), which
#: makes the warehouse once
LOADED_BY_THE_PIPELINE = pytest.mark.xdist_group("loaded_by_the_pipeline")


@pytest.fixture(scope="module")
def loaded_by_the_pipeline(postgres_server_url: str) -> Iterator[tuple[Warehouse, Engine]]:
    """An empty database whose pipeline role was set up and then migrated and loaded it
    (``_set_up``), and the role's engine: made once for the two tests using it. Neither
    depends on what the other does to it: one reads it and loads the same rows again, the
    other adds an analyst role and tables of its own."""
    with _roles_warehouse(postgres_server_url, None) as wh:
        opened: list[Engine] = []
        try:
            yield wh, _set_up(wh, opened)
        finally:
            for engine in opened:
                engine.dispose()


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    """Engines opened by a test, disposed before the database and roles are dropped."""
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.dispose()


def _engine(engines: list[Engine], url: str) -> Engine:
    engine = make_engine(url, poolclass=NullPool)
    engines.append(engine)
    return engine


def _attributes(engine: Engine, role: str) -> dict[str, bool]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, "
                "rolcanlogin FROM pg_roles WHERE rolname = :r"
            ),
            {"r": role},
        ).one()
    return dict(row._mapping)


def _restricted_rows() -> pd.DataFrame:
    """True figures for restricted.indicator_values (the published sample, unsuppressed: a
    withheld count is 3)."""
    frame = sample.indicator_values()
    frame = frame.drop(columns="suppressed").assign(
        numerator=frame["numerator"].fillna(3).astype("int64"),
        run_id=sample.RUN,
        loaded_at=sample.NOW,
    )
    frame["denominator"] = frame["denominator"].astype("Int64")
    return frame


def _set_up(wh: Warehouse, engines: list[Engine]) -> Engine:
    """Pipeline role set up, warehouse migrated and loaded by it; its engine."""
    setup_pipeline_role(wh.admin_url, wh.pipeline)
    upgrade(wh.url_as(wh.pipeline))
    pipeline = _engine(engines, wh.url_as(wh.pipeline))
    sample.fill_published(pipeline)
    with pipeline.begin() as conn:
        replace_rows(conn, schema.indicator_values, _restricted_rows(), {})
    return pipeline


def _denied(engine: Engine, sql: str) -> None:
    """``sql`` fails with PostgreSQL's insufficient_privilege (42501), in its own transaction."""
    with pytest.raises(exc.DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql))
    assert caught.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE, (sql, caught.value.orig)


@pytest.mark.postgres
@LOADED_BY_THE_PIPELINE
def test_pipeline_role_migrates_and_loads_without_superuser(
    loaded_by_the_pipeline: tuple[Warehouse, Engine], engines: list[Engine]
):
    wh, pipeline = loaded_by_the_pipeline
    admin = _engine(engines, wh.admin_url)

    assert _attributes(admin, wh.pipeline) == {
        "rolsuper": False,
        "rolcreatedb": False,
        "rolcreaterole": False,
        "rolreplication": False,
        "rolbypassrls": False,
        "rolcanlogin": True,
    }
    assert current_revision(pipeline) is not None
    assert schema_owner(wh.admin_url) == wh.pipeline
    with pipeline.connect() as conn:
        me = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        assert me.scalar() is False
        owners = conn.execute(
            text(
                "SELECT DISTINCT tableowner FROM pg_tables "
                "WHERE schemaname IN ('restricted', 'published', 'ops')"
            )
        ).scalars()
        assert set(owners) == {wh.pipeline}
        published = conn.execute(text("SELECT count(*) FROM published.indicator_values"))
        assert published.scalar() == len(sample.indicator_values())
        restricted = conn.execute(text("SELECT sum(numerator) FROM restricted.indicator_values"))
        assert restricted.scalar() == sample.indicator_values()["numerator"].fillna(3).sum()
    # a rerun of a load replaces, as the pipeline does every night
    with pipeline.begin() as conn:
        assert replace_rows(conn, schema.indicator_values, _restricted_rows(), {}) == len(
            sample.indicator_values()
        )


@pytest.mark.postgres
def test_pipeline_role_takes_over_a_warehouse_made_by_a_superuser(
    superuser_warehouse: Warehouse, engines: list[Engine]
):
    wh = superuser_warehouse
    setup_pipeline_role(wh.admin_url, wh.pipeline)
    pipeline = _engine(engines, wh.url_as(wh.pipeline))
    sample.fill_published(pipeline)  # replace_rows deletes and COPYs: the tables are its own now
    with pipeline.connect() as conn:
        views = conn.execute(
            text("SELECT DISTINCT viewowner FROM pg_views WHERE schemaname = 'published'")
        ).scalars()
        assert set(views) == {wh.pipeline}


@pytest.mark.postgres
@LOADED_BY_THE_PIPELINE
def test_analyst_reads_published_and_nothing_else(
    loaded_by_the_pipeline: tuple[Warehouse, Engine], engines: list[Engine]
):
    wh, pipeline = loaded_by_the_pipeline
    grant_analyst(wh.admin_url, wh.analyst)
    grant_analyst(wh.admin_url, wh.analyst)  # idempotent
    admin = _engine(engines, wh.admin_url)
    assert not any(v for k, v in _attributes(admin, wh.analyst).items() if k != "rolcanlogin")
    analyst = _engine(engines, wh.url_as(wh.analyst))

    published = [t for t in schema.metadata.tables.values() if t.schema == "published"]
    with analyst.connect() as conn:
        for table in published:
            conn.execute(text(f"SELECT count(*) FROM {table.fullname}")).scalar()
        for view in VIEWS:
            conn.execute(text(f"SELECT count(*) FROM published.{view}")).scalar()
        rows = EXAMPLES["trend"].run(conn)
    assert [r[0] for r in rows] == list(sample.PERIODS)  # every year of the sample

    hidden = [t.fullname for t in schema.metadata.tables.values() if t.schema != "published"]
    for name in [*hidden, "ops.alembic_version"]:
        _denied(analyst, f"SELECT * FROM {name} LIMIT 1")
    _denied(analyst, "INSERT INTO published.data_quality (period, source, table_name, rule_id, "
                     "rule_text, rows_read, rows_quarantined, run_id, loaded_at) VALUES "
                     "('2023/24', 'cin', 't', 'r', 'x', 1, 0, 'x', now())")  # fmt: skip
    _denied(analyst, "UPDATE published.indicator_values SET value = 0")
    _denied(analyst, "DELETE FROM published.dim_area")
    _denied(analyst, "TRUNCATE published.dim_area")
    _denied(analyst, "CREATE TABLE published.mine (x integer)")
    _denied(analyst, "CREATE VIEW published.mine AS SELECT 1 AS x")
    _denied(analyst, "DROP VIEW published.ward_profile")
    _denied(analyst, "ALTER TABLE published.dim_area ADD COLUMN x integer")
    _denied(analyst, "CREATE TABLE restricted.mine (x integer)")
    _denied(analyst, "INSERT INTO restricted.indicator_values (indicator_id) VALUES ('x')")

    # tables the pipeline creates later: readable in published, never in restricted
    with pipeline.begin() as conn:
        conn.execute(text("CREATE TABLE published.future_table (x integer)"))
        conn.execute(text("INSERT INTO published.future_table VALUES (1)"))
        conn.execute(text("CREATE TABLE restricted.future_table (x integer)"))
    with analyst.connect() as conn:
        assert conn.execute(text("SELECT x FROM published.future_table")).scalar() == 1
    _denied(analyst, "SELECT x FROM restricted.future_table")
    _denied(analyst, "INSERT INTO published.future_table VALUES (2)")


@pytest.mark.postgres
@LOADED_BY_THE_PIPELINE
def test_analyst_runs_the_documented_queries_as_written(
    loaded_by_the_pipeline: tuple[Warehouse, Engine], engines: list[Engine], tmp_path
):
    """Every query of README.md and warehouse/README.md that is not SQLite's (``ATTACH``) runs
    pasted as written through a plain connection: the published ones as the analyst role, by
    the plain names its ``search_path`` resolves, with rows; those of the ops layer as the
    pipeline role. The Python examples run with the analyst's URL in place of SQLite's."""
    wh, _ = loaded_by_the_pipeline
    grant_analyst(wh.admin_url, wh.analyst)
    analyst = create_engine(wh.url_as(wh.analyst), poolclass=NullPool)
    pipeline = create_engine(wh.url_as(wh.pipeline), poolclass=NullPool)
    engines += [analyst, pipeline]
    sql = [block for block in blocks("sql") if not block.sqlite_only]
    with analyst.connect() as conn:
        assert conn.execute(text("SHOW search_path")).scalar() == "published"
        for statement in (s for b in sql if not b.other_layers for s in b.statements()):
            assert conn.execute(text(statement)).all(), statement
    with pipeline.connect() as conn:
        for statement in (s for b in sql if b.other_layers for s in b.statements()):
            conn.execute(text(statement)).all()
    assert len(pd.read_sql_table("indicator_values", analyst)) == len(sample.indicator_values())
    for block in blocks("python"):
        if block.sqlite_only:
            continue
        code = block.code.replace(SQLITE_URL, wh.url_as(wh.analyst))
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr.splitlines()[-1:]


@pytest.mark.postgres
def test_an_administrator_role_is_never_reused(
    superuser_warehouse: Warehouse, engines: list[Engine]
):
    """Neither command gives an existing superuser's name the role: the warehouse stays the
    pipeline role's (here one it took over)."""
    wh = superuser_warehouse
    setup_pipeline_role(wh.admin_url, wh.pipeline)
    admin = _engine(engines, wh.admin_url)
    superuser = make_url(wh.admin_url).username
    with pytest.raises(exc.DBAPIError, match="administrator rights"):
        grant_analyst(wh.admin_url, superuser, owner=wh.pipeline)
    with pytest.raises(exc.DBAPIError, match="administrator rights"):
        setup_pipeline_role(wh.admin_url, superuser)
    assert _attributes(admin, superuser)["rolsuper"] is True
    assert schema_owner(wh.admin_url) == wh.pipeline


@pytest.mark.postgres
def test_the_command_sets_up_both_roles(
    roles_warehouse: Warehouse, engines: list[Engine], capsys: pytest.CaptureFixture[str]
):
    wh = roles_warehouse
    assert main(["pipeline", "--warehouse", wh.admin_url, "--role", wh.pipeline]) == 0
    upgrade(wh.url_as(wh.pipeline))
    assert main(["analyst", "--warehouse", wh.admin_url, "--role", wh.analyst]) == 0
    assert f"analyst role {wh.analyst} set up" in capsys.readouterr().out
    analyst = _engine(engines, wh.url_as(wh.analyst))
    with analyst.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM published.dim_area")).scalar() == 0
    _denied(analyst, "SELECT count(*) FROM ops.runs")
