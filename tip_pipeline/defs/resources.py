"""Resources: where the deliveries are and which warehouse to write, from the environment."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.migrations import upgrade


@cache
def _migrated_engine(url: str) -> sa.Engine:
    """One engine per URL and process, with pending migrations applied before any write."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


class DataSources(dg.ConfigurableResource):
    """The folder of delivered extracts (TIP_DATA_DIR) and, where a local authority's raw
    returns are taken in, the raw landing folder (TIP_RAW_DIR; empty when the contract files
    are delivered directly)."""

    path: str
    raw: str = ""

    @property
    def folder(self) -> Path:
        return Path(self.path)

    @property
    def raw_folder(self) -> Path | None:
        return Path(self.raw) if self.raw else None


class Warehouse(dg.ConfigurableResource):
    """The warehouse (TIP_WAREHOUSE_URL): SQLite files by default, PostgreSQL in production."""

    url: str

    def engine(self) -> sa.Engine:
        return _migrated_engine(self.url)
