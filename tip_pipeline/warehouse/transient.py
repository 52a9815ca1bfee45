"""Which database errors are transient: worth running the same step again, unchanged.

Only the connection and the server's momentary state: a dropped or refused PostgreSQL
connection, a server restarting, a serialisation failure or deadlock, a pool timeout, a SQLite
file locked by another writer. Never a data problem or a bug (a missing table, a constraint
violation, a refused delivery): running those again gives the same answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
from sqlalchemy import exc as sa_exc

_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``) and its causes, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        pending += [
            orig if isinstance(orig, BaseException) else None,
            current.__cause__,
            current.__context__,
        ]


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
    return any(_is_transient_one(e) for e in _chain(error))
