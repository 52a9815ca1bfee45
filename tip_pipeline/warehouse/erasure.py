"""Erasure of a child's records (UK GDPR Art. 17, where the authority decides it applies), and
its register, so that the child's records stay out when a file holding them comes again.

``tip erase`` takes pseudonyms (the form the warehouse holds; the authority finds a child's
pseudonym by running its case-system id through intake's key, never by giving the pipeline the
id) and, in one transaction over every year the child appears in:

- deletes every staged and validated row holding one of them in a person column
  (``ColumnKind.PSEUDO_ID``) of any extract, and the quarantined rows made from those rows;
- deletes the malformed lines quarantined at reading that contain one of them (a line that
  could not be read has no column to match, so its text is searched);
- counts what it deleted by table, year, file and the run that read the file
  (``ops.erasures``), so that each file's records still add up: rows read = staged +
  malformed + erased (``warehouse.consistency``);
- keeps the child in the register (``ops.erased_people``) as the SHA-256 of its pseudonym,
  which recognises the pseudonym when it is delivered again without keeping it.

Staging then refuses a registered child's rows (:func:`refuse_erased`), counted the same way.
The years the child appeared in, and every later year (a later year reads the baseline year's
records and youth justice across years), are then published again (``tip erase`` does it
through the runner); their true counts and published figures no longer count the child, and
each year's disclosure audit runs before it commits.

Correction is not erasure: a corrected record is delivered again in the year's file, and the
year's run replaces its rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind, is_pseudonym
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import REFERENCE_SCOPE, write_transaction
from tip_pipeline.warehouse.runs import record_run

STAGED, MALFORMED, REFUSED = "staged", "malformed", "refused at staging"


class NotAPseudonym(ValueFreeError):
    """A line of an erasure request that is not a pseudonym (its value is never repeated)."""


def token(pseudonym: str) -> str:
    """The register's form of a pseudonym: its SHA-256, hexadecimal."""
    return hashlib.sha256(pseudonym.encode("ascii")).hexdigest()


def person_columns(table: str) -> tuple[str, ...]:
    """The warehouse columns of ``table`` that hold a person's pseudonym."""
    names = schema.staging_columns(table)
    return tuple(names[c.name] for c in EXTRACTS[table].columns if c.kind is ColumnKind.PSEUDO_ID)


def person_tables() -> tuple[str, ...]:
    """The extracts with a person column, in declaration order."""
    return tuple(table for table in EXTRACTS if person_columns(table))


def read_pseudonyms(lines: Iterable[str], source: str, unit: str = "line") -> list[str]:
    """The pseudonyms of an erasure request, one per line (blank lines and ``#`` comments
    skipped); a line of any other form is refused by its number, never its text."""
    found = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if not is_pseudonym(text):
            raise NotAPseudonym(
                f"{source}, {unit} {number}: not a pseudonym (16 or 64 lower-case hexadecimal "
                "digits, as the warehouse holds them)"
            )
        found.append(text)
    return sorted(set(found))


@dataclass(frozen=True)
class ErasedRows:
    """Rows of one file erased (or refused at staging), counted, never shown."""

    table: str
    period: str
    source_file: str
    load_run_id: str
    layer: str
    count: int


def _holding(table: sa.Table, columns: Sequence[str], pseudonyms: Sequence[str]):
    return sa.or_(*(table.c[c].in_(pseudonyms) for c in columns))


def affected_periods(conn: sa.Connection, pseudonyms: Sequence[str]) -> set[str]:
    """The years any staged row of the children is of."""
    periods: set[str] = set()
    for table in person_tables():
        stg = schema.staging_table(table)
        where = _holding(stg, person_columns(table), pseudonyms)
        periods |= set(conn.execute(sa.select(stg.c.period).distinct().where(where)).scalars())
    return periods


def _erase_table(conn: sa.Connection, table: str, pseudonyms: Sequence[str]) -> list[ErasedRows]:
    """Delete the children's staged and validated rows of ``table`` and the rows quarantined
    from them; the staged rows counted by file (the others are made from them)."""
    stg, typed, q = schema.staging_table(table), schema.validated_table(table), schema.quarantine
    columns = person_columns(table)
    counted = conn.execute(
        sa.select(stg.c.period, stg.c.source_file, stg.c.load_run_id, sa.func.count())
        .where(_holding(stg, columns, pseudonyms))
        .group_by(stg.c.period, stg.c.source_file, stg.c.load_run_id)
    ).all()
    conn.execute(sa.delete(typed).where(_holding(typed, columns, pseudonyms)))
    conn.execute(
        sa.delete(q).where(
            q.c.table_name == table, q.c.stage == "validate", q.c.child_id.in_(pseudonyms)
        )
    )
    conn.execute(sa.delete(stg).where(_holding(stg, columns, pseudonyms)))
    return [ErasedRows(table, p, f, run, STAGED, n) for p, f, run, n in counted]


def _erase_malformed(conn: sa.Connection, pseudonyms: Sequence[str]) -> list[ErasedRows]:
    """Delete the lines set aside at reading whose text holds one of the pseudonyms."""
    q = schema.quarantine
    where = sa.and_(q.c.stage == "read", sa.or_(*(q.c.record.contains(p) for p in pseudonyms)))
    counted = conn.execute(
        sa.select(q.c.table_name, q.c.period, q.c.source_file, q.c.run_id, sa.func.count())
        .where(where)
        .group_by(q.c.table_name, q.c.period, q.c.source_file, q.c.run_id)
    ).all()
    conn.execute(sa.delete(q).where(where))
    return [ErasedRows(t, p, f, run, MALFORMED, n) for t, p, f, run, n in counted]


def erase(
    engine: sa.Engine, pseudonyms: Sequence[str], erasure_id: str, now: datetime
) -> tuple[list[ErasedRows], set[str]]:
    """Erase the children's records from every layer, count them, register the children, and
    record the run, in one transaction over every year they appear in; the rows erased, and
    the years they were of."""
    with engine.connect() as conn:
        periods = affected_periods(conn, pseudonyms)
    with write_transaction(engine, REFERENCE_SCOPE, *periods) as conn:
        erased = [row for table in person_tables() for row in _erase_table(conn, table, pseudonyms)]
        erased += _erase_malformed(conn, pseudonyms)
        record_erasures(conn, erasure_id, erased, now)
        register(conn, pseudonyms, erasure_id, now)
        record_run(conn, erasure_id, "tip erase", now)
    return erased, {row.period for row in erased}


def register(
    conn: sa.Connection, pseudonyms: Sequence[str], erasure_id: str, now: datetime
) -> None:
    """Add the children to the register (a child registered before keeps its first entry)."""
    known = registered(conn)
    rows = [
        {"token": t, "erasure_id": erasure_id, "erased_at": now}
        for t in sorted({token(p) for p in pseudonyms} - known)
    ]
    if rows:
        conn.execute(sa.insert(schema.erased_people), rows)


def registered(conn: sa.Connection) -> set[str]:
    """The register's tokens."""
    return set(conn.execute(sa.select(schema.erased_people.c.token)).scalars())


def record_erasures(
    conn: sa.Connection, erasure_id: str, rows: Sequence[ErasedRows], now: datetime
) -> None:
    """Append ``rows`` to ``ops.erasures`` as the run's next items."""
    e = schema.erasures
    last = conn.execute(
        sa.select(sa.func.max(e.c.item)).where(e.c.erasure_id == erasure_id)
    ).scalar_one()
    first = (last or 0) + 1
    values = [
        {
            "erasure_id": erasure_id,
            "item": first + i,
            "table_name": row.table,
            "period": row.period,
            "source_file": row.source_file,
            "load_run_id": row.load_run_id,
            "layer": row.layer,
            "count": row.count,
            "erased_at": now,
        }
        for i, row in enumerate(rows)
    ]
    if values:
        conn.execute(sa.insert(e), values)


def refuse_erased(
    conn: sa.Connection, table: str, staged: pd.DataFrame, run_id: str, now: datetime
) -> pd.DataFrame:
    """``staged`` without the rows of registered children, the rows left out counted in
    ``ops.erasures`` by file (layer 'refused at staging'); unchanged when nobody is
    registered or the extract has no person column."""
    columns = person_columns(table)
    if staged.empty or not columns:
        return staged
    tokens = registered(conn)
    if not tokens:
        return staged
    erased = pd.Series(False, index=staged.index)
    for column in columns:
        values = staged[column].dropna().unique()
        hit = {v for v in values if token(str(v)) in tokens}
        erased |= staged[column].isin(hit)
    if not erased.any():
        return staged
    counts = staged[erased].groupby(["period", "source_file"]).size()
    record_erasures(
        conn,
        run_id,
        [ErasedRows(table, p, f, run_id, REFUSED, int(n)) for (p, f), n in counts.items()],
        now,
    )
    return staged[~erased].reset_index(drop=True)
