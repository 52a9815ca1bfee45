"""Benchmarking against England: Fingertips' spine chart of every indicator with a benchmark.

One row per indicator that ``published.la_benchmarking`` holds for the LA and year (every
English upper-tier authority's published value: the LA's own from this pipeline, after
disclosure control, NULL where suppressed; the others' from the published benchmark file), as
Fingertips' area profiles draw it (PHE, *Technical Guide: Spine Charts*, fingertips.phe.org.uk/
profile/guidance; fingertipscharts ``area_profiles`` and ``spine_rescaler``; FingertipsNext's
``SpineChart``): England's value on the centre line (``published.indicator_comparisons``, the
LA against England), the authorities' range from worst to best, their 25th to 75th
percentiles darker, and the LA's value as a marker coloured by its comparison with England
(better, similar, worse; higher, similar, lower where higher is neither better nor worse),
the worst end on the left and the best on the right, each indicator scaled so that England is
central (``charts.spine_position``). Beside it, the table: the LA's count and value, England's
value and the authorities' worst, 25th and 75th percentiles and best.

The percentiles are Fingertips' (``publish.benchmarking.percentile``, the one percentile method
the project has, the one its England quintiles use). A suppressed LA value is shown as
suppressed, with no marker, never as 0; an indicator with too few authorities' values, or no
England value, is left out of the chart and the table, with the reason said under them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.publish.benchmarking import SUPPRESSED as SUPPRESSED_NOTE
from tip_pipeline.publish.benchmarking import percentile
from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report, ShownIndicator, number, present
from tip_pipeline.reports.data import area_clause, by_area, read, split
from tip_pipeline.reports.sections.indicator import reading
from tip_pipeline.reports.statements import fmt_count, fmt_value

#: fewer authorities' values than this give no spine: Fingertips computes a spine's
#: percentiles only from more than three values (fingertips-open,
#: ``PholioVisualisationWS/Analysis/IndicatorStatsCalculator.cs`` ``GetStats`` and
#: ``ValueCategoriesCalculator.AreEnoughValuesToCalculatePercentiles``)
MINIMUM_VALUES: Final = 4
HIGHER_IS_WORSE: Final = "higher is worse"
#: the section's id (its data table's is "spine")
SECTION_ID: Final = "benchmarking"
SOURCES: Final = (
    "published.la_benchmarking, published.indicator_values, published.indicator_comparisons"
)


@dataclass(frozen=True)
class EnglandSpread:
    """England's authorities' values of one indicator and year: their lowest, 25th and 75th
    percentiles and highest, and how many authorities have a value."""

    lowest: float
    p25: float
    p75: float
    highest: float
    authorities: int

    def worst(self, polarity: str) -> float:
        """The worst end (the lowest where there is no polarity, as Fingertips' "Worst/Lowest")."""
        return self.highest if polarity == HIGHER_IS_WORSE else self.lowest

    def best(self, polarity: str) -> float:
        """The best end (the highest where there is no polarity: "Best/Highest")."""
        return self.lowest if polarity == HIGHER_IS_WORSE else self.highest


@dataclass(frozen=True)
class SpineRow:
    """One indicator of the chart: the LA's count and value, England's value, the comparison
    in Fingertips' words and England's spread."""

    indicator: ShownIndicator
    count: float
    value: float
    suppressed: bool
    england: float
    comparison: str
    spread: EnglandSpread


@dataclass(frozen=True)
class LeftOut:
    """An indicator with a benchmark that the chart cannot show, and why."""

    name: str
    reason: str


def benchmarking(conn: Connection, la_code: str | None, period: str) -> pd.DataFrame:
    """The LA's (None: every LA's, by la_code) benchmarking rows of the year: every authority's
    value of every indicator, with ``suppressed`` where the value is the LA's own withheld by
    disclosure control (its value NULL here too, whatever the row holds)."""
    frame = read(
        conn,
        "SELECT la_code, indicator_id, area_code, value, value_source, value_note "
        f"FROM published.la_benchmarking WHERE period = :period {area_clause('la_code', la_code)}"
        "ORDER BY indicator_id, area_code",
        area=la_code,
        period=period,
    )
    withheld = (frame["value_note"] == SUPPRESSED_NOTE).astype(bool)
    return frame.assign(suppressed=withheld, value=frame["value"].astype(float).where(~withheld))


def england_spread(values: pd.Series) -> EnglandSpread | None:
    """Lowest, 25th and 75th percentiles (Fingertips' interpolated percentiles) and highest of
    the authorities' values present; None with fewer than ``MINIMUM_VALUES``."""
    present_values = np.sort(values.dropna().astype(float).to_numpy())
    if len(present_values) < MINIMUM_VALUES:
        return None
    return EnglandSpread(
        float(present_values[0]),
        percentile(present_values, 0.25),
        percentile(present_values, 0.75),
        float(present_values[-1]),
        len(present_values),
    )


def comparison(result: object, polarity: str) -> str:
    """The LA against England in Fingertips' words: better or worse where the indicator has a
    polarity, higher or lower where it has none, similar, or not compared."""
    if result in ("higher", "lower"):
        return reading(1 if result == "higher" else -1, polarity) or str(result)
    return "similar" if result == "similar" else "not compared"


def _indicator(report: Report, ind_id: str) -> ShownIndicator:
    """What the report knows of the indicator (name, unit, polarity), from dim_indicator."""
    shown = {i.id: i for i in report.indicators}
    if ind_id in shown:
        return shown[ind_id]
    catalogue = report.data.indicators.set_index("indicator_id")
    if ind_id in catalogue.index:
        return ShownIndicator.from_row(catalogue.loc[ind_id], ind_id, report.data.series)
    return ShownIndicator(ind_id, ind_id, "", "", math.nan, None)


def _ordered(report: Report, ids: set[str]) -> list[str]:
    """The indicators in catalogue order (the order of the rest of the report)."""
    order = [i for i in report.data.indicators["indicator_id"] if i in ids]
    return order + sorted(ids - set(order))


def spine_rows(report: Report, bench: pd.DataFrame) -> tuple[list[SpineRow], list[LeftOut]]:
    """The indicators charted, in catalogue order, and those left out with why."""
    data = report.data
    series = data.series[data.series["period"] == data.period]
    england = data.comparisons[
        (data.comparisons["period"] == data.period)
        & (data.comparisons["comparator_type"] == "england")
    ]
    bench_by_indicator = split(bench, "indicator_id")
    england_by_indicator = split(england, "indicator_id")
    series_by_indicator = split(series, "indicator_id")
    rows: list[SpineRow] = []
    left_out: list[LeftOut] = []
    for ind_id in _ordered(report, set(bench["indicator_id"])):
        ind = _indicator(report, ind_id)
        values = bench_by_indicator[ind_id]
        spread = england_spread(values["value"])
        versus = england_by_indicator[ind_id]
        england_value = number(versus["comparator_value"].iloc[0]) if len(versus) else math.nan
        if not present(england_value):
            left_out.append(LeftOut(ind.name, "no England value is published for the year"))
            continue
        if spread is None:
            n = int(values["value"].notna().sum())
            left_out.append(
                LeftOut(
                    ind.name,
                    f"only {n} of England's authorities have a published value; Fingertips "
                    f"draws a spine from {MINIMUM_VALUES} or more",
                )
            )
            continue
        own = values[values["area_code"] == data.area_code]
        head = series_by_indicator[ind_id]
        suppressed = bool(own["suppressed"].any()) or bool(head["suppressed"].any())
        rows.append(
            SpineRow(
                ind,
                count=number(head["numerator"].iloc[0]) if len(head) else math.nan,
                value=math.nan if suppressed or own.empty else number(own["value"].iloc[0]),
                suppressed=suppressed,
                england=england_value,
                comparison=comparison(versus["result"].iloc[0], ind.polarity),
                spread=spread,
            )
        )
    return rows, left_out


def vertebra(row: SpineRow) -> charts.Vertebra:
    """The chart's row of an indicator."""
    s = row.spread
    return charts.Vertebra(
        label=row.indicator.name,
        england=row.england,
        lowest=s.lowest,
        p25=s.p25,
        p75=s.p75,
        highest=s.highest,
        value=row.value,
        value_text=fmt_value(row.value, row.suppressed),
        comparison=row.comparison,
        high_is_best=row.indicator.polarity != HIGHER_IS_WORSE,
        suppressed=row.suppressed,
    )


def table_row(row: SpineRow) -> list[str]:
    """The data table's row of an indicator, every figure as the report prints it."""
    s, polarity = row.spread, row.indicator.polarity
    return [
        row.indicator.name,
        row.indicator.unit,
        fmt_count(row.count, row.suppressed),
        fmt_value(row.value, row.suppressed),
        fmt_value(row.england),
        row.comparison.capitalize(),
        fmt_value(s.worst(polarity)),
        fmt_value(s.p25),
        fmt_value(s.p75),
        fmt_value(s.best(polarity)),
        f"{s.authorities:,}",
    ]


def alt_text(area: str, period: str, rows: list[SpineRow]) -> str:
    """The chart's description: how it is drawn, then each indicator in words."""
    head = (
        f"Spine chart of {len(rows)} indicator(s) for {area}, {period}, each on its own scale "
        "with England's value on the centre line, the range of England's authorities from "
        "worst or lowest (left) to best or highest (right), and their 25th to 75th percentiles "
        f"as the darker band; the marker is the value of {area}."
    )
    parts = [head]
    for r in rows:
        s = r.spread
        shown = (
            f"the value of {area} is suppressed"
            if r.suppressed
            else f"{area} {fmt_value(r.value)}, {WORDS[r.comparison]}"
        )
        parts.append(
            f"{r.indicator.name}: {shown}; England {fmt_value(r.england)}; England's "
            f"{s.authorities} authorities from {fmt_value(s.lowest)} to {fmt_value(s.highest)}, "
            f"middle half {fmt_value(s.p25)} to {fmt_value(s.p75)}."
        )
    parts.append("The figures are in the table below.")
    return " ".join(parts)


#: the comparisons in the order the summary names them, each in words
WORDS: Final = {
    "better": "significantly better than England",
    "similar": "similar to England",
    "worse": "significantly worse than England",
    "higher": "significantly higher than England (higher is neither better nor worse)",
    "lower": "significantly lower than England (lower is neither better nor worse)",
    "not compared": "not compared with England (its value suppressed or missing)",
}


def _on(words: str, count: int) -> str:
    """``words`` on ``count`` indicators, the count before any bracket."""
    head, bracket, rest = words.partition(" (")
    return f"{head} on {count}" + (f" ({rest}" if bracket else "")


def spine_statement(area: str, rows: list[SpineRow]) -> str:
    """How the LA compares with England across the indicators charted, and on how many its
    value lies in England's middle half (between the 25th and 75th percentiles)."""
    if not rows:
        return f"No indicator of {area} could be charted against England's authorities."
    counts = Counter(r.comparison for r in rows)
    said = [_on(WORDS[key], counts[key]) for key in WORDS if counts[key]]
    joined = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
    valued = [r for r in rows if not r.suppressed and present(r.value)]
    middle = sum(r.spread.p25 <= r.value <= r.spread.p75 for r in valued)
    return (
        f"Of the {len(rows)} indicator(s) charted, {area} is {joined}. {area} lies within "
        "England's middle half (between the 25th and 75th percentiles of its authorities) on "
        f"{middle} of the {len(valued)} with a published value."
    )


INTRO: Final = (
    "Every indicator with a national benchmark, as Fingertips' spine chart shows it: each row "
    "on its own scale, England's value on the centre line, the light bar the range of England's "
    "upper-tier authorities from the worst (left) to the best (right) (lowest to highest where "
    "higher is neither better nor worse), the darker bar their 25th to 75th percentiles, and "
    "the marker this authority's value, coloured and shaped by its comparison with England's "
    "value (95% confidence). Other authorities' values are those of the published national "
    "releases (the benchmark file); this authority's is its own published value, after "
    "disclosure control."
)


def render(conn: Connection, report: Report) -> html.Section:
    """The spine chart and its table, with the sentence summarising it and the indicators left
    out; a note when nothing is benchmarked in the year."""
    data = report.data
    heading = "Benchmarking against England: spine chart"
    bench = by_area(
        report.shared,
        ("benchmarking", data.period),
        data.area_code,
        lambda la: benchmarking(conn, la, data.period),
        "la_code",
    )
    if bench.empty:
        return html.Section(
            SECTION_ID, heading, html.note("No benchmarking against England is published.")
        )
    rows, left_out = spine_rows(report, bench)
    notes = "".join(html.note(f"Not charted: {o.name}, because {o.reason}.") for o in left_out)
    if not rows:
        return html.Section(SECTION_ID, heading, html.paragraph(INTRO) + notes)
    chart = report.keep(
        charts.spine_chart(
            "chart-spine",
            f"{data.area_name} against England's authorities, {data.period}",
            alt_text(data.area_name, data.period, rows),
            [vertebra(r) for r in rows],
            data.area_name,
        )
    )
    tbl = html.table(
        "spine",
        f"{data.area_name} against England's authorities, {data.period}",
        [
            "Indicator",
            "Unit",
            f"{data.area_name} count",
            f"{data.area_name} value",
            "England value",
            "Compared with England",
            "England worst/lowest",
            "25th percentile",
            "75th percentile",
            "England best/highest",
            "Authorities with a value",
        ],
        [table_row(r) for r in rows],
        SOURCES,
    )
    body = (
        html.paragraph(INTRO)
        + html.figure(chart, tbl, stacked=True)
        + html.statement(spine_statement(data.area_name, rows))
        + notes
    )
    return html.Section(SECTION_ID, heading, body)
