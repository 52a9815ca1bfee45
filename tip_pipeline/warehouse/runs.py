"""``ops.runs``: one row per pipeline run that wrote the warehouse, the anchor of every row's
``run_id`` (lineage: which code, which warehouse, when)."""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import version

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import redact_url


def record_run(conn: sa.Connection, run_id: str, job: str, now: datetime) -> None:
    """Record a successful run in the caller's transaction (so it exists iff its writes do):
    the job, the warehouse's URL without its password and the package's version."""
    run = pd.DataFrame(
        [
            {
                "job": job,
                "started_at": now,
                "finished_at": now,
                "status": "success",
                "warehouse_url_redacted": redact_url(conn.engine.url),
                "code_version": version("tip_pipeline"),
            }
        ]
    )
    replace_rows(conn, schema.runs, run, {"run_id": run_id})
