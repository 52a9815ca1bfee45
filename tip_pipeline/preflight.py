"""What ``tip run`` checks before it starts Dagster: a mistyped folder or URL is one line saying
what to do, within a second, not a traceback half a minute later.

The checks reuse what the pipeline itself decides with: the contracts' file names
(``discovery.expected_names``, through ``missing_names``), the delivered years
(``discovery.delivered_periods``), the reporting years Dagster offers (``periods.complete_years``,
as ``defs/partitions.py``) and the URLs the engine accepts (``engine.normalise_url``). Nothing
here imports Dagster. Messages name folders, files and years only.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from tip_pipeline.errors import ValueFreeError, describe
from tip_pipeline.ingest.discovery import delivered_periods, missing_names, scan, unknown_files
from tip_pipeline.periods import FinancialYear, complete_years
from tip_pipeline.sources.contracts import tables
from tip_pipeline.warehouse.engine import is_sqlite, make_engine, normalise_url, redact_url

#: seconds to wait for a PostgreSQL server before saying it does not answer
CONNECT_TIMEOUT_S: Final = 5
#: stray file names shown in a message at most (the rest counted)
SHOWN_NAMES: Final = 5
CONTRACTS_DOC: Final = "data_sources/README.md"


#: what libpq's connection failures mean, by a phrase of their message, in the order tried: the
#: message itself is not shown (errors.describe's rule), the meaning is
CONNECTION_PROBLEMS: Final = (
    ('FATAL:  database "', "the database does not exist"),
    ('FATAL:  role "', "the role does not exist"),
    ("password authentication failed", "the server refused the role's password"),
    ("no password supplied", "the server wants a password for the role"),
    ("no pg_hba.conf entry", "the server's pg_hba.conf admits no such connection"),
    ("Connection refused", "nothing accepts connections at that host and port"),
    ("failed to resolve host", "the host name is not known"),
    ("could not translate host name", "the host name is not known"),
    ("timeout expired", f"no answer within {CONNECT_TIMEOUT_S} s"),
)


class NotReady(ValueFreeError):
    """The delivery folder or the warehouse URL cannot be used; the message says what to do."""


def _names(names: list[str]) -> str:
    """Up to ``SHOWN_NAMES`` names, and how many more."""
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def check_warehouse_url(url: str) -> URL:
    """The URL as the engine will use it, or NotReady naming the schemes accepted. The URL is
    shown with its password hidden, and not at all when it cannot be parsed (it could be a
    password typed in the wrong place)."""
    try:
        return normalise_url(url)
    except ArgumentError:
        raise NotReady(
            "the warehouse URL is not a URL: give postgresql+psycopg://user@host:5432/db or "
            "sqlite:///path/tip.db (--warehouse or TIP_WAREHOUSE_URL)"
        ) from None
    except ValueError as err:  # the engine's own message: the redacted URL and what to use
        raise NotReady(f"{err} (--warehouse or TIP_WAREHOUSE_URL)") from None


def connection_problem(error: BaseException) -> str:
    """What a failure to connect to PostgreSQL means (``CONNECTION_PROBLEMS``), else what
    ``describe`` says of it."""
    message = str(getattr(error, "orig", None) or error)
    for phrase, meaning in CONNECTION_PROBLEMS:
        if phrase in message:
            return meaning
    return describe(error)


def check_warehouse_reachable(url: URL) -> None:
    """A PostgreSQL warehouse answers (a SQLite one is a file ``tip run`` creates when
    missing). Said by SQLSTATE and where, never by the server's message (``describe``)."""
    if is_sqlite(url):
        return
    engine = make_engine(
        url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as err:  # any failure to connect: one line, value-free
        raise NotReady(
            f"cannot connect to the warehouse {redact_url(url)}: {connection_problem(err)} "
            "(--warehouse or TIP_WAREHOUSE_URL)"
        ) from None
    finally:
        engine.dispose()


def years_to_run(data_dir: Path, first: FinancialYear, today: date) -> list[FinancialYear]:
    """The delivered reporting years ``tip run`` will run: from ``first`` on, complete by
    ``today`` (the years Dagster offers as partitions; later ones are left out and said so)."""
    offered = set(complete_years(first, today))
    return [period for period in delivered_periods(data_dir) if period in offered]


def check_delivery(data_dir: Path, first: FinancialYear, today: date) -> list[FinancialYear]:
    """The reporting years to run, or NotReady saying what the folder lacks: that it does not
    exist, that no file in it is named as a contract names one, which reference files are
    missing, or which files each delivered year lacks (every file of every year at once)."""
    if not data_dir.is_dir():
        raise NotReady(
            f"data folder {data_dir} does not exist: give --data or set TIP_DATA_DIR "
            "(tip generate writes a synthetic delivery)"
        )
    known, _ = scan(data_dir)
    if not known:
        stray = unknown_files(data_dir)
        found = f"its files ({_names(stray)}) match" if stray else "it is empty: nothing matches"
        raise NotReady(
            f"data folder {data_dir} holds no delivery: {found} no contract's file name "
            f"(e.g. cin_children_2023-24.csv; {CONTRACTS_DOC})"
        )
    years = years_to_run(data_dir, first, today)
    if not years:
        raise NotReady(
            f"data folder {data_dir} holds no reporting year from {first.label} on that has "
            f"ended (set TIP_FIRST_YEAR for earlier years)"
        )
    gaps = [("reference data", missing_names(data_dir, tables(per_period=False), None))]
    gaps += [(p.label, missing_names(data_dir, tables(per_period=True), p)) for p in years]
    missing = [f"{what}: {_names(names)}" for what, names in gaps if names]
    if missing:
        raise NotReady(
            f"data folder {data_dir} is missing files; " + "; ".join(missing) + ". Each "
            f"delivery needs every file its contract names ({CONTRACTS_DOC})"
        )
    return years
