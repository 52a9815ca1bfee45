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
from tip_pipeline.indicators.catalogue import INDICATORS, Indicator, Polarity
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


def _series_trend(rows: pd.DataFrame, ind: Indicator) -> dict[str, object]:
    """The recent trend of one series' five rows (oldest first, all present)."""
    if rows["suppressed"].astype(bool).any():
        return {"note": SUPPRESSED}
    if ind.kind == "proportion":
        x, n = rows["numerator"].to_numpy(float), rows["denominator"].to_numpy(float)
        if np.isnan(x).any() or np.isnan(n).any():
            return {"note": NO_COUNTS}
        if ((x <= 0) | (x >= n)).any():
            return {"note": UNDEFINED}
        result = stats.recent_trend_proportion(x, n)
    else:
        cols = ("value", "lower_ci_95", "upper_ci_95")
        v, lo, up = (rows[c].to_numpy(float) for c in cols)
        result = stats.recent_trend_weighted(v, lo, up)
        if str(result.direction) == "cannot be calculated":
            return {"note": NO_LIMITS}
    direction = str(result.direction)
    return {
        "direction": direction,
        "slope": float(result.slope),
        "chi2": float(result.chi2),
        "p_value": float(result.p_value),
        "note": OUTLIER if bool(result.outlier) and float(result.chi2) > _critical() else None,
    }


def _critical() -> float:
    return stats.z_value(stats.RECENT_TREND_CONFIDENCE) ** 2


def _change(base: pd.Series | None, latest: pd.Series, ind: Indicator) -> dict[str, object]:
    """The change from the baseline year's published row to the year's, with its test."""
    if base is None:
        return {"change_note": BASELINE_MISSING}
    usable = [
        not bool(r["suppressed"]) and pd.notna(r["numerator"]) and (r["denominator"] or 0) > 0
        for r in (base, latest)
    ]
    if not all(usable):
        return {"change_note": BASELINE_SUPPRESSED}
    test = stats.change_test(
        float(base["numerator"]),
        float(base["denominator"]),
        float(latest["numerator"]),
        float(latest["denominator"]),
        kind=ind.kind,
        multiplier=ind.multiplier,
    )
    result = "similar"
    if bool(test.significant):
        result = "higher" if float(test.difference) > 0 else "lower"
    return {
        "change_since_baseline": float(test.difference),
        "lower_change_95": float(test.lower),
        "upper_change_95": float(test.upper),
        "change_p_value": float(test.p_value),
        "change_result": result,
    }


def indicator_trends(values: pd.DataFrame, period: str, baseline: str) -> pd.DataFrame:
    """The rows of ``published.indicator_trends`` for ``period`` from published
    ``indicator_values`` rows (those of the window's years and the baseline year at least):
    one per (indicator, area) with a headline row in ``period``."""
    heads = values[(values["breakdown"] == TOTAL) & (values["category"] == ALL)]
    years = window(period)
    in_window = heads[heads["period"].isin(years)]
    rows = []
    latest_rows = heads[heads["period"] == period].sort_values(["indicator_id", "area_code"])
    by_series = {key: part for key, part in in_window.groupby(["indicator_id", "area_code"])}
    base_rows = heads[heads["period"] == baseline].set_index(["indicator_id", "area_code"])
    for _, latest in latest_rows.iterrows():
        key = (latest["indicator_id"], latest["area_code"])
        ind = INDICATORS.get(str(key[0]))
        row: dict[str, object] = {
            "indicator_id": key[0],
            "period": period,
            "area_type": latest["area_type"],
            "area_code": key[1],
            "breakdown": TOTAL,
            "category": ALL,
            "first_period": years[0],
            "baseline_period": baseline,
        }
        if ind is None:
            rows.append({**row, "method": "none", "note": NOT_CATALOGUED, "recent_trend": CANNOT})
            continue
        series = by_series[key].sort_values("period")
        row["method"] = METHODS[ind.kind]
        if len(series) < stats.RECENT_TREND_POINTS:
            note = FEWER_THAN_FIVE.format(k=len(series), first=years[0], last=years[-1])
            trend: dict[str, object] = {"note": note}
        else:
            trend = _series_trend(series, ind)
        direction = trend.get("direction")
        polarity = str(ind.polarity)
        row.update(trend)
        row["assessment"] = assess(direction, polarity)  # type: ignore[arg-type]
        row["recent_trend"] = fingertips_label(direction, polarity)  # type: ignore[arg-type]
        if period == baseline:
            row["change_note"] = BASELINE_ITSELF
        else:
            base = base_rows.loc[key] if key in base_rows.index else None
            row.update(_change(base, latest, ind))
        rows.append(row)
    columns = [c.name for c in schema.indicator_trends.columns if c.name not in _LINEAGE]
    return pd.DataFrame(rows, columns=columns)


_LINEAGE: Final = ("run_id", "loaded_at")


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
