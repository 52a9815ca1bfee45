"""Alembic environment for the warehouse (see ``tip_pipeline.warehouse.migrate``).

The connection comes from ``upgrade()`` (``config.attributes["connection"]``), else from the
URL in the config (``sqlalchemy.url``), else from ``TIP_WAREHOUSE_URL`` (default
``sqlite:///warehouse/tip.db``). Engines are made by ``make_engine`` so that on SQLite the
restricted and ops files are attached, and ``ops.alembic_version`` lands in the ops file.
``alembic upgrade`` run from a shell migrates under the same lock as ``upgrade()`` (the
``MIGRATION_SCOPE`` advisory lock on PostgreSQL), so it waits for a run that is migrating the
warehouse instead of colliding with it.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from tip_pipeline.warehouse.engine import (
    MIGRATION_SCOPE,
    ensure_schemas,
    make_engine,
    normalise_url,
    write_transaction,
)
from tip_pipeline.warehouse.migrate import context_options, warehouse_url
from tip_pipeline.warehouse.schema import metadata

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or warehouse_url()


def run_migrations_offline() -> None:
    """Write the SQL to stdout (``alembic upgrade head --sql``)."""
    url = normalise_url(_url())
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        **context_options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with write_transaction(engine, MIGRATION_SCOPE) as connection:
            ensure_schemas(connection)
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
