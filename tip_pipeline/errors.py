"""Error messages that can be logged: they name a file, a line, a column, a table and a kind of
problem, never a value of a record.

Why this module exists: the messages of the libraries the pipeline uses repeat the values they
choked on. PostgreSQL puts them in ``DETAIL: Key (child_id)=(...) already exists`` and, for a
``COPY``, in ``CONTEXT: COPY stg, line 3, column dob: "..."``; pandas writes ``time data
"..." doesn't match format``; ``int()`` writes ``invalid literal for int(): '...'``. An
exception's message goes to the Dagster event log, the run's compute logs, the terminal of
``tip run`` and from there to cron mail and CI logs, all read by people who may not see a
child's record (docs/CONVENTIONS.md, "Identifiers").

So there are two kinds of error:

- the project's own (:class:`ValueFreeError` and its subclasses), whose messages are written
  from file names, line numbers, column names and counts only, and may be shown as they are;
- every other exception, which is shown through :func:`describe`: its class, where in
  tip_pipeline it was raised, and what a database says about *where* (SQLSTATE, schema, table,
  column, constraint, the line of a ``COPY``), never the text of its message.

The project's step bodies are wrapped by ``tip_pipeline.defs.policies`` so that whatever they
raise reaches Dagster as one of these; ``tip`` does the same for the command line.
"""

from __future__ import annotations

import re
import sqlite3
import traceback
from collections.abc import Iterator
from pathlib import Path

import psycopg

PACKAGE = Path(__file__).resolve().parent

#: a COPY's context line names the table, the line and the column before the value
_COPY_WHERE = re.compile(
    r"^COPY (?P<table>[\w.\"]+), line (?P<line>\d+)(?:, column (?P<column>\w+))?"
)
#: SQLite's constraint messages name the constraint and its columns, never a value
_SQLITE_CONSTRAINT = re.compile(
    r"^(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed: [\w., ]+$"
)


class ValueFreeError(Exception):
    """An error of the project whose message names files, lines, columns, tables and kinds
    only: it may be shown, logged and stored as it is."""


class ValuesWithheld(ValueFreeError):
    """Another error, re-raised with what :func:`describe` says of it (its message withheld)."""


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's ``orig``) and its causes and contexts, each once,
    the error itself first."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
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


def _class_name(error: BaseException) -> str:
    kind = type(error)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def raised_at(error: BaseException) -> str | None:
    """Where in tip_pipeline the error was raised or passed through last: ``validate/store.py:
    123 (write_typed)``, the innermost frame of the project's own code (None when none is)."""
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(PACKAGE)
    ]
    if not ours:
        return None
    frame = ours[-1]
    where = Path(frame.filename).resolve().relative_to(PACKAGE.parent).as_posix()
    return f"{where}:{frame.lineno} ({frame.name})"


def _postgres_detail(error: psycopg.Error) -> list[str]:
    """SQLSTATE and the diagnostic fields that name places (never ``detail`` or ``message``)."""
    diag = error.diag
    parts = [f"SQLSTATE {error.sqlstate}"] if error.sqlstate else []
    table = ".".join(p for p in (diag.schema_name, diag.table_name) if p)
    parts += [f"table {table}"] if table else []
    parts += [f"column {diag.column_name}"] if diag.column_name else []
    parts += [f"constraint {diag.constraint_name}"] if diag.constraint_name else []
    copy = _COPY_WHERE.match(diag.context or "")
    if copy:
        parts.append(f"COPY into {copy['table']}, line {copy['line']}")
        parts += [f"column {copy['column']}"] if copy["column"] and not diag.column_name else []
    return parts


def _sqlite_detail(error: sqlite3.Error) -> list[str]:
    """SQLite's error code name, and its message when it is a constraint's (names only)."""
    parts = [name] if (name := getattr(error, "sqlite_errorname", None)) else []
    message = str(error)
    if _SQLITE_CONSTRAINT.match(message):
        parts.append(message)
    return parts


def _database_detail(error: BaseException) -> list[str]:
    for current in error_chain(error):
        if isinstance(current, psycopg.Error):
            return [_class_name(current), *_postgres_detail(current)]
        if isinstance(current, sqlite3.Error):
            return [_class_name(current), *_sqlite_detail(current)]
    return []


def _position_detail(error: BaseException) -> list[str]:
    """Positions that parsers give as attributes (never the text they quote)."""
    position = getattr(error, "position", None)  # xml.etree.ElementTree.ParseError
    if isinstance(position, tuple) and len(position) == 2:
        return [f"line {position[0]}, column {position[1]}"]
    if isinstance(error, UnicodeDecodeError):
        return [f"byte offset {error.start}"]
    return []


def describe(error: BaseException) -> str:
    """What may be said of ``error`` without repeating a value: its class, where tip_pipeline
    raised it, a database's SQLSTATE and the table, column, constraint and ``COPY`` line it
    names, and a parser's position. A :class:`ValueFreeError`'s message is its own."""
    if isinstance(error, ValueFreeError):
        return str(error)
    parts = [_class_name(error)]
    where = raised_at(error)
    parts += [f"raised at {where}"] if where else []
    detail = _database_detail(error)
    if detail and detail[0] == parts[0]:
        detail = detail[1:]
    parts += detail + _position_detail(error)
    return "; ".join(parts) + " (its own message is withheld: it may repeat a delivered value)"


def withheld(error: BaseException) -> ValueFreeError:
    """``error`` itself when its message is value-free, else a :class:`ValuesWithheld` saying
    what :func:`describe` says. Raise it ``from None``: a chained cause would be printed."""
    if isinstance(error, ValueFreeError):
        return error
    return ValuesWithheld(describe(error))
