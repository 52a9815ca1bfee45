"""Validate staged extracts and store the outcome: typed accepted rows (restricted), quarantine,
rule results and completeness (ops), and the disclosure-safe quality summary (published).

One transaction per call, replacing exactly the period's rows of the tables validated, so a
re-run is idempotent and a failure leaves the previous outcome in place. Rule results are
history: they are appended, never replaced.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from tip_pipeline.ingest.load import period_key
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS, Kind
from tip_pipeline.validate.engine import TableOutcome, person_id_column, table_outcomes
from tip_pipeline.validate.expectations import ExpectationResult, run_expectations
from tip_pipeline.validate.parse import _whitespace
from tip_pipeline.validate.rules import Delivery, rules_for
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.schema import (
    completeness,
    data_quality,
    ingest_log,
    quarantine,
    staging_columns,
    staging_table,
    validated_table,
    validation_results,
)

META = ("source_file", "line_number", "quarter")
SERVICE_SOURCES = tuple(dict.fromkeys(e.source for e in EXTRACTS.values() if e.service))
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


def _layout(table: str) -> tuple[list[str], list[str]]:
    """The columns validation reads, by contract name and by staging-table name."""
    return [*META, *EXTRACTS[table].column_names], [*META, *staging_columns(table).values()]


def read_staged(conn: sa.Connection, table: str, key: str) -> pd.DataFrame:
    """Staged rows of one table and period, with contract column names (text, as delivered).

    Read on the driver's cursor straight into Arrow arrays (on PostgreSQL as COPY's CSV,
    parsed by Arrow): SQLAlchemy's row objects and ``read_sql``'s later string conversion
    cost more than the read itself (issue #3)."""
    stg = staging_table(table)
    names, db_names = _layout(table)
    query = (
        sa.select(*(stg.c[name] for name in db_names))
        .where(stg.c.period == key)
        .order_by(stg.c.source_file, stg.c.line_number)
    )
    types = [pa.int64() if name in INT_META else pa.large_string() for name in names]
    fetch = _copy_arrow if conn.dialect.name == "postgresql" else _fetch_arrow
    columns = fetch(conn, query, types)
    return pd.DataFrame(
        {
            name: (
                column.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
                if name in INT_META
                else pd.arrays.ArrowStringArray(column)
            )
            for name, column in zip(names, columns, strict=True)
        }
    )


def as_staged(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The rows ingestion has just staged (``IngestResult.staged``: staging-table columns, in
    file-name and line order) as ``read_staged`` would read them back: the same columns, types
    and order, without the round trip through the warehouse (issue #3)."""
    names, db_names = _layout(table)
    return pd.DataFrame(
        {
            name: (
                frame[db_name].astype(pd.Int64Dtype())
                if name in INT_META
                else frame[db_name].astype(pd.StringDtype("pyarrow"))
            )
            for name, db_name in zip(names, db_names, strict=True)
        }
    )


INT_META = ("line_number", "quarter")
FETCH_ROWS = 200_000


def _fetch_arrow(
    conn: sa.Connection, query: sa.Select, types: list[pa.DataType]
) -> list[pa.ChunkedArray]:
    """The query's result as one Arrow array per column, of ``types``. Rows are fetched in
    chunks on the driver's cursor and turned into columns by Arrow (a struct array of the
    row tuples), not by Python."""
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    args = tuple(params[n] for n in compiled.positiontup) if compiled.positional else params
    row_type = pa.struct([(str(i), t) for i, t in enumerate(types)])
    chunks: list[pa.StructArray] = []
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        while rows := cursor.fetchmany(FETCH_ROWS):
            chunks.append(pa.array(rows, type=row_type))
    finally:
        cursor.close()
    return [
        pa.chunked_array([chunk.field(i) for chunk in chunks], type=t) for i, t in enumerate(types)
    ]


def _copy_arrow(
    conn: sa.Connection, query: sa.Select, types: list[pa.DataType]
) -> list[pa.ChunkedArray]:
    """PostgreSQL: the query's result as one Arrow array per column, of ``types``, through
    ``COPY (query) TO STDOUT`` in CSV, parsed by Arrow's CSV reader: no Python object per
    value. CSV keeps NULL (an empty field) apart from the empty string (``""``), and quotes
    every value holding a comma, quote or line break; only an empty field is read as
    missing, never a text such as ``NA`` or ``NULL``."""
    text = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    buffer = io.BytesIO()
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY ({text}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
    finally:
        cursor.close()
    if not buffer.getbuffer().nbytes:
        return [pa.chunked_array([], type=t) for t in types]
    names = [str(i) for i in range(len(types))]
    table = pacsv.read_csv(
        pa.BufferReader(buffer.getvalue()),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict(zip(names, types, strict=True)),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return [table.column(i) for i in range(len(types))]


def known_lsoas(conn: sa.Connection) -> frozenset[str]:
    lookup = validated_table(LOOKUP)
    return frozenset(conn.execute(sa.select(lookup.c.lsoa21cd)).scalars())


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


def _samples(outcome: TableOutcome, per_rule: int = 5) -> dict[str, list[tuple[int, str | None]]]:
    """A few (line, pseudonymised id) per rule: enough to find the rows, nothing of them."""
    q = outcome.quarantined
    return {
        rule: list(
            zip(group["line_number"].head(per_rule), group["child_id"].head(per_rule), strict=True)
        )
        for rule, group in q.groupby("rule_id", sort=True)
    }


def _typed_rows(outcome: TableOutcome, key: str, run_id: str) -> pd.DataFrame:
    names = staging_columns(outcome.table)
    frame = outcome.accepted.rename(columns=dict(names))
    frame = frame[[*META, *names.values()]]
    frame.insert(0, "period", key)
    frame["run_id"] = run_id
    return frame  # dates stay datetime64: replace_rows writes them in one vectorised pass


def typable_in_database(table: str) -> bool:
    """Whether ``copy_typed_rows`` gives exactly the Python typing's rows for ``table``: not
    for tables with FLOAT columns (reference files only), as pandas' decimal parsing and each
    database's may differ in the last bit."""
    return all(c.kind is not Kind.FLOAT for c in EXTRACTS[table].columns)


def typed_in_database(conn: sa.Connection, table: str) -> bool:
    """Whether validation writes the typed rows of ``table`` with ``copy_typed_rows`` rather
    than from the typed frame. Only where it was measured faster (england, issue #3): the
    service tables on SQLite, where it replaces a Python ``executemany``. PostgreSQL's COPY
    from the frame costs as much as ``INSERT ... SELECT`` (the server's insert dominates
    both), and the wide numeric reference tables are typed faster by Arrow than by SQL."""
    return (
        conn.dialect.name == "sqlite"
        and EXTRACTS[table].source in SERVICE_SOURCES
        and typable_in_database(table)
    )


def _stripped(conn: sa.Connection, value: sa.ColumnElement) -> sa.ColumnElement:
    """``str.strip()`` in SQL (every Unicode whitespace, not only spaces), "" as NULL: the
    text ``parse.typed`` gives and ``replace_rows`` stores."""
    trim = sa.func.btrim if conn.dialect.name == "postgresql" else sa.func.trim
    return sa.func.nullif(trim(value, sa.literal(_whitespace(), sa.Text)), "")


def _typed_expression(conn: sa.Connection, kind: Kind, value: sa.ColumnElement):
    """The typed value of a staged text column, as the Python path would store it, for a row
    every rule accepted (so a present date or integer is readable)."""
    if kind in (Kind.DATE, Kind.BIRTH_MONTH):
        # accepted dates are exactly yyyy-mm-dd (no trimming), the text SQLite stores for a
        # DATE; CAST(... AS DATE) would give SQLite's NUMERIC affinity (2023-04-01 -> 2023)
        if conn.dialect.name == "sqlite":
            return sa.type_coerce(value, sa.Date)
        return sa.cast(value, sa.Date)
    if kind is Kind.INT:
        return sa.cast(_stripped(conn, value), sa.BigInteger)
    return _stripped(conn, value)


def copy_typed_rows(conn: sa.Connection, table: str, key: str, run_id: str) -> int:
    """Replace the period's typed rows of ``table`` by its staged rows minus those quarantined
    by validation (the ``ops.quarantine`` rows of ``stage = 'validate'`` already written in
    this transaction), typed inside the database: the rows never pass back through Python."""
    stg, typed = staging_table(table), validated_table(table)
    names = staging_columns(table)
    q = quarantine
    quarantined = (
        sa.select(sa.literal(1))
        .where(
            (q.c.table_name == table)
            & (q.c.source_file == stg.c.source_file)
            & (q.c.line_number == stg.c.line_number)
            & (q.c.period == key)
            & (q.c.stage == "validate")
        )
        .exists()
    )
    columns = {
        "period": stg.c.period,
        **{name: stg.c[name] for name in META},
        **{
            names[c.name]: _typed_expression(conn, c.kind, stg.c[names[c.name]])
            for c in EXTRACTS[table].columns
        },
        "run_id": sa.literal(run_id, sa.Text),
    }
    rows = sa.select(*(v.label(k) for k, v in columns.items())).where(
        (stg.c.period == key) & ~quarantined
    )
    conn.execute(typed.delete().where(typed.c.period == key))
    insert = typed.insert().from_select(list(columns), rows)
    return conn.execute(insert.execution_options(preserve_rowcount=True)).rowcount


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


def completeness_rows(outcome: TableOutcome) -> dict[str, tuple[int, int]]:
    """Gaps in accepted rows that are allowed but weaken the indicators: measure ->
    (rows with the gap, rows looked at)."""
    accepted = outcome.accepted
    extract = EXTRACTS[outcome.table]
    measures: dict[str, tuple[int, int]] = {}
    for column in extract.columns:
        if column.codes == codes.ETHNICITY:
            not_recorded = accepted[column.name].isin(["REFU", "NOBT"]).sum()
            measures["ethnicity_not_recorded"] = (int(not_recorded), len(accepted))
        if callable(column.codes):  # sex, in either coding
            unknown = accepted[column.name].isin(["0", "9", "U"]).sum()
            measures["sex_not_recorded"] = (int(unknown), len(accepted))
    if extract.home_lsoa:
        broken = sum(n for rule, n in outcome.rule_counts.items() if extract.home_lsoa in rule)
        measures["home_lsoa_missing_or_unknown"] = (broken, outcome.rows_in)
    if extract.table == "cin_assessments":
        completed = accepted["AssessmentAuthorisationDate"].notna()
        without = completed & accepted["AssessmentFactors"].isna()
        measures["completed_assessments_without_factors"] = (
            int(without.sum()),
            int(completed.sum()),
        )
    return measures


def _completeness_frame(outcome, report: TableReport, key, run_id, at) -> pd.DataFrame:
    measures = {
        **completeness_rows(outcome),
        QUARANTINED: (report.quarantined + report.malformed, report.rows_read),
        CHILDREN_QUARANTINED: (report.children_affected, report.children_in_table),
    }
    return pd.DataFrame(
        [
            {
                "run_id": run_id,
                "period": key,
                "table_name": outcome.table,
                "measure": measure,
                "source": EXTRACTS[outcome.table].source,
                "numerator": num,
                "denominator": den,
                "checked_at": at,
            }
            for measure, (num, den) in measures.items()
        ],
        columns=[c.name for c in completeness.columns],
    )


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
    """The table's rule results (history), completeness and published quality summary."""
    key, table = report.period, report.table
    replace_rows(
        conn,
        validation_results,
        pd.DataFrame(_result_rows(report, run_id, version, at)),
        where={"run_id": run_id, "period": key, "table_name": table},
    )
    replace_rows(
        conn,
        completeness,
        _completeness_frame(outcome, report, key, run_id, at),
        where={"run_id": run_id, "period": key, "table_name": table},
    )
    replace_rows(
        conn,
        data_quality,
        _quality_frame(report, run_id, at),
        where={"period": key, "table_name": table},
    )


@contextmanager
def _writes_in_background() -> Iterator[Callable[..., None]]:
    """``write(function, *args)`` runs ``function(*args)`` on one background thread, in the
    order given, while the caller goes on validating the next table. The database does the
    insert (PostgreSQL's server process, SQLite's engine without the GIL) while Python
    evaluates rules: at england scale the writes are as long as the rules (issue #3). After a
    failed write the later ones are skipped, and the failure is raised (at the next ``write``
    or on leaving the block). Leaving the block waits for every write, so the caller's
    transaction ends after the last one."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tip-validation-writes")
    futures: list[Future] = []
    failed = threading.Event()

    def unless_failed(function: Callable[..., None], *args) -> None:
        if failed.is_set():
            return
        try:
            function(*args)
        except BaseException:
            failed.set()
            raise

    def write(function: Callable[..., None], *args) -> None:
        for future in futures:
            if future.done():
                future.result()  # raise a failed write now, not at the end
        futures.append(pool.submit(unless_failed, function, *args))

    try:
        yield write
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the caller failed: write no more
        raise
    pool.shutdown(wait=True)
    for future in futures:
        future.result()


def validate_tables(
    engine: sa.Engine,
    tables: list[str],
    period: FinancialYear | None,
    run_id: str,
    just_staged: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, TableReport]:
    """Validate the staged rows of ``tables`` (one source, or the reference files) for
    ``period`` and store every outcome in one transaction.

    ``just_staged`` holds the rows ingestion staged in this process (``IngestResult.staged``
    by table): validated while still in memory, they are not read back (issue #3, where the
    read-back was a fifth of validation's time at england scale)."""
    at = datetime.now(UTC)
    keys = {t: period_key(EXTRACTS[t], period) for t in tables}
    handed = just_staged or {}
    with engine.connect() as conn:
        runs = {t: _load_run(conn, t, keys[t]) for t in tables}
        raw = {t: _staged_rows(conn, t, keys[t], runs[t], handed.get(t)) for t in tables}
        lsoas = known_lsoas(conn) if any(EXTRACTS[t].home_lsoa for t in tables) else frozenset()
        malformed = {t: _malformed_count(conn, t, keys[t]) for t in tables}
        versions = {t: _data_version(conn, t, keys[t], runs[t]) for t in tables}
    delivery = Delivery(period=period, raw=raw, lsoas=lsoas)
    reports = {}
    with engine.begin() as conn, _writes_in_background() as write:
        for outcome in table_outcomes(delivery):
            table, key = outcome.table, keys[outcome.table]
            write(_store_rows, conn, outcome, key, run_id, at)
            reports[table] = _report(delivery, outcome, key, malformed[table], period)
            write(_store_results, conn, outcome, reports[table], run_id, versions[table], at)
    return reports
