"""Improving the health of the poorest fastest (Marmot): the change since the baseline year in
the most deprived quintile against that in the least deprived, per indicator."""

from __future__ import annotations

from sqlalchemy import Connection

from tip_pipeline.reports import charts, html
from tip_pipeline.reports import statements as say
from tip_pipeline.reports.context import Report, number, present
from tip_pipeline.reports.statements import fmt_ci, fmt_value


def render(conn: Connection, report: Report) -> html.Section:
    """The published inequality summary's poorest-fastest figures, charted and tabled."""
    data, indicators = report.data, report.indicators
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
        missing = not present(r["poorest_fastest"])
        flag = bool(r["suppressed"]) and missing
        rows.append(
            [
                ind.name,
                str(r["baseline_period"] or "-"),
                fmt_value(r["change_most_deprived"], flag),
                fmt_value(r["change_least_deprived"], flag),
                fmt_value(r["poorest_fastest"], flag),
                fmt_ci(r["lower_poorest_fastest_95"], r["upper_poorest_fastest_95"], flag),
                say.SUPPRESSED if flag else say.fmt_p(number(r["poorest_fastest_p"])),
                ind.unit,
            ]
        )
        values.append(number(r["poorest_fastest"]))
        lows.append(number(r["lower_poorest_fastest_95"]))
        highs.append(number(r["upper_poorest_fastest_95"]))
        sup.append(flag)
        if present(r["poorest_fastest_p"]) and number(r["poorest_fastest_p"]) < say.SIGNIFICANCE:
            texts.append(f"{ind.name}: {r['poorest_fastest_statement']}")
        elif present(r["poorest_fastest_p"]):
            level.append(ind.name)
    chart = report.keep(
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
