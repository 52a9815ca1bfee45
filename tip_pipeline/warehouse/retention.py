"""Retention and purge: personal data kept no longer than the authority's retention settings
say, published aggregates kept for good (docs/INFORMATION_GOVERNANCE.md, "How long it is kept").

What is purged, and what stays:

- **A reporting year's records** (``TIP_RETAIN_YEARS``: the records of that many most recent
  reporting years are kept): the staged and validated person-level rows of every service
  extract of an older year, its quarantined rows, and its contract files in the data folder.
  Kept, with the reason said: the baseline year (the first reporting year, whose validated
  tables every later year's change in inequality is recomputed from) and the extracts read
  across years (youth justice: a first-time entrant is first against every earlier year).
  The year's true counts (restricted indicator tables: aggregates) and its published figures
  stand. A purged year is recorded in ``ops.purges`` and is never run again: staging,
  validating or publishing it is refused (:func:`refuse_if_purged`), so a backfill cannot
  republish it from nothing.
- **Quarantined records** (``TIP_RETAIN_QUARANTINE_DAYS``): a quarantined row's record and
  pseudonym are erased once it is older than that; its file, line and rule stay, so that the
  counts (records in = accepted + quarantined) still add up.
- **Raw files** (``TIP_RETAIN_RAW_DAYS``): a file of the raw folder converted by intake that
  long ago, and not changed since, is deleted; a file intake has not converted is never
  deleted.
- **Dagster runs** (``TIP_RETAIN_RUN_DAYS``): finished runs, their event logs and compute
  logs (``tip_pipeline.defs.retention``, which needs the Dagster instance).

Each deletion is recorded in ``ops.purges`` by kind, table and year with its count, never a
value. An empty setting keeps that kind of data until it is deleted by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.errors import ValueFreeError
from tip_pipeline.periods import FinancialYear, is_financial_year
from tip_pipeline.sources.contracts import EXTRACTS, tables
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import REFERENCE_SCOPE, write_transaction

YEAR_RECORDS = "year records"
QUARANTINED = "quarantined records"
RAW_FILES = "raw files"
CONTRACT_FILES = "contract files"
DAGSTER_RUNS = "dagster runs"


class PurgedYear(ValueFreeError):
    """A reporting year purged under retention was asked to run again."""


class BadRetention(ValueFreeError):
    """A retention setting that is not a whole number."""


@dataclass(frozen=True)
class Retention:
    """How long each kind of personal data is kept; None keeps it until deleted by hand."""

    years: int | None = None
    quarantine_days: int | None = None
    raw_days: int | None = None
    run_days: int | None = None

    @classmethod
    def from_settings(cls) -> Retention:
        return cls(
            years=_whole(config.RETAIN_YEARS, least=1),
            quarantine_days=_whole(config.RETAIN_QUARANTINE_DAYS, least=0),
            raw_days=_whole(config.RETAIN_RAW_DAYS, least=0),
            run_days=_whole(config.RETAIN_RUN_DAYS, least=0),
        )


def _whole(setting: config.Setting, least: int) -> int | None:
    text = setting.value().strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < least:
        raise BadRetention(f"{setting.name} must be a whole number of at least {least}, or empty")
    return int(text)


@dataclass(frozen=True)
class Purged:
    """One deletion: its kind, table and year where it has them, how many, and why."""

    what: str
    count: int
    why: str
    table: str | None = None
    period: str | None = None

    def line(self) -> str:
        where = " ".join(x for x in (self.table, self.period) if x)
        return f"{self.what}{' ' + where if where else ''}: {self.count:,} ({self.why})"


# -- reporting years -----------------------------------------------------------------------


def year_tables() -> tuple[str, ...]:
    """The person-level extracts a year's purge deletes: the services' tables, except those
    read across years (their earlier years are part of every later year's figures)."""
    return tables(service=True, history=False, read_across_years=False)


def kept_across_years() -> tuple[str, ...]:
    """The services' tables a year's purge keeps, because later years read them."""
    return tuple(t for t in tables(service=True) if t not in year_tables())


def years_past_retention(
    years: Iterable[FinancialYear], keep: int, baseline: FinancialYear
) -> list[FinancialYear]:
    """The years whose records are past retention: all but the ``keep`` most recent, never the
    baseline year (every later year's change in inequality is measured from it)."""
    ordered = sorted(set(years))
    old = ordered[: max(len(ordered) - keep, 0)]
    return [year for year in old if year != baseline]


def loaded_years(conn: sa.Connection) -> list[FinancialYear]:
    """The reporting years whose service records the warehouse holds (by ``ops.ingest_log``),
    purged years left out."""
    log = schema.ingest_log
    periods = conn.execute(
        sa.select(log.c.period).distinct().where(log.c.table_name.in_(tables(service=True)))
    ).scalars()
    purged = purged_years(conn)
    return sorted(
        FinancialYear.parse(p) for p in periods if p and p not in purged and is_financial_year(p)
    )


def purged_years(conn: sa.Connection) -> set[str]:
    """The reporting years (labels, e.g. ``2020/21``) purged under retention."""
    p = schema.purges
    return set(
        conn.execute(
            sa.select(p.c.period)
            .distinct()
            .where(p.c.what == YEAR_RECORDS, p.c.period.is_not(None))
        ).scalars()
    )


def refuse_if_purged(conn: sa.Connection, period: str) -> None:
    """Refuse to stage, validate or publish ``period`` when it was purged: its records are
    gone, and publishing it again would replace its figures with ones made from nothing."""
    if period in purged_years(conn):
        raise PurgedYear(
            f"reporting year {period} was purged under the retention policy (ops.purges): its "
            "records are deleted and its published figures stand; it cannot be run again"
        )


def purge_year_records(conn: sa.Connection, period: str, why: str) -> list[Purged]:
    """Delete ``period``'s staged and validated rows of every table :func:`year_tables`
    names, and its quarantined rows of those tables, in the caller's transaction."""
    done = []
    for table in year_tables():
        for target in (schema.staging_table(table), schema.validated_table(table)):
            deleted = conn.execute(sa.delete(target).where(target.c.period == period)).rowcount
            done.append(
                Purged(YEAR_RECORDS, deleted, why, f"{target.schema}.{target.name}", period)
            )
    q = schema.quarantine
    deleted = conn.execute(
        sa.delete(q).where(q.c.period == period, q.c.table_name.in_(year_tables()))
    ).rowcount
    done.append(Purged(YEAR_RECORDS, deleted, why, "ops.quarantine", period))
    return done


def contract_files(data_dir: Path, period: FinancialYear) -> list[Path]:
    """The year's delivered contract files of the tables :func:`year_tables` names that are in
    ``data_dir``."""
    names = [name for table in year_tables() for name in EXTRACTS[table].file_names(period)]
    return [data_dir / name for name in names if (data_dir / name).is_file()]


# -- quarantined records, raw files ----------------------------------------------------------


def erase_old_quarantine(conn: sa.Connection, before: datetime, why: str) -> Purged:
    """Erase the record and pseudonym of every row quarantined before ``before``; its file,
    line and rule stay, so the counts of what was quarantined still add up."""
    q = schema.quarantine
    erased = conn.execute(
        sa.update(q)
        .where(
            q.c.quarantined_at < before,
            sa.or_(q.c.record.is_not(None), q.c.child_id.is_not(None)),
        )
        .values(record=None, child_id=None)
    ).rowcount
    return Purged(QUARANTINED, erased, why, "ops.quarantine")


def raw_files_taken_in(conn: sa.Connection, raw_dir: Path, before: datetime) -> list[Path]:
    """The files of ``raw_dir`` that intake converted before ``before`` and that have not
    changed since they were last converted (their modification time is not later)."""
    log = schema.intake_log
    last = conn.execute(
        sa.select(log.c.raw_file, sa.func.max(log.c.loaded_at))
        .where(log.c.status == "converted")
        .group_by(log.c.raw_file)
    ).all()
    found = []
    for name, loaded_at in last:
        path = raw_dir / name
        taken = _aware(loaded_at)
        if taken < before and path.is_file() and _modified(path) <= taken:
            found.append(path)
    return sorted(found)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for what was written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


# -- the purge -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a purge deletes from the warehouse's files and folders (the Dagster runs are
    ``tip_pipeline.defs.retention``'s)."""

    years: list[FinancialYear]
    kept: list[str]
    raw_files: list[Path]
    contract_files: list[Path]
    quarantine_before: datetime | None


def plan(
    conn: sa.Connection,
    retention: Retention,
    data_dir: Path,
    raw_dir: Path | None,
    baseline: FinancialYear,
    now: datetime,
) -> Plan:
    """What ``retention`` says to purge now, and what it keeps that it otherwise would."""
    years = (
        years_past_retention(loaded_years(conn), retention.years, baseline)
        if retention.years
        else []
    )
    kept = []
    if retention.years:
        kept.append(f"the baseline year {baseline.label} (every later year's change is from it)")
        kept.append(f"{', '.join(kept_across_years())} of every year (later years read them)")
    raw = (
        raw_files_taken_in(conn, raw_dir, now - timedelta(days=retention.raw_days))
        if raw_dir is not None and retention.raw_days is not None and raw_dir.is_dir()
        else []
    )
    files = [path for year in years for path in contract_files(data_dir, year)]
    before = (
        now - timedelta(days=retention.quarantine_days)
        if retention.quarantine_days is not None
        else None
    )
    return Plan(years, kept, raw, files, before)


def purge(
    engine: sa.Engine, found: Plan, retention: Retention, purge_id: str, now: datetime
) -> list[Purged]:
    """Carry ``found`` out: each year's records in its own transaction (under the year's write
    lock, so a run of the year waits or is refused), recorded in ``ops.purges`` in the same
    transaction; then the quarantine; then the files, each recorded after it is deleted."""
    done: list[Purged] = []
    for year in found.years:
        why = f"TIP_RETAIN_YEARS={retention.years}"
        with write_transaction(engine, year.label) as conn:
            items = purge_year_records(conn, year.label, why)
            record(conn, purge_id, items, now, first=len(done) + 1)
        done += items
    if found.quarantine_before is not None:
        why = f"TIP_RETAIN_QUARANTINE_DAYS={retention.quarantine_days}"
        with write_transaction(engine, REFERENCE_SCOPE) as conn:
            item = erase_old_quarantine(conn, found.quarantine_before, why)
            record(conn, purge_id, [item], now, first=len(done) + 1)
        done.append(item)
    for what, paths, why in (
        (CONTRACT_FILES, found.contract_files, f"TIP_RETAIN_YEARS={retention.years}"),
        (RAW_FILES, found.raw_files, f"TIP_RETAIN_RAW_DAYS={retention.raw_days}"),
    ):
        if paths:
            item = Purged(what, delete_files(paths), why)
            with write_transaction(engine, REFERENCE_SCOPE) as conn:
                record(conn, purge_id, [item], now, first=len(done) + 1)
            done.append(item)
    return done


def delete_files(paths: Sequence[Path]) -> int:
    """Delete ``paths`` (a file already gone counts as not deleted)."""
    deleted = 0
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
        deleted += 1
    return deleted


def record(
    conn: sa.Connection, purge_id: str, items: Sequence[Purged], now: datetime, first: int
) -> None:
    """Write ``items`` to ``ops.purges`` as the purge's items ``first``, ``first + 1``, ..."""
    rows = [
        {
            "purge_id": purge_id,
            "item": first + i,
            "what": item.what,
            "table_name": item.table,
            "period": item.period,
            "count": item.count,
            "why": item.why,
            "purged_at": now,
        }
        for i, item in enumerate(items)
    ]
    if rows:
        conn.execute(sa.insert(schema.purges), rows)
