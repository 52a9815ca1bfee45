"""Build the measuring-impact report: published rows -> statistics -> sentences, charts, tables.

``build_report(engine)`` returns one self-contained HTML document (inline CSS and SVG, no
script, nothing loaded from anywhere). Statistics the warehouse does not publish are computed
here with ``tip_pipeline.stats`` from published counts only: the test of a change since the
baseline year (``test_change``), the chi-square test for trend (``trend_test``) and the ward
funnel limits (``funnel_limits``). Suppressed rows are shown as suppressed and never enter a
computation (their figures are NULL, see ``data``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
from scipy import special
from sqlalchemy import Connection, Engine

from tip_pipeline import stats
from tip_pipeline.reports import charts, html
from tip_pipeline.reports import statements as say
from tip_pipeline.reports.data import ReportData, load
from tip_pipeline.reports.statements import fmt_ci, fmt_count, fmt_value

#: the seed's Prevalence slide: Leeds, 2020 estimate (share %, children), by measure
SEED_AREA: Final = "E08000035"
SEED_PREVALENCE: Final = {
    "toxic_trio_any": ("19.8%", "33,580"),
    "domestic_abuse": ("7.3%", ""),
    "parental_substance_misuse": ("5%", ""),
    "parental_mental_health": ("15%", ""),
    "toxic_trio_all": ("1.2%", "1,994"),
    "looked_after": ("0.76%", "1,288"),
    "youth_justice": ("0.4%", "676"),
    "homelessness": ("0.13%", "228"),
}
FUNNEL_POINTS: Final = 80
COMPARATOR_LABEL: Final = {
    "england": "England",
    "region": "the region",
    "stat_neighbours": "statistical neighbours",
}


@dataclass(frozen=True)
class Indicator:
    """What the report needs to know about one indicator (from published.dim_indicator)."""

    id: str
    name: str
    unit: str
    polarity: str
    multiplier: float
    kind: str | None  # "proportion" | "rate" | None when the method is not published

    @classmethod
    def from_row(cls, row: pd.Series | None, ind_id: str, series: pd.DataFrame) -> Indicator:
        own = series[series["indicator_id"] == ind_id]
        if row is None:
            return cls(
                ind_id,
                str(own["indicator_name"].iloc[-1]),
                str(own["unit"].iloc[-1]),
                "",
                float("nan"),
                None,
            )
        method = str(row.get("method") or "").lower()
        kind = "proportion" if method.startswith("proportion") else None
        kind = "rate" if method.startswith("rate") else kind
        return cls(
            ind_id,
            str(row["indicator_name"]),
            str(row["unit"]),
            str(row.get("polarity") or ""),
            float(row["multiplier"]),
            kind,
        )


@dataclass
class Built:
    """The document and what it holds."""

    html: str
    charts: int
    area_code: str
    area_name: str
    period: str


def build_report(
    engine: Engine | Connection, area_code: str | None = None, period: str | None = None
) -> str:
    """The report for ``area_code`` (default: the single LA published) and ``period`` (default:
    its latest published year), as one HTML document. Raises ``data.NoPublishedData``."""
    return build(engine, area_code, period).html


def write_report(
    engine: Engine | Connection, out: Path, area_code: str | None = None, period: str | None = None
) -> Built:
    built = build(engine, area_code, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(built.html, encoding="utf-8")
    return built


def build(engine: Engine | Connection, area_code: str | None, period: str | None) -> Built:
    data = load(engine, area_code, period)
    catalogue = data.indicators.set_index("indicator_id") if len(data.indicators) else None
    indicators = [
        Indicator.from_row(
            catalogue.loc[i] if catalogue is not None and i in catalogue.index else None,
            i,
            data.series,
        )
        for i in data.indicator_ids
    ]
    counter: list[charts.Chart] = []
    sections = [
        _summary_section(data, indicators),
        _prevalence_section(data, counter),
        _hidden_need_section(data, counter),
        *_indicator_sections(data, indicators, counter),
        _poorest_fastest_section(data, indicators, counter),
        _adversity_section(data, counter),
        _quality_section(data),
        _appendix_section(data),
    ]
    title = f"Measuring impact: children's adversity in {data.area_name}, {data.period}"
    subtitle = [
        "Trauma-informed children's strategy: evaluation plans in place, data being gathered, "
        "learning being shared.",
        f"Local authority {data.area_name} ({data.area_code}); reporting year {data.period} "
        f"(1 April to 31 March). Built {date.today():%d %B %Y} from the warehouse's published "
        "layer only: disclosure-controlled aggregates, synthetic data.",
    ]
    document = html.page(title, subtitle, sections)
    return Built(document, len(counter), data.area_code, data.area_name, data.period)


def _keep(counter: list[charts.Chart], chart: charts.Chart) -> charts.Chart:
    counter.append(chart)
    return chart


def _f(x: object) -> float:
    """A float, NaN for NULL."""
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _ok(x: object) -> bool:
    return not math.isnan(_f(x))


# -- summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    baseline_period: str
    baseline: float
    latest: float
    test: stats.ChangeTest | None


@dataclass(frozen=True)
class Trend:
    periods: list[str]
    test: stats.TrendTest | None


def _usable(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows whose count and denominator may enter a computation (not suppressed, present)."""
    ok = ~rows["suppressed"] & rows["numerator"].notna() & (rows["denominator"].fillna(0) > 0)
    return rows[ok]


def _series_of(data: ReportData, ind_id: str) -> pd.DataFrame:
    return data.series[data.series["indicator_id"] == ind_id].sort_values("period")


def _baseline_period(data: ReportData, ind_id: str, rows: pd.DataFrame) -> str:
    """The inequality summary's baseline year when published, else the first year published."""
    ineq = data.inequality[data.inequality["indicator_id"] == ind_id]
    if len(ineq) and ineq["baseline_period"].notna().any():
        candidate = str(ineq["baseline_period"].dropna().iloc[0])
        if candidate in set(rows["period"]):
            return candidate
    return str(rows["period"].iloc[0])


def change_since_baseline(data: ReportData, ind: Indicator) -> Change | None:
    """Test of the difference between the baseline year and the report's year (stats)."""
    rows = _series_of(data, ind.id)
    if len(rows) < 2:
        return None
    base_period = _baseline_period(data, ind.id, rows)
    base = rows[rows["period"] == base_period].iloc[0]
    latest = rows[rows["period"] == data.period].iloc[0]
    if base_period == data.period:
        return None
    test = None
    usable = _usable(pd.DataFrame([base, latest]))
    if len(usable) == 2 and ind.kind is not None:
        test = stats.test_change(
            _f(base["numerator"]),
            _f(base["denominator"]),
            _f(latest["numerator"]),
            _f(latest["denominator"]),
            kind=ind.kind,  # type: ignore[arg-type]
            multiplier=ind.multiplier,
        )
    return Change(base_period, _f(base["value"]), _f(latest["value"]), test)


def trend(data: ReportData, ind: Indicator) -> Trend:
    """Chi-square test for trend over the usable years (scored by their start year)."""
    rows = _usable(_series_of(data, ind.id))
    periods = list(rows["period"])
    if len(rows) < stats.TREND_MIN_PERIODS or ind.kind is None:
        return Trend(periods, None)
    scores = [int(p[:4]) for p in periods]
    test = stats.trend_test(
        rows["numerator"].to_numpy(float),
        rows["denominator"].to_numpy(float),
        kind=ind.kind,  # type: ignore[arg-type]
        scores=scores,
        multiplier=ind.multiplier,
    )
    return Trend(periods, test)


def _trend_words(t: Trend) -> str:
    if t.test is None:
        return f"too few years ({len(t.periods)})"
    return str(t.test.direction)


def _change_words(c: Change | None) -> str:
    if c is None:
        return "no earlier year"
    if c.test is None:
        return "not tested"
    sig = "significant" if bool(c.test.significant) else "not significant"
    return f"{say.fmt_signed(float(c.test.difference))} since {c.baseline_period} ({sig})"


def _latest(data: ReportData, ind_id: str) -> pd.Series:
    rows = _series_of(data, ind_id)
    return rows[rows["period"] == data.period].iloc[0]


def _comparison(data: ReportData, ind_id: str, kind: str) -> pd.Series | None:
    c = data.comparisons
    rows = c[(c["indicator_id"] == ind_id) & (c["period"] == data.period)]
    rows = rows[rows["comparator_type"] == kind]
    return None if rows.empty else rows.iloc[0]


def _summary_section(data: ReportData, indicators: Sequence[Indicator]) -> html.Section:
    rows = []
    for ind in indicators:
        latest = _latest(data, ind.id)
        england = _comparison(data, ind.id, "england")
        ineq = data.inequality[data.inequality["indicator_id"] == ind.id]
        gradient = (
            str(ineq["gradient"].iloc[0])
            if len(ineq) and ineq["gradient"].notna().iloc[0]
            else (say.SUPPRESSED if len(ineq) and bool(ineq["suppressed"].iloc[0]) else "-")
        )
        rows.append(
            [
                ind.name,
                fmt_value(latest["value"], latest["suppressed"]),
                fmt_ci(latest["lower_ci_95"], latest["upper_ci_95"], latest["suppressed"]),
                ind.unit,
                str(england["result"]) if england is not None else "not compared",
                _change_words(change_since_baseline(data, ind)),
                _trend_words(trend(data, ind)),
                gradient,
            ]
        )
    body = html.paragraph(
        f"Every indicator for {data.area_name} in {data.period} at a glance: the value with its "
        "95% confidence interval, how it compares with England, whether it has changed "
        "significantly since the baseline year (a test of the difference) and over the years "
        "published (chi-square test for trend), and how it falls across deprivation. "
        "Each indicator has its own section below."
    ) + html.table(
        "summary",
        f"Indicators at a glance, {data.area_name}, {data.period}",
        [
            "Indicator",
            "Value",
            "95% CI",
            "Unit",
            "Compared with England",
            "Change since baseline",
            "Trend",
            "Deprivation gradient",
        ],
        rows,
        "published.indicator_values",
    )
    return html.Section("summary", "Summary", body)


# -- prevalence and hidden need -----------------------------------------------------------------


def _prevalence_pairs(data: ReportData) -> list[tuple[str, str, pd.Series | None, pd.Series]]:
    """(measure, label, modelled row or None, recorded row) in the slide's order."""
    out = []
    prev = data.prevalence
    for measure, rows in prev.groupby("measure", sort=False):
        rows = rows.set_index("basis")
        if "recorded" not in rows.index:
            continue
        modelled = rows.loc["modelled"] if "modelled" in rows.index else None
        recorded = rows.loc["recorded"]
        out.append((str(measure), str(recorded["measure_label"]), modelled, recorded))
    order = {m: int(r["slide_order"]) for m, _, _, r in out}
    return sorted(out, key=lambda item: order[item[0]])


def _prevalence_section(data: ReportData, counter: list[charts.Chart]) -> html.Section:
    pairs = _prevalence_pairs(data)
    if not pairs:
        return html.Section(
            "prevalence", "Prevalence", html.note("No prevalence figures are published.")
        )
    seed = data.area_code == SEED_AREA
    rows = []
    for measure, label, modelled, recorded in pairs:
        sup = bool(recorded["suppressed"])
        row = [
            f"Children who {label}",
            fmt_value(modelled["share_pct"]) + "%" if modelled is not None else "-",
            _modelled_range(modelled, "pct"),
            fmt_count(modelled["children"]) if modelled is not None else "-",
            _modelled_range(modelled, "children"),
            _pct(recorded["share_pct"], sup),
            fmt_ci(recorded["lower_pct"], recorded["upper_pct"], sup),
            fmt_count(recorded["children"], sup),
        ]
        if seed:
            row += list(SEED_PREVALENCE.get(measure, ("", "")))
        rows.append(row)
    headers = [
        "Measure",
        "Modelled %",
        f"{MODELLED_RANGE_LABEL} (%)",
        "Modelled children",
        f"{MODELLED_RANGE_LABEL} (children)",
        "Recorded %",
        "Recorded 95% CI (%)",
        "Recorded children",
    ]
    if seed:
        headers += ["Strategy slide: 2020 estimate %", "Strategy slide: children"]
    denominator = fmt_count(pairs[0][3]["denominator"])
    tbl = html.table(
        "prevalence",
        f"The Prevalence slide recomputed, {data.area_name}, {data.period} "
        f"(children aged 0-17: {denominator})",
        headers,
        rows,
        "published.prevalence_summary",
    )
    chart = _keep(counter, _prevalence_chart(data, pairs))
    intro = html.paragraph(
        "The strategy's Prevalence slide, recomputed for the year. Toxic-trio rows are shown "
        "twice: modelled (national survey rates by age and deprivation applied to the local "
        "child population; an expectation, shown with the modelled range of the source's lower "
        "and upper estimates, which is not a confidence interval) and recorded (children "
        "whose assessments in the year identified the factor, any adult in the household; "
        "Wilson 95% limits). Care, youth justice and homelessness are recorded counts."
    )
    notes = html.note(
        "Percentages are of all children aged 0-17 (ONS mid-year estimate). A suppressed "
        "count is withheld by disclosure control and shown as suppressed, never as zero."
    )
    return html.Section(
        "prevalence", "Prevalence", intro + html.figure(chart, tbl, stacked=True) + notes
    )


#: how a modelled range is named wherever it is shown (not a confidence interval)
MODELLED_RANGE_LABEL = "Modelled range"


def _modelled_range(modelled: pd.Series | None, unit: str) -> str:
    """The modelled row's range, "low to high" (percent or children); "-" where none."""
    if modelled is None:
        return "-"
    low, high = _f(modelled.get(f"range_low_{unit}")), _f(modelled.get(f"range_high_{unit}"))
    if not (_ok(low) and _ok(high)):
        return say.MISSING
    if unit == "pct":
        return f"{fmt_value(low)}% to {fmt_value(high)}%"
    return f"{fmt_count(low)} to {fmt_count(high)}"


def _pct(x: object, suppressed: bool = False) -> str:
    text = fmt_value(_f(x), suppressed)
    return text if text in (say.SUPPRESSED, say.MISSING) else text + "%"


def _prevalence_chart(data: ReportData, pairs: list) -> charts.Chart:
    labels = [str(label) for _, label, _, _ in pairs]
    modelled = [_f(m["share_pct"]) if m is not None else float("nan") for _, _, m, _ in pairs]
    recorded = charts.Series(
        "recorded",
        [_f(r["share_pct"]) for *_, r in pairs],
        [_f(r["lower_pct"]) for *_, r in pairs],
        [_f(r["upper_pct"]) for *_, r in pairs],
        [bool(r["suppressed"]) for *_, r in pairs],
        colour=charts.ORANGE,
    )
    return charts.hbar_chart(
        "chart-prevalence",
        f"Modelled and recorded prevalence, {data.area_name}, {data.period}",
        "Horizontal bars: for each row of the Prevalence slide, the modelled percentage of "
        "children (blue) and the recorded percentage (orange, with 95% limits). Recorded "
        "toxic-trio figures are far below the modelled ones. Figures are in the table beside.",
        labels,
        [charts.Series("modelled", modelled, colour=charts.BLUE), recorded],
        "Percent of children aged 0-17",
    )


def _hidden_need_section(data: ReportData, counter: list[charts.Chart]) -> html.Section:
    pairs = [p for p in _prevalence_pairs(data) if p[2] is not None]
    if not pairs:
        return html.Section(
            "hidden-need", "Hidden need", html.note("No modelled prevalence is published.")
        )
    rows, shares, sup_flags, texts = [], [], [], []
    for _, label, modelled, recorded in pairs:
        sup = bool(recorded["suppressed"])
        m, r = _f(modelled["children"]), _f(recorded["children"])
        share = r / m * 100 if not sup and m > 0 and _ok(r) else float("nan")
        low, high = _f(modelled.get("range_low_children")), _f(modelled.get("range_high_children"))
        rows.append(
            [
                f"Children who {label}",
                fmt_count(m),
                _modelled_range(modelled, "children"),
                fmt_count(r, sup),
                fmt_count(m - r, sup),
                say.MISSING
                if sup or not (_ok(low) and _ok(high))
                else f"{fmt_count(low - r)} to {fmt_count(high - r)}",
                fmt_value(share, sup),
            ]
        )
        shares.append(share)
        sup_flags.append(sup)
        texts.append(say.hidden_need_statement(label, m, r, sup, (low, high)))
    chart = _keep(
        counter,
        charts.hbar_chart(
            "chart-hidden-need",
            f"Share of modelled need known to services, {data.area_name}, {data.period}",
            "Horizontal bars: recorded children as a percentage of the modelled number, for "
            "each toxic-trio measure. Well below 100% everywhere: most modelled need is not "
            "known to services. Figures are in the table beside.",
            [str(p[1]) for p in pairs],
            [charts.Series("recorded as % of modelled", shares, suppressed=sup_flags)],
            "Recorded children as % of modelled children",
        ),
    )
    tbl = html.table(
        "hidden-need",
        f"Modelled against recorded toxic trio, {data.area_name}, {data.period}",
        [
            "Measure",
            "Modelled children",
            f"{MODELLED_RANGE_LABEL} (children)",
            "Recorded children",
            "Hidden need",
            f"Hidden need, {MODELLED_RANGE_LABEL.lower()}",
            "% identified",
        ],
        rows,
        "published.prevalence_summary",
    )
    intro = html.paragraph(
        "Trauma is often hidden. The difference between the modelled number of children living "
        "with each toxic-trio factor and the number services recorded is need not yet known "
        "to services. Definitions are matched: the model counts any adult in the household, "
        "and so does the recorded side (factor codes 1B/1C, 2B/2C, 3A-3C, 4B/4C)."
    )
    body = intro + html.figure(chart, tbl) + "".join(html.statement(t) for t in texts)
    return html.Section("hidden-need", "Hidden need: modelled against recorded", body)


# -- one section per indicator ----------------------------------------------------------------


def _indicator_sections(
    data: ReportData, indicators: Sequence[Indicator], counter: list[charts.Chart]
) -> list[html.Section]:
    if not indicators:
        return []
    parts = [
        html.paragraph(
            "For each indicator: its trend with 95% limits against the baseline year, with a "
            "test of the change and of the trend; comparisons with England, the region and "
            "statistical neighbours; the gradient across deprivation deciles with the slope "
            "index of inequality (SII); and the wards in a funnel plot."
        )
    ]
    for ind in indicators:
        parts.append(f'<article id="ind-{ind.id}" aria-labelledby="ind-{ind.id}-h">')
        parts.append(f'<h3 id="ind-{ind.id}-h">{html.escape(ind.name)}</h3>')
        parts.append(html.note(f"Unit: {ind.unit}. Polarity: {ind.polarity or 'not published'}."))
        parts.append(_trend_block(data, ind, counter))
        parts.append(_comparison_block(data, ind))
        parts.append(_decile_block(data, ind, counter))
        parts.append(_funnel_block(data, ind, counter))
        parts.append("</article>")
    return [
        html.Section(
            "indicators", "Indicators: trends, comparisons, inequality, wards", "".join(parts)
        )
    ]


def _england_by_period(data: ReportData, ind_id: str) -> dict[str, float]:
    c = data.comparisons
    rows = c[(c["indicator_id"] == ind_id) & (c["comparator_type"] == "england")]
    return {str(p): _f(v) for p, v in zip(rows["period"], rows["comparator_value"], strict=True)}


def _trend_block(data: ReportData, ind: Indicator, counter: list[charts.Chart]) -> str:
    rows = _series_of(data, ind.id)
    periods = list(rows["period"])
    england = _england_by_period(data, ind.id)
    change = change_since_baseline(data, ind)
    series = [
        charts.Series(
            data.area_name,
            [_f(v) for v in rows["value"]],
            [_f(v) for v in rows["lower_ci_95"]],
            [_f(v) for v in rows["upper_ci_95"]],
            [bool(s) for s in rows["suppressed"]],
        )
    ]
    if any(_ok(england.get(p)) for p in periods):
        series.append(
            charts.Series(
                "England",
                [england.get(p, float("nan")) for p in periods],
                colour=charts.ORANGE,
                marker="diamond",
                dash="6 3",
            )
        )
    baseline = (change.baseline_period, change.baseline) if change else None
    chart = _keep(
        counter,
        charts.trend_chart(
            f"chart-trend-{ind.id}",
            f"{ind.name}: {data.area_name}, {periods[0]} to {periods[-1]}",
            f"Line chart of {ind.name} ({ind.unit}) for {data.area_name} by year with 95% "
            "confidence limits as whiskers"
            + (", England as a dashed line" if len(series) > 1 else "")
            + (
                f", and a dotted line at the baseline year {change.baseline_period}"
                if change
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
    texts = [_change_text(ind, change, data.period), _trend_text(ind, trend(data, ind), data)]
    return "<h4>Trend</h4>" + html.figure(chart, tbl) + "".join(html.statement(t) for t in texts)


def _change_text(ind: Indicator, change: Change | None, period: str) -> str:
    if change is None:
        return f"{ind.name}: {period} is the first year published, so there is no change to test."
    if change.test is None:
        return say.change_statement(
            ind.name, change.baseline_period, period, change.baseline, change.latest,
            *([float("nan")] * 4), ind.unit, ind.polarity,
        )  # fmt: skip
    t = change.test
    return say.change_statement(
        ind.name,
        change.baseline_period,
        period,
        change.baseline,
        change.latest,
        float(t.difference),
        float(t.lower),
        float(t.upper),
        float(t.p_value),
        ind.unit,
        ind.polarity,
    )


def _trend_text(ind: Indicator, t: Trend, data: ReportData) -> str:
    if t.test is None:
        return say.trend_statement(ind.name, "", float("nan"), len(t.periods), "", data.period)
    return say.trend_statement(
        ind.name,
        str(t.test.direction),
        float(t.test.p_value),
        len(t.periods),
        t.periods[0],
        t.periods[-1],
    )


def _comparison_block(data: ReportData, ind: Indicator) -> str:
    c = data.comparisons
    rows = c[(c["indicator_id"] == ind.id) & (c["period"] == data.period)]
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
        texts.append(say.comparison_statement(data.area_name, name, str(r["result"]), ind.polarity))
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
    usable deciles, and which deciles are usable."""
    ok = (~deciles["suppressed"]) & deciles["value"].notna() & (deciles["denominator"] > 0)
    ok = ok.to_numpy(bool)
    pop = np.where(ok, deciles["denominator"].to_numpy(float), 0.0)
    share = pop / pop.sum()
    return np.cumsum(share) - share / 2, ok


def sii_fitted(deciles: pd.DataFrame, row: pd.Series, ind: Indicator) -> list[float]:
    """Fitted values of the SII regression at each decile's rank, NaN where a decile is not
    usable: the published fit drawn as it was made (``stats.sii``, Low & Low 2004).

    The fit's ends are published: Y0 = ``sii_intercept`` (most deprived end) and Y1 = Y0 +
    SII. A log (rates) or logit (proportions) fit is a straight line on that scale, so on the
    natural scale a curve: fitted(b) = g(g^-1(Y0) + (g^-1(Y1) - g^-1(Y0)) b), values on the 0-1
    scale for a logit fit (a proportion: divided by its multiplier). An untransformed fit is the
    line Y0 + SII b.
    """
    b, ok = _ranks(deciles)
    y0, sii = _f(row["sii_intercept"]), _f(row["sii"])
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


def _decile_block(data: ReportData, ind: Indicator, counter: list[charts.Chart]) -> str:
    d = data.deciles[data.deciles["indicator_id"] == ind.id]
    if d.empty:
        return "<h4>Inequality by deprivation</h4>" + html.note(
            "No values by decile are published."
        )
    ineq = data.inequality[data.inequality["indicator_id"] == ind.id]
    row = ineq.iloc[0] if len(ineq) else None
    drawable = row is not None and _ok(_f(row["sii"])) and _ok(_f(row["sii_intercept"]))
    fitted = sii_fitted(d, row, ind) if drawable else None
    curve = drawable and row["sii_transform"] in ("log", "logit")
    values = charts.Series(
        "value",
        [_f(v) for v in d["value"]],
        [_f(v) for v in d["lower_ci_95"]],
        [_f(v) for v in d["upper_ci_95"]],
        [bool(s) for s in d["suppressed"]],
    )
    chart = _keep(
        counter,
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
    return "<h4>Inequality by deprivation</h4>" + html.figure(chart, tbl) + _sii_text(ind, row)


def _sii_text(ind: Indicator, row: pd.Series | None) -> str:
    if row is None:
        return html.note("No inequality summary is published for this indicator and year.")
    if not _ok(row["sii"]):
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
class Funnel:
    points: list[charts.FunnelPoint]
    curve_x: list[float]
    limits: dict[str, tuple[list[float], list[float]]]
    benchmark: float


def ward_funnel(wards: pd.DataFrame, benchmark: float, ind: Indicator) -> Funnel | None:
    """Funnel limits around the LA value (``stats.funnel_limits``), the wards classified."""
    usable = wards[
        ~wards["suppressed"] & wards["value"].notna() & (wards["denominator"].fillna(0) > 0)
    ]
    if usable.empty or not _ok(benchmark) or ind.kind is None:
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
    return Funnel(points, list(grid), limits, benchmark)


def _funnel_block(data: ReportData, ind: Indicator, counter: list[charts.Chart]) -> str:
    wards = data.wards[data.wards["indicator_id"] == ind.id]
    head = "<h4>Wards</h4>"
    if wards.empty:
        return head + html.note("No ward values are published.")
    latest = _latest(data, ind.id)
    funnel = ward_funnel(wards, _f(latest["value"]), ind)
    status = {}
    parts = [head]
    if funnel is not None:
        for p in funnel.points:
            side = "above" if p.value > funnel.benchmark else "below"
            status[p.name] = f"{side} {p.outside}%" if p.outside else "within 95%"
        chart = _keep(
            counter,
            charts.funnel_chart(
                f"chart-funnel-{ind.id}",
                f"{ind.name}: wards of {data.area_name} against the LA value, {data.period}",
                f"Funnel plot: each ward's {ind.name} ({ind.unit}) against its denominator, with "
                f"95% and 99.8% control limits around the {data.area_name} value. Wards outside "
                "the 99.8% limits are named. Figures are in the table beside.",
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
    text = say.funnel_statement(data.area_name, high, low, h95, l95, len(funnel.points))
    suppressed = int(wards["suppressed"].sum())
    extra = f" {suppressed} ward(s) suppressed, not plotted." if suppressed else ""
    parts += [html.figure(chart, tbl), html.statement(text + extra)]
    return "".join(parts)


# -- poorest fastest, adversity, quality, appendix ------------------------------------------------


def _poorest_fastest_section(
    data: ReportData, indicators: Sequence[Indicator], counter: list[charts.Chart]
) -> html.Section:
    ineq = data.inequality.set_index("indicator_id")
    chosen = [i for i in indicators if i.id in ineq.index]
    if not chosen:
        return html.Section(
            "poorest-fastest", "Improving the health of the poorest fastest",
            html.note("No inequality summary is published."),
        )  # fmt: skip
    rows, texts = [], []
    values, lows, highs, sup = [], [], [], []
    level: list[str] = []
    for ind in chosen:
        r = ineq.loc[ind.id]
        missing = not _ok(r["poorest_fastest"])
        flag = bool(r["suppressed"]) and missing
        rows.append(
            [
                ind.name,
                str(r["baseline_period"] or "-"),
                fmt_value(r["change_most_deprived"], flag),
                fmt_value(r["change_least_deprived"], flag),
                fmt_value(r["poorest_fastest"], flag),
                fmt_ci(r["lower_poorest_fastest_95"], r["upper_poorest_fastest_95"], flag),
                say.SUPPRESSED if flag else say.fmt_p(_f(r["poorest_fastest_p"])),
                ind.unit,
            ]
        )
        values.append(_f(r["poorest_fastest"]))
        lows.append(_f(r["lower_poorest_fastest_95"]))
        highs.append(_f(r["upper_poorest_fastest_95"]))
        sup.append(flag)
        if _ok(r["poorest_fastest_p"]) and _f(r["poorest_fastest_p"]) < say.SIGNIFICANCE:
            texts.append(f"{ind.name}: {r['poorest_fastest_statement']}")
        elif _ok(r["poorest_fastest_p"]):
            level.append(ind.name)
    chart = _keep(
        counter,
        charts.hbar_chart(
            "chart-poorest-fastest",
            f"Change in the most deprived minus change in the least deprived, {data.area_name}",
            "Dot chart with 95% limits: for each indicator, the change since the baseline year "
            "in the most deprived quintile minus the change in the least deprived quintile, in "
            "the indicator's own unit. A limit range crossing the zero line means no "
            "significant difference. Figures are in the table beside.",
            [i.name for i in chosen],
            [charts.Series("difference of changes", values, lows, highs, sup)],
            "Difference of changes (indicator's unit)",
            dots=True,
        ),
    )
    tbl = html.table(
        "poorest-fastest",
        f"Poorest fastest: changes since the baseline year, {data.area_name}, {data.period}",
        [
            "Indicator",
            "Baseline",
            "Change, most deprived quintile",
            "Change, least deprived quintile",
            "Difference",
            "95% CI",
            "p",
            "Unit",
        ],
        rows,
        "published.inequality_summary",
    )
    intro = html.paragraph(
        "'Improve the health of the poorest fastest' (Marmot): for an indicator where higher is "
        "worse, a fall in the most deprived quintile larger than in the least deprived "
        "(a negative difference) narrows the gap."
    )
    if level:
        texts.append(
            "No significant difference between the changes in the most and least deprived "
            f"quintiles for: {', '.join(level)}."
        )
    body = intro + html.figure(chart, tbl, stacked=True)
    body += "".join(html.statement(t) for t in texts)
    return html.Section("poorest-fastest", "Improving the health of the poorest fastest", body)


def _adversity_section(data: ReportData, counter: list[charts.Chart]) -> html.Section:
    adv = data.adversity
    if adv.empty:
        return html.Section(
            "adversity", "Linked adversity", html.note("No adversity distribution is published.")
        )
    rows = [
        [
            str(r["domains"]),
            fmt_count(r["children"], r["suppressed"]),
            _pct(r["share_pct"], r["suppressed"]),
            fmt_ci(r["lower_pct"], r["upper_pct"], r["suppressed"]),
        ]
        for _, r in adv.iterrows()
    ]
    shown = adv[~adv["domains"].isin(["0", "2+"])]
    chart = _keep(
        counter,
        charts.hbar_chart(
            "chart-adversity",
            f"Children by number of adversity domains, {data.area_name}, {data.period}",
            "Horizontal bars with 95% limits: the percentage of all children aged 0-17 known in "
            "1, 2, 3 and 4 or more adversity domains (services) during the year. The share with "
            "none, and with two or more, are in the table beside.",
            [f"{d} domain(s)" for d in shown["domains"]],
            [
                charts.Series(
                    "% of children",
                    [_f(v) for v in shown["share_pct"]],
                    [_f(v) for v in shown["lower_pct"]],
                    [_f(v) for v in shown["upper_pct"]],
                    [bool(s) for s in shown["suppressed"]],
                    colour=charts.GREEN,
                )
            ],
            "Percent of children aged 0-17",
        ),
    )
    tbl = html.table(
        "adversity",
        f"Linked adversity, {data.area_name}, {data.period} (children aged 0-17: "
        f"{fmt_count(adv['denominator'].iloc[0])})",
        ["Domains", "Children", "% of children", "95% CI (%)"],
        rows,
        "published.adversity_distribution",
    )
    two = adv[adv["domains"] == "2+"]
    text = say.adversity_statement(
        data.area_name,
        _f(two["share_pct"].iloc[0]) if len(two) else None,
        bool(two["suppressed"].iloc[0]) if len(two) else False,
    )
    intro = html.paragraph(
        "Children linked across children's social care, care, youth justice and homelessness "
        "by the shared pseudonym: how many distinct domains of adversity each child was known "
        "in during the year."
    )
    return html.Section(
        "adversity", "Linked adversity", intro + html.figure(chart, tbl) + html.statement(text)
    )


def _quality_section(data: ReportData) -> html.Section:
    dq = data.data_quality
    if dq.empty:
        return html.Section(
            "data-quality", "Data quality", html.note("No data-quality summary is published.")
        )
    totals = dq[dq["rule_id"] == "all"]
    rows = [
        [
            str(r["table_name"]),
            str(r["source"]),
            str(r["period"]),
            fmt_count(r["rows_read"]),
            fmt_count(r["rows_quarantined"]),
            fmt_value(
                r["rows_quarantined"] / r["rows_read"] * 100 if r["rows_read"] else 0.0, places=2
            ),
        ]
        for _, r in totals.iterrows()
    ]
    deliveries = totals[totals["source"] != "ref"]
    text = say.quality_statement(
        int(deliveries["rows_read"].sum()),
        int(deliveries["rows_quarantined"].sum()),
        len(deliveries),
    )
    body = html.statement(text) + html.table(
        "quality",
        f"Records read and quarantined: deliveries of {data.period} and latest reference data",
        ["Table", "Source", "Period or vintage", "Records read", "Quarantined", "% quarantined"],
        rows,
        "published.data_quality",
    )
    rules = dq[(dq["rule_id"] != "all") & (dq["rows_quarantined"] > 0)]
    if len(rules):
        body += html.table(
            "quality-rules",
            "Rules that set records aside",
            ["Table", "Rule", "What the rule checks", "Quarantined"],
            [
                [
                    str(r["table_name"]),
                    str(r["rule_id"]),
                    str(r["rule_text"]),
                    fmt_count(r["rows_quarantined"]),
                ]
                for _, r in rules.sort_values("rows_quarantined", ascending=False).iterrows()
            ],
            "published.data_quality",
        )
    else:
        body += html.note("No validation rule set any record aside.")
    return html.Section("data-quality", "Data quality of the latest deliveries", body)


METHODS: Final = (
    (
        "Confidence limits",
        "Proportions (distinct children in the denominator population): Wilson score limits. "
        "Rates of events: exact Poisson limits below 10 events, Byar's method from 10 "
        "(PHE Technical Guide: Confidence intervals; PHEindicatormethods).",
    ),
    (
        "Comparisons",
        "As OHID Fingertips: significantly higher when the 95% lower limit is above the "
        "comparator's value, lower when the upper limit is below it, similar otherwise. "
        "Statistical neighbours: the mean of the LA's DfE statistical neighbours.",
    ),
    (
        "Change since the baseline year",
        "Judged by a test of the difference, not by overlapping limits: for proportions "
        "Newcombe's hybrid score limits and the pooled two-proportion z-test; for rates Wald "
        "limits and the exact conditional (binomial) test. Significant when p < 0.05. The "
        "baseline is the first published year.",
    ),
    (
        "Trend",
        "Chi-square test for linear trend over five or more years (Cochran-Armitage for "
        "proportions, the Poisson score test for rates), years scored by their start year.",
    ),
    (
        "Inequality",
        "Slope index of inequality (SII) across the ten national IMD deciles (decile 1 most "
        "deprived), population-weighted, with simulated 95% limits (Low & Low 2004; PHE "
        "phe_sii): the fitted value in the least deprived minus the most deprived, so its sign "
        "is read with the indicator's polarity. At least five deciles must be populated.",
    ),
    (
        "Poorest fastest",
        "The change since the baseline year in the most deprived quintile minus that in the "
        "least deprived, with 95% limits from the four estimates' standard errors.",
    ),
    (
        "Ward funnel plots",
        "Control limits around the LA value at each ward's denominator (95% and 99.8%, as "
        "the Fingertips funnel methods: Wilson-based for proportions, exact Poisson for rates). "
        "Wards outside 99.8% limits are unlikely to differ by chance alone.",
    ),
    (
        "Modelled prevalence",
        "National survey-based rates of each combination of the toxic-trio factors, by age "
        "band and deprivation quintile, applied to the local child population; an expectation, "
        "shown without sampling limits.",
    ),
    (
        "Disclosure control",
        "Counts from 1 to 4 (the configured threshold) are suppressed, with secondary "
        "suppression so that no withheld count can be worked out from others. Suppressed "
        "figures are shown as 'suppressed', never as zero, and are left out of every "
        "computation in this report.",
    ),
)


def _appendix_section(data: ReportData) -> html.Section:
    items = []
    for _, r in data.indicators.iterrows():
        text = (
            f"{r['definition']} Numerator: {r['numerator']}. Denominator: {r['denominator']}. "
            f"Unit: {r['unit']}. Method: {r['method']}. Polarity: {r['polarity']}. "
            f"Source: {r['source']}."
        )
        if r.get("notes"):
            text += f" Notes: {r['notes']}"
        items.append((str(r["indicator_name"]), text))
    body = "<h3>Definitions</h3>"
    body += html.definitions(items) if items else html.note("No catalogue is published.")
    body += "<h3>Methods</h3>" + html.definitions(METHODS)
    return html.Section("appendix", "Appendix: definitions and methods", body)
