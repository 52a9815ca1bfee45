"""Indicator assets (group ``indicators``): one reporting year per partition, downstream of the
validated tables only. Domain logic lives in tip_pipeline.indicators; this module wires it.

One multi-asset computes a year's indicator tables and replaces the year's rows of all of them
in one transaction: a rerun is idempotent, and a run killed or failed at any moment leaves the
year's tables all as of the last completed run, never half new and half old (which the
disclosure audit could not reconcile). Plausibility checks are WARN: a figure out of range is
flagged for an analyst, it does not stop the run.
"""

import dagster as dg
import pandas as pd

from tip_pipeline import config
from tip_pipeline.defs.history import YOUTH_JUSTICE_TABLES
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.resources import Warehouse
from tip_pipeline.indicators import adversity, checks, prevalence, store
from tip_pipeline.indicators.baseline import year_inequality
from tip_pipeline.indicators.catalogue import CATALOGUE
from tip_pipeline.indicators.comparisons import comparisons, with_benchmark
from tip_pipeline.indicators.data import ALL_TABLES, load_year
from tip_pipeline.indicators.values import all_values
from tip_pipeline.periods import FinancialYear
from tip_pipeline.validate.store import quarantine_impact
from tip_pipeline.warehouse import schema

GROUP = "indicators"
VALIDATED = [dg.AssetKey(["validated", t]) for t in ALL_TABLES] + [
    dg.AssetKey(["validated", f"{t}_history"]) for t in YOUTH_JUSTICE_TABLES
]


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["indicators", name])


def _period(context: dg.AssetExecutionContext) -> FinancialYear:
    return FinancialYear.parse(context.partition_key)


def _check(asset: str, name: str, bad: pd.DataFrame, total: int, what: str) -> dg.AssetCheckResult:
    """A WARN check result: passes when ``bad`` is empty; metadata counts, never person data."""
    return dg.AssetCheckResult(
        asset_key=key(asset),
        check_name=name,
        passed=bad.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_checked": total, "rows_failing": len(bad), "what": what},
    )


def _spec(name: str, description: str, deps: list[dg.AssetKey] = VALIDATED) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=key(name),
        group_name=GROUP,
        description=description,
        deps=deps,
        partitions_def=reporting_years,
        kinds={"pandas"},
    )


def _impact_markdown(impact: pd.DataFrame) -> str:
    """Beside the indicators: what each source lost to quarantine this year."""
    lines = ["| source | records quarantined | children with quarantined rows |", "|---|---:|---:|"]
    lines += [
        f"| {source} | {row.records_quarantined} | {row.children_with_quarantined_rows} |"
        for source, row in impact.iterrows()
    ]
    return "\n".join(lines)


# -- the year's indicator tables -----------------------------------------------------------

SPECS = [
    _spec(
        "indicator_values",
        "Every catalogue indicator by LSOA, ward and LA (region and England where the data "
        "hold them), by deprivation decile and quintile, sex, age band and ethnic group, "
        "with 95% and 99.8% limits and a benchmark comparison (restricted.indicator_values; "
        "true counts, before disclosure control).",
    ),
    _spec(
        "indicator_comparisons",
        "Each LA against England, its region and its statistical neighbours, each ward "
        "against its LA (restricted.indicator_comparisons).",
        [key("indicator_values"), *VALIDATED],
    ),
    _spec(
        "inequality_summary",
        "SII and RII across IMD deciles (seeded limits), quintile gap and ratio, and the "
        "change since the first reporting year in the most minus the least deprived quintile, "
        "per indicator and LA (restricted.inequality_summary). The baseline year's values are "
        "recomputed from its validated tables, so no other partition needs to have run.",
        [key("indicator_values"), *VALIDATED],
    ),
    _spec(
        "adversity_distribution",
        "Children by number of distinct adversity domains in the year (0, 1, 2, 3, 4+ and "
        "2+), linked across CIN, SSDA903, youth justice and H-CLIC by the shared "
        "pseudonymised id (restricted.adversity_distribution).",
    ),
    _spec(
        "adversity_overlap",
        "Overlap between services: the share of one domain's children also in another "
        "(restricted.adversity_overlap).",
    ),
    _spec(
        "modelled_prevalence",
        "Modelled toxic-trio prevalence by LSOA, ward and LA (ref_modelled_rates on the "
        "population by age band and deprivation) against recorded children on the matched "
        "any-adult definition: the identification gap (restricted.modelled_prevalence).",
    ),
    _spec(
        "prevalence_summary",
        "The seed's Prevalence slide per LA and year, modelled rows with their recorded "
        "counterparts (restricted.prevalence_summary).",
        [key("modelled_prevalence"), *VALIDATED],
    ),
]

CHECKS = (
    (
        "indicator_values",
        "plausible_values",
        "Values within their possible range, limits around the value.",
    ),
    (
        "indicator_values",
        "numerator_within_denominator",
        "No proportion counts more than its denominator.",
    ),
    (
        "indicator_values",
        "breakdowns_sum_to_total",
        "Every breakdown's categories sum to the area's total.",
    ),
    (
        "adversity_distribution",
        "distribution_sums_to_population",
        "0, 1, 2, 3 and 4+ add up to the child population; no negative row.",
    ),
    (
        "modelled_prevalence",
        "plausible_prevalence",
        "Shares within 0-100%; no more children than the population.",
    ),
)


def _la_headlines(values: pd.DataFrame) -> str:
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    return "\n".join(
        ["| indicator | value | vs England |", "|---|---:|---|"]
        + [
            f"| {r.indicator_id} | {r.value:.1f} | {r.compared_to_benchmark} |"
            for r in la.itertuples()
        ]
    )


def _gradients(summary: pd.DataFrame) -> str:
    return "\n".join(
        ["| indicator | LA | gradient |", "|---|---|---|"]
        + [f"| {r.indicator_id} | {r.area_code} | {r.gradient} |" for r in summary.itertuples()]
    )


def _slide(summary: pd.DataFrame) -> str:
    return "\n".join(
        ["| measure | basis | children | % |", "|---|---|---:|---:|"]
        + [
            f"| {r.measure} | {r.basis} | {r.children:,.0f} | {r.share_pct:.2f} |"
            for r in summary.itertuples()
        ]
    )


@warehouse_writer(
    dg.multi_asset,
    name="indicators",
    specs=SPECS,
    check_specs=[
        dg.AssetCheckSpec(name=name, asset=key(asset), description=what, blocking=False)
        for asset, name, what in CHECKS
    ],
    can_subset=False,
)
def indicators(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Compute every indicator table of the year from its validated tables, then replace the
    year's rows of all of them in one transaction (``indicators.store.write_period``)."""
    engine = warehouse.engine()
    data = load_year(engine, _period(context))
    baseline = FinancialYear.parse(config.FIRST_YEAR.value())
    values = with_benchmark(all_values(data), data)
    modelled = prevalence.modelled_prevalence(data)
    tables = {
        schema.indicator_values: values,
        schema.indicator_comparisons: comparisons(values, data),
        schema.inequality_summary: year_inequality(values, engine, data.period, baseline),
        schema.adversity_distribution: adversity.distribution(data),
        schema.adversity_overlap: adversity.overlap(data),
        schema.modelled_prevalence: modelled,
        schema.prevalence_summary: prevalence.prevalence_summary(data, modelled),
    }
    written = store.write_period(engine, tables, data.period.label, context.run.run_id)
    extra = {
        "indicator_values": {
            "indicators": len(CATALOGUE),
            "la_headlines": dg.MetadataValue.md(_la_headlines(values)),
            "quarantine_impact_by_source": dg.MetadataValue.md(
                _impact_markdown(quarantine_impact(engine, data.period.label))
            ),
        },
        "inequality_summary": {
            "baseline": baseline.label,
            "gradients": dg.MetadataValue.md(_gradients(tables[schema.inequality_summary])),
        },
        "prevalence_summary": {
            "slide": dg.MetadataValue.md(_slide(tables[schema.prevalence_summary]))
        },
    }
    for table in tables:
        yield dg.MaterializeResult(
            asset_key=key(table.name),
            metadata={"dagster/row_count": written[table.name], **extra.get(table.name, {})},
        )
    yield from _checks(values, tables[schema.adversity_distribution], modelled)


def _checks(values: pd.DataFrame, distribution: pd.DataFrame, modelled: pd.DataFrame):
    """The WARN plausibility checks of the year's tables (tip_pipeline.indicators.checks)."""
    n = len(values)
    yield _check("indicator_values", "plausible_values", checks.implausible_values(values), n, "")
    yield _check(
        "indicator_values",
        "numerator_within_denominator",
        checks.numerator_above_denominator(values),
        n,
        "proportions",
    )
    yield _check(
        "indicator_values",
        "breakdowns_sum_to_total",
        checks.breakdowns_not_summing(values),
        n,
        "numerators, and denominators where the breakdown has them",
    )
    yield _check(
        "adversity_distribution",
        "distribution_sums_to_population",
        checks.distribution_not_summing(distribution),
        len(distribution),
        "per LA",
    )
    yield _check(
        "modelled_prevalence",
        "plausible_prevalence",
        checks.implausible_prevalence(modelled),
        len(modelled),
        "",
    )


indicator_assets = [indicators]
