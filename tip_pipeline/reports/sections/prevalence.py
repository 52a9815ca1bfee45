"""Prevalence: the strategy's Prevalence slide recomputed for the year, modelled beside
recorded, with the slide's own 2020 figures beside them for the area the slide was made for
(reference data shipped with the package: ``strategy_prevalence_2020.csv``)."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Final

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report, number, percent, present
from tip_pipeline.reports.data import ReportData
from tip_pipeline.reports.statements import MISSING, fmt_ci, fmt_count, fmt_value

#: how a modelled range is named wherever it is shown (not a confidence interval)
MODELLED_RANGE_LABEL: Final = "Modelled range"

#: the slide's figures, package data of ``tip_pipeline.reports`` (its source in its header)
SLIDE_FIGURES: Final = "strategy_prevalence_2020.csv"


def slide_figures(area_code: str) -> dict[str, tuple[str, str]]:
    """The strategy slide's 2020 estimate for ``area_code``, by measure: (share as printed on
    the slide with its ``%``, children with thousands separators or "" where the slide gives
    none). Empty for any other area: the slide is of one local authority."""
    text = resources.files("tip_pipeline.reports").joinpath(SLIDE_FIGURES).read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {
        row["measure"]: (
            f"{row['share_pct']}%",
            f"{int(row['children']):,}" if row["children"] else "",
        )
        for row in rows
        if row["area_code"] == area_code
    }


def modelled_range(modelled: pd.Series | None, unit: str) -> str:
    """The modelled row's range, "low to high" (``unit`` "pct" or "children"); "-" where there
    is no modelled row. The range is the source's lower and upper estimates applied to the
    local population, not a confidence interval (docs/CONVENTIONS.md, "Modelled and recorded
    prevalence")."""
    if modelled is None:
        return "-"
    low = number(modelled.get(f"range_low_{unit}"))
    high = number(modelled.get(f"range_high_{unit}"))
    if not (present(low) and present(high)):
        return MISSING
    if unit == "pct":
        return f"{fmt_value(low)}% to {fmt_value(high)}%"
    return f"{fmt_count(low)} to {fmt_count(high)}"


def prevalence_pairs(data: ReportData) -> list[tuple[str, str, pd.Series | None, pd.Series]]:
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


def render(conn: Connection, report: Report) -> html.Section:
    """The slide's table and chart, or a note when nothing is published."""
    data = report.data
    pairs = prevalence_pairs(data)
    if not pairs:
        return html.Section(
            "prevalence", "Prevalence", html.note("No prevalence figures are published.")
        )
    slide = slide_figures(data.area_code)
    rows = []
    for measure, label, modelled, recorded in pairs:
        sup = bool(recorded["suppressed"])
        row = [
            f"Children who {label}",
            fmt_value(modelled["share_pct"]) + "%" if modelled is not None else "-",
            modelled_range(modelled, "pct"),
            fmt_count(modelled["children"]) if modelled is not None else "-",
            modelled_range(modelled, "children"),
            percent(recorded["share_pct"], sup),
            fmt_ci(recorded["lower_pct"], recorded["upper_pct"], sup),
            fmt_count(recorded["children"], sup),
        ]
        if slide:
            row += list(slide.get(measure, ("", "")))
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
    if slide:
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
    chart = report.keep(_chart(data, pairs))
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


def _chart(data: ReportData, pairs: list) -> charts.Chart:
    labels = [str(label) for _, label, _, _ in pairs]
    modelled = [number(m["share_pct"]) if m is not None else float("nan") for _, _, m, _ in pairs]
    recorded = charts.Series(
        "recorded",
        [number(r["share_pct"]) for *_, r in pairs],
        [number(r["lower_pct"]) for *_, r in pairs],
        [number(r["upper_pct"]) for *_, r in pairs],
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
