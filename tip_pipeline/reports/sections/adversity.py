"""Linked adversity: children by the number of domains (services) they were known in during the
year, linked by the shared pseudonym."""

from __future__ import annotations

from typing import Final

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report, number, percent
from tip_pipeline.reports.data import masked, read
from tip_pipeline.reports.statements import SUPPRESSED, fmt_ci, fmt_count, fmt_value, is_missing

#: the rows in the order shown: none, one, two, three, four or more, then two or more
DOMAIN_ORDER: Final = ("0", "1", "2", "3", "4+", "2+")


def adversity(conn: Connection, area_code: str, period: str) -> pd.DataFrame:
    frame = read(
        conn,
        "SELECT period, area_code, domains, children, denominator, share_pct, lower_pct, "
        "upper_pct, suppressed FROM published.adversity_distribution "
        "WHERE area_code = :area AND period = :period",
        area=area_code,
        period=period,
    )
    frame = masked(frame, "adversity_distribution")
    rank = {d: i for i, d in enumerate(DOMAIN_ORDER)}
    order = frame["domains"].map(lambda d: rank.get(d, len(rank)))
    return frame.assign(_o=order).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def render(conn: Connection, report: Report) -> html.Section:
    """The distribution, charted and tabled, with the share known in two or more domains."""
    data = report.data
    adv = adversity(conn, data.area_code, data.period)
    if adv.empty:
        return html.Section(
            "adversity", "Linked adversity", html.note("No adversity distribution is published.")
        )
    rows = [
        [
            str(r["domains"]),
            fmt_count(r["children"], r["suppressed"]),
            percent(r["share_pct"], r["suppressed"]),
            fmt_ci(r["lower_pct"], r["upper_pct"], r["suppressed"]),
        ]
        for _, r in adv.iterrows()
    ]
    shown = adv[~adv["domains"].isin(["0", "2+"])]
    chart = report.keep(
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
                    [number(v) for v in shown["share_pct"]],
                    [number(v) for v in shown["lower_pct"]],
                    [number(v) for v in shown["upper_pct"]],
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
    text = adversity_statement(
        data.area_name,
        number(two["share_pct"].iloc[0]) if len(two) else None,
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


def adversity_statement(area: str, share_two_plus: float | None, suppressed: bool) -> str:
    if suppressed or is_missing(share_two_plus):
        return f"The share of children in {area} known in two or more domains is {SUPPRESSED}."
    return (
        f"{fmt_value(share_two_plus)}% of children in {area} were known to two or more services "
        "(adversity domains) during the year, linked by the shared pseudonym."
    )
