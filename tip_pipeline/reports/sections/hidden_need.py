"""Hidden need: the modelled number of children living with each toxic-trio factor against
the number services recorded."""

from __future__ import annotations

from sqlalchemy import Connection

from tip_pipeline.reports import charts, html
from tip_pipeline.reports.context import Report, number, present
from tip_pipeline.reports.sections.prevalence import (
    MODELLED_RANGE_LABEL,
    modelled_range,
    prevalence_pairs,
)
from tip_pipeline.reports.statements import MISSING, SUPPRESSED, fmt_count, fmt_value, is_missing


def render(conn: Connection, report: Report) -> html.Section:
    """Modelled against recorded, with a sentence per measure, or a note when nothing modelled
    is published."""
    data = report.data
    pairs = [p for p in prevalence_pairs(data) if p[2] is not None]
    if not pairs:
        return html.Section(
            "hidden-need", "Hidden need", html.note("No modelled prevalence is published.")
        )
    rows, shares, sup_flags, texts = [], [], [], []
    for _, label, modelled, recorded in pairs:
        sup = bool(recorded["suppressed"])
        m, r = number(modelled["children"]), number(recorded["children"])
        share = r / m * 100 if not sup and m > 0 and present(r) else float("nan")
        low = number(modelled.get("range_low_children"))
        high = number(modelled.get("range_high_children"))
        rows.append(
            [
                f"Children who {label}",
                fmt_count(m),
                modelled_range(modelled, "children"),
                fmt_count(r, sup),
                fmt_count(m - r, sup),
                MISSING
                if sup or not (present(low) and present(high))
                else f"{fmt_count(low - r)} to {fmt_count(high - r)}",
                fmt_value(share, sup),
            ]
        )
        shares.append(share)
        sup_flags.append(sup)
        texts.append(hidden_need_statement(label, m, r, sup, (low, high)))
    chart = report.keep(
        charts.hbar_chart(
            "chart-hidden-need",
            f"Share of modelled need known to services, {data.area_name}, {data.period}",
            "Horizontal bars: recorded children as a percentage of the modelled number, for "
            "each toxic-trio measure. Well below 100% everywhere: most modelled need is not "
            "known to services. Figures are in the table beside.",
            [str(p[1]) for p in pairs],
            [charts.Series("recorded as % of modelled", shares, suppressed=sup_flags)],
            "Recorded children as % of modelled children",
        ),
    )
    tbl = html.table(
        "hidden-need",
        f"Modelled against recorded toxic trio, {data.area_name}, {data.period}",
        [
            "Measure",
            "Modelled children",
            f"{MODELLED_RANGE_LABEL} (children)",
            "Recorded children",
            "Hidden need",
            f"Hidden need, {MODELLED_RANGE_LABEL.lower()}",
            "% identified",
        ],
        rows,
        "published.prevalence_summary",
    )
    intro = html.paragraph(
        "Trauma is often hidden. The difference between the modelled number of children living "
        "with each toxic-trio factor and the number services recorded is need not yet known "
        "to services. Definitions are matched: the model counts any adult in the household, "
        "and so does the recorded side (factor codes 1B/1C, 2B/2C, 3A-3C, 4B/4C)."
    )
    body = intro + html.figure(chart, tbl) + "".join(html.statement(t) for t in texts)
    return html.Section("hidden-need", "Hidden need: modelled against recorded", body)


def hidden_need_statement(
    label: str,
    modelled: float,
    recorded: float,
    suppressed: bool,
    modelled_range: tuple[float, float] | None = None,
) -> str:
    """Modelled against recorded children: how much need is not known to services, with the
    modelled range (the source's lower and upper estimates, not a confidence interval)."""
    if suppressed or is_missing(recorded) or is_missing(modelled) or modelled <= 0:
        return (
            f"Children who {label}: the recorded count is {SUPPRESSED if suppressed else MISSING}."
        )
    share = recorded / modelled * 100
    spread = gap = ""
    if modelled_range is not None and not any(is_missing(v) for v in modelled_range):
        low, high = modelled_range
        spread = f" (modelled range {fmt_count(low)} to {fmt_count(high)})"
        gap = f" (modelled range {fmt_count(low - recorded)} to {fmt_count(high - recorded)})"
    return (
        f"About {fmt_count(modelled)} children{spread} are modelled to {label}; services "
        f"recorded {fmt_count(recorded)} ({share:.0f}% of the modelled number), leaving "
        f"about {fmt_count(modelled - recorded)}{gap} not known to services: hidden need."
    )
