"""Schema migrations (Alembic), configured from code so the pipeline needs no alembic.ini.

The migration scripts live in the package (``migrations/``) and hold their own DDL, never the
live metadata, so that an old revision keeps meaning what it meant when it was written.
``test_migrations`` checks that upgrading to head gives exactly ``schema.metadata``.

Alembic's version table is ``ops.alembic_version``: the ops layer is the pipeline's own
bookkeeping, ``published`` must hold only what analysts read, and a Dagster instance storing
its runs on the same PostgreSQL server (with its own Alembic history in ``public``) must never
see, or collide with, ours.

The same options serve the CLI (``alembic upgrade head``, through the repository's
``alembic.ini`` and ``migrations/env.py``), ``upgrade()`` and the comparison tests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from tip_pipeline.warehouse.engine import (
    MIGRATION_SCOPE,
    ensure_schemas,
    make_engine,
    write_transaction,
)
from tip_pipeline.warehouse.layers import LAYERS, OPS

MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")
#: environment variable naming the warehouse, and its default (relative to the cwd)
URL_ENV: Final = "TIP_WAREHOUSE_URL"
DEFAULT_URL: Final = "sqlite:///warehouse/tip.db"
VERSION_TABLE_SCHEMA: Final = OPS


def warehouse_url(environ: Mapping[str, str] = os.environ) -> str:
    """The warehouse URL from ``TIP_WAREHOUSE_URL``, else the default SQLite file."""
    return environ.get(URL_ENV) or DEFAULT_URL


def include_name(name: str | None, type_: str, _parent_names: Mapping[str, str | None]) -> bool:
    """Autogenerate looks at the three layers only.

    Not at the default schema: PostgreSQL's ``public`` may hold a Dagster instance, and SQLite's
    ``main`` is the published file seen a second time.
    """
    return name in LAYERS if type_ == "schema" else True


def context_options(dialect_name: str) -> dict[str, Any]:
    """``context.configure`` options shared by env.py and the tests."""
    return {
        "version_table_schema": VERSION_TABLE_SCHEMA,
        "include_schemas": True,
        "include_name": include_name,
        "compare_type": True,
        # make_engine makes SQLite DDL transactional too: a failed upgrade leaves no trace
        "transactional_ddl": True,
        # SQLite cannot ALTER most things: batch mode recreates the table instead
        "render_as_batch": dialect_name == "sqlite",
    }


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic config for the package's migrations, without any ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str | URL, revision: str = "head") -> None:
    """Migrate the warehouse to ``revision``, creating the schemas first (PostgreSQL).

    One transaction under the :data:`~tip_pipeline.warehouse.engine.MIGRATION_SCOPE` lock:
    two processes migrating a new PostgreSQL warehouse at once (two ``tip run`` started
    together) would otherwise both create the same tables, and the second fail on a unique
    key of PostgreSQL's catalogue. The second waits, then finds the warehouse at ``revision``.
    """
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    try:
        config = alembic_config()
        with write_transaction(engine, MIGRATION_SCOPE) as conn:
            ensure_schemas(conn)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        if engine is not engine_or_url:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the warehouse is at; None before the first migration."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table_schema": VERSION_TABLE_SCHEMA}
        )
        return context.get_current_revision()
