from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from tip_pipeline.warehouse.engine import (
    MIGRATION_SCOPE,
    ensure_schemas,
    make_engine,
    sqlite_layer_paths,
    write_transaction,
)
from tip_pipeline.warehouse.layers import LAYERS
from tip_pipeline.warehouse.migrate import (
    URL_ENV,
    alembic_config,
    context_options,
    current_revision,
    upgrade,
)
from tip_pipeline.warehouse.schema import metadata

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _diff(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=context_options(conn.dialect.name))
        return compare_metadata(context, metadata)


def _tables(engine: Engine) -> set[str]:
    inspector = inspect(engine)
    return {f"{layer}.{name}" for layer in LAYERS for name in inspector.get_table_names(layer)}


def _expected_tables() -> set[str]:
    return {*metadata.tables, "ops.alembic_version"}


def test_upgrade_empty_sqlite(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    assert current_revision(engine) == HEAD
    assert _tables(engine) == _expected_tables()
    assert _diff(engine) == []
    upgrade(engine)  # at head already: a no-op
    assert current_revision(engine) == HEAD
    engine.dispose()


def test_sqlite_files_hold_only_their_layer(migrated_sqlite_url: str) -> None:
    """The file analysts open holds published tables only; alembic_version is in ops (in the
    files the migrations made: the session's migrated copy)."""
    for layer, path in sqlite_layer_paths(migrated_sqlite_url).items():
        with sqlite3.connect(path) as conn:
            names = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        conn.close()
        assert {f"{layer}.{n}" for n in names} == {
            t for t in _expected_tables() if t.startswith(f"{layer}.")
        }


@pytest.mark.postgres
def test_upgrade_empty_postgres(postgres_url: str) -> None:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    assert current_revision(engine) == HEAD
    assert _tables(engine) == _expected_tables()
    assert inspect(engine).get_table_names("public") == []
    assert _diff(engine) == []
    engine.dispose()


@pytest.mark.postgres
def test_upgrade_waits_for_another_migration_of_the_warehouse(postgres_url: str) -> None:
    """Two processes migrating a new warehouse at once (two `tip run` started together) take
    turns: while another holds the migration lock, upgrade waits, then finds the schemas it
    created. Without the lock the second failed on a unique key of PostgreSQL's catalogue
    (here pg_namespace's, at CREATE SCHEMA; in two whole runs pg_type's, at CREATE TABLE)."""
    engine = make_engine(postgres_url)
    errors: list[Exception] = []

    def migrate() -> None:
        try:
            upgrade(postgres_url)
        except Exception as error:  # reported by the assertion below
            errors.append(error)

    try:
        with write_transaction(engine, MIGRATION_SCOPE) as conn:  # another process migrating
            ensure_schemas(conn)  # its first DDL, committed below
            waiting = threading.Thread(target=migrate)
            waiting.start()
            waiting.join(2.0)
            assert waiting.is_alive()  # upgrade waits
        waiting.join(60)
        assert not waiting.is_alive() and errors == []
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_alembic_from_a_shell_waits_for_another_migration(postgres_url: str) -> None:
    """`alembic upgrade head` typed in a shell takes the same lock as `upgrade()`: while a run
    holds it, the command waits (PostgreSQL shows it waiting on an advisory lock), then
    migrates once the lock is released."""
    engine = make_engine(postgres_url)
    env = {**os.environ, URL_ENV: postgres_url}
    command_line = [sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"]
    try:
        with write_transaction(engine, MIGRATION_SCOPE) as conn:  # a run migrating
            ensure_schemas(conn)
            shell = subprocess.Popen(
                command_line, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            assert _waits_on_an_advisory_lock(engine, deadline=time.monotonic() + 60)
            assert shell.poll() is None
        _, stderr = shell.communicate(timeout=120)
        assert shell.returncode == 0, stderr.decode()
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def _waits_on_an_advisory_lock(engine: Engine, deadline: float) -> bool:
    """Whether another session of this database comes to wait on an advisory lock."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query).scalar_one() > 0:
                return True
        time.sleep(0.2)
    return False


def test_an_empty_warehouse_differs_from_the_metadata(warehouse_url: str) -> None:
    """The comparison is not vacuous: before upgrading, every table is missing."""
    engine = make_engine(warehouse_url)
    assert current_revision(engine) is None
    added = {op[1].fullname for op in _diff(engine) if op[0] == "add_table"}
    assert added == set(metadata.tables)
    engine.dispose()


def test_downgrade_to_base_and_back(migrated_sqlite_url: str) -> None:
    """From head (the session's migrated copy) down to base, then up again to head."""
    upgrade_engine = make_engine(migrated_sqlite_url)
    config = alembic_config(migrated_sqlite_url)
    command.downgrade(config, "base")
    assert _tables(upgrade_engine) == {"ops.alembic_version"}
    upgrade(upgrade_engine)
    assert _diff(upgrade_engine) == []
    upgrade_engine.dispose()


def test_alembic_cli_upgrades_an_empty_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli' / 'tip.db'}"
    env = {**os.environ, URL_ENV: url}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    assert current_revision(engine) == HEAD
    assert _diff(engine) == []
    engine.dispose()


def test_views_have_the_declared_columns(warehouse: Engine) -> None:
    """The migrations hold their own copy of each view's SQL; it must still give the columns
    that tip_pipeline.warehouse.views declares (and the data dictionary documents). The views
    are those the migrations made: ``warehouse`` is a copy of the session's migrated
    template."""
    from sqlalchemy import text

    from tip_pipeline.warehouse.views import VIEWS

    assert set(inspect(warehouse).get_view_names("published")) == set(VIEWS)
    with warehouse.connect() as conn:
        for view in VIEWS.values():
            result = conn.execute(text(f"SELECT * FROM published.{view.name} WHERE 1 = 0"))
            assert list(result.keys()) == list(view.columns), view.name


def test_the_migrated_fixture_is_at_head_and_empty(warehouse: Engine) -> None:
    """``warehouse`` is a copy of a template migrated once per session (conftest.py): the copy
    must be what upgrading gives, and hold no rows whatever other tests wrote to theirs."""
    from sqlalchemy import func, select

    assert current_revision(warehouse) == HEAD
    assert _tables(warehouse) == _expected_tables()
    assert _diff(warehouse) == []
    with warehouse.connect() as conn:
        for table in metadata.tables.values():
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0, table


@pytest.mark.postgres
def test_a_copy_is_used_again_only_emptied_and_unchanged(
    postgres_server_url: str, migrated_postgres_url: str, _postgres_spare: tuple[str, list[str]]
) -> None:
    """A PostgreSQL copy in which a test wrote rows is emptied for the next test (the check
    ``migrated_postgres_url`` makes afterwards: tip_pipeline_tests/recycled.py); one whose
    catalogue changed (a view added) is not used again."""
    from sqlalchemy import func, select, text

    from tip_pipeline_tests import recycled
    from tip_pipeline_tests.published import fill_published

    expected, _ = _postgres_spare
    name = make_url(migrated_postgres_url).database
    engine = make_engine(migrated_postgres_url)
    try:
        fill_published(engine)
        assert recycled.emptied(postgres_server_url, name, migrated_postgres_url, expected)
        assert current_revision(engine) == HEAD
        with engine.connect() as conn:
            for table in metadata.tables.values():
                assert conn.execute(select(func.count()).select_from(table)).scalar() == 0, table
        with engine.begin() as conn:
            conn.execute(text("CREATE VIEW published.extra AS SELECT 1 AS x"))
        assert not recycled.emptied(postgres_server_url, name, migrated_postgres_url, expected)
    finally:
        engine.dispose()
