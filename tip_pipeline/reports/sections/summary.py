"""The summary: every indicator at a glance (value, limits, England, change, trend, gradient)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.reports import html
from tip_pipeline.reports import statements as say
from tip_pipeline.reports.context import Report
from tip_pipeline.reports.data import ReportData
from tip_pipeline.reports.sections.indicator import (
    ChangeSinceBaseline,
    RecentTrend,
    change_since_baseline,
    latest_row,
    recent_trend,
)
from tip_pipeline.reports.statements import fmt_ci, fmt_value


def _trend_words(t: RecentTrend | None) -> str:
    """The recent trend in Fingertips' words, as the export gives it."""
    return "not published" if t is None else t.label


def _change_words(c: ChangeSinceBaseline | None) -> str:
    if c is None:
        return "baseline year"
    if not c.tested:
        return "not tested"
    sig = "significant" if c.significant else "not significant"
    return f"{say.fmt_signed(c.difference)} since {c.baseline_period} ({sig})"


def _comparison(data: ReportData, ind_id: str, kind: str) -> pd.Series | None:
    c = data.comparisons_by_indicator[ind_id]
    rows = c[c["period"] == data.period]
    rows = rows[rows["comparator_type"] == kind]
    return None if rows.empty else rows.iloc[0]


def render(conn: Connection, report: Report) -> html.Section:
    """The table of every indicator shown, with the sentence introducing it."""
    data = report.data
    rows = []
    for ind in report.indicators:
        latest = latest_row(data, ind.id)
        england = _comparison(data, ind.id, "england")
        ineq = data.inequality_by_indicator[ind.id]
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
                _trend_words(recent_trend(data, ind)),
                gradient,
            ]
        )
    body = html.paragraph(
        f"Every indicator for {data.area_name} in {data.period} at a glance: the value with its "
        "95% confidence interval, how it compares with England, whether it has changed "
        "significantly since the baseline year (a test of the difference), its recent trend "
        "over the last five years (OHID Fingertips' method and words), and how it falls "
        "across deprivation. "
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
            "Recent trend",
            "Deprivation gradient",
        ],
        rows,
        "published.indicator_values, published.indicator_trends",
    )
    return html.Section("summary", "Summary", body)
