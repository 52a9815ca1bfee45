"""Which database errors are transient: worth running the same step again, unchanged.

Only the connection and the server's momentary state: a dropped or refused PostgreSQL
connection, a server restarting, a serialisation failure or deadlock, a pool timeout, a SQLite
file locked by another writer. Never a data problem or a bug (a missing table, a constraint
violation, a refused delivery): running those again gives the same answer.
"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy import exc as sa_exc

from tip_pipeline.errors import error_chain

_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def _is_transient_one(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    # psycopg: SQLSTATE classes 08 (connection), 40 (serialisation, deadlock), 53
    # (insufficient resources), 57 (operator intervention, e.g. admin shutdown)
    if isinstance(error, psycopg.OperationalError):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error).lower() for text in _SQLITE_BUSY)
    return False


def is_transient(error: BaseException) -> bool:
    """True when ``error`` (or what it wraps) is a transient database error."""
    return any(_is_transient_one(e) for e in error_chain(error))
