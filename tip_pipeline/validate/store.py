"""Validate staged extracts and store the outcome: typed accepted rows (restricted), quarantine,
rule results and completeness (ops), and the disclosure-safe quality summary (published).

The rows come from ingestion in memory or are read back (``warehouse.readback``); the typed rows
are made in Python or inside the database (``validate.typed_copy``); what completeness measures
is declared in ``validate.completeness``; the writes run on a background thread while the next
table is validated (``warehouse.background``).

One transaction per call, replacing exactly the period's rows of the tables validated, so a
re-run is idempotent and a failure leaves the previous outcome in place. Rule results are
history: they are appended, never replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline.home_area import delivering_la
from tip_pipeline.ingest.load import period_key
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, is_pseudonym, service_sources
from tip_pipeline.validate.completeness import completeness_frame
from tip_pipeline.validate.engine import TableOutcome, person_id_column, table_outcomes
from tip_pipeline.validate.expectations import ExpectationResult, run_expectations
from tip_pipeline.validate.rules import Delivery, rules_for
from tip_pipeline.validate.typed_copy import copy_typed_rows, typable_in_database
from tip_pipeline.warehouse.background import writes_in_background
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import write_transaction
from tip_pipeline.warehouse.readback import META, as_staged, read_staged
from tip_pipeline.warehouse.schema import (
    completeness,
    ingest_log,
    quality_summary,
    quarantine,
    staging_columns,
    staging_table,
    validated_table,
    validation_results,
)

SERVICE_SOURCES = service_sources()
QUARANTINED = "records_quarantined"
CHILDREN_QUARANTINED = "children_with_quarantined_rows"
LOOKUP = "ref_lsoa_lookup"


@dataclass
class TableReport:
    """What a data engineer sees about one table: counts, never values."""

    table: str
    period: str
    rows_read: int
    accepted: int
    quarantined: int
    malformed: int
    rule_counts: dict[str, int]
    expectations: list[ExpectationResult]
    samples: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)
    children_affected: int = 0
    children_in_table: int = 0

    @property
    def conserved(self) -> bool:
        return self.rows_read == self.accepted + self.quarantined + self.malformed

    @property
    def quarantine_share(self) -> float:
        return (self.quarantined + self.malformed) / self.rows_read if self.rows_read else 0.0

    @property
    def expectations_passed(self) -> bool:
        return all(r.success for r in self.expectations)


def combine_reports(table: str, reports: list[TableReport]) -> TableReport:
    """One report for a table validated over several periods (counts added up)."""
    rule_counts: dict[str, int] = {}
    for report in reports:
        for rule, count in report.rule_counts.items():
            rule_counts[rule] = rule_counts.get(rule, 0) + count
    return TableReport(
        table=table,
        period=", ".join(r.period for r in reports),
        rows_read=sum(r.rows_read for r in reports),
        accepted=sum(r.accepted for r in reports),
        quarantined=sum(r.quarantined for r in reports),
        malformed=sum(r.malformed for r in reports),
        rule_counts=rule_counts,
        expectations=[e for r in reports for e in r.expectations],
        children_affected=sum(r.children_affected for r in reports),
    )


def known_lsoas(conn: sa.Connection) -> frozenset[str]:
    lookup = validated_table(LOOKUP)
    return frozenset(conn.execute(sa.select(lookup.c.lsoa21cd)).scalars())


def lookup_home_la(conn: sa.Connection) -> str | None:
    """The LA a row with an empty home LSOA is counted in (``home_area.delivering_la`` of the
    lookup's LAs and ``TIP_HOME_LA``), None when it cannot be told."""
    lookup = validated_table(LOOKUP)
    return delivering_la(conn.execute(sa.select(lookup.c.lad24cd).distinct()).scalars())


def _malformed_count(conn: sa.Connection, table: str, key: str) -> int:
    q = quarantine
    condition = (q.c.table_name == table) & (q.c.period == key) & (q.c.stage == "read")
    return conn.execute(sa.select(sa.func.count()).where(condition)).scalar_one()


def _load_run(conn: sa.Connection, table: str, key: str) -> str | None:
    """The ingestion run whose rows are staged for the period (a load replaces them all)."""
    stg = staging_table(table)
    query = sa.select(stg.c.load_run_id).where(stg.c.period == key).limit(1)
    return conn.execute(query).scalar_one_or_none()


def _data_version(conn: sa.Connection, table: str, key: str, run: str | None) -> str | None:
    """The hashes of the files behind the staged rows (``run``, the last load of the period)."""
    log = ingest_log
    hashes = conn.execute(
        sa.select(log.c.file_name, log.c.sha256)
        .where((log.c.run_id == run) & (log.c.table_name == table) & (log.c.period == key))
        .order_by(log.c.file_name)
    ).all()
    return ";".join(f"{name}:{sha}" for name, sha in hashes) or None


def _staged_rows(
    conn: sa.Connection, table: str, key: str, run: str | None, just_staged: pd.DataFrame | None
) -> pd.DataFrame:
    """The staged rows: those ingestion has just handed over when they are the period's
    latest load (the same run), else read back from the warehouse."""
    if just_staged is not None and run is not None and (just_staged["load_run_id"] == run).all():
        return as_staged(just_staged, table)
    return read_staged(conn, table, key)


def _shown_id(value: object) -> str | None:
    """A quarantined row's child id as a sample may show it: only a value in the declared
    pseudonym form; anything else (a raw id, a name typed into the id column) is not shown."""
    return value if isinstance(value, str) and is_pseudonym(value) else None


def _samples(outcome: TableOutcome, per_rule: int = 5) -> dict[str, list[tuple[int, str | None]]]:
    """A few (line, pseudonymised id) per rule: enough to find the rows, nothing of them. These
    reach the Dagster event log (rule metadata), so an id not in the pseudonym form is left
    out."""
    q = outcome.quarantined
    return {
        rule: [
            (line, _shown_id(child))
            for line, child in zip(
                group["line_number"].head(per_rule), group["child_id"].head(per_rule), strict=True
            )
        ]
        for rule, group in q.groupby("rule_id", sort=True)
    }


def _typed_rows(outcome: TableOutcome, key: str, run_id: str) -> pd.DataFrame:
    names = staging_columns(outcome.table)
    frame = outcome.accepted.rename(columns=dict(names))
    frame = frame[[*META, *names.values()]]
    frame.insert(0, "period", key)
    frame["run_id"] = run_id
    return frame  # dates stay datetime64: replace_rows writes them in one vectorised pass


def typed_in_database(conn: sa.Connection, table: str) -> bool:
    """Whether validation writes the typed rows of ``table`` with ``copy_typed_rows`` rather
    than from the typed frame. Only where it was measured faster (england, docs/PERFORMANCE.md): the
    service tables on SQLite, where it replaces a Python ``executemany``. PostgreSQL's COPY
    from the frame costs as much as ``INSERT ... SELECT`` (the server's insert dominates
    both), and the wide numeric reference tables are typed faster by Arrow than by SQL."""
    return (
        conn.dialect.name == "sqlite"
        and EXTRACTS[table].source in SERVICE_SOURCES
        and typable_in_database(table)
    )


def _quarantine_rows(outcome: TableOutcome, key: str, run_id: str, at: datetime) -> pd.DataFrame:
    frame = outcome.quarantined.copy()
    frame.insert(0, "period", key)
    frame["stage"] = "validate"
    frame["run_id"] = run_id
    frame["quarantined_at"] = at
    return frame


def _result_rows(report: TableReport, run_id: str, version: str | None, at: datetime):
    gx = {r.rule_id: r for r in report.expectations}
    source = EXTRACTS[report.table].source
    rows = []
    for rule in rules_for(report.table):
        broken = report.rule_counts.get(rule.id, 0)
        expectation = gx.get(rule.id)
        rows.append(
            {
                "run_id": run_id,
                "period": report.period,
                "table_name": report.table,
                "rule_id": rule.id,
                "source": source,
                "rule_text": rule.text,
                "dfe_rule": rule.dfe_rule,
                "family": rule.family,
                "rows_checked": report.rows_read - report.malformed,
                "rows_broken": broken,
                "passed": broken == 0,
                "expectation": expectation.expectation if expectation else None,
                "expectation_passed": expectation.success if expectation else None,
                "data_version": version,
                "checked_at": at,
            }
        )
    return rows


def _quality_frame(report: TableReport, run_id: str, at: datetime) -> pd.DataFrame:
    rows = [
        {
            "rule_id": "all",
            "rule_text": "All rules",
            "rows_quarantined": report.quarantined + report.malformed,
        }
    ] + [
        {"rule_id": rule.id, "rule_text": rule.text, "rows_quarantined": count}
        for rule in rules_for(report.table)
        if (count := report.rule_counts.get(rule.id, 0))
    ]
    if report.malformed:
        rows.append(
            {
                "rule_id": f"{report.table}.malformed_line",
                "rule_text": "The line must be a CSV record of the contract's columns",
                "rows_quarantined": report.malformed,
            }
        )
    frame = pd.DataFrame(rows)
    frame["period"] = report.period
    frame["source"] = EXTRACTS[report.table].source
    frame["table_name"] = report.table
    frame["rows_read"] = report.rows_read
    frame["run_id"] = run_id
    frame["loaded_at"] = at
    return frame


def _children(raw: pd.DataFrame, table: str) -> int:
    column = person_id_column(table)
    return int(raw[column].nunique()) if column else 0


def quality_history(
    engine: sa.Engine, table: str, key: str, limit: int = 10
) -> list[tuple[datetime, str, int, int]]:
    """The table's quarantine over its latest runs: (checked at, run id, quarantined, read)."""
    c = completeness
    query = (
        sa.select(c.c.checked_at, c.c.run_id, c.c.numerator, c.c.denominator)
        .where((c.c.table_name == table) & (c.c.period == key) & (c.c.measure == QUARANTINED))
        .order_by(c.c.checked_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def quarantine_impact(engine: sa.Engine, key: str) -> pd.DataFrame:
    """Per source, for one period: records quarantined and the distinct children they belong
    to, so that an indicator can be read knowing how many children its source lost."""
    q = quarantine
    with engine.connect() as conn:
        rows = pd.read_sql(sa.select(q.c.table_name, q.c.child_id).where(q.c.period == key), conn)
    rows["source"] = rows["table_name"].map(lambda t: EXTRACTS[t].source)
    grouped = rows.groupby("source")
    return pd.DataFrame(
        {
            "records_quarantined": grouped.size(),
            "children_with_quarantined_rows": grouped["child_id"].nunique(),
        }
    ).reindex([s for s in SERVICE_SOURCES], fill_value=0)


def _report(
    delivery: Delivery,
    outcome: TableOutcome,
    key: str,
    malformed: int,
    period: FinancialYear | None,
) -> TableReport:
    """What a data engineer is shown about one table, Great Expectations' verdict included."""
    table = outcome.table
    accepted_text = delivery.accepted[table]
    return TableReport(
        table=table,
        period=key,
        rows_read=outcome.rows_in + malformed,
        accepted=len(outcome.accepted),
        quarantined=len(outcome.quarantined),
        malformed=malformed,
        rule_counts=outcome.rule_counts,
        expectations=run_expectations(accepted_text, table, period) if len(accepted_text) else [],
        samples=_samples(outcome),
        children_affected=int(outcome.quarantined["child_id"].nunique()),
        children_in_table=_children(delivery.raw[table], table),
    )


def _store_rows(
    conn: sa.Connection, outcome: TableOutcome, key: str, run_id: str, at: datetime
) -> None:
    """The table's quarantined rows, then its typed accepted rows (the period's, replaced)."""
    table = outcome.table
    replace_rows(  # first: the typed copy below leaves these rows out
        conn,
        quarantine,
        _quarantine_rows(outcome, key, run_id, at),
        where={"period": key, "table_name": table, "stage": "validate"},
    )
    if typed_in_database(conn, table):
        written = copy_typed_rows(conn, table, key, run_id)
    else:
        typed = _typed_rows(outcome, key, run_id)
        written = replace_rows(conn, validated_table(table), typed, where={"period": key})
    if written != len(outcome.accepted):  # a defect in the copy, never in the data
        raise AssertionError(f"{table}: {written} typed rows for {len(outcome.accepted)}")


def _store_results(
    conn: sa.Connection,
    outcome: TableOutcome,
    report: TableReport,
    run_id: str,
    version: str | None,
    at: datetime,
) -> None:
    """The table's rule results (history), completeness and quality summary (to be published)."""
    key, table = report.period, report.table
    replace_rows(
        conn,
        validation_results,
        pd.DataFrame(_result_rows(report, run_id, version, at)),
        where={"run_id": run_id, "period": key, "table_name": table},
    )
    quarantine_measures = {
        QUARANTINED: (report.quarantined + report.malformed, report.rows_read),
        CHILDREN_QUARANTINED: (report.children_affected, report.children_in_table),
    }
    replace_rows(
        conn,
        completeness,
        completeness_frame(outcome, quarantine_measures, key, run_id, at),
        where={"run_id": run_id, "period": key, "table_name": table},
    )
    replace_rows(  # published with the year (tip_pipeline.publish.quality)
        conn,
        quality_summary,
        _quality_frame(report, run_id, at),
        where={"period": key, "table_name": table},
    )


def validate_tables(
    engine: sa.Engine,
    tables: list[str],
    period: FinancialYear | None,
    run_id: str,
    just_staged: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, TableReport]:
    """Validate the staged rows of ``tables`` (one source, or the reference files) for
    ``period`` and store every outcome in one transaction of its own
    (:func:`validate_tables_in`)."""
    keys = [period_key(EXTRACTS[t], period) for t in tables]
    with write_transaction(engine, *keys) as conn:
        return validate_tables_in(conn, tables, period, run_id, just_staged)


def validate_tables_in(
    conn: sa.Connection,
    tables: list[str],
    period: FinancialYear | None,
    run_id: str,
    just_staged: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, TableReport]:
    """Validate the staged rows of ``tables`` for ``period`` and store every outcome through
    ``conn``, in the caller's transaction (which may have staged them: a source-year's staged
    and validated rows are committed together, ``validate.source_year``).

    ``just_staged`` holds the rows ingestion staged in this process (``IngestResult.staged``
    by table): validated while still in memory, they are not read back (docs/PERFORMANCE.md: the
    read-back was a fifth of validation's time at england scale)."""
    at = datetime.now(UTC)
    keys = {t: period_key(EXTRACTS[t], period) for t in tables}
    handed = just_staged or {}
    runs = {t: _load_run(conn, t, keys[t]) for t in tables}
    raw = {t: _staged_rows(conn, t, keys[t], runs[t], handed.get(t)) for t in tables}
    with_home = any(EXTRACTS[t].home_lsoa for t in tables)
    lsoas = known_lsoas(conn) if with_home else frozenset()
    home_la = lookup_home_la(conn) if with_home else None
    malformed = {t: _malformed_count(conn, t, keys[t]) for t in tables}
    versions = {t: _data_version(conn, t, keys[t], runs[t]) for t in tables}
    delivery = Delivery(period=period, raw=raw, lsoas=lsoas, home_la=home_la)
    reports = {}
    with writes_in_background() as write:
        for outcome in table_outcomes(delivery):
            table, key = outcome.table, keys[outcome.table]
            write(_store_rows, conn, outcome, key, run_id, at)
            reports[table] = _report(delivery, outcome, key, malformed[table], period)
            write(_store_results, conn, outcome, reports[table], run_id, versions[table], at)
    return reports
