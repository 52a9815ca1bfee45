"""Children followed across years: of the children who first came to notice in a year, how many
had a child protection plan, came into care, had a youth-justice outcome or were in a homeless
household within 12, 24 and 36 months, by deprivation of their home area, read from
``published.cohort_incidence`` (docs/DOMAIN.md, "Cohorts across years").

The year published holds the cohorts that entered in it and in each of the three years before,
each followed to its 31 March. The section shows the oldest published, followed longest, for
each way of entry (a first toxic-trio factor, a first referral): the Kaplan-Meier cumulative
incidence with its 95% limits (docs/CONVENTIONS.md, "Cohorts") at each anniversary of entry,
one panel per outcome, a line per national IMD quintile. An anniversary no child of the cohort
was followed to yet is not available, never 0; a withheld figure is suppressed. Entry years not
published for want of their look-back years say why (``published.indicator_not_available``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Final

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.indicators.cohorts import ALL, ANY, ENTRIES, INTERVALS, LABELS, OUTCOMES
from tip_pipeline.indicators.look_back import cohort_measure_id
from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report, number, present
from tip_pipeline.reports.data import masked, read
from tip_pipeline.reports.statements import MISSING, SUPPRESSED, fmt_ci, fmt_count, fmt_value

SECTION: Final = "cohorts"
HEADING: Final = "Children followed across years: what happened next"
#: the months after entry at which the incidence is shown (each interval's end)
MONTHS: Final = tuple(high for _, high in INTERVALS)
#: the quintiles drawn, most deprived first, and the whole cohort
DRAWN: Final = ("1", "2", "3", "4", "5", ALL)
QUINTILE_NAMES: Final = {
    "1": "Quintile 1 (most deprived)",
    "2": "Quintile 2",
    "3": "Quintile 3",
    "4": "Quintile 4",
    "5": "Quintile 5 (least deprived)",
    "unknown": "Home area unknown",
    ALL: "All children",
}
#: each line's colour, marker and dash: told apart by shape and dash as well as colour
STYLES: Final = {
    "1": (charts.VERMILLION, "circle", ""),
    "2": (charts.ORANGE, "square", ""),
    "3": (charts.GREEN, "triangle", ""),
    "4": (charts.SKY_BLUE, "diamond", ""),
    "5": (charts.BLUE, "circle", "6 3"),
    ALL: (charts.BLACK, "square", "2 2"),
}
#: panel headings short enough for a panel
SHORT: Final = {
    ANY: "Any of the four",
    "child_protection": "Child protection plan",
    "looked_after": "Came into care",
    "youth_justice": "Youth justice outcome",
    "homelessness": "Homeless household",
}
ENTRY_TEXT: Final = {
    "toxic_trio": "first had a toxic-trio factor identified at assessment",
    "referral": "were first referred to children's social care",
}


def cohort_rows(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    """The year's published cohort rows of the area, every figure of a suppressed row NULL."""
    frame = read(
        conn,
        "SELECT period, entry, entry_period, area_code, outcome, imd_quintile, months_from, "
        "months_to, at_risk, events, censored, incidence_pct, lower_ci_95, upper_ci_95, "
        "suppressed FROM published.cohort_incidence WHERE area_code = :area AND period = :period "
        "ORDER BY entry, entry_period, outcome, imd_quintile, months_from",
        area=area_code,
        period=period,
    )
    return masked(frame, "cohort_incidence")


def not_available(conn: Connection, period: str) -> list[str]:
    """Why entry years of the year's cohorts are not published, oldest entry year first."""
    ids = [cohort_measure_id(k) for k in range(len(INTERVALS), -1, -1)]
    found = read(
        conn,
        "SELECT indicator_id, reason FROM published.indicator_not_available "
        "WHERE period = :period AND indicator_id LIKE 'cohort_incidence_entered_%'",
        period=period,
    )
    reasons = dict(zip(found["indicator_id"], found["reason"], strict=True))
    return [str(reasons[i]) for i in ids if i in reasons]


def incidence(row: pd.Series | None) -> tuple[float, float, float, str | None]:
    """(value, lower, upper, why not shown): the incidence at the end of ``row``'s interval, or
    NaN with ``suppressed`` (withheld), or ``not available`` (no child of the cohort was
    followed into the interval yet, or no row)."""
    nan = float("nan")
    if row is None:
        return nan, nan, nan, MISSING
    if bool(row["suppressed"]):
        return nan, nan, nan, SUPPRESSED
    if not number(row["at_risk"]) > 0 or not present(row["incidence_pct"]):
        return nan, nan, nan, MISSING
    return (
        number(row["incidence_pct"]),
        number(row["lower_ci_95"]),
        number(row["upper_ci_95"]),
        None,
    )


@dataclass(frozen=True)
class Rows:
    """A cohort's rows found by (outcome, IMD quintile, months_to): the section looks a group's
    row up some hundreds of times, so the cohort's keys are read once (a boolean mask over the
    cohort per look-up was most of the section's time)."""

    cohort: pd.DataFrame
    #: each key's first position in the cohort
    first: dict[tuple[object, object, object], int]


def first_rows(cohort: pd.DataFrame) -> Rows:
    """The cohort's first row of each (outcome, IMD quintile, months_to), in its order."""
    keys = zip(cohort["outcome"], cohort["imd_quintile"], cohort["months_to"], strict=True)
    first: dict[tuple[object, object, object], int] = {}
    for position, key in enumerate(keys):
        first.setdefault(key, position)
    return Rows(cohort, first)


def _row(rows: Rows, outcome: str, quintile: str, months_to: int) -> pd.Series | None:
    """The group's first row, as ``cohort[matching].iloc[0]`` gives it; None without one."""
    position = rows.first.get((outcome, quintile, months_to))
    return None if position is None else rows.cohort.iloc[position]


def panels(cohort: pd.DataFrame) -> list[charts.LinePanel]:
    """A panel per outcome (``any`` first), a line per quintile drawn and the whole cohort."""
    rows = first_rows(cohort)
    out = []
    for outcome in OUTCOMES:
        series = []
        for quintile in DRAWN:
            shown = [incidence(_row(rows, outcome, quintile, m)) for m in MONTHS]
            colour, marker, dash = STYLES[quintile]
            series.append(
                charts.Series(
                    QUINTILE_NAMES[quintile],
                    [s[0] for s in shown],
                    [s[1] for s in shown],
                    [s[2] for s in shown],
                    [s[3] == SUPPRESSED for s in shown],
                    colour=colour,
                    marker=marker,
                    dash=dash,
                )
            )
        out.append(charts.LinePanel(SHORT[outcome], series))
    return out


def table_rows(cohort: pd.DataFrame) -> list[list[str]]:
    """A row per outcome and quintile present: the children at entry, and the incidence with
    its 95% limits at each anniversary, as the report prints them."""
    found = first_rows(cohort)
    rows = []
    for outcome in OUTCOMES:
        present_q = set(cohort.loc[cohort["outcome"] == outcome, "imd_quintile"])
        for quintile in [q for q in QUINTILE_NAMES if q in present_q]:
            first = _row(found, outcome, quintile, MONTHS[0])
            entered = (
                fmt_count(number(first["at_risk"]), bool(first["suppressed"]))
                if first is not None
                else MISSING
            )
            line = [f"{LABELS[outcome]}: {QUINTILE_NAMES[quintile]}", entered]
            for months in MONTHS:
                value, lower, upper, why = incidence(_row(found, outcome, quintile, months))
                if why is not None:
                    line += [why, why]
                else:
                    line += [fmt_value(value) + "%", fmt_ci(lower, upper)]
            rows.append(line)
    return rows


def _longest(rows: Rows, outcome: str, quintile: str) -> tuple[int, tuple] | None:
    """The latest anniversary with a figure shown for the group, and the figure."""
    for months in reversed(MONTHS):
        found = incidence(_row(rows, outcome, quintile, months))
        if found[3] is None:
            return months, found
    return None


def cohort_statement(cohort: pd.DataFrame, entry: str, entry_period: str, area: str) -> str:
    """What happened to the cohort (``any`` outcome), at its longest follow-up shown, and the
    most deprived quintile against the least; never a suppressed or missing figure as 0."""
    rows = first_rows(cohort)
    first = _row(rows, ANY, ALL, MONTHS[0])
    children = (
        fmt_count(number(first["at_risk"]), bool(first["suppressed"]))
        if first is not None
        else MISSING
    )
    lead = f"Children in {area} who {ENTRY_TEXT[entry]} in {entry_period}: {children}."
    whole = _longest(rows, ANY, ALL)
    if whole is None:
        why = incidence(_row(rows, ANY, ALL, MONTHS[0]))[3]
        return f"{lead} How many went on to any of the four outcomes is {why}."
    months, (value, lower, upper, _) = whole
    text = (
        f"{lead} Within {months} months of entry, an estimated {fmt_value(value)}% (95% CI "
        f"{fmt_ci(lower, upper)}) had a child protection plan, came into care, had a "
        "youth-justice outcome or lived in a household owed a homelessness duty."
    )
    most = incidence(_row(rows, ANY, "1", months))
    least = incidence(_row(rows, ANY, "5", months))
    if most[3] is not None or least[3] is not None:
        return (
            f"{text} Within {months} months, the most deprived quintile's figure is "
            f"{most[3] or 'shown'} and the least deprived quintile's {least[3] or 'shown'}, "
            "so the two are not compared."
        )
    apart = most[1] > least[2] or least[1] > most[2]
    verdict = "their 95% limits do not overlap" if apart else "their 95% limits overlap"
    return (
        f"{text} In the most deprived quintile {fmt_value(most[0])}% (95% CI "
        f"{fmt_ci(most[1], most[2])}), in the least deprived {fmt_value(least[0])}% "
        f"({fmt_ci(least[1], least[2])}): {verdict}."
    )


def render(conn: Connection, report: Report) -> html.Section:
    """For each way of entry, the oldest cohort published: its panels, table and sentence;
    and why the entry years not published are not."""
    data = report.data
    rows = cohort_rows(conn, data.area_code, data.period)
    reasons = report.shared.get(
        ("cohorts_not_available", data.period), lambda: not_available(conn, data.period)
    )
    intro = html.paragraph(
        "Children followed on the shared pseudonym from the year they first came to notice "
        "(a first toxic-trio factor identified at assessment, or a first referral, with none in "
        "the 12 months before) for a child protection plan, coming into care, a youth-justice "
        "outcome or a household owed a homelessness duty. Follow-up stops at 18, death, a move "
        "to another authority or the end of the data; the cumulative incidence allows for it "
        "(Kaplan-Meier, with 95% limits). Each outcome is counted on its own, so the four need "
        "not add up to 'any'."
    )
    body = intro
    if rows.empty:
        body += html.note(" ".join(reasons) or "No cohorts are published for this year.")
        return html.Section(SECTION, HEADING, body)
    for entry in ENTRIES:
        own = rows[rows["entry"] == entry]
        if own.empty:
            continue
        entry_period = str(min(own["entry_period"]))
        cohort = own[own["entry_period"] == entry_period]
        body += _entry_figure(report, cohort, entry, entry_period)
    later = sorted(set(rows["entry_period"]) - set(rows.groupby("entry")["entry_period"].min()))
    if later:
        body += html.note(
            f"The cohorts that entered in {', '.join(later)}, followed for less time so far, "
            "are published in the same table (published.cohort_incidence)."
        )
    if reasons:
        body += html.note(" ".join(reasons))
    return html.Section(SECTION, HEADING, body)


def _entry_figure(report: Report, cohort: pd.DataFrame, entry: str, entry_period: str) -> str:
    data = report.data
    chart_id = f"chart-cohort-{entry.replace('_', '-')}"
    chart = report.keep(
        charts.line_panels_chart(
            chart_id,
            f"{LABELS[entry]} in {entry_period}: cumulative incidence by months after entry, "
            f"{data.area_name}",
            f"Small multiples, one panel per outcome (any of the four, child protection plan, "
            f"came into care, youth justice outcome, homeless household), each on its own "
            f"vertical scale from 0%: the estimated percentage of the children who "
            f"{ENTRY_TEXT[entry]} in {entry_period} with the outcome within 12, 24 and 36 "
            "months, with 95% limits, a line per national IMD quintile of their home area "
            "(quintile 1 most deprived) and a black dashed line for all children. A line stops "
            "where the cohort was not followed that long yet; a suppressed point is marked s. "
            "Figures are in the table below.",
            MONTHS,
            panels(cohort),
            "Months after entry",
            "Cumulative incidence (%)",
        )
    )
    headers = ["Outcome and home area", "Children at entry"]
    for months in MONTHS:
        headers += [f"Within {months} months", "95% CI"]
    table = html.table(
        f"cohort-{entry.replace('_', '-')}",
        f"{LABELS[entry]} in {entry_period}: cumulative incidence, {data.area_name}, "
        f"published {data.period}",
        headers,
        table_rows(cohort),
        "published.cohort_incidence",
    )
    text = cohort_statement(cohort, entry, entry_period, data.area_name)
    heading = f"<h3>{escape(LABELS[entry])}, entered {escape(entry_period)}</h3>"
    return heading + html.figure(chart, table, stacked=True) + html.statement(text)
