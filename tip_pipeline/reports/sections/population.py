"""The child population: the authority's children aged 0-17 by sex and single year of age, as a
population pyramid with its table.

The strategy's first principle is to start with populations (docs/DOMAIN.md): every rate in the
report divides by this population (docs/CONVENTIONS.md, "Population, geography and age"), so
the report shows it first, from ``published.child_population`` (the ONS mid-year estimate of
the year's denominators, mid-(YYYY-1) for the year ending 31 March YYYY).
"""

from __future__ import annotations

from typing import Final

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report
from tip_pipeline.reports.data import read
from tip_pipeline.reports.statements import fmt_count

AGES: Final = range(18)
SEXES: Final = {"F": "Females", "M": "Males"}


def child_population(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    """The LA's children in ``period`` by single year of age (rows 0-17), one column per sex
    (``F``, ``M``), and the estimate's mid-year (``attrs["mid_year"]``); empty when none is
    published."""
    rows = read(
        conn,
        "SELECT mid_year, sex, age, population FROM published.child_population "
        "WHERE area_code = :area AND period = :period ORDER BY sex, age",
        area=area_code,
        period=period,
    )
    if rows.empty:
        return pd.DataFrame(columns=list(SEXES))
    table = rows.pivot(index="age", columns="sex", values="population").reindex(
        index=list(AGES), columns=list(SEXES)
    )
    table.attrs["mid_year"] = int(rows["mid_year"].iloc[0])
    return table


def population_statement(area: str, period: str, mid_year: int, table: pd.DataFrame) -> str:
    """How many children the authority has, by sex, and how many are under five."""
    females, males = (int(table[s].sum()) for s in SEXES)
    total = females + males
    under_five = int(table.loc[0:4].sum().sum())
    share = f"{100 * under_five / total:.1f}%" if total else "-"
    return (
        f"{total:,} children aged 0-17 lived in {area} in mid-{mid_year} (ONS mid-year "
        f"estimate, the denominator of {period}'s rates): {females:,} females and {males:,} "
        f"males; {under_five:,} ({share}) were under five."
    )


def render(conn: Connection, report: Report) -> html.Section:
    """The pyramid, its table and its sentence (a note when no population is published)."""
    data = report.data
    table = child_population(conn, data.area_code, data.period)
    heading = "The child population"
    if table.empty:
        return html.Section(
            "population",
            heading,
            html.note(f"No child population is published for {data.area_name} in {data.period}."),
        )
    mid_year = table.attrs["mid_year"]
    colours = {"F": charts.VERMILLION, "M": charts.BLUE}
    halves = [
        charts.Series(SEXES[s], [float(v) for v in table[s]], colour=colours[s]) for s in SEXES
    ]
    chart = report.keep(
        charts.pyramid_chart(
            "chart-population",
            f"Children aged 0-17 by sex and single year of age, {data.area_name}, mid-{mid_year}",
            f"Population pyramid of the {int(table.sum().sum()):,} children aged 0-17 in "
            f"{data.area_name} (ONS mid-year estimate, mid-{mid_year}): one bar per year of age "
            "from 0 at the bottom to 17 at the top, females to the left and males to the right "
            "on the same scale. Figures are in the table beside.",
            [str(a) for a in AGES],
            halves[0],
            halves[1],
            "Children (ONS mid-year estimate)",
        )
    )
    rows = [
        [str(age), *(fmt_count(table.loc[age, s]) for s in SEXES), fmt_count(table.loc[age].sum())]
        for age in AGES
    ]
    rows.append(["0-17", *(fmt_count(table[s].sum()) for s in SEXES), fmt_count(table.sum().sum())])
    tbl = html.table(
        "population",
        f"Children by single year of age and sex, {data.area_name}, mid-{mid_year}",
        ["Age", "Females", "Males", "All children"],
        rows,
        "published.child_population",
    )
    body = (
        html.paragraph(
            "Start with populations: every rate in this report is a count divided by the "
            "authority's children, shown here by sex and single year of age."
        )
        + html.figure(chart, tbl)
        + html.statement(population_statement(data.area_name, data.period, mid_year, table))
    )
    return html.Section("population", heading, body)
