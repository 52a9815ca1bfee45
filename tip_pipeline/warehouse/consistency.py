"""Is the warehouse as a set of completed runs left it? The invariants a killed run must not
break, checked from the tables alone.

A run writes in transactions; killed between two of them, it must leave every table of every
period as of the last run that completed that table's step.
These checks say where that does not hold, by table, period and file, never by a value:

- **a file's records are conserved**: the rows staged from a file, plus its lines set aside at
  reading, plus those of erased children (``ops.erasures``: removed by ``tip erase``, or
  refused at staging), are the rows its ``ops.ingest_log`` entry says were read; the staged
  rows are the validated rows plus those quarantined by a rule; and staging, validated rows,
  quarantine and the latest log entry come from one run (a kill between staging and validation would
  leave the new delivery's staged rows beside the old delivery's validated ones);
- **a year's indicator tables come from one run** (they are replaced in one transaction);
- **a year's published tables come from one run** (the publish transaction), its data-quality
  summary, its recent trends (``published.indicator_trends``), its benchmarking
  (``published.la_benchmarking``), its goal comparisons (``published.indicator_goals``), its
  child population (``published.child_population``) and its indicators not available
  (``published.indicator_not_available``) included;
- **a published year's true counts come from the run that published it**: its restricted
  indicator tables and its published twins are replaced in one transaction, so the disclosure
  audit always compares a published year with the true counts it was made from.

The disclosure audit (``tip_pipeline.publish.audit``) is the third invariant a kill must not
break; the kill harness (``benchmarks/kill_harness.py``) runs it beside these. An operator can
run them after an incident: ``partial_states`` returns nothing on a consistent warehouse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.warehouse import schema


def _per_file(conn: sa.Connection, query: sa.Select) -> dict[tuple, list[tuple]]:
    """Rows of ``query`` (period, source_file, run, count) by (period, source_file)."""
    found: dict[tuple, list[tuple]] = defaultdict(list)
    for period, source_file, run, count in conn.execute(query):
        found[(period, source_file)].append((run, count))
    return found


def _counts(table: sa.Table, run: sa.Column, *where) -> sa.Select:
    return (
        sa.select(table.c.period, table.c.source_file, run, sa.func.count())
        .where(*where)
        .group_by(table.c.period, table.c.source_file, run)
    )


def _logged(conn: sa.Connection, table_name: str) -> dict[tuple, tuple[str, int]]:
    """The latest ``ops.ingest_log`` entry of each (period, file) of an extract: run, rows."""
    log = schema.ingest_log
    rows = conn.execute(
        sa.select(log.c.period, log.c.file_name, log.c.run_id, log.c.rows, log.c.loaded_at)
        .where(log.c.table_name == table_name)
        .order_by(log.c.loaded_at)
    )
    return {(period, name): (run, n) for period, name, run, n, _ in rows}


def _erased(conn: sa.Connection, table_name: str) -> dict[tuple, int]:
    """Rows of each (period, file, run that read it) erased or refused as an erased child's
    (``ops.erasures``): part of what the file's log entry read."""
    e = schema.erasures
    rows = conn.execute(
        sa.select(e.c.period, e.c.source_file, e.c.load_run_id, sa.func.sum(e.c.count))
        .where(e.c.table_name == table_name)
        .group_by(e.c.period, e.c.source_file, e.c.load_run_id)
    )
    return {(period, name, run): int(n) for period, name, run, n in rows}


def _sum(found: list[tuple]) -> int:
    return sum(count for _, count in found)


def _runs(*found: list[tuple]) -> set[str]:
    return {run for rows in found for run, _ in rows}


def file_partial_states(conn: sa.Connection, table_name: str) -> list[str]:
    """Where one extract's files are not conserved or mix runs (see the module docstring)."""
    staging = schema.staging_table(table_name)
    validated = schema.validated_table(table_name)
    q = schema.quarantine
    of_table = q.c.table_name == table_name
    staged = _per_file(conn, _counts(staging, staging.c.load_run_id))
    accepted = _per_file(conn, _counts(validated, validated.c.run_id))
    by_rule = _per_file(conn, _counts(q, q.c.run_id, of_table, q.c.stage == "validate"))
    at_reading = _per_file(conn, _counts(q, q.c.run_id, of_table, q.c.stage == "read"))
    logged = _logged(conn, table_name)
    erased = _erased(conn, table_name)
    problems = []
    for period, name in sorted(set(staged) | set(accepted) | set(by_rule) | set(at_reading)):
        where = f"{table_name}, {period}, file {name}"
        s, a, r, m = (x.get((period, name), []) for x in (staged, accepted, by_rule, at_reading))
        if _sum(s) != _sum(a) + _sum(r):
            problems.append(
                f"{where}: staged {_sum(s)} != accepted {_sum(a)} + quarantined {_sum(r)}"
            )
        runs = _runs(s, a, r, m)
        log_run, log_rows = logged.get((period, name), (None, None))
        if len(runs) > 1 or (log_run is not None and {log_run} != runs):
            problems.append(f"{where}: rows of {len(runs | {log_run} - {None})} runs")
        if log_rows is None:
            problems.append(f"{where}: no ops.ingest_log entry")
        elif log_rows != _sum(s) + _sum(m) + (gone := erased.get((period, name, log_run), 0)):
            also = f" + erased {gone}" if gone else ""
            problems.append(
                f"{where}: ops.ingest_log read {log_rows} != staged {_sum(s)} + malformed "
                f"{_sum(m)}{also}"
            )
    return problems


def runs_by_period(conn: sa.Connection, tables: Iterable[sa.Table]) -> dict[str, set[str]]:
    """The runs whose rows ``tables`` hold, by period."""
    runs: dict[str, set[str]] = defaultdict(set)
    for table in tables:
        for period, run in conn.execute(sa.select(table.c.period, table.c.run_id).distinct()):
            runs[period].add(run)
    return runs


def mixed_runs(runs: dict[str, set[str]], what: str, periods: set[str] | None = None) -> list[str]:
    """Periods (of ``periods``, or all) whose rows come from more than one run."""
    return [
        f"{what}, {period}: rows of {len(found)} runs"
        for period, found in sorted(runs.items())
        if len(found) > 1 and (periods is None or period in periods)
    ]


def published_years(conn: sa.Connection) -> set[str]:
    """The reporting years with published indicator values."""
    table = schema.published_indicator_values
    return set(conn.execute(sa.select(table.c.period).distinct()).scalars())


def partial_states(engine: sa.Engine) -> list[str]:
    """Every broken invariant of the warehouse, by table, period and file; empty when every
    table is as a set of completed runs left it. A reference vintage's data-quality rows are
    published by the reference run, so only the reporting years' are held to the year's run."""
    with engine.connect() as conn:
        problems = [p for table in EXTRACTS for p in file_partial_states(conn, table)]
        indicators = runs_by_period(conn, schema.INDICATOR_TABLES)
        problems += mixed_runs(indicators, "restricted indicator tables")
        published = [*schema.PUBLISHED_TWINS.values(), schema.data_quality, *schema.YEAR_DERIVED]
        years = published_years(conn)
        problems += mixed_runs(runs_by_period(conn, published), "published tables", years)
        pair = [*schema.INDICATOR_TABLES, *schema.PUBLISHED_TWINS.values(), *schema.YEAR_DERIVED]
        problems += mixed_runs(
            runs_by_period(conn, pair), "true counts and published figures", years
        )
    return problems
