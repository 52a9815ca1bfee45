"""One way to open the warehouse, on PostgreSQL or SQLite, so that the same SQL runs on both.

PostgreSQL
    The three layers are schemas of one database. ``postgresql://`` and
    ``postgresql+psycopg://`` URLs are both accepted and use the psycopg 3 driver (the only
    PostgreSQL driver the project installs); ``ensure_schemas`` creates the schemas.

SQLite: why three files
    SQLite has no schemas, but it can ATTACH other database files under a name, and
    ``name.table`` then means a table of that file. The URL names the file analysts open
    (``warehouse/tip.db``); it holds only the published layer, so handing it out cannot leak
    person-level rows. ``restricted`` and ``ops`` live in sibling files (``tip.restricted.db``,
    ``tip.ops.db``) that stay with the pipeline. Every pooled connection attaches them, and
    attaches the main file a second time under the name ``published``, so that
    ``SELECT ... FROM published.x JOIN ops.y`` means the same on both backends.

    What the double attachment implies (each checked in test_engine.py):

    - SQLite opens the file twice (two pagers). Writes must go through ``published``, never
      through ``main``: a transaction that wrote through one pager and then writes through the
      other waits on its own lock until the busy timeout. A SQLite authorizer on every
      connection therefore refuses any write to ``main`` at once ("not authorized") instead of
      letting it hang. Reads through ``main`` are allowed, but inside a transaction they do not
      see that transaction's own uncommitted ``published`` writes: name the schema.
    - Transactions start with a deferred ``BEGIN``, never ``BEGIN IMMEDIATE``/``EXCLUSIVE``,
      which take the write lock of every attached file, hence twice on the main file.
    - A transaction spanning several files commits or rolls back as a whole while the process
      lives; in WAL mode a crash in the middle of COMMIT may leave one file committed and
      another not (SQLite's documented limit for multi-file WAL transactions). Loads are
      idempotent (``bulk.replace_rows``), so a rerun repairs it.

    Every file is in WAL mode (readers never block the writer, and the other way round), with
    ``synchronous=NORMAL`` (WAL's recommended setting: a power cut can lose the last commits,
    never corrupt; the warehouse can be rebuilt from the deliveries), a busy timeout, and
    foreign keys on. Python 3.11's sqlite3 module begins transactions only before DML and
    commits DDL on its own, so it is switched off (``isolation_level = None``) and SQLAlchemy
    emits BEGIN itself: the recipe in SQLAlchemy's SQLite dialect documentation
    ("Enabling Non-Legacy SQLite Transactional Modes"), which makes DDL transactional and
    SAVEPOINTs work.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateSchema

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.warehouse.layers import LAYERS, OPS, PUBLISHED, RESTRICTED

#: seconds a connection waits for another's write lock before failing (SQLite)
BUSY_TIMEOUT_S: Final = 30.0

_POSTGRES_DRIVERS: Final = frozenset({"postgresql", "postgresql+psycopg", "postgres"})
_SQLITE_DRIVERS: Final = frozenset({"sqlite", "sqlite+pysqlite"})
_DATABASE_NAME_RE: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: SQLite authorizer actions that change a database (or its schema)
_WRITE_ACTIONS: Final = frozenset(
    {
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_UPDATE,
        sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_DROP_TRIGGER,
        sqlite3.SQLITE_ALTER_TABLE,
    }
)


def normalise_url(url: str | URL) -> URL:
    """The URL with its driver made explicit: psycopg 3 for PostgreSQL, pysqlite for SQLite."""
    parsed = make_url(url)
    if parsed.drivername in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in _SQLITE_DRIVERS:
        if parsed.database in (None, "", ":memory:") or parsed.database.startswith("file:"):
            raise ValueError(f"the SQLite warehouse must be a file path, not {parsed.database!r}")
        return parsed.set(drivername="sqlite+pysqlite")
    raise ValueError(
        f"unsupported warehouse URL {redact_url(parsed)!r}: use postgresql[+psycopg]://... "
        "or sqlite:///path/tip.db"
    )


def redact_url(url: str | URL) -> str:
    """The URL as it may be logged or stored (``ops.runs``): password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_layer_paths(url: str | URL) -> dict[str, Path]:
    """The file of each layer for a SQLite URL, absolute (relative paths are from the cwd).

    ``sqlite:///warehouse/tip.db`` -> published ``warehouse/tip.db``, restricted
    ``warehouse/tip.restricted.db``, ops ``warehouse/tip.ops.db``.
    """
    published = Path(normalise_url(url).database or "").expanduser().absolute()
    suffix = published.suffix or ".db"
    return {
        RESTRICTED: published.with_name(f"{published.stem}.{RESTRICTED}{suffix}"),
        PUBLISHED: published,
        OPS: published.with_name(f"{published.stem}.{OPS}{suffix}"),
    }


class WarehouseNotFound(ValueFreeError):
    """A command that only reads the warehouse was given one that does not exist."""


def missing_layer_files(url: str | URL) -> list[Path]:
    """The layer files of a SQLite warehouse that do not exist, the analysts' file first (none
    on PostgreSQL, whose layers are schemas)."""
    if not is_sqlite(url):
        return []
    paths = sqlite_layer_paths(url)
    return [paths[layer] for layer in (PUBLISHED, RESTRICTED, OPS) if not paths[layer].exists()]


def require_existing(url: str | URL) -> None:
    """Refuse a SQLite warehouse with a layer file missing, before ``make_engine`` would create
    it: a command that reads the warehouse (``tip report``, ``tip export``) given a mistyped
    path must say so, not leave a new empty warehouse behind it."""
    missing = missing_layer_files(url)
    if missing:
        names = ", ".join(path.name for path in missing)
        raise WarehouseNotFound(
            f"no warehouse at {redact_url(url)}: {names} missing in {missing[0].parent} "
            "(give the --warehouse of an existing one, or make it with tip run)"
        )


def make_engine(url: str | URL, **engine_kwargs: Any) -> Engine:
    """An engine on which ``<layer>.<table>`` names work, on PostgreSQL or SQLite.

    ``engine_kwargs`` go to ``sqlalchemy.create_engine`` (e.g. ``echo=True``). Bound values
    are hidden from error messages (``hide_parameters``): SQLAlchemy otherwise repeats a failed
    statement's parameters, which are a person's values in the restricted layer, in the
    exception text that reaches logs and the Dagster event log.
    """
    engine_kwargs.setdefault("hide_parameters", True)
    normalised = normalise_url(url)
    if normalised.get_backend_name() == "sqlite":
        return _make_sqlite_engine(normalised, **engine_kwargs)
    engine_kwargs.setdefault("pool_pre_ping", True)
    return create_engine(normalised, **engine_kwargs)


def ensure_schemas(bind: Engine | Connection) -> None:
    """Create the layers' schemas where missing (PostgreSQL); check they are attached (SQLite).
    Given a connection, in its transaction (``migrate.upgrade``, under its lock)."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            ensure_schemas(conn)
        return
    if bind.dialect.name == "sqlite":
        attached = {row[1] for row in bind.exec_driver_sql("PRAGMA database_list")}
        missing = set(LAYERS) - attached
        if missing:
            raise RuntimeError(
                f"SQLite engine without the {sorted(missing)} layer(s) attached: "
                "open it with tip_pipeline.warehouse.engine.make_engine"
            )
        return
    for layer in LAYERS:
        bind.execute(CreateSchema(layer, if_not_exists=True))


def create_database(server_url: str | URL, name: str, template: str | None = None) -> str:
    """Create the PostgreSQL database ``name`` on the server of ``server_url``; its URL.

    With ``template``, the new database is a copy of that one (PostgreSQL's ``CREATE DATABASE
    ... TEMPLATE``, which needs no other session connected to the template): the tests migrate
    one template per session and copy it, much faster than migrating every database. The copy
    goes through the WAL (PostgreSQL's default strategy): a file-by-file copy is faster alone
    but takes two checkpoints, which slow every other session of the server (conftest.py).
    """
    sql = f'CREATE DATABASE "{_checked_database_name(name)}"'
    if template is not None:
        sql += f' TEMPLATE "{_checked_database_name(template)}"'
    run_autocommit(server_url, sql)
    return normalise_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str | URL, name: str) -> None:
    """Drop the PostgreSQL database ``name`` if it exists, disconnecting its sessions."""
    run_autocommit(
        server_url, f'DROP DATABASE IF EXISTS "{_checked_database_name(name)}" WITH (FORCE)'
    )


def _checked_database_name(name: str) -> str:
    if not _DATABASE_NAME_RE.match(name):
        raise ValueError(f"not a safe database name: {name!r}")
    return name


def run_autocommit(server_url: str | URL, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need it)."""
    engine = make_engine(server_url, poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


#: a new layer file's mode: read and write by its owner only. SQLite gives the file's WAL and
#: shared-memory files the mode of the database file.
OWNER_ONLY: Final = 0o600


def create_owner_only(paths: Iterable[Path]) -> None:
    """Create each missing layer file empty (an empty file is an empty SQLite database), read
    and write by its owner only, whatever the umask: the restricted layer holds pseudonymised
    records of children, and no other user of the machine should read any layer unless the
    operator opens it to them deliberately (docs/INFORMATION_GOVERNANCE.md). An existing file
    keeps the mode its owner gave it."""
    for path in paths:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
        except FileExistsError:
            continue
        os.fchmod(descriptor, OWNER_ONLY)  # os.open's mode is filtered by the umask
        os.close(descriptor)


class CheckpointIncomplete(ValueFreeError):
    """A SQLite layer file's WAL could not be merged into it (another connection was busy)."""


def checkpoint(url: str | URL, timeout_s: float = BUSY_TIMEOUT_S) -> list[Path]:
    """Merge each SQLite layer file's write-ahead log into the file and empty the log
    (``PRAGMA wal_checkpoint(TRUNCATE)``); the files checkpointed. Nothing on PostgreSQL.

    Why: in WAL mode committed rows live in ``tip.db-wal`` until a checkpoint copies them into
    ``tip.db``, and a process that keeps its engine open to the end (the Dagster resource
    does) can leave them there. ``tip.db`` is the file handed to analysts, often copied alone:
    after a run it must be complete without its ``-wal``. Through a plain connection per file,
    not ``make_engine`` (which would attach, and so open, the main file twice). Raises
    CheckpointIncomplete when a reader or writer kept a file from being checkpointed whole
    for ``timeout_s``.
    """
    if not is_sqlite(url):
        return []
    done = []
    for layer, path in sqlite_layer_paths(url).items():
        if not path.exists():
            continue
        conn = sqlite3.connect(path, timeout=timeout_s)
        try:
            busy, _log_frames, _copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
        if busy:
            raise CheckpointIncomplete(
                f"the {layer} layer ({path.name}) was busy: its last commits are still in "
                f"{path.name}-wal; copy both files, or run again when nothing else uses it"
            )
        done.append(path)
    return done


def _make_sqlite_engine(url: URL, **engine_kwargs: Any) -> Engine:
    paths = sqlite_layer_paths(url)
    paths[PUBLISHED].parent.mkdir(parents=True, exist_ok=True)
    create_owner_only(paths.values())
    connect_args = {"timeout": BUSY_TIMEOUT_S, **engine_kwargs.pop("connect_args", {})}
    engine = create_engine(
        url.set(database=str(paths[PUBLISHED])), connect_args=connect_args, **engine_kwargs
    )
    event.listen(engine, "connect", _sqlite_on_connect(paths))
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


@contextmanager
def connected(bind: Engine | Connection) -> Iterator[Connection]:
    """``bind`` as a connection: an open one as it is (a reader inside the caller's
    transaction sees its uncommitted rows), an engine's opened and closed after."""
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.connect() as conn:
        yield conn


def _sqlite_on_connect(paths: Mapping[str, Path]) -> Callable[[Any, Any], None]:
    """The ``connect`` listener: attach the layers, set the pragmas, guard ``main``."""
    attach = dict(paths)  # the main file too, as ``published``
    pragmas = _sqlite_pragmas(("main", *attach))

    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # sqlite3 must not issue BEGIN/COMMIT on its own; _sqlite_on_begin emits BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            for layer, path in attach.items():
                cursor.execute(f"ATTACH DATABASE ? AS {layer}", (str(path),))
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()
        dbapi_connection.set_authorizer(_refuse_writes_to_main)

    return on_connect


def _sqlite_pragmas(schemas: tuple[str, ...]) -> list[str]:
    """Per-connection settings, then each file's journal mode and sync level."""
    per_connection = [
        f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}",
        "PRAGMA foreign_keys = ON",
    ]
    per_file = [
        pragma
        for schema in schemas
        for pragma in (
            f"PRAGMA {schema}.journal_mode = WAL",
            f"PRAGMA {schema}.synchronous = NORMAL",
        )
    ]
    return per_connection + per_file


def _sqlite_on_begin(conn: Any) -> None:
    """Deferred BEGIN: IMMEDIATE would lock the main file twice (see the module docstring)."""
    conn.exec_driver_sql("BEGIN")


def _refuse_writes_to_main(
    action: int, _arg1: str | None, _arg2: str | None, database: str | None, _trigger: str | None
) -> int:
    """SQLite authorizer: the published file is written through ``published``, never ``main``."""
    if database == "main" and action in _WRITE_ACTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


#: the first key of every advisory lock the pipeline takes (``pg_advisory_xact_lock(int,
#: int)``), so that its locks never meet another application's on the same server
ADVISORY_LOCK_NAMESPACE = 20_770_101
#: the scope of writes that belong to no reporting year (reference data, the dimensions)
REFERENCE_SCOPE = "reference"
#: the scope of schema migrations (``migrate.upgrade``): every process migrates the warehouse
#: before its first write, so two runs started together on a new warehouse take turns
MIGRATION_SCOPE = "migrations"
#: the scope every year's publish transaction takes besides its year's: publications of
#: different years take turns, so that a year reads the earlier years' published cells as one
#: committed state from its first read to its audit (``publish.order``)
PUBLICATION_SCOPE = "publication"


@contextmanager
def write_transaction(engine: Engine, *scopes: str) -> Iterator[Connection]:
    """One write transaction of the warehouse for ``scopes`` (reporting-year labels such as
    ``2023/24``, :data:`REFERENCE_SCOPE`, or :data:`MIGRATION_SCOPE`).

    Why: every write replaces a period's rows (delete, then insert). Two runs of the same year
    at once (a rerun launched while the nightly run goes on, the sensor and the schedule)
    would interleave those statements on PostgreSQL: the second delete does not see the
    first's uncommitted inserts, so both sets are inserted, doubling rows or breaking a unique
    key. On PostgreSQL the transaction therefore first takes a transaction-level advisory lock
    per scope (``pg_advisory_xact_lock``, released at commit or rollback), in sorted order so
    that two transactions never wait on each other: writes of the same year take turns, writes
    of different years do not wait. SQLite has one writer at a time already (and the
    ``warehouse`` pool serialises its writers).
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for scope in sorted(set(scopes)):
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:scope))"),
                    {"namespace": ADVISORY_LOCK_NAMESPACE, "scope": scope},
                )
        yield conn
