"""The published rows several report sections share, read from the published layer only
(``published.*``); each section reads its own rows in its module (``reports.sections``), with
``read`` and ``masked`` from here.

The report never reads ``restricted`` or ``ops``: it is built from what disclosure control let
through, so handing the report out can leak nothing the warehouse does not already publish.
The same schema-qualified SQL runs on SQLite (the analysts' file attached as ``published``)
and PostgreSQL.

Suppressed rows keep their place (a suppressed ward is still listed, as suppressed), but their
figures are forced to NULL here as well as in the warehouse, so that no suppressed figure can
reach a computation even if a row were published inconsistently.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Final, TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, text

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.engine import connected

T = TypeVar("T")

TOTAL: Final = "total"
ALL: Final = "all"
COMPARATORS: Final = ("england", "region", "stat_neighbours")

#: figures withheld with a suppressed row, per table
_SUPPRESSED_FIGURES: Final = {
    "indicator_values": (
        "numerator",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "lower_ci_99_8",
        "upper_ci_99_8",
    ),
    "indicator_comparisons": ("value", "lower_ci_95", "upper_ci_95"),
    "adversity_distribution": ("children", "share_pct", "lower_pct", "upper_pct"),
    "prevalence_summary": ("children", "share_pct", "lower_pct", "upper_pct"),
    "involvement_flows": ("children",),
    "cohort_incidence": (
        "at_risk",
        "events",
        "censored",
        "incidence_pct",
        "lower_ci_95",
        "upper_ci_95",
    ),
}

#: the columns of ``published.indicator_values`` the report reads
VALUE_COLUMNS: Final = """
    indicator_id, indicator_name, period, area_type, area_code, area_name, breakdown, category,
    numerator, denominator, value, lower_ci_95, upper_ci_95, lower_ci_99_8, upper_ci_99_8,
    unit, compared_to_benchmark, benchmark_area_code, suppressed
"""


class NoPublishedData(ValueFreeError, LookupError):
    """The warehouse publishes nothing for the area or year asked for."""


@dataclass(frozen=True)
class Split:
    """A frame's rows by the value of one column, split once (:func:`split`).

    A report asks for each indicator's rows several times (its trend, comparisons, summary
    line, spine row...); a boolean mask over the whole frame each time was most of a report's
    time. ``split[key]`` holds the rows ``frame[frame[column] == key]`` would, in the frame's
    order, with its columns and dtypes: no rows when none has the key.
    """

    groups: dict[object, pd.DataFrame]
    empty: pd.DataFrame

    def __getitem__(self, key: object) -> pd.DataFrame:
        return self.groups.get(key, self.empty)


class Shared:
    """What is the same for every report of a year (the catalogue, the areas, the year's data
    quality, the regions' and England's flows...), read by the first report that needs it and
    kept for the next ones built with the same ``Shared``.

    A batch (``reports.batch``) builds each worker's reports of the year with one, so each is
    read once per worker instead of once per report; a single report has its own. What is kept
    is handed to every report as it is: no section may change a kept frame in place.

    ``whole_year`` (a batch's): the large tables an LA's rows are found in by a scan (the
    indicator values, comparisons, benchmarking) are read for every area of the year at once
    and split by area (:func:`by_area`), rather than scanned once per report.
    """

    def __init__(self, whole_year: bool = False) -> None:
        self.whole_year = whole_year
        self._kept: dict[Hashable, object] = {}

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """What ``read()`` returned the first time ``key`` was asked for."""
        if key not in self._kept:
            self._kept[key] = read()
        return self._kept[key]  # type: ignore[return-value]


def split(frame: pd.DataFrame, column: str, order_by: str | None = None) -> Split:
    """``frame``'s rows by ``column`` (a NULL key has no rows, as ``==`` matches none), each
    group sorted by ``order_by`` when given (as ``sort_values`` sorts the filtered rows)."""
    groups = {}
    for key, rows in frame.groupby(column, sort=False):
        groups[key] = rows.sort_values(order_by) if order_by else rows
    return Split(groups, frame.iloc[:0])


def by_area(
    shared: Shared | None,
    key: Hashable,
    area_code: str,
    read_rows: Callable[[str | None], pd.DataFrame],
    column: str = "area_code",
) -> pd.DataFrame:
    """The area's rows of a table: ``read_rows(area_code)``; or, when ``shared`` reads whole
    years (a batch), the rows ``read_rows(None)`` gives for every area, read once (``key``)
    and split by ``column``: the same rows in the same order (``read_rows`` orders the rows
    within an area alike either way)."""
    if shared is None or not shared.whole_year:
        return read_rows(area_code)
    return shared.get(key, lambda: split(read_rows(None), column))[area_code]


def area_clause(column: str, area_code: str | None) -> str:
    """The SQL condition on the area's code (``:area``), or none for every area."""
    return "" if area_code is None else f"AND {column} = :area "


@dataclass(frozen=True)
class ReportData:
    """The published rows of one LA and reporting year that more than one section reads
    (series up to that year); a section's own rows are read by its module in ``sections``."""

    area_code: str
    area_name: str
    period: str
    #: ``published.dim_indicator``: the catalogue, one row per indicator
    indicators: pd.DataFrame
    #: the LA's headline rows (breakdown total), every period up to ``period``
    series: pd.DataFrame
    #: the LA against England, region and statistical neighbours, every period up to ``period``
    comparisons: pd.DataFrame
    #: ``published.inequality_summary`` of the LA in ``period``
    inequality: pd.DataFrame
    #: ``published.prevalence_summary`` of the LA in ``period``
    prevalence: pd.DataFrame
    #: ``published.indicator_trends`` of the LA in ``period``: each headline series' recent
    #: trend and change since baseline, as published (empty where the table is not)
    trends: pd.DataFrame

    @cached_property
    def series_by_indicator(self) -> Split:
        """``series`` by indicator, each oldest year first."""
        return split(self.series, "indicator_id", order_by="period")

    @cached_property
    def comparisons_by_indicator(self) -> Split:
        return split(self.comparisons, "indicator_id")

    @cached_property
    def inequality_by_indicator(self) -> Split:
        return split(self.inequality, "indicator_id")

    @cached_property
    def trends_by_indicator(self) -> Split:
        return split(self.trends, "indicator_id")

    @cached_property
    def first_trends(self) -> dict[object, pd.Series]:
        """Each indicator's (first) row of ``trends``."""
        return {key: rows.iloc[0] for key, rows in self.trends_by_indicator.groups.items()}

    @cached_property
    def latest(self) -> dict[object, pd.Series]:
        """Each indicator's (first) headline row in ``period``."""
        latest = self.series[self.series["period"] == self.period]
        return {key: rows.iloc[0] for key, rows in split(latest, "indicator_id").groups.items()}

    @property
    def indicator_ids(self) -> list[str]:
        """Indicators with a headline value for the LA in the year, in catalogue order."""
        present = set(self.series.loc[self.series["period"] == self.period, "indicator_id"])
        ordered = [i for i in self.indicators["indicator_id"] if i in present]
        return ordered + sorted(present - set(ordered))


def normalise_period(period: str) -> str:
    """``2023-24`` or ``2023/24`` -> ``2023/24`` (the published layer's label)."""
    return FinancialYear.parse(period).label


def read(conn: Connection, sql: str, **params: object) -> pd.DataFrame:
    """The rows of a query of the published layer."""
    return pd.read_sql(text(sql), conn, params=params)


def masked(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``suppressed`` as bool, and every figure of a suppressed row NULL."""
    if "suppressed" not in frame.columns:
        return frame
    out = frame.copy()
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    figures = [c for c in _SUPPRESSED_FIGURES.get(table, ()) if c in out.columns]
    for column in figures:
        out[column] = out[column].astype("float64")
        out.loc[out["suppressed"], column] = float("nan")
    return out


def published_areas(conn: Connection) -> pd.DataFrame:
    """Local authorities with published headline values: area_code, area_name."""
    return read(
        conn,
        "SELECT DISTINCT area_code, area_name FROM published.indicator_values "
        "WHERE area_type = 'la' AND breakdown = 'total' ORDER BY area_code",
    )


def published_periods(conn: Connection, area_code: str | None) -> pd.DataFrame:
    """Years with published headline values for the LA (None: every LA), oldest first:
    area_code, period."""
    return read(
        conn,
        "SELECT DISTINCT area_code, period FROM published.indicator_values "
        f"WHERE area_type = 'la' {area_clause('area_code', area_code)}ORDER BY period",
        area=area_code,
    )


def resolve(
    conn: Connection, area_code: str | None, period: str | None, shared: Shared | None = None
) -> tuple[str, str, str]:
    """(area code, area name, period): the single LA and latest year unless given.

    Raises :class:`NoPublishedData` with a message naming what is published instead.
    """
    shared = shared or Shared()
    areas = shared.get("published_areas", lambda: published_areas(conn))
    if areas.empty:
        raise NoPublishedData("the warehouse has no published indicator values for any LA")
    if area_code is None:
        if len(areas) > 1:
            codes = ", ".join(areas["area_code"])
            raise NoPublishedData(f"several local authorities are published ({codes}): name one")
        area_code = str(areas["area_code"].iloc[0])
    names = dict(zip(areas["area_code"], areas["area_name"], strict=True))
    if area_code not in names:
        raise NoPublishedData(
            f"no published data for area {area_code}; published: {', '.join(names)}"
        )
    published = by_area(
        shared, "published_periods", area_code, lambda a: published_periods(conn, a)
    )
    periods = list(published["period"])
    if period is None:
        period = periods[-1]
    else:
        period = normalise_period(period)
        if period not in periods:
            raise NoPublishedData(
                f"no published data for {area_code} in {period}; published years: "
                f"{', '.join(periods)}"
            )
    return area_code, str(names[area_code] or area_code), period


def load(
    engine: Engine | Connection,
    area_code: str | None,
    period: str | None,
    shared: Shared | None = None,
) -> ReportData:
    """The published rows of one LA and year that several sections read (the areas and the
    catalogue kept in ``shared``, when given, for the next report)."""
    with connected(engine) as conn:
        return _load(conn, area_code, period, shared or Shared())


def _load(
    conn: Connection, area_code: str | None, period: str | None, shared: Shared
) -> ReportData:
    area, name, period = resolve(conn, area_code, period, shared)
    return ReportData(
        area_code=area,
        area_name=name,
        period=period,
        indicators=shared.get("catalogue", lambda: catalogue(conn)),
        series=by_area(shared, ("series", period), area, lambda a: series(conn, a, period)),
        comparisons=by_area(
            shared, ("comparisons", period), area, lambda a: comparisons(conn, a, period)
        ),
        inequality=inequality(conn, area, period),
        prevalence=prevalence(conn, area, period),
        trends=trends(conn, area, period),
    )


def catalogue(conn: Connection) -> pd.DataFrame:
    """``published.dim_indicator``, in catalogue order."""
    return (
        read(conn, "SELECT * FROM published.dim_indicator ORDER BY indicator_id")
        .drop(columns=["run_id", "loaded_at"], errors="ignore")
        .pipe(_catalogue_order)
    )


def _catalogue_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The catalogue in the order it is declared (the pipeline's own order), when known."""
    from tip_pipeline.indicators.catalogue import INDICATORS  # plain data, no database

    rank = {ind_id: i for i, ind_id in enumerate(INDICATORS)}
    order = frame["indicator_id"].map(lambda i: rank.get(i, len(rank)))
    return frame.assign(_order=order).sort_values(["_order", "indicator_id"]).drop(columns="_order")


def series(conn: Connection, area_code: str | None, period: str) -> pd.DataFrame:
    """The LA's (None: every LA's) headline rows for every published year up to ``period``."""
    frame = read(
        conn,
        f"SELECT {VALUE_COLUMNS} FROM published.indicator_values "
        f"WHERE area_type = 'la' {area_clause('area_code', area_code)}AND breakdown = :total "
        "AND category = :all AND period <= :period ORDER BY indicator_id, period",
        area=area_code,
        total=TOTAL,
        all=ALL,
        period=period,
    )
    return masked(frame, "indicator_values")


def comparisons(conn: Connection, area_code: str | None, period: str) -> pd.DataFrame:
    """The LA (None: every LA) against England, its region and its statistical neighbours,
    years to ``period``."""
    frame = read(
        conn,
        "SELECT indicator_id, period, area_code, comparator_type, comparator_code, "
        "comparator_name, comparator_value, comparator_source, value, lower_ci_95, "
        "upper_ci_95, result, suppressed FROM published.indicator_comparisons "
        f"WHERE period <= :period {area_clause('area_code', area_code)}"
        "AND comparator_type IN ('england', 'region', 'stat_neighbours') "
        "ORDER BY indicator_id, period, comparator_type",
        area=area_code,
        period=period,
    )
    return masked(frame, "indicator_comparisons")


def inequality(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    frame = read(
        conn,
        "SELECT * FROM published.inequality_summary WHERE area_code = :area "
        "AND period = :period ORDER BY indicator_id",
        area=area_code,
        period=period,
    )
    return masked(frame.drop(columns=["run_id", "loaded_at"]), "inequality_summary")


def prevalence(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    frame = read(
        conn,
        "SELECT period, area_code, measure, basis, children, share_pct, lower_pct, upper_pct, "
        "measure_label, slide_order, denominator, range_low_children, range_high_children, "
        "range_low_pct, range_high_pct, range_kind, suppressed FROM published.prevalence_summary "
        "WHERE area_code = :area AND period = :period ORDER BY slide_order, basis",
        area=area_code,
        period=period,
    )
    return masked(frame, "prevalence_summary")


def trends(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    """The LA's recent trends and changes since baseline in ``period``, as published."""
    return read(
        conn,
        "SELECT indicator_id, first_period, method, direction, assessment, recent_trend, "
        "slope, chi2, p_value, note, baseline_period, change_since_baseline, lower_change_95, "
        "upper_change_95, change_p_value, change_result, change_note "
        "FROM published.indicator_trends WHERE area_code = :area AND period = :period "
        "AND breakdown = :total AND category = :all ORDER BY indicator_id",
        area=area_code,
        period=period,
        total=TOTAL,
        all=ALL,
    )
