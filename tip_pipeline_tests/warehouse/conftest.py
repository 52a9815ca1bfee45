"""Warehouse fixtures: a migrated warehouse engine on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest) -> str:
    """An empty warehouse URL, on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Engine]:
    """An engine on a warehouse migrated to head."""
    upgrade(warehouse_url)
    engine = make_engine(warehouse_url)
    yield engine
    engine.dispose()
