"""The appendix: each indicator's published definition, and the methods behind every figure."""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection

from tip_pipeline import config
from tip_pipeline.reports import html
from tip_pipeline.reports.context import Report

#: the methods behind every figure, in the order shown; disclosure control, whose threshold is
#: a setting, follows them (``disclosure_control``)
METHODS: Final = (
    (
        "Confidence limits",
        "Proportions (distinct children in the denominator population): Wilson score limits. "
        "Rates of events: exact Poisson limits below 10 events, Byar's method from 10 "
        "(PHE Technical Guide: Confidence intervals; PHEindicatormethods).",
    ),
    (
        "Comparisons",
        "As OHID Fingertips: significantly higher when the 95% lower limit is above the "
        "comparator's value, lower when the upper limit is below it, similar otherwise. "
        "Statistical neighbours: the mean of the LA's DfE statistical neighbours.",
    ),
    (
        "Spine chart",
        "As Fingertips' area profiles: each indicator on its own scale with England's value "
        "at the centre and the authority furthest from it at an end; the bars span England's "
        "upper-tier authorities' published values (the LA's own after disclosure control, the "
        "others' from the national releases) from the worst to the best, or the lowest to the "
        "highest where higher is neither better nor worse, the darker bar their 25th to 75th "
        "percentiles, interpolated as Fingertips does (position (n - 1) p + 1 of the sorted "
        "values); an indicator with fewer than four authorities' values is not charted.",
    ),
    (
        "Change since the baseline year",
        "Judged by a test of the difference, not by overlapping limits: for proportions "
        "Newcombe's hybrid score limits and the pooled two-proportion z-test; for rates Wald "
        "limits and the exact conditional (binomial) test. Significant when p < 0.05. The "
        "baseline is the first reporting year; the change is computed when the year is "
        "published, from published counts (published.indicator_trends).",
    ),
    (
        "Recent trend",
        "OHID Fingertips' recent trend over the five most recent years: the chi-squared test "
        "for trend for proportions, the weighted regression of the value on time (weights from "
        "the 95% limits) for rates, significant at the 99.8% level and only if no single year "
        "left out reverses the slope; in Fingertips' words. It cannot be calculated with fewer "
        "than five years or a suppressed year in the window (published.indicator_trends).",
    ),
    (
        "Population",
        "ONS mid-year population estimates by LSOA, sex and single year of age, summed to the "
        "local authority: the denominator of the year's rates. The year ending 31 March YYYY "
        "uses the estimate for mid-(YYYY-1): 2023/24 is divided by mid-2023.",
    ),
    (
        "Inequality",
        "Slope index of inequality (SII) across the ten national IMD deciles (decile 1 most "
        "deprived), population-weighted, with simulated 95% limits (Low & Low 2004; PHE "
        "phe_sii): the fitted value in the least deprived minus the most deprived, so its sign "
        "is read with the indicator's polarity. At least five deciles must be populated.",
    ),
    (
        "Poorest fastest",
        "The change since the baseline year in the most deprived quintile minus that in the "
        "least deprived, with 95% limits from the four estimates' standard errors.",
    ),
    (
        "Ward funnel plots",
        "Control limits around the LA value at each ward's denominator (95% and 99.8%, as "
        "the Fingertips funnel methods: Wilson-based for proportions, exact Poisson for rates). "
        "Wards outside 99.8% limits are unlikely to differ by chance alone.",
    ),
    (
        "Modelled prevalence",
        "National survey-based rates of each combination of the toxic-trio factors, by age "
        "band and deprivation quintile, applied to the local child population; an expectation, "
        "shown without sampling limits.",
    ),
)


def disclosure_control(threshold: int) -> tuple[str, str]:
    """The disclosure-control method, with the suppression threshold publish applies (the
    ``TIP_SUPPRESSION_THRESHOLD`` setting: counts from 1 to the threshold minus 1)."""
    return (
        "Disclosure control",
        f"Counts from 1 to {threshold - 1} (the configured threshold) are suppressed, with "
        "secondary suppression so that no withheld count can be worked out from others; a "
        "zero may be withheld to protect another count, so a suppressed figure may be 0. "
        "Suppressed figures are shown as 'suppressed', never as zero, and are left out of "
        "every computation in this report.",
    )


def render(conn: Connection, report: Report) -> html.Section:
    """Definitions from ``published.dim_indicator``, then the methods, disclosure control's
    threshold read from the settings as publish reads it."""
    data = report.data
    items = []
    for _, r in data.indicators.iterrows():
        text = (
            f"{r['definition']} Numerator: {r['numerator']}. Denominator: {r['denominator']}. "
            f"Unit: {r['unit']}. Method: {r['method']}. Polarity: {r['polarity']}. "
            f"Source: {r['source']}."
        )
        if r.get("notes"):
            text += f" Notes: {r['notes']}"
        items.append((str(r["indicator_name"]), text))
    body = "<h3>Definitions</h3>"
    body += html.definitions(items) if items else html.note("No catalogue is published.")
    threshold = int(config.SUPPRESSION_THRESHOLD.value())
    methods = (*METHODS, disclosure_control(threshold))
    body += "<h3>Methods</h3>" + html.definitions(methods)
    return html.Section("appendix", "Appendix: definitions and methods", body)
