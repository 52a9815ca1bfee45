"""Publishing a reporting year: restricted indicator tables -> disclosure control -> the
published twins, with lineage, in one transaction.

Atomic and idempotent per year: every published table's rows of the year are replaced
(``bulk.replace_rows`` with ``where={"period": label}``) together with the run's lineage rows
in ``ops``, all in one transaction, so a failure part way leaves the previous state, and
publishing the same restricted rows twice gives the same published rows apart from ``run_id``
and ``loaded_at`` (suppression is deterministic: complements are chosen by count, then by key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.indicators.catalogue import dim_indicator_frame
from tip_pipeline.indicators.data import STATIC_TABLES, area_lookup
from tip_pipeline.indicators.store import prepared, read_period
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import areas, tables
from tip_pipeline.publish.cells import CellSet, build_cells, in_scope
from tip_pipeline.publish.quality import publish_reference_quality, publish_year_quality
from tip_pipeline.publish.suppression import Suppression, suppress
from tip_pipeline.sources import contracts
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import REFERENCE_SCOPE, write_transaction
from tip_pipeline.warehouse.runs import record_run
from tip_pipeline.warehouse.schema import validated_table

#: restricted indicator tables read for a year (the twins' inputs)
RESTRICTED_INPUTS = (
    schema.indicator_values,
    schema.indicator_comparisons,
    schema.inequality_summary,
    schema.adversity_distribution,
    schema.prevalence_summary,
)
#: reference tables read whatever their vintage, for the published areas
REFERENCE_TABLES = contracts.tables(published_areas=True)
#: inputs read across years up to the one published (first-time entrants)
HISTORY_TABLES = contracts.tables(read_across_years=True)


@dataclass(frozen=True)
class YearSuppression:
    """A year's restricted rows, its cells and what disclosure control withholds."""

    period: str
    frames: Mapping[str, pd.DataFrame]
    cells: CellSet
    suppression: Suppression


def read_restricted(engine: sa.Engine, period: str) -> dict[str, pd.DataFrame]:
    return {t.name: read_period(engine, t, period) for t in RESTRICTED_INPUTS}


def area_parents(engine: sa.Engine) -> dict[str, str]:
    """Area code -> the code of the next area up (ward -> LA -> region -> England)."""
    return areas.parents(lookup_of(read_reference(engine)))


def read_reference(engine: sa.Engine) -> dict[str, pd.DataFrame]:
    """The validated lookups and IMD, whatever their vintage."""
    with engine.connect() as conn:
        return {
            name: pd.read_sql(sa.select(validated_table(name)), conn) for name in REFERENCE_TABLES
        }


def lookup_of(reference: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per LSOA with its ward, LA, region, England and IMD (indicators.data)."""
    return area_lookup(
        reference["ref_lsoa_lookup"], reference["ref_lad_region"], reference["ref_imd"]
    )


def restricted_cells(frames: Mapping[str, pd.DataFrame], parents: Mapping[str, str]) -> CellSet:
    """The true counts of the year's published cells, and their relations."""
    values = frames["indicator_values"]
    return build_cells(
        values[in_scope(values)],
        frames["adversity_distribution"],
        frames["prevalence_summary"],
        parents,
    )


def year_suppression(
    engine: sa.Engine, period: str, threshold: int, parents: Mapping[str, str]
) -> YearSuppression:
    frames = read_restricted(engine, period)
    cells = restricted_cells(frames, parents)
    result = suppress(cells.values, cells.relations, threshold, hidden=cells.hidden)
    return YearSuppression(period, frames, cells, result)


def published_frames(
    year: YearSuppression, baseline: YearSuppression | None
) -> dict[sa.Table, pd.DataFrame]:
    """Every published twin's rows of the year."""
    withheld = tables.withheld_in(year.suppression.suppressed)
    then = tables.withheld_in(baseline.suppression.suppressed if baseline else set())
    f = year.frames
    return {
        schema.published_indicator_values: tables.published_indicator_values(
            f["indicator_values"], withheld
        ),
        schema.published_indicator_comparisons: tables.published_comparisons(
            f["indicator_comparisons"], withheld
        ),
        schema.published_inequality_summary: tables.published_inequality(
            f["inequality_summary"], withheld, then
        ),
        schema.published_adversity_distribution: tables.published_adversity(
            f["adversity_distribution"], withheld
        ),
        schema.published_prevalence_summary: tables.published_prevalence(
            f["prevalence_summary"], withheld
        ),
    }


def baseline_period(inequality: pd.DataFrame, period: str) -> str | None:
    """The baseline year the year's changes are measured from, if another year."""
    periods = set(inequality["baseline_period"].dropna()) - {period}
    return min(periods) if periods else None


@dataclass(frozen=True)
class Published:
    period: str
    rows: Mapping[str, int]
    cells: int
    primary: int
    secondary: int
    narrowest: float
    inputs: int


def publish_year(
    engine: sa.Engine, period: str, run_id: str, threshold: int, job: str = "publish"
) -> Published:
    """Disclosure-control the year's restricted indicator tables and replace its published
    rows, with the run and its input files recorded, in one transaction."""
    parents = area_parents(engine)
    year = year_suppression(engine, period, threshold, parents)
    base = baseline_period(year.frames["inequality_summary"], period)
    baseline = year_suppression(engine, base, threshold, parents) if base else None
    frames = published_frames(year, baseline)
    started = datetime.now(UTC)
    with write_transaction(engine, period) as conn:
        rows = {
            table.name: replace_rows(
                conn,
                table,
                prepared(table, frame, run_id, started),
                {"period": period},
            )
            for table, frame in frames.items()
        }
        rows[schema.data_quality.name] = publish_year_quality(conn, period)
        inputs = record_lineage(conn, run_id, period, job, started)
    return Published(
        period=period,
        rows=rows,
        cells=len(year.cells.values) - len(year.cells.hidden),
        primary=len(year.suppression.primary),
        secondary=len(year.suppression.secondary),
        narrowest=year.suppression.narrowest,
        inputs=inputs,
    )


def input_files(conn: sa.Connection, period: str) -> pd.DataFrame:
    """The latest load of every file the year's published rows rest on: the year's own
    deliveries, youth-justice outcomes of earlier years (first-time entrants) and the
    reference files, whatever their vintage."""
    log = schema.ingest_log
    own_year = log.c.period == period
    history = log.c.table_name.in_(HISTORY_TABLES) & (log.c.period <= period)
    reference = log.c.table_name.in_(STATIC_TABLES)
    latest = (
        sa.select(log.c.file_name, sa.func.max(log.c.loaded_at).label("loaded_at"))
        .where(own_year | history | reference)
        .group_by(log.c.file_name)
        .subquery()
    )
    query = sa.select(
        log.c.file_name,
        log.c.table_name,
        log.c.period.label("file_period"),
        log.c.sha256,
        log.c.run_id.label("load_run_id"),
    ).join(
        latest,
        (latest.c.file_name == log.c.file_name) & (latest.c.loaded_at == log.c.loaded_at),
    )
    frame = pd.read_sql(query, conn)
    return frame.drop_duplicates("file_name", keep="last")


def record_lineage(conn: sa.Connection, run_id: str, period: str, job: str, now: datetime) -> int:
    """``ops.runs`` (the run) and ``ops.run_inputs`` (its files and their SHA-256)."""
    record_run(conn, run_id, job, now)
    files = input_files(conn, period)
    return replace_rows(conn, schema.run_inputs, files, {"run_id": run_id, "period": period})


def publish_reference(engine: sa.Engine, run_id: str) -> dict[str, int]:
    """The catalogue and the area hierarchy, replaced whole, and the quality summaries of the
    reference files and the history years, in one transaction."""
    now = datetime.now(UTC)
    reference = read_reference(engine)
    frames = {
        schema.dim_indicator: dim_indicator_frame(),
        schema.dim_area: areas.dim_area_frame(lookup_of(reference), reference["ref_imd"]),
    }
    with write_transaction(engine, REFERENCE_SCOPE) as conn:
        rows = {
            table.name: replace_rows(conn, table, prepared(table, frame, run_id, now), {})
            for table, frame in frames.items()
        }
        first = FinancialYear.parse(config.FIRST_YEAR.value())
        rows[schema.data_quality.name] = publish_reference_quality(conn, first)
        return rows
