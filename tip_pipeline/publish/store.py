"""Publishing a reporting year: restricted indicator tables -> disclosure control -> the
published twins, with lineage, in one transaction, audited before it commits.

Atomic and idempotent per year: every published table's rows of the year are replaced
(``bulk.replace_rows`` with ``where={"period": label}``) together with the run's lineage rows
in ``ops``, the year's data-quality summary, its recent trends (``trends``: computed from
the published values of the window's years, the year's own as just written), its LAIT-style
benchmarking (``benchmarking``: every authority's published value, ranks, bands and quintiles),
its values' comparisons with their goals (``goals``) and its child population
(``population``: the ONS estimate by sex and single year of age), all in one transaction, so a
failure part way
leaves the previous state, and publishing the same restricted rows twice gives the same
published rows apart from ``run_id`` and ``loaded_at`` (suppression is deterministic:
complements are chosen by count, then by key). The involvement flows and the cohorts relate a
year to the earlier ones, so a year's are disclosure-controlled with the earlier years' as
they were published (``cells.earlier_statuses``) and years are published in order.

When the year's indicator tables are handed over freshly computed (``computed``), they are
written in that same transaction: the restricted true counts and the published figures made
from them are committed together or not at all, so a run killed between the two can never
leave a published year beside true counts it was not made from (which its audit would then
fail). The disclosure audit (``audit.audit_year``) reads the transaction's own rows before it
commits; a failed audit rolls the whole year back (``AuditFailed``), so analysts never see a
year that did not pass.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.indicators import linked_services
from tip_pipeline.indicators.catalogue import dim_indicator_frame
from tip_pipeline.indicators.data import STATIC_TABLES, delivered_earlier, validated_runs
from tip_pipeline.indicators.look_back import not_available_frame
from tip_pipeline.indicators.store import prepared, read_through, replace_period
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import areas, audit, tables
from tip_pipeline.publish.benchmarking import publish_benchmarking
from tip_pipeline.publish.cells import CellSet, cohort_cells, earlier_statuses, flow_cells
from tip_pipeline.publish.goals import publish_goals
from tip_pipeline.publish.inputs import (
    EARLIER_PUBLISHED_COHORTS,
    EARLIER_PUBLISHED_FLOWS,
    REFERENCE_TABLES,
    area_parents,
    lookup_of,
    read_reference,
    read_restricted,
    restricted_cells,
)
from tip_pipeline.publish.population import publish_population
from tip_pipeline.publish.quality import (
    publish_reference_quality,
    publish_year_linkage,
    publish_year_quality,
)
from tip_pipeline.publish.suppression import Suppression, suppress
from tip_pipeline.publish.trends import publish_trends
from tip_pipeline.sources import contracts
from tip_pipeline.validate.store import lookup_home_la
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import PUBLICATION_SCOPE, REFERENCE_SCOPE, write_transaction
from tip_pipeline.warehouse.retention import refuse_if_purged
from tip_pipeline.warehouse.runs import record_run

__all__ = [
    "REFERENCE_TABLES",
    "AuditFailed",
    "InputsChanged",
    "Published",
    "publish_reference",
    "publish_year",
]

#: inputs read across years up to the one published (first-time entrants)
HISTORY_TABLES = contracts.tables(read_across_years=True)


@dataclass(frozen=True)
class YearSuppression:
    """A year's restricted rows, its cells and what disclosure control withholds."""

    period: str
    frames: Mapping[str, pd.DataFrame]
    cells: CellSet
    suppression: Suppression
    #: the earlier years' published flow and cohort cells, controlled with the year's but not
    #: its own
    earlier: frozenset = frozenset()


def year_suppression(
    frames: Mapping[str, pd.DataFrame], period: str, threshold: int, parents: Mapping[str, str]
) -> YearSuppression:
    """What disclosure control withholds of a year's restricted rows (``inputs.read_restricted``
    by table name). The earlier years' flows and cohorts are as they were published: their
    withheld counts stay withheld and their published ones are never complements
    (``cells.earlier_statuses``)."""
    cells = restricted_cells(frames, parents)
    before = {
        **flow_cells(frames.get(EARLIER_PUBLISHED_FLOWS)),
        **cohort_cells(frames.get(EARLIER_PUBLISHED_COHORTS)),
    }
    withheld, published = earlier_statuses(before, cells)
    result = suppress(
        cells.values,
        cells.relations,
        threshold,
        hidden=cells.hidden,
        forced=withheld,
        fixed=published,
    )
    return YearSuppression(period, frames, cells, result, frozenset(before))


def published_frames(
    year: YearSuppression, baseline_withheld: Collection[tuple[str, str]] = frozenset()
) -> dict[sa.Table, pd.DataFrame]:
    """Every published twin's rows of the year; ``baseline_withheld``, the baseline year's
    withheld quintiles 1 and 5 (``baseline_extremes``)."""
    withheld = tables.withheld_in(year.suppression.suppressed)
    f = year.frames
    return {
        schema.published_indicator_values: tables.published_indicator_values(
            f["indicator_values"], withheld
        ),
        schema.published_indicator_comparisons: tables.published_comparisons(
            f["indicator_comparisons"], withheld
        ),
        schema.published_inequality_summary: tables.published_inequality(
            f["inequality_summary"], withheld, baseline_withheld
        ),
        schema.published_adversity_distribution: tables.published_adversity(
            f["adversity_distribution"], withheld
        ),
        schema.published_prevalence_summary: tables.published_prevalence(
            f["prevalence_summary"], withheld
        ),
        schema.published_involvement_flows: tables.published_flows(
            _of_period(f[schema.involvement_flows.name], year.period), withheld
        ),
        schema.published_cohort_incidence: tables.published_cohorts(
            _of_period(f[schema.cohort_incidence.name], year.period), withheld
        ),
    }


def _of_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    return frame[frame["period"] == period]


def baseline_period(inequality: pd.DataFrame, period: str) -> str | None:
    """The baseline year the year's changes are measured from, if another year."""
    periods = set(inequality["baseline_period"].dropna()) - {period}
    return min(periods) if periods else None


def baseline_extremes(
    conn: sa.Connection, base: str, threshold: int, parents: Mapping[str, str]
) -> set[tuple[str, str]]:
    """The baseline year's (indicator, area) pairs whose quintile 1 or 5 is withheld
    (``tables.withheld_extremes``), which withhold the year's change since it.

    Read from the baseline's published rows: disclosure control's decision for that year, made
    when it was published (years publish in order), and what the disclosure audit checks the
    change against. Only where the baseline has no published rows at all (a warehouse whose
    baseline was never published) is its disclosure control run again on its restricted rows,
    so that a change is never published beside a baseline nobody controlled."""
    published = _published_quintiles(conn, base)
    if published is None:
        again = year_suppression(read_restricted(conn, base), base, threshold, parents)
        published = tables.published_indicator_values(
            again.frames["indicator_values"], tables.withheld_in(again.suppression.suppressed)
        )
    return tables.withheld_extremes(published)


def _published_quintiles(conn: sa.Connection, period: str) -> pd.DataFrame | None:
    """The year's published rows by IMD quintile (key and ``suppressed``), or None if nothing
    of the year is published."""
    table = schema.published_indicator_values
    if not conn.execute(sa.select(sa.exists().where(table.c.period == period))).scalar():
        return None
    columns = (table.c.indicator_id, table.c.area_code, table.c.breakdown, table.c.category)
    query = sa.select(*columns, table.c.suppressed).where(
        (table.c.period == period) & (table.c.breakdown == "imd_quintile")
    )
    return read_through(conn, query)


@dataclass(frozen=True)
class Published:
    period: str
    rows: Mapping[str, int]
    cells: int
    primary: int
    secondary: int
    narrowest: float
    inputs: int
    audit: audit.Audit


class AuditFailed(Exception):
    """The year's disclosure audit failed inside its publish transaction, which was rolled
    back: nothing of the year was committed. The message counts problems; they are described
    by cell, never by a true count (``audit.Audit.problems``)."""

    def __init__(self, found: audit.Audit) -> None:
        super().__init__(
            f"the disclosure audit of {found.period} found {len(found.problems)} problems; "
            "nothing of the year was published"
        )
        self.audit = found


class InputsChanged(Exception):
    """The validated rows the year's figures were computed from had changed when its publish
    transaction had taken its locks (an earlier year it reads was validated again by a run
    beside it): nothing was written; compute the figures again."""


def publish_year(
    engine: sa.Engine,
    period: str,
    run_id: str,
    threshold: int,
    job: str = "publish",
    computed: Mapping[sa.Table, pd.DataFrame] | None = None,
    inputs: tuple | None = None,
) -> Published:
    """Disclosure-control the year's indicator tables and replace its published rows, with the
    run, its input files and the year's quality summary, in one transaction that commits only
    if the disclosure audit passes.

    ``computed``: the year's restricted indicator tables just computed, written in the same
    transaction; without it the restricted rows already in the warehouse are published again
    (after a change of threshold, say). ``inputs``: ``indicators.data.validated_runs`` as
    the figures were computed from; compared inside the transaction, ``InputsChanged`` if it
    differs.

    The transaction takes the year's lock and the publication lock
    (``engine.PUBLICATION_SCOPE``): years published by runs at once take turns, each reading
    the earlier years' published cells as one committed state (``publish.order``)."""
    parents = area_parents(engine)
    started = datetime.now(UTC)
    with write_transaction(engine, period, PUBLICATION_SCOPE) as conn:
        refuse_if_purged(conn, period)  # never republished from records deleted under retention
        if inputs is not None and validated_runs(conn, *_years_of(period)) != inputs:
            raise InputsChanged(period)
        rows = replace_period(conn, computed, period, run_id, started) if computed else {}
        # read back as stored, so a year is published alike whether just computed or not
        year = year_suppression(read_restricted(conn, period), period, threshold, parents)
        base = baseline_period(year.frames["inequality_summary"], period)
        then = baseline_extremes(conn, base, threshold, parents) if base else set()
        for table, frame in published_frames(year, then).items():
            rows[table.name] = replace_rows(
                conn, table, prepared(table, frame, run_id, started), {"period": period}
            )
        rows[schema.data_quality.name] = publish_year_quality(conn, period)
        rows[schema.data_linkage.name] = publish_year_linkage(conn, period, started)
        rows[schema.indicator_not_available.name] = publish_not_available(
            conn, period, run_id, started
        )
        first = FinancialYear.parse(config.FIRST_YEAR.value()).label
        rows[schema.indicator_trends.name] = publish_trends(conn, period, first, run_id, started)
        rows[schema.la_benchmarking.name] = publish_benchmarking(conn, period, run_id, started)
        rows[schema.indicator_goals.name] = publish_goals(conn, period, run_id, started)
        rows[schema.child_population.name] = publish_population(conn, period, run_id, started)
        inputs = record_lineage(conn, run_id, period, job, started)
        found = audit.audit_year(conn, period, threshold, truth=year.cells)
        if not found.passed:
            raise AuditFailed(found)
    return Published(
        period=period,
        rows=rows,
        cells=len(year.cells.values.keys() - year.cells.hidden - year.earlier),
        primary=len(year.suppression.primary - year.earlier),
        secondary=len(year.suppression.secondary),
        narrowest=year.suppression.narrowest,
        inputs=inputs,
        audit=found,
    )


def _years_of(period: str) -> tuple[FinancialYear, FinancialYear]:
    """The year and the baseline year of its changes (``TIP_FIRST_YEAR``)."""
    return FinancialYear.parse(period), FinancialYear.parse(config.FIRST_YEAR.value())


def publish_not_available(conn: sa.Connection, period: str, run_id: str, now: datetime) -> int:
    """The year's indicators not computed for want of their look-back years, or of the linkage
    of people across services (``indicators.linked_services``), with why
    (``published.indicator_not_available``), judged from the warehouse in the transaction."""
    year = FinancialYear.parse(period)
    delivering = lookup_home_la(conn) is not None
    frame = not_available_frame(year, delivered_earlier(conn, year), delivering)
    unlinked = linked_services.unlinked_services(linked_services.latest_linkage(conn, period))
    linkage = linked_services.reasons(year, unlinked)
    found = set(frame["indicator_id"])
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                {
                    "indicator_id": [k for k in linkage if k not in found],
                    "period": period,
                    "reason": [v for k, v in linkage.items() if k not in found],
                },
                columns=list(frame.columns),
            ),
        ],
        ignore_index=True,
    )
    table = schema.indicator_not_available
    return replace_rows(conn, table, prepared(table, frame, run_id, now), {"period": period})


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
