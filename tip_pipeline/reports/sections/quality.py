"""Data quality of the latest deliveries: records read and set aside by validation, and the
rules that set them aside (``published.data_quality``)."""

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
    dq = data_quality(conn, data.period)
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
    return html.Section("data-quality", "Data quality of the latest deliveries", body)


def quality_statement(rows_read: int, rows_quarantined: int, tables: int) -> str:
    share = rows_quarantined / rows_read * 100 if rows_read else 0.0
    return (
        f"{fmt_count(rows_read)} records were read from {tables} delivered tables; "
        f"{fmt_count(rows_quarantined)} ({share:.2f}%) were set aside (quarantined) because they "
        "broke a validation rule, and are not counted in any figure."
    )
