"""Improving the health of the poorest fastest (Marmot): the change since the baseline year in
the most deprived quintile against that in the least deprived, per indicator.

The chart is small multiples, one panel per indicator on its own scale, rather than one scale
of relative changes. The indicators have different units (per 10,000 children aged 0-17, per
100,000 aged 10-17, % of households), so on one shared axis one indicator's changes dwarf
another's. Relative changes could be derived (a quintile's value less its change is its
baseline value), but the published summary has no limits for a difference of relative
changes, so such a chart could not show whether the difference is significant, which is what
the table and the statements turn on; and a percentage of a small baseline exaggerates (2 to 4
is +100%). Each panel keeps the published figures in the indicator's own unit, with the
published 95% limits of the difference, so the chart says what the table says."""

from __future__ import annotations

import pandas as pd
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
    panels: list[charts.Panel] = []
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
        panels.append(_panel(ind.name, ind.unit, str(r["baseline_period"] or "-"), r, flag))
        if present(r["poorest_fastest_p"]) and number(r["poorest_fastest_p"]) < say.SIGNIFICANCE:
            texts.append(f"{ind.name}: {r['poorest_fastest_statement']}")
        elif present(r["poorest_fastest_p"]):
            level.append(ind.name)
    chart = report.keep(
        charts.small_multiples_chart(
            "chart-poorest-fastest",
            f"Change in the most deprived minus change in the least deprived, {data.area_name}",
            "Small multiples, one panel per indicator, each on its own scale in the "
            "indicator's own unit: the change since the baseline year in the most deprived "
            "quintile, in the least deprived quintile, and their difference with 95% limits. "
            "A difference whose limits cross the zero line is not significant. Figures are in "
            "the table below.",
            panels,
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


def _panel(name: str, unit: str, baseline: str, r: pd.Series, suppressed: bool) -> charts.Panel:
    """An indicator's panel: the two quintiles' changes and their difference with its 95%
    limits, on the indicator's own scale."""
    return charts.Panel(
        name,
        f"Change since {baseline} ({unit})",
        [
            charts.Dot("Change, most deprived quintile", number(r["change_most_deprived"])),
            charts.Dot(
                "Change, least deprived quintile",
                number(r["change_least_deprived"]),
                colour=charts.ORANGE,
                marker="square",
            ),
            charts.Dot(
                "Difference, with 95% limits",
                number(r["poorest_fastest"]),
                number(r["lower_poorest_fastest_95"]),
                number(r["upper_poorest_fastest_95"]),
                colour=charts.VERMILLION,
                marker="diamond",
            ),
        ],
        suppressed,
    )
