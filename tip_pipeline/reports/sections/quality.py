"""Data quality of the latest deliveries: records read and set aside by validation, and the
rules that set them aside (``published.data_quality``); and, for a year taken in from raw
returns, how many of each service's people the authority's cross-reference linked across
services (``published.data_linkage``; docs/DOMAIN.md, "Linking people across services").

A match rate the table leaves NULL (a service whose records gave nobody) reads "not
available", never 0, like every missing figure of the report (``reports.statements``)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from tip_pipeline.reports import html
from tip_pipeline.reports.context import Report
from tip_pipeline.reports.data import read
from tip_pipeline.reports.statements import fmt_count, fmt_value


def data_quality(conn: Connection, period: str) -> pd.DataFrame:
    """Records read and quarantined: the year's deliveries, and each reference table's latest
    vintage (reference files carry their own vintage, not the reporting year)."""
    frame = read(
        conn,
        "SELECT period, source, table_name, rule_id, rule_text, rows_read, rows_quarantined "
        "FROM published.data_quality ORDER BY source, table_name, rule_id",
    )
    delivery = frame[(frame["source"] != "ref") & (frame["period"] == period)]
    ref = frame[frame["source"] == "ref"]
    latest = ref.groupby("table_name")["period"].transform("max")
    return pd.concat([delivery, ref[ref["period"] == latest]], ignore_index=True)


def render(conn: Connection, report: Report) -> html.Section:
    """Records read and quarantined per table, and the rules that quarantined them."""
    data = report.data
    dq = report.shared.get(("data_quality", data.period), lambda: data_quality(conn, data.period))
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
    text = quality_statement(
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
    linkage = report.shared.get(
        ("data_linkage", data.period), lambda: data_linkage(conn, data.period)
    )
    body += linkage_html(linkage, data.period)
    return html.Section("data-quality", "Data quality of the latest deliveries", body)


#: the services of ``published.data_linkage``, in the order shown, by the names readers know
SERVICES = {
    "social_care": "Children's social care (CIN census, SSDA903)",
    "youth_justice": "Youth justice",
    "housing": "Housing (H-CLIC)",
}


def data_linkage(conn: Connection, period: str) -> pd.DataFrame:
    """The year's match rates per service, in ``SERVICES``' order (a service not named there
    after them): no rows for a year delivered as contract files."""
    frame = read(
        conn,
        "SELECT service, people, linked, match_rate_pct, cross_reference "
        "FROM published.data_linkage WHERE period = :period",
        period=period,
    )
    order = {service: i for i, service in enumerate(SERVICES)}
    rank = frame["service"].map(order).fillna(len(order))
    return frame.assign(rank=rank).sort_values(["rank", "service"]).drop(columns="rank")


def linkage_html(linkage: pd.DataFrame, period: str) -> str:
    """The match rates' table and what they mean for the measures across services, or a note
    when the year has none."""
    if linkage.empty:
        return html.note(
            f"No match rates across services are published for {period}: its files were "
            "delivered as contract files, whose services share one pseudonymised id by "
            "declaration."
        )
    rows = [
        [
            SERVICES.get(str(r["service"]), str(r["service"])),
            fmt_count(r["people"]),
            fmt_count(r["linked"]),
            fmt_value(r["match_rate_pct"], places=1),
        ]
        for _, r in linkage.iterrows()
    ]
    body = html.statement(linkage_statement(bool(linkage["cross_reference"].any())))
    return body + html.table(
        "linkage",
        f"People of each service linked across services by the cross-reference, {period}",
        ["Service", "People", "Linked by the cross-reference", "Match rate (%)"],
        rows,
        "published.data_linkage",
    )


def linkage_statement(cross_reference: bool) -> str:
    if not cross_reference:
        return (
            "The year was taken in without a cross-reference of people across services: each "
            "service's children have pseudonyms of their own, so no child is linked across "
            "services and the measures across them are not available."
        )
    return (
        "A child known to two services is counted once in the measures across services "
        "(children with two or more adversity domains, the adversity distribution and its "
        "overlaps) only where the authority's cross-reference listed the child in both: the "
        "lower a service's match rate, the more of its children count as separate children."
    )


def quality_statement(rows_read: int, rows_quarantined: int, tables: int) -> str:
    share = rows_quarantined / rows_read * 100 if rows_read else 0.0
    return (
        f"{fmt_count(rows_read)} records were read from {tables} delivered tables; "
        f"{fmt_count(rows_quarantined)} ({share:.2f}%) were set aside (quarantined) because they "
        "broke a validation rule, and are not counted in any figure."
    )
