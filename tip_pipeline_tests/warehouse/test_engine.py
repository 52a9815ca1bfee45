from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import exc, text

from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import (
    ADVISORY_LOCK_NAMESPACE,
    CheckpointIncomplete,
    WarehouseNotFound,
    checkpoint,
    ensure_schemas,
    make_engine,
    missing_layer_files,
    normalise_url,
    redact_url,
    require_existing,
    sqlite_layer_paths,
    write_transaction,
)
from tip_pipeline.warehouse.layers import LAYERS
from tip_pipeline.warehouse.schema import data_quality


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u:p@h:5432/db",
        "postgresql+psycopg://u:p@h:5432/db",
        "postgres://u:p@h:5432/db",
    ],
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    assert normalise_url(url).drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg2://h/db", "mysql://h/db", "sqlite://", "sqlite:///:memory:"]
)
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        normalise_url(url)


def test_redacted_url_hides_the_password() -> None:
    assert "secret" not in redact_url("postgresql://u:secret@h/db")


def test_sqlite_layer_paths_are_siblings(tmp_path: Path) -> None:
    paths = sqlite_layer_paths(f"sqlite:///{tmp_path}/wh/tip.db")
    assert paths == {
        "restricted": tmp_path / "wh" / "tip.restricted.db",
        "published": tmp_path / "wh" / "tip.db",
        "ops": tmp_path / "wh" / "tip.ops.db",
    }


def test_a_missing_warehouse_is_named_and_left_uncreated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/wh/tip.db"
    with pytest.raises(WarehouseNotFound) as refused:
        require_existing(url)
    assert str(refused.value) == (
        f"no warehouse at {url}: tip.db, tip.restricted.db, tip.ops.db missing in {tmp_path}/wh "
        "(give the --warehouse of an existing one, or make it with tip run)"
    )
    assert not (tmp_path / "wh").exists()
    make_engine(url).dispose()
    (tmp_path / "wh" / "tip.ops.db").unlink()
    assert missing_layer_files(url) == [tmp_path / "wh" / "tip.ops.db"]
    with pytest.raises(WarehouseNotFound, match=r"tip\.ops\.db missing"):
        require_existing(url)
    (tmp_path / "wh" / "tip.ops.db").touch()
    require_existing(url)
    assert missing_layer_files("postgresql+psycopg://tip@db:5432/tip") == []


def _rows_in_a_copy_of_tip_db_alone(url: str, folder: Path) -> int | None:
    """Rows of published.t in a copy of tip.db made without its -wal (None: no such table)."""
    folder.mkdir()
    shutil.copy(sqlite_layer_paths(url)["published"], folder / "tip.db")
    conn = sqlite3.connect(folder / "tip.db")
    try:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()


def test_checkpoint_leaves_tip_db_complete_without_its_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/wh/tip.db"
    engine = make_engine(url)  # kept open, as the Dagster resource keeps its engine
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE published.t (x integer)"))
            conn.execute(text("INSERT INTO published.t VALUES (1), (2), (3)"))
        assert _rows_in_a_copy_of_tip_db_alone(url, tmp_path / "before") is None  # in the -wal
        assert checkpoint(url) == list(sqlite_layer_paths(url).values())
        assert (tmp_path / "wh" / "tip.db-wal").stat().st_size == 0
        assert _rows_in_a_copy_of_tip_db_alone(url, tmp_path / "after") == 3
    finally:
        engine.dispose()
    assert checkpoint("postgresql+psycopg://tip@db:5432/tip") == []


def test_a_busy_checkpoint_names_the_layer_and_its_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/tip.db"
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE published.t (x integer)"))
        with engine.connect() as reader:
            reader.execute(text("SELECT count(*) FROM published.t")).scalar()  # holds a snapshot
            with pytest.raises(CheckpointIncomplete, match=r"\(tip\.db\) was busy: .*tip\.db-wal"):
                checkpoint(url, timeout_s=0.1)
    finally:
        engine.dispose()


def test_relative_sqlite_path_is_from_the_cwd(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_layer_paths("sqlite:///warehouse/tip.db")["ops"] == (
        tmp_path / "warehouse" / "tip.ops.db"
    )


def _create_layer_tables(conn) -> None:
    for layer in LAYERS:
        conn.exec_driver_sql(f"CREATE TABLE {layer}.t (k INTEGER PRIMARY KEY, v TEXT)")


def _count_rows(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {layer: conn.scalar(text(f"SELECT count(*) FROM {layer}.t")) for layer in LAYERS}


def test_sqlite_engine_creates_the_three_files(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        attached = {row[1]: Path(row[2]) for row in conn.exec_driver_sql("PRAGMA database_list")}
    engine.dispose()
    paths = sqlite_layer_paths(sqlite_url)
    assert all(path.is_file() for path in paths.values())
    assert {layer: attached[layer] for layer in LAYERS} == paths
    assert attached["main"] == paths["published"]


def test_sqlite_files_are_wal_with_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        modes = {s: conn.exec_driver_sql(f"PRAGMA {s}.journal_mode").scalar() for s in LAYERS}
        assert modes == dict.fromkeys(LAYERS, "wal")
        assert conn.exec_driver_sql("PRAGMA main.journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_one_transaction_across_the_three_files(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        _create_layer_tables(conn)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        for layer in LAYERS:
            conn.execute(text(f"INSERT INTO {layer}.t VALUES (1, :v)"), {"v": layer})
        raise RuntimeError("fail after writing every file")
    assert _count_rows(engine) == dict.fromkeys(LAYERS, 0)
    with engine.begin() as conn:
        for layer in LAYERS:
            conn.execute(text(f"INSERT INTO {layer}.t VALUES (1, :v)"), {"v": layer})
    with engine.connect() as conn:
        joined = conn.execute(
            text(
                "SELECT p.v, o.v, r.v FROM published.t p JOIN ops.t o USING (k) "
                "JOIN restricted.t r USING (k)"
            )
        ).one()
    assert tuple(joined) == ("published", "ops", "restricted")
    engine.dispose()


def test_ddl_and_savepoints_are_transactional_on_sqlite(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ops.gone (x INTEGER)")
        raise RuntimeError
    with engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT name FROM ops.sqlite_master").all() == []
        _create_layer_tables(conn)
        conn.exec_driver_sql("INSERT INTO ops.t VALUES (1, 'kept')")
        savepoint = conn.begin_nested()
        conn.exec_driver_sql("INSERT INTO ops.t VALUES (2, 'rolled back')")
        savepoint.rollback()
    assert _count_rows(engine)["ops"] == 1
    engine.dispose()


def test_main_file_is_written_only_through_published(sqlite_url: str) -> None:
    """A write through ``main`` would wait on its own lock; it is refused at once instead."""
    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        _create_layer_tables(conn)
    started = time.monotonic()
    with pytest.raises(exc.DatabaseError, match="not authorized"), engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO published.t VALUES (1, 'ok')")
        conn.exec_driver_sql("INSERT INTO main.t VALUES (2, 'refused')")
    assert time.monotonic() - started < 5
    assert _count_rows(engine)["published"] == 0
    with engine.connect() as conn:  # reading through main is fine
        assert conn.exec_driver_sql("SELECT count(*) FROM main.t").scalar() == 0
    engine.dispose()


def test_readers_see_only_committed_rows(sqlite_url: str) -> None:
    writer_engine, reader_engine = make_engine(sqlite_url), make_engine(sqlite_url)
    with writer_engine.begin() as conn:
        _create_layer_tables(conn)
    with writer_engine.begin() as writer:
        writer.exec_driver_sql("INSERT INTO published.t VALUES (1, 'x')")
        with reader_engine.connect() as reader:  # WAL: not blocked by the open write
            assert reader.exec_driver_sql("SELECT count(*) FROM published.t").scalar() == 0
    assert _count_rows(reader_engine)["published"] == 1
    writer_engine.dispose()
    reader_engine.dispose()


def test_ensure_schemas_refuses_a_bare_sqlite_engine(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    with pytest.raises(RuntimeError, match="attached"):
        ensure_schemas(create_engine(f"sqlite:///{tmp_path}/bare.db"))


@pytest.mark.postgres
def test_postgres_schemas_and_cross_schema_transaction(postgres_url: str) -> None:
    engine = make_engine(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    assert engine.dialect.driver == "psycopg"
    ensure_schemas(engine)
    ensure_schemas(engine)  # idempotent
    with engine.begin() as conn:
        _create_layer_tables(conn)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        for layer in LAYERS:
            conn.execute(text(f"INSERT INTO {layer}.t VALUES (1, 'x')"))
        raise RuntimeError
    assert _count_rows(engine) == dict.fromkeys(LAYERS, 0)
    engine.dispose()


@pytest.mark.parametrize(
    "url_fixture", ["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)]
)
def test_a_failed_statement_never_repeats_its_bound_values(url_fixture, request) -> None:
    """SQLAlchemy's error text names the statement but not the values bound to it (they are
    a person's values in the restricted layer): the engine hides parameters."""
    engine = make_engine(request.getfixturevalue(url_fixture))
    planted = "Abigail Hollins 1 Example Street"
    try:
        with pytest.raises(exc.DBAPIError) as raised, engine.begin() as conn:
            conn.execute(
                text("INSERT INTO published.no_such_table (a) VALUES (:v)"), {"v": planted}
            )
    finally:
        engine.dispose()
    assert "SQL parameters hidden" in str(raised.value)
    assert planted not in str(raised.value)


def _quality_rows(run_id: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2023/24"],
            "source": ["cin"],
            "table_name": ["cin_children"],
            "rule_id": ["cin_children.unique_key"],
            "rule_text": ["one row per child"],
            "rows_read": [10],
            "rows_quarantined": [0],
            "run_id": [run_id],
            "loaded_at": [pd.Timestamp("2026-12-02", tz="UTC")],
        }
    )


def _until_a_session_waits_on_a_lock(engine, within: float = 30.0) -> None:
    """Return once another session of the database waits on a lock (a row, a transaction or an
    advisory lock), or after ``within`` seconds (the caller's checks then fail)."""
    deadline = time.monotonic() + within
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as conn:
        while not conn.execute(waiting).scalar() and time.monotonic() < deadline:
            conn.rollback()  # a new snapshot of pg_stat_activity
            time.sleep(0.02)


def _replace_in_turns(engine, locked: bool) -> dict[str, BaseException | None]:
    """Two runs replace the same year's rows at once: the first holds its transaction open
    after writing, until the second, started meanwhile, waits on it."""
    errors: dict[str, BaseException | None] = {}
    started = threading.Event()

    def run(run_id: str, first: bool) -> None:
        try:
            opened = write_transaction(engine, "2023/24") if locked else engine.begin()
            with opened as conn:
                replace_rows(conn, data_quality, _quality_rows(run_id), {"period": "2023/24"})
                started.set()
                if first:
                    _until_a_session_waits_on_a_lock(engine)
            errors[run_id] = None
        except Exception as error:  # the unlocked control fails here
            errors[run_id] = error

    first = threading.Thread(target=run, args=("first", True))
    first.start()
    started.wait(10)
    second = threading.Thread(target=run, args=("second", False))
    second.start()
    first.join()
    second.join()
    return errors


@pytest.mark.postgres
def test_two_writers_of_the_same_year_take_turns_on_postgresql(migrated_postgres_url):
    """With write_transaction the second run waits for the first and replaces its rows; with a
    plain transaction (the control) its insert meets the first run's row: a unique violation."""
    engine = make_engine(migrated_postgres_url)
    try:
        control = _replace_in_turns(engine, locked=False)
        assert isinstance(control["second"], exc.IntegrityError)
        assert _replace_in_turns(engine, locked=True) == {"first": None, "second": None}
        with engine.connect() as conn:
            runs = conn.execute(text("SELECT run_id FROM published.data_quality")).scalars()
            assert list(runs) == ["second"]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_writers_of_different_years_do_not_wait_for_each_other(migrated_postgres_url):
    engine = make_engine(migrated_postgres_url)
    try:
        with write_transaction(engine, "2023/24"):
            other = engine.connect()
            try:
                with other.begin():
                    other.execute(text("SET LOCAL lock_timeout = '2s'"))
                    taken = text("SELECT pg_try_advisory_xact_lock(:n, hashtext(:scope))")
                    args = {"n": ADVISORY_LOCK_NAMESPACE}
                    assert other.execute(taken, {**args, "scope": "2024/25"}).scalar()
                    assert not other.execute(taken, {**args, "scope": "2023/24"}).scalar()
            finally:
                other.close()
    finally:
        engine.dispose()


def test_new_sqlite_layer_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    """All three files, and the WAL and shared-memory files SQLite makes beside them, whatever
    the umask (a permissive one is set for the test)."""
    url = f"sqlite:///{tmp_path / 'wh' / 'tip.db'}"
    previous = os.umask(0o002)
    try:
        engine = make_engine(url)
        with engine.begin() as conn:
            for layer in LAYERS:
                conn.execute(text(f"CREATE TABLE {layer}.t (x INTEGER)"))
                conn.execute(text(f"INSERT INTO {layer}.t VALUES (1)"))
        files = sorted((tmp_path / "wh").iterdir())
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
        engine.dispose()
    finally:
        os.umask(previous)
    assert {name for name in modes if name.endswith(".db")} == {
        path.name for path in sqlite_layer_paths(url).values()
    }
    assert any(name.endswith("-wal") for name in modes)
    assert set(modes.values()) == {0o600}, modes


def test_an_existing_layer_file_keeps_its_mode(tmp_path: Path) -> None:
    """An operator who opened the published file to analysts on purpose keeps that choice."""
    url = f"sqlite:///{tmp_path / 'tip.db'}"
    published = sqlite_layer_paths(url)["published"]
    published.touch(mode=0o644)
    published.chmod(0o644)
    make_engine(url).dispose()
    assert stat.S_IMODE(published.stat().st_mode) == 0o644
