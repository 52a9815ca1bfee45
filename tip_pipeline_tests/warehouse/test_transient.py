"""Only connection-level database errors count as transient (and are retried)."""

import sqlite3

import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from tip_pipeline.warehouse.transient import is_transient


def wrapped(orig: Exception) -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError.instance("SELECT 1", {}, orig, psycopg.Error)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("connection refused"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        sqlite3.OperationalError("database is locked"),
        sa_exc.TimeoutError("QueuePool limit reached"),
    ],
)
def test_transient(error):
    assert is_transient(error)
    if not isinstance(error, sa_exc.SQLAlchemyError):
        assert is_transient(wrapped(error))  # as SQLAlchemy raises it


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("no such table: restricted.cin_children"),
        psycopg.errors.UniqueViolation("duplicate key"),
        ValueError("not a financial year"),
        KeyError("cin_children"),
    ],
)
def test_not_transient(error):
    assert not is_transient(error)
    assert not is_transient(wrapped(error))


def test_cause_is_followed():
    try:
        try:
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        except psycopg.Error as inner:
            raise RuntimeError("staging failed") from inner
    except RuntimeError as outer:
        assert is_transient(outer)
