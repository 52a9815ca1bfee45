"""Writing the indicator tables of the restricted layer, idempotently.

A year's rows replace that year's earlier rows (``bulk.replace_rows`` with
``where={"period": label}``), all the tables of a year in the publish transaction
(``publish.store.publish_year``), so a rerun gives the same tables and a failure leaves the
previous rows in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import connected
from tip_pipeline.warehouse.readback import read_frame
from tip_pipeline.warehouse.schema import content_columns


def prepared(table: sa.Table, frame: pd.DataFrame, run_id: str, now: datetime) -> pd.DataFrame:
    """The frame's columns that the table has, with the lineage columns filled."""
    columns = [c.name for c in table.columns if c.name in frame.columns]
    return frame[columns].assign(run_id=run_id, loaded_at=now)


def replace_period(
    conn: sa.Connection,
    frames: Mapping[sa.Table, pd.DataFrame],
    period_label: str,
    run_id: str,
    now: datetime,
) -> dict[str, int]:
    """Replace the year's rows of every table in ``frames`` in the caller's transaction, so
    that publishing can commit the restricted figures together with what it publishes."""
    return {
        table.name: replace_rows(
            conn, table, prepared(table, frame, run_id, now), where={"period": period_label}
        )
        for table, frame in frames.items()
    }


def read_period(
    bind: sa.Engine | sa.Connection,
    table: sa.Table,
    period_label: str,
    where: sa.ColumnElement[bool] | None = None,
) -> pd.DataFrame:
    """The year's rows of an indicator table (those meeting ``where`` too, if given) without
    their lineage (publishing sets its own), through an engine or inside an open transaction
    (the disclosure audit reads what its own transaction is about to commit); through Arrow
    (``readback.read_frame``: ``read_sql``'s frame)."""
    condition = table.c.period == period_label
    if where is not None:
        condition = condition & where
    return read_through(bind, sa.select(*content_columns(table)).where(condition))


def read_through(bind: sa.Engine | sa.Connection, query: sa.Select) -> pd.DataFrame:
    """``read_frame`` of ``query`` on ``bind``'s open connection, or on one of its own."""
    with connected(bind) as conn:
        return read_frame(conn, query)
