"""``ops.runs``: one row per pipeline run that wrote the warehouse, the anchor of every row's
``run_id`` (lineage: which code, which warehouse, when, and who: the operating-system account
of the process and, on PostgreSQL, the database role, the access trail an information
governance lead asks for; docs/INFORMATION_GOVERNANCE.md)."""

from __future__ import annotations

import getpass
from datetime import datetime
from importlib.metadata import version

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import redact_url


def os_account() -> str | None:
    """The operating-system account of this process; None where it cannot be told (a
    container with no name for its user id)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def database_role(conn: sa.Connection) -> str | None:
    """The role the connection writes as on PostgreSQL; None on SQLite, which has no roles."""
    if conn.dialect.name != "postgresql":
        return None
    return conn.execute(sa.text("SELECT current_user")).scalar_one()


def record_run(conn: sa.Connection, run_id: str, job: str, now: datetime) -> None:
    """Record a successful run in the caller's transaction (so it exists iff its writes do):
    the job, the warehouse's URL without its password, the package's version, and who ran
    it."""
    run = pd.DataFrame(
        [
            {
                "job": job,
                "started_at": now,
                "finished_at": now,
                "status": "success",
                "warehouse_url_redacted": redact_url(conn.engine.url),
                "code_version": version("tip_pipeline"),
                "run_by": os_account(),
                "database_role": database_role(conn),
            }
        ]
    )
    replace_rows(conn, schema.runs, run, {"run_id": run_id})
