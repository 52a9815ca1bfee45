"""The data-quality summary published with the data it describes.

Validation writes each delivery's summary (records read and quarantined, by rule) to
``ops.quality_summary``; it reaches ``published.data_quality`` only when what it describes is
published, in the same transaction: a reporting year's rows with the year
(``publish_year``), the reference files' and the youth-justice history's with the reference
tables (``publish_reference``). So analysts never see the quality of a delivery that was
validated but not published (refused by its audit, or a run stopped in between).

With the year, its **match rates** of people across services (``published.data_linkage``): its
latest intake's people per service and how many the authority's cross-reference linked
(``ops.intake_linkage``; docs/DOMAIN.md, "Linking people across services"), beside the
measures that read across services. A year delivered as contract files has none: its services
share one pseudonym by declaration. They are counts of people per service and year, like the
counts of records read, and say nothing of any person; so, like them, they are published
without disclosure control.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.indicators.linked_services import latest_linkage, published_frame
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.schema import data_linkage, data_quality, quality_summary


def _pending(conn: sa.Connection, where: sa.ColumnElement[bool]) -> pd.DataFrame:
    query = sa.select(*quality_summary.columns).where(where)
    return pd.DataFrame(conn.execute(query).mappings().all(), columns=quality_summary.c.keys())


def publish_year_quality(conn: sa.Connection, period: str) -> int:
    """Replace the published summary of ``period`` (a reporting year's label) by the pending
    one, in the caller's transaction; the rows published."""
    rows = _pending(conn, quality_summary.c.period == period)
    return replace_rows(conn, data_quality, rows, {"period": period})


def publish_reference_quality(conn: sa.Connection, first: FinancialYear) -> int:
    """Replace the published summaries of the reference files of their own vintage, and of the
    history years (before ``first``, the first reporting year), by the pending ones."""
    written = 0
    for table in contracts.tables(per_period=False):
        rows = _pending(conn, quality_summary.c.table_name == table)
        written += replace_rows(conn, data_quality, rows, {"table_name": table})
    for table in contracts.tables(history=True):
        rows = _pending(conn, quality_summary.c.table_name == table)
        for period, part in rows.groupby("period"):
            if FinancialYear.parse(str(period)) < first:
                where = {"table_name": table, "period": period}
                written += replace_rows(conn, data_quality, part, where)
    return written


def publish_year_linkage(conn: sa.Connection, period: str, now: datetime) -> int:
    """Replace the published match rates of ``period`` by its latest intake's, in the caller's
    transaction (none for a year not taken in through intake); the rows published."""
    rows = published_frame(latest_linkage(conn, period), period, now)
    return replace_rows(conn, data_linkage, rows, {"period": period})
