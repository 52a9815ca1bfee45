"""One article per indicator: its trend against the baseline year (with the change since the
baseline year and the recent trend, as published), its comparisons with England, the region
and statistical neighbours, its gradient across deprivation deciles with the slope index of
inequality, and its wards in a funnel plot.

The change since the baseline year and the recent trend are read from
``published.indicator_trends`` (``tip_pipeline.publish.trends``), which publishing computes
from published counts only, so the report says what the export and the analysts' tables say:
the change is a test of the difference between the two years (``stats.change_test``), and the
recent trend is OHID Fingertips' over the five years ending with the report's year (the
chi-squared test for trend of a proportion, the weighted regression of a rate, at 99.8%,
in Fingertips' words). The ward funnel limits (``stats.funnel_limits``) are computed here
from published counts. The sentences follow docs/CONVENTIONS.md: a change between two years is
judged by a test of the difference (not by overlapping limits), a comparison by the 95% limits
against the comparator (Fingertips).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy import special
from sqlalchemy import Connection

from tip_pipeline import stats
from tip_pipeline.home_area import UNKNOWN, UNKNOWN_WARD_NAME
from tip_pipeline.publish.trends import BASELINE_ITSELF, CANNOT
from tip_pipeline.reports import charts, html
from tip_pipeline.reports import statements as say
from tip_pipeline.reports.context import Report, ShownIndicator, number, present
from tip_pipeline.reports.data import (
    ALL,
    TOTAL,
    VALUE_COLUMNS,
    ReportData,
    Split,
    area_clause,
    by_area,
    masked,
    read,
    split,
)
from tip_pipeline.reports.statements import (
    SIGNIFICANCE,
    fmt_ci,
    fmt_count,
    fmt_p,
    fmt_signed,
    fmt_value,
    is_missing,
)

DECILE: Final = "imd_decile"

FUNNEL_POINTS: Final = 80
COMPARATOR_LABEL: Final = {
    "england": "England",
    "region": "the region",
    "stat_neighbours": "statistical neighbours",
}


def deciles(conn: Connection, area_code: str | None, period: str) -> pd.DataFrame:
    """The LA's (None: every LA's) values by national IMD decile (1 = most deprived) in
    ``period``, by indicator and decile (an LA has one row of each)."""
    frame = read(
        conn,
        f"SELECT {VALUE_COLUMNS} FROM published.indicator_values "
        f"WHERE area_type = 'la' {area_clause('area_code', area_code)}AND breakdown = :decile "
        "AND period = :period",
        area=area_code,
        decile=DECILE,
        period=period,
    )
    frame = masked(frame, "indicator_values")
    frame["decile"] = pd.to_numeric(frame["category"], errors="coerce")  # NaN: ``UNKNOWN``
    return frame.sort_values(["indicator_id", "decile"]).reset_index(drop=True)


def wards(conn: Connection, area_code: str | None, period: str) -> pd.DataFrame:
    """Headline rows of the LA's (None: every LA's) wards in ``period`` (a ward's benchmark is
    its LA)."""
    frame = read(
        conn,
        f"SELECT {VALUE_COLUMNS} FROM published.indicator_values "
        f"WHERE area_type = 'ward' {area_clause('benchmark_area_code', area_code)}"
        "AND breakdown = :total AND category = :all AND period = :period "
        "ORDER BY indicator_id, area_name",
        area=area_code,
        total=TOTAL,
        all=ALL,
        period=period,
    )
    return masked(frame, "indicator_values")


@dataclass(frozen=True)
class ChangeSinceBaseline:
    """The indicator's change from the baseline year to the report's, as published: NaN figures
    and ``note`` (why) where it is not computed."""

    baseline_period: str
    baseline: float
    latest: float
    difference: float
    lower: float
    upper: float
    p_value: float
    #: "higher" / "lower" (significant at 95%) / "similar"; None when not computed
    result: str | None
    note: str | None = None

    @property
    def tested(self) -> bool:
        return self.result is not None and present(self.difference)

    @property
    def significant(self) -> bool:
        return self.result in ("higher", "lower")


@dataclass(frozen=True)
class RecentTrend:
    """The indicator's recent trend as published: Fingertips' wording, its method and test,
    and why it cannot be calculated where it cannot."""

    first_period: str
    last_period: str
    label: str
    method: str
    p_value: float
    note: str | None


def series_of(data: ReportData, ind_id: str) -> pd.DataFrame:
    """The indicator's headline rows, oldest year first."""
    return data.series_by_indicator[ind_id]


def trend_row(data: ReportData, ind_id: str) -> pd.Series | None:
    """The indicator's row of ``published.indicator_trends`` in the report's year, if any."""
    return data.first_trends.get(ind_id)


def _text(x: object) -> str | None:
    return x if isinstance(x, str) and x else None


def change_since_baseline(data: ReportData, ind: ShownIndicator) -> ChangeSinceBaseline | None:
    """The change since the baseline year as published (``indicator_trends``); None when the
    report's year is the baseline year itself (nothing to compare)."""
    row = trend_row(data, ind.id)
    if row is None:
        base_period = data.period
        note = "no change since the baseline year is published for this year"
        figures = dict.fromkeys(("difference", "lower", "upper", "p_value"), float("nan"))
        result = None
    else:
        if row["change_note"] == BASELINE_ITSELF:
            return None
        base_period = str(row["baseline_period"])
        note = _text(row["change_note"])
        figures = {
            "difference": number(row["change_since_baseline"]),
            "lower": number(row["lower_change_95"]),
            "upper": number(row["upper_change_95"]),
            "p_value": number(row["change_p_value"]),
        }
        result = _text(row["change_result"])
    rows = series_of(data, ind.id).set_index("period")["value"]
    return ChangeSinceBaseline(
        base_period,
        number(rows.get(base_period)),
        number(rows.get(data.period)),
        result=result,
        note=note,
        **figures,
    )


def recent_trend(data: ReportData, ind: ShownIndicator) -> RecentTrend | None:
    """The recent trend as published (``indicator_trends``); None when none is."""
    row = trend_row(data, ind.id)
    if row is None:
        return None
    return RecentTrend(
        str(row["first_period"]),
        data.period,
        str(row["recent_trend"]),
        str(row["method"]),
        number(row["p_value"]),
        _text(row["note"]),
    )


def latest_row(data: ReportData, ind_id: str) -> pd.Series:
    """The indicator's headline row in the report's year."""
    return data.latest[ind_id]


def render(conn: Connection, report: Report) -> html.Section | None:
    """The indicators' section: one article each, in catalogue order (none without any)."""
    if not report.indicators:
        return None
    data = report.data
    area, period, shared = data.area_code, data.period, report.shared
    decile_rows = by_area(shared, ("deciles", period), area, lambda a: deciles(conn, a, period))
    ward_rows = by_area(
        shared, ("wards", period), area, lambda a: wards(conn, a, period), "benchmark_area_code"
    )
    decile_rows, ward_rows = split(decile_rows, "indicator_id"), split(ward_rows, "indicator_id")
    parts = [
        html.paragraph(
            "For each indicator: its trend with 95% limits against the baseline year, with a "
            "test of the change since then and its recent trend (OHID Fingertips' method over "
            "the last five years); comparisons with England, the region and "
            "statistical neighbours; the gradient across deprivation deciles with the slope "
            "index of inequality (SII); and the wards in a funnel plot."
        )
    ]
    for ind in report.indicators:
        parts.append(f'<article id="ind-{ind.id}" aria-labelledby="ind-{ind.id}-h">')
        parts.append(f'<h3 id="ind-{ind.id}-h">{html.escape(ind.name)}</h3>')
        parts.append(html.note(f"Unit: {ind.unit}. Polarity: {ind.polarity or 'not published'}."))
        parts.append(_trend_block(data, ind, report))
        parts.append(_comparison_block(data, ind))
        parts.append(_decile_block(data, decile_rows, ind, report))
        parts.append(_funnel_block(data, ward_rows, ind, report))
        parts.append("</article>")
    return html.Section(
        "indicators", "Indicators: trends, comparisons, inequality, wards", "".join(parts)
    )


def _england_by_period(data: ReportData, ind_id: str) -> dict[str, float]:
    c = data.comparisons_by_indicator[ind_id]
    rows = c[c["comparator_type"] == "england"]
    return {
        str(p): number(v) for p, v in zip(rows["period"], rows["comparator_value"], strict=True)
    }


def _trend_block(data: ReportData, ind: ShownIndicator, report: Report) -> str:
    rows = series_of(data, ind.id)
    periods = list(rows["period"])
    england = _england_by_period(data, ind.id)
    change = change_since_baseline(data, ind)
    series = [
        charts.Series(
            data.area_name,
            [number(v) for v in rows["value"]],
            [number(v) for v in rows["lower_ci_95"]],
            [number(v) for v in rows["upper_ci_95"]],
            [bool(s) for s in rows["suppressed"]],
        )
    ]
    if any(present(england.get(p)) for p in periods):
        series.append(
            charts.Series(
                "England",
                [england.get(p, float("nan")) for p in periods],
                colour=charts.ORANGE,
                marker="diamond",
                dash="6 3",
            )
        )
    drawn = change is not None and present(change.baseline)
    baseline = (change.baseline_period, change.baseline) if change and drawn else None
    chart = report.keep(
        charts.trend_chart(
            f"chart-trend-{ind.id}",
            f"{ind.name}: {data.area_name}, {periods[0]} to {periods[-1]}",
            f"Line chart of {ind.name} ({ind.unit}) for {data.area_name} by year with 95% "
            "confidence limits as whiskers"
            + (", England as a dashed line" if len(series) > 1 else "")
            + (
                f", and a dotted line at the baseline year {change.baseline_period}"
                if change and drawn
                else ""
            )
            + ". Figures are in the table beside.",
            periods,
            series,
            ind.unit,
            baseline,
        ),
    )
    table_rows = [
        [
            str(r["period"]),
            fmt_count(r["numerator"], r["suppressed"]),
            fmt_count(r["denominator"]),
            fmt_value(r["value"], r["suppressed"]),
            fmt_ci(r["lower_ci_95"], r["upper_ci_95"], r["suppressed"]),
            fmt_value(england.get(str(r["period"]))),
        ]
        for _, r in rows.iterrows()
    ]
    tbl = html.table(
        f"trend-{ind.id}",
        f"{ind.name} by year, {data.area_name}",
        ["Year", "Count", "Denominator", "Value", "95% CI", "England"],
        table_rows,
        "published.indicator_values",
    )
    texts = [_change_text(ind, change, data.period), _trend_text(ind, recent_trend(data, ind))]
    return "<h4>Trend</h4>" + html.figure(chart, tbl) + "".join(html.statement(t) for t in texts)


def _change_text(ind: ShownIndicator, change: ChangeSinceBaseline | None, period: str) -> str:
    if change is None:
        return f"{ind.name}: {period} is the baseline year, so there is no change to test."
    return change_statement(
        ind.name,
        change.baseline_period,
        period,
        change.baseline,
        change.latest,
        change.difference if change.tested else float("nan"),
        change.lower,
        change.upper,
        change.p_value if change.tested else float("nan"),
        ind.unit,
        ind.polarity,
        why=change.note,
    )


def _trend_text(ind: ShownIndicator, t: RecentTrend | None) -> str:
    if t is None:
        return f"{ind.name}: no recent trend is published for this year."
    return trend_statement(
        ind.name, t.label, t.method, t.p_value, t.first_period, t.last_period, t.note
    )


def _comparison_block(data: ReportData, ind: ShownIndicator) -> str:
    c = data.comparisons_by_indicator[ind.id]
    rows = c[c["period"] == data.period]
    if rows.empty:
        return "<h4>Comparisons</h4>" + html.note("No comparisons are published for this year.")
    order = {k: i for i, k in enumerate(COMPARATOR_LABEL)}
    rows = rows.assign(_o=rows["comparator_type"].map(order)).sort_values("_o")
    table_rows, texts = [], []
    for _, r in rows.iterrows():
        sup = bool(r["suppressed"])
        named = r["comparator_name"]  # a NULL read back is NaN, which str() spells "nan"
        name = named if isinstance(named, str) and named else None
        name = name or COMPARATOR_LABEL.get(r["comparator_type"], "the comparator")
        table_rows.append(
            [
                name,
                fmt_value(r["comparator_value"]),
                fmt_value(r["value"], sup),
                fmt_ci(r["lower_ci_95"], r["upper_ci_95"], sup),
                str(r["result"]),
            ]
        )
        texts.append(comparison_statement(data.area_name, name, str(r["result"]), ind.polarity))
    tbl = html.table(
        f"compare-{ind.id}",
        f"{ind.name}: {data.area_name} against its comparators, {data.period}",
        ["Comparator", "Comparator value", f"{data.area_name} value", "95% CI", "Result"],
        table_rows,
        "published.indicator_comparisons",
    )
    return "<h4>Comparisons</h4>" + tbl + html.statement(" ".join(texts))


def _ranks(deciles: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Relative ranks b_i (cumulative population share midpoints, 0 = most deprived) of the
    usable deciles, and which deciles are usable. No usable decile: every rank NaN."""
    ok = (~deciles["suppressed"]) & deciles["value"].notna() & (deciles["denominator"] > 0)
    ok = ok.to_numpy(bool)
    pop = np.where(ok, deciles["denominator"].to_numpy(float), 0.0)
    if pop.sum() <= 0:
        return np.full(len(pop), np.nan), ok
    share = pop / pop.sum()
    return np.cumsum(share) - share / 2, ok


def sii_fitted(deciles: pd.DataFrame, row: pd.Series, ind: ShownIndicator) -> list[float]:
    """Fitted values of the SII regression at each decile's rank, NaN where a decile is not
    usable: the published fit drawn as it was made (``stats.sii``, Low & Low 2004).

    The fit's ends are published: Y0 = ``sii_intercept`` (most deprived end) and Y1 = Y0 +
    SII. A log (rates) or logit (proportions) fit is a straight line on that scale, so on the
    natural scale a curve: fitted(b) = g(g^-1(Y0) + (g^-1(Y1) - g^-1(Y0)) b), values on the 0-1
    scale for a logit fit (a proportion: divided by its multiplier). An untransformed fit is the
    line Y0 + SII b.
    """
    b, ok = _ranks(deciles)
    y0, sii = number(row["sii_intercept"]), number(row["sii"])
    transform = row["sii_transform"]
    if transform in ("log", "logit"):
        scale = ind.multiplier if transform == "logit" else 1.0
        forward = np.log if transform == "log" else special.logit
        back = np.exp if transform == "log" else special.expit
        c0 = forward(y0 / scale)
        c1 = forward((y0 + sii) / scale) - c0
        curve = back(c0 + c1 * b) * scale
    else:
        curve = y0 + sii * b
    return [float(v) if good else float("nan") for v, good in zip(curve, ok, strict=True)]


def _decile_block(data: ReportData, decile_rows: Split, ind: ShownIndicator, report: Report) -> str:
    rows = decile_rows[ind.id]
    d = rows[rows["decile"].notna()]
    if d.empty:
        return (
            "<h4>Inequality by deprivation</h4>"
            + html.note("No values by decile are published.")
            + unknown_area_text(data.area_name, rows, ind)
        )
    ineq = data.inequality_by_indicator[ind.id]
    row = ineq.iloc[0] if len(ineq) else None
    drawable = row is not None and present(row["sii"]) and present(row["sii_intercept"])
    fitted = sii_fitted(d, row, ind) if drawable else None
    curve = drawable and row["sii_transform"] in ("log", "logit")
    values = charts.Series(
        "value",
        [number(v) for v in d["value"]],
        [number(v) for v in d["lower_ci_95"]],
        [number(v) for v in d["upper_ci_95"]],
        [bool(s) for s in d["suppressed"]],
    )
    chart = report.keep(
        charts.decile_chart(
            f"chart-deciles-{ind.id}",
            f"{ind.name} by deprivation decile, {data.area_name}, {data.period}",
            f"Bar chart of {ind.name} ({ind.unit}) in each national IMD decile, 1 most deprived "
            "to 10 least deprived, with 95% limits"
            + (
                " and the slope index of inequality's fit as a dashed "
                + ("curve (fitted on the log or logit scale)" if curve else "line")
                if fitted
                else ""
            )
            + ". Figures are in the table beside.",
            [int(x) for x in d["decile"]],
            values,
            fitted,
            ind.unit,
        ),
    )
    tbl = html.table(
        f"deciles-{ind.id}",
        f"{ind.name} by IMD decile, {data.area_name}, {data.period}",
        ["IMD decile", "Count", "Denominator", "Value", "95% CI"],
        [
            [
                str(int(r["decile"])),
                fmt_count(r["numerator"], r["suppressed"]),
                fmt_count(r["denominator"]),
                fmt_value(r["value"], r["suppressed"]),
                fmt_ci(r["lower_ci_95"], r["upper_ci_95"], r["suppressed"]),
            ]
            for _, r in d.iterrows()
        ],
        "published.indicator_values",
    )
    return (
        "<h4>Inequality by deprivation</h4>"
        + html.figure(chart, tbl)
        + _sii_text(ind, row)
        + unknown_area_text(data.area_name, rows, ind)
    )


def unknown_area_text(area_name: str, rows: pd.DataFrame, ind: ShownIndicator) -> str:
    """How many of the LA's count had no known home area (the decile ``unknown``): counted in
    the LA's total, in no decile; suppressed is said as such, never as a number."""
    unknown = rows[rows["category"] == UNKNOWN]
    if unknown.empty:
        return ""
    r = unknown.iloc[0]
    count = fmt_count(r["numerator"], r["suppressed"])
    return html.note(
        f"{ind.name}, {area_name}: counted with no known home area (the CIN census carries no "
        f"address; a postcode the lookup lacks): {count}. They are in the total but in no "
        f'decile and not in the slope index; the wards list them as "{UNKNOWN_WARD_NAME}".'
    )


def _sii_text(ind: ShownIndicator, row: pd.Series | None) -> str:
    if row is None:
        return html.note("No inequality summary is published for this indicator and year.")
    if not present(row["sii"]):
        why = say.SUPPRESSED if row["suppressed"] else say.MISSING
        return html.statement(
            f"{ind.name}: the slope index of inequality is {why} (a decile it is computed from "
            "is withheld, or fewer than five deciles are populated)."
        )
    sentence = str(row["statement"]) if row["statement"] else str(row["gradient"])
    detail = (
        f"SII {fmt_value(row['sii'])} (95% CI {fmt_ci(row['lower_sii_95'], row['upper_sii_95'])})"
        f" {ind.unit}; least deprived minus most deprived, across {int(row['deciles_used'])} "
        f"deciles. Most deprived quintile {fmt_value(row['most_deprived_value'])}, least deprived "
        f"{fmt_value(row['least_deprived_value'])}: a gap of {fmt_value(row['gap'])} "
        f"(95% CI {fmt_ci(row['lower_gap_95'], row['upper_gap_95'])})."
    )
    return html.statement(sentence) + html.note(detail)


@dataclass(frozen=True)
class WardFunnel:
    points: list[charts.FunnelPoint]
    curve_x: list[float]
    limits: dict[str, tuple[list[float], list[float]]]
    benchmark: float


def ward_funnel(wards: pd.DataFrame, benchmark: float, ind: ShownIndicator) -> WardFunnel | None:
    """Funnel limits around the LA value (``stats.funnel_limits``), the wards classified."""
    usable = wards[
        ~wards["suppressed"] & wards["value"].notna() & (wards["denominator"].fillna(0) > 0)
    ]
    if usable.empty or not present(benchmark) or ind.kind is None:
        return None
    n = usable["denominator"].to_numpy(float)
    own = stats.funnel_limits(n, benchmark, ind.kind, (0.95, 0.998), ind.multiplier)  # type: ignore[arg-type]
    value = usable["value"].to_numpy(float)
    points = []
    for i, (name, v, d) in enumerate(zip(usable["area_name"], value, n, strict=True)):
        outside = ""
        if v > own.upper[1][i] or v < own.lower[1][i]:
            outside = "99.8"
        elif v > own.upper[0][i] or v < own.lower[0][i]:
            outside = "95"
        points.append(charts.FunnelPoint(str(name), float(d), float(v), outside))
    grid = np.linspace(max(1.0, n.min() * 0.5), n.max() * 1.1, FUNNEL_POINTS)
    curve = stats.funnel_limits(grid, benchmark, ind.kind, (0.95, 0.998), ind.multiplier)  # type: ignore[arg-type]
    limits = {
        "95": (list(curve.lower[0]), list(curve.upper[0])),
        "99.8": (list(curve.lower[1]), list(curve.upper[1])),
    }
    return WardFunnel(points, list(grid), limits, benchmark)


def _funnel_block(data: ReportData, ward_rows: Split, ind: ShownIndicator, report: Report) -> str:
    wards = ward_rows[ind.id]
    head = "<h4>Wards</h4>"
    if wards.empty:
        return head + html.note("No ward values are published.")
    latest = latest_row(data, ind.id)
    funnel = ward_funnel(wards, number(latest["value"]), ind)
    status = {}
    parts = [head]
    if funnel is not None:
        for p in funnel.points:
            side = "above" if p.value > funnel.benchmark else "below"
            status[p.name] = f"{side} {p.outside}%" if p.outside else "within 95%"
        chart = report.keep(
            charts.funnel_chart(
                f"chart-funnel-{ind.id}",
                f"{ind.name}: wards of {data.area_name} against the LA value, {data.period}",
                f"Funnel plot: each ward's {ind.name} ({ind.unit}) against its denominator, with "
                f"95% and 99.8% control limits around the {data.area_name} value. Wards outside "
                "the 99.8% limits are named, the most extreme first, as many as there is room for. "
                "Figures are in the table beside.",
                funnel.points,
                funnel.benchmark,
                funnel.curve_x,
                funnel.limits,
                "Denominator (children or households in the ward)",
                ind.unit,
            ),
        )
    rows = [
        [
            str(r["area_name"]),
            fmt_count(r["numerator"], r["suppressed"]),
            fmt_count(r["denominator"]),
            fmt_value(r["value"], r["suppressed"]),
            fmt_ci(r["lower_ci_99_8"], r["upper_ci_99_8"], r["suppressed"]),
            say.SUPPRESSED if r["suppressed"] else status.get(str(r["area_name"]), "not compared"),
        ]
        for _, r in wards.iterrows()
    ]
    tbl = html.table(
        f"wards-{ind.id}",
        f"{ind.name} by ward, {data.area_name}, {data.period}",
        ["Ward", "Count", "Denominator", "Value", "99.8% CI", "Funnel"],
        rows,
        "published.indicator_values",
    )
    if funnel is None:
        return (
            head + tbl + html.note("No funnel plot: the LA value or the method is not published.")
        )
    high = [p.name for p in funnel.points if p.outside == "99.8" and p.value > funnel.benchmark]
    low = [p.name for p in funnel.points if p.outside == "99.8" and p.value < funnel.benchmark]
    h95 = sum(1 for p in funnel.points if p.outside and p.value > funnel.benchmark)
    l95 = sum(1 for p in funnel.points if p.outside and p.value < funnel.benchmark)
    text = funnel_statement(data.area_name, high, low, h95, l95, len(funnel.points))
    suppressed = int(wards["suppressed"].sum())
    extra = f" {suppressed} ward(s) suppressed, not plotted." if suppressed else ""
    parts += [html.figure(chart, tbl), html.statement(text + extra)]
    if chart.unlabelled:
        parts.append(
            html.note(
                f"Not named on the chart for want of room: {', '.join(chart.unlabelled)} "
                "(outside the 99.8% limits; see the table)."
            )
        )
    return "".join(parts)


# -- sentences --------------------------------------------------------------------------------


def reading(direction: float, polarity: str) -> str:
    """'better' / 'worse' / '' for a change of sign ``direction`` under ``polarity``."""
    if direction == 0 or polarity not in ("higher is worse", "higher is better"):
        return ""
    worse = (direction > 0) == (polarity == "higher is worse")
    return "worse" if worse else "better"


def change_statement(
    name: str,
    baseline_period: str,
    period: str,
    baseline: float,
    latest: float,
    difference: float,
    lower: float,
    upper: float,
    p_value: float,
    unit: str,
    polarity: str,
    why: str | None = None,
) -> str:
    """Whether the change since the baseline year is significant (a test of the difference);
    ``why``: the reason it was not tested, as published."""
    if is_missing(p_value) or is_missing(difference):
        reason = why or "a figure is missing or suppressed"
        return (
            f"{name}: the change between {baseline_period} and {period} could not be tested "
            f"({reason})."
        )
    moved = "rose" if difference > 0 else "fell" if difference < 0 else "did not change"
    head = (
        f"{name} {moved} from {fmt_value(baseline)} in {baseline_period} to "
        f"{fmt_value(latest)} in {period} ({unit}): a change of {fmt_signed(difference)} "
        f"(95% CI {fmt_ci(lower, upper)}; {fmt_p(p_value)})."
    )
    if p_value >= SIGNIFICANCE:
        return head + " The change is not statistically significant."
    judged = reading(difference, polarity)
    suffix = f", which is {judged}" if judged else ""
    return head + f" The change is statistically significant{suffix}."


def trend_statement(
    name: str,
    label: str,
    method: str,
    p_value: float,
    first: str,
    last: str,
    note: str | None = None,
) -> str:
    """The recent trend as OHID Fingertips reports it (its words, over the five years ending
    with the report's year, significant at 99.8%), or why it cannot be calculated."""
    if label == CANNOT:
        reason = f": {note}" if note else ""
        return f"{name}: the recent trend over {first} to {last} cannot be calculated{reason}."
    test = f"Fingertips' recent trend, {method}, 99.8% level, {fmt_p(p_value)}"
    if label == "No significant change":
        extra = f"; {note}" if note else ""
        return (
            f"Over the five years from {first} to {last} there is no significant recent trend "
            f"({test}{extra})."
        )
    return (
        f"Over the five years from {first} to {last} the recent trend is {label.lower()} ({test})."
    )


def comparison_statement(area: str, comparator: str, result: str, polarity: str) -> str:
    """One comparison as Fingertips reads it: the area's 95% limits against the comparator."""
    if result == "higher" or result == "lower":
        judged = reading(1 if result == "higher" else -1, polarity)
        suffix = f" ({judged})" if judged else ""
        return f"{area} is significantly {result} than {comparator}{suffix}."
    if result == "similar":
        return f"{area} is similar to {comparator} (no significant difference)."
    return f"{area} is not compared with {comparator} (a value is missing or suppressed)."


def funnel_statement(
    area: str, high_998: list[str], low_998: list[str], high_95: int, low_95: int, shown: int
) -> str:
    """Which wards lie outside the funnel's 99.8% limits around the LA value."""
    parts = []
    if high_998:
        parts.append(f"above the 99.8% limits: {', '.join(high_998)}")
    if low_998:
        parts.append(f"below the 99.8% limits: {', '.join(low_998)}")
    if not parts:
        head = f"No ward of the {shown} shown lies outside the 99.8% limits around {area}."
    else:
        head = f"Wards {'; '.join(parts)}."
    return (
        head + f" Outside the 95% limits: {high_95} above and {low_95} below (about 1 ward in "
        "20 would be by chance alone)."
    )
