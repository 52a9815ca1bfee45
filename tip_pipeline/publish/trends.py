"""``published.indicator_trends``: each published headline series' recent trend, as OHID
Fingertips computes it, and its change since the baseline year, from published values only.

For every (indicator, area) with a headline row (breakdown ``total``) in the year published,
the window is the five financial years ending with it (Fingertips: at least five points,
annual, not overlapping, no break in the series; *Fingertips trend markers*, public health
technical guidance). The test is Fingertips' method for the indicator's kind
(``tip_pipeline.stats``): a proportion's chi-squared test for trend from its published counts
and denominators (``recent_trend_proportion``), a rate's weighted regression from its
published values and 95% limits (``recent_trend_weighted``). Where it cannot be computed the
row says why (``note``) and its trend is "Cannot be calculated":

- fewer than five of the window's years are published for the series;
- a value of the window is suppressed: a withheld figure never enters anything published
  (docs/CONVENTIONS.md, "Disclosure control"); what is computed here rests on published
  figures only, so it discloses nothing the published values do not;
- the count is 0 or all of its denominator in a year (a proportion's logit is undefined), or
  limits are missing or of no width (a rate).

The change since the baseline year (the first reporting year, CONVENTIONS.md "Improve the
health of the poorest fastest") is the test the report prints (``stats.change_test``: the
two-proportion test with Newcombe's limits, or the exact conditional test with Wald limits,
at 95%), from the two years' published counts; NULL with ``change_note`` where either is
suppressed or missing, or the year is the baseline.

Computed in the publish transaction (``store.publish_year``) from the published rows as that
transaction sees them, the year's own just written, so the trend commits with its year and
comes from the same run. A later year's trend is recomputed when that year is published again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tip_pipeline import stats
from tip_pipeline.indicators.catalogue import INDICATORS, Polarity
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows

TOTAL: Final = "total"
ALL: Final = "all"
METHODS: Final = {"proportion": "chi-squared test for trend", "rate": "weighted regression"}
CANNOT: Final = "Cannot be calculated"

FEWER_THAN_FIVE: Final = "fewer than five annual points: {k} of the five years {first} to {last}"
SUPPRESSED: Final = "a value in the window is suppressed"
UNDEFINED: Final = "a count of 0 or equal to its denominator in the window (logit undefined)"
NO_LIMITS: Final = "a value or its 95% limits missing in the window"
NO_COUNTS: Final = "a count or denominator missing in the window"
NOT_CATALOGUED: Final = "indicator not in the catalogue: its kind is not known"
OUTLIER: Final = "significant, but one year reverses the slope when left out (Fingertips)"
BASELINE_ITSELF: Final = "the baseline year itself"
BASELINE_MISSING: Final = "the baseline year is not published for the series"
BASELINE_SUPPRESSED: Final = "a value is suppressed in the baseline year or this year"

#: the published columns a trend is computed from
SERIES_COLUMNS: Final = (
    "indicator_id", "period", "area_type", "area_code", "numerator", "denominator", "value",
    "lower_ci_95", "upper_ci_95", "suppressed",
)  # fmt: skip


def window(period: str) -> list[str]:
    """The financial years of the recent trend ending with ``period``, oldest first."""
    last = FinancialYear.parse(period)
    points = stats.RECENT_TREND_POINTS
    return [last.shifted(k - points + 1).label for k in range(points)]


def fingertips_label(direction: str | None, polarity: str | None) -> str:
    """Fingertips' wording of a recent trend (its download's "Recent Trend" column, as its
    ``TrendMarkerLabelProvider``): "Increasing and getting worse" and the like with a polarity,
    "Increasing" / "Decreasing" without one, "No significant change", "Cannot be calculated"."""
    if direction is None:
        return CANNOT
    if direction == "no significant change":
        return "No significant change"
    assessment = assess(direction, polarity)
    return f"{direction.capitalize()} and {assessment}" if assessment else direction.capitalize()


def assess(direction: str | None, polarity: str | None) -> str | None:
    """ "getting better" / "getting worse" / "no significant change" by polarity; None without
    a polarity (no judgement) or a trend."""
    if direction is None:
        return None
    if direction == "no significant change":
        return direction
    if polarity not in (Polarity.HIGHER_IS_WORSE, Polarity.HIGHER_IS_BETTER):
        return None
    worse = "increasing" if polarity == Polarity.HIGHER_IS_WORSE else "decreasing"
    return "getting worse" if direction == worse else "getting better"


def indicator_trends(values: pd.DataFrame, period: str, baseline: str) -> pd.DataFrame:
    """The rows of ``published.indicator_trends`` for ``period`` from published
    ``indicator_values`` rows (those of the window's years and the baseline year at least):
    one per (indicator, area) with a headline row in ``period``, in indicator and area order.

    Every series is computed at once, each method over arrays of series (the trends' and the
    tests' functions take them): at england scale a year has tens of thousands of headline
    series, and a Python call per series was the trends' whole cost (issue #21, "no
    per-group Python loops"). The numbers are those of one series at a time to the last
    bit or two of a double (numpy sums an array of series in another order than one series)."""
    heads = values[(values["breakdown"] == TOTAL) & (values["category"] == ALL)]
    years = window(period)
    latest = heads[heads["period"] == period].sort_values(["indicator_id", "area_code"])
    latest = latest.reset_index(drop=True)
    ids = latest["indicator_id"].astype(str)
    known = ids.map(lambda i: i in INDICATORS).to_numpy(bool)
    kind = ids.map(lambda i: INDICATORS[i].kind if i in INDICATORS else None)
    out = pd.DataFrame(
        {
            "indicator_id": latest["indicator_id"].to_numpy(),
            "period": period,
            "area_type": latest["area_type"].to_numpy(),
            "area_code": latest["area_code"].to_numpy(),
            "breakdown": TOTAL,
            "category": ALL,
            "first_period": years[0],
            "method": kind.map(METHODS).fillna("none").to_numpy(object),
            "baseline_period": baseline,
        }
    )
    keys = pd.MultiIndex.from_arrays([latest["indicator_id"], latest["area_code"]])
    trends = _recent_trends(_window_points(heads, keys, years), kind.to_numpy(object), years)
    trends["note"][~known] = NOT_CATALOGUED
    polarity = ids.map(lambda i: str(INDICATORS[i].polarity) if i in INDICATORS else None)
    pairs = list(zip(trends["direction"], polarity, strict=True))
    assessed = {pair: assess(*pair) for pair in set(pairs)}
    labels = {pair: fingertips_label(*pair) for pair in set(pairs)}
    out = out.assign(
        **trends,
        assessment=[assessed[pair] for pair in pairs],
        recent_trend=[labels[pair] for pair in pairs],
    )
    columns = [c.name for c in schema.content_columns(schema.indicator_trends)]
    if period == baseline:
        note = np.where(known, BASELINE_ITSELF, None)
        return out.assign(change_note=note).reindex(columns=columns)
    base = heads[heads["period"] == baseline].assign(found=True)
    base = base.set_index(["indicator_id", "area_code"]).reindex(keys).reset_index(drop=True)
    changes = _changes(base, latest, ids, known)
    return out.assign(**changes).reindex(columns=columns)


#: the published columns of a series' points a trend reads
_POINT_COLUMNS: Final = (
    "numerator", "denominator", "value", "lower_ci_95", "upper_ci_95", "suppressed",
)  # fmt: skip


def _window_points(
    heads: pd.DataFrame, keys: pd.MultiIndex, years: list[str]
) -> dict[str, np.ndarray]:
    """Each series' published points in the window's years, one row per series (``keys``:
    indicator and area, in that order) and one column per year, oldest first: the
    ``_POINT_COLUMNS`` as floats (NaN where missing), ``present`` where the year's row is
    published."""
    rows = heads[heads["period"].isin(years)].assign(present=1.0)
    rows = rows.assign(suppressed=rows["suppressed"].astype(bool).astype(float))
    grid = {}
    for column in (*_POINT_COLUMNS, "present"):
        wide = rows.pivot(index=["indicator_id", "area_code"], columns="period", values=column)
        wide = wide.reindex(index=keys, columns=years)
        grid[column] = wide.astype("Float64").to_numpy(float, na_value=np.nan)
    grid["present"] = ~np.isnan(grid["present"])
    return grid


def _recent_trends(points: dict[str, np.ndarray], kind: np.ndarray, years: list[str]) -> dict:
    """Direction, slope, chi2, p-value and note of every series (rows of ``points``; ``kind``
    of its indicator, None where not catalogued): the recent trend where the five points are
    published and can be tested by the kind's method, else why not."""
    m = len(kind)
    note = np.full(m, None, dtype=object)
    direction = np.full(m, None, dtype=object)
    slope, chi2, p_value = (np.full(m, np.nan) for _ in range(3))
    count = points["present"].sum(axis=1)
    for k in np.unique(count[count < stats.RECENT_TREND_POINTS]):
        note[count == k] = FEWER_THAN_FIVE.format(k=int(k), first=years[0], last=years[-1])
    full = (count >= stats.RECENT_TREND_POINTS) & pd.notna(kind)
    suppressed = full & (points["suppressed"] == 1).any(axis=1)
    note[suppressed] = SUPPRESSED
    x, n = points["numerator"], points["denominator"]
    proportion = full & ~suppressed & (kind == "proportion")
    missing = proportion & (np.isnan(x) | np.isnan(n)).any(axis=1)
    with np.errstate(invalid="ignore"):
        undefined = proportion & ~missing & ((x <= 0) | (x >= n)).any(axis=1)
    note[missing], note[undefined] = NO_COUNTS, UNDEFINED
    proportion &= ~missing & ~undefined
    rate = full & ~suppressed & (kind == "rate")
    results = [
        (proportion, stats.recent_trend_proportion(x[proportion], n[proportion])),
        (
            rate,
            stats.recent_trend_weighted(
                *(points[c][rate] for c in ("value", "lower_ci_95", "upper_ci_95"))
            ),
        ),
    ]
    critical = _critical()
    for rows, result in results:
        at = np.flatnonzero(rows)
        labels = result.direction.astype(str)
        computed = labels != "cannot be calculated"
        note[at[~computed]] = NO_LIMITS
        at = at[computed]
        direction[at] = labels[computed].astype(object)
        slope[at] = result.slope[computed]
        chi2[at] = result.chi2[computed]
        p_value[at] = result.p_value[computed]
        outlier = result.outlier[computed].astype(bool) & (result.chi2[computed] > critical)
        note[at[outlier]] = OUTLIER
    return {"direction": direction, "slope": slope, "chi2": chi2, "p_value": p_value, "note": note}


def _critical() -> float:
    return stats.z_value(stats.RECENT_TREND_CONFIDENCE) ** 2


def _changes(base: pd.DataFrame, latest: pd.DataFrame, ids: pd.Series, known: np.ndarray) -> dict:
    """The change from each series' baseline row (``base``; ``found`` missing where the
    baseline year has none) to its row of the year (``latest``, the same order), with its
    test (``stats.change_test``), each indicator's by its kind and multiplier."""
    m = len(latest)
    found = base["found"].notna().to_numpy()
    usable = _usable(base) & _usable(latest) & found & known
    change_note = np.full(m, None, dtype=object)
    change_note[known & ~found] = BASELINE_MISSING
    change_note[known & found & ~usable] = BASELINE_SUPPRESSED
    columns = {
        c: np.full(m, np.nan)
        for c in ("change_since_baseline", "lower_change_95", "upper_change_95", "change_p_value")
    }
    result = np.full(m, None, dtype=object)
    methods = ids.map(
        lambda i: (INDICATORS[i].kind, INDICATORS[i].multiplier) if i in INDICATORS else None
    )
    for method in {mk for mk in methods if mk is not None}:
        rows = usable & (methods == method).to_numpy(bool)
        if not rows.any():
            continue

        def counts(frame: pd.DataFrame, column: str, rows: np.ndarray = rows) -> np.ndarray:
            return frame[column].astype("Float64").to_numpy(float, na_value=np.nan)[rows]

        test = stats.change_test(
            counts(base, "numerator"),
            counts(base, "denominator"),
            counts(latest, "numerator"),
            counts(latest, "denominator"),
            kind=method[0],
            multiplier=method[1],
        )
        columns["change_since_baseline"][rows] = test.difference
        columns["lower_change_95"][rows] = test.lower
        columns["upper_change_95"][rows] = test.upper
        columns["change_p_value"][rows] = test.p_value
        higher = np.where(np.asarray(test.difference) > 0, "higher", "lower")
        result[rows] = np.where(np.asarray(test.significant, dtype=bool), higher, "similar")
    return {**columns, "change_result": result, "change_note": change_note}


def _usable(rows: pd.DataFrame) -> np.ndarray:
    """Rows published with a count and a denominator above 0: the change can be tested."""
    suppressed = rows["suppressed"].fillna(True).astype(bool).to_numpy()
    numerator = rows["numerator"].notna().to_numpy()
    denominator = rows["denominator"].astype("Float64").to_numpy(float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        return ~suppressed & numerator & (denominator > 0)


def published_series(conn: sa.Connection, periods: list[str]) -> pd.DataFrame:
    """The published headline rows of ``periods`` as ``conn`` sees them (inside the publish
    transaction: the year's own rows just written)."""
    v = schema.published_indicator_values
    query = sa.select(*(v.c[c] for c in (*SERIES_COLUMNS, "breakdown", "category"))).where(
        v.c.period.in_(periods), v.c.breakdown == TOTAL, v.c.category == ALL
    )
    return pd.read_sql(query, conn)


def publish_trends(
    conn: sa.Connection, period: str, baseline: str, run_id: str, now: datetime
) -> int:
    """Replace the year's rows of ``published.indicator_trends`` in the caller's transaction,
    from the published values it sees; the rows written."""
    values = published_series(conn, sorted({*window(period), baseline}))
    frame = indicator_trends(values, period, baseline).assign(run_id=run_id, loaded_at=now)
    return replace_rows(conn, schema.indicator_trends, frame, {"period": period})
