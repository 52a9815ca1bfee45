"""Indicator assets (group ``indicators``): one reporting year per partition, downstream of the
validated tables only. Domain logic lives in tip_pipeline.indicators; this module wires it.

Every asset replaces its year's rows in the restricted indicator tables in one transaction
(reruns are idempotent). Plausibility checks are WARN: a figure out of range is flagged for an
analyst, it does not stop the run.
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
from tip_pipeline.indicators.data import ALL_TABLES, YearData, load_year
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


def _load(context: dg.AssetExecutionContext, warehouse: Warehouse) -> YearData:
    return load_year(warehouse.engine(), _period(context))


def _check(asset: str, name: str, bad: pd.DataFrame, total: int, what: str) -> dg.AssetCheckResult:
    """A WARN check result: passes when ``bad`` is empty; metadata counts, never person data."""
    return dg.AssetCheckResult(
        asset_key=key(asset),
        check_name=name,
        passed=bad.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_checked": total, "rows_failing": len(bad), "what": what},
    )


def _spec(name: str, description: str, deps: list[dg.AssetKey]) -> dg.AssetSpec:
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


# -- catalogue ----------------------------------------------------------------------------


# -- values and comparisons ---------------------------------------------------------------

VALUE_CHECKS = (
    ("plausible_values", "Values within their possible range, limits around the value."),
    ("numerator_within_denominator", "No proportion counts more than its denominator."),
    ("breakdowns_sum_to_total", "Every breakdown's categories sum to the area's total."),
)


@warehouse_writer(
    dg.multi_asset,
    name="indicator_values",
    specs=[
        _spec(
            "indicator_values",
            "Every catalogue indicator by LSOA, ward and LA (region and England where the data "
            "hold them), by deprivation decile and quintile, sex, age band and ethnic group, "
            "with 95% and 99.8% limits and a benchmark comparison (restricted.indicator_values; "
            "true counts, before disclosure control).",
            VALIDATED,
        ),
        _spec(
            "indicator_comparisons",
            "Each LA against England, its region and its statistical neighbours, each ward "
            "against its LA (restricted.indicator_comparisons).",
            VALIDATED,
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(name=n, asset=key("indicator_values"), description=d, blocking=False)
        for n, d in VALUE_CHECKS
    ],
    can_subset=False,
)
def indicator_values(context: dg.AssetExecutionContext, warehouse: Warehouse):
    data = _load(context, warehouse)
    values = with_benchmark(all_values(data), data)
    compared = comparisons(values, data)
    written = store.write_period(
        warehouse.engine(),
        {schema.indicator_values: values, schema.indicator_comparisons: compared},
        data.period.label,
        context.run.run_id,
    )
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    summary = "\n".join(
        ["| indicator | value | vs England |", "|---|---:|---|"]
        + [
            f"| {r.indicator_id} | {r.value:.1f} | {r.compared_to_benchmark} |"
            for r in la.itertuples()
        ]
    )
    impact = quarantine_impact(warehouse.engine(), data.period.label)
    yield dg.MaterializeResult(
        asset_key=key("indicator_values"),
        metadata={
            "dagster/row_count": written["indicator_values"],
            "indicators": len(CATALOGUE),
            "la_headlines": dg.MetadataValue.md(summary),
            "quarantine_impact_by_source": dg.MetadataValue.md(_impact_markdown(impact)),
        },
    )
    yield dg.MaterializeResult(
        asset_key=key("indicator_comparisons"),
        metadata={"dagster/row_count": written["indicator_comparisons"]},
    )
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


# -- inequality ---------------------------------------------------------------------------


@warehouse_writer(
    dg.asset,
    key=key("inequality_summary"),
    group_name=GROUP,
    deps=[key("indicator_values"), *VALIDATED],
    partitions_def=reporting_years,
    kinds={"pandas"},
)
def inequality(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """SII and RII across IMD deciles (seeded limits), quintile gap and ratio, and the change
    since the first reporting year in the most minus the least deprived quintile, per
    indicator and LA (restricted.inequality_summary). The year's values are read from
    restricted.indicator_values; the baseline year's are recomputed from its validated tables
    (so no other partition of this asset needs to have run)."""
    engine = warehouse.engine()
    period = _period(context)
    baseline_period = FinancialYear.parse(config.FIRST_YEAR.value())
    summary = year_inequality(engine, period, baseline_period)
    written = store.write_period(
        engine, {schema.inequality_summary: summary}, period.label, context.run.run_id
    )
    gradients = "\n".join(
        ["| indicator | LA | gradient |", "|---|---|---|"]
        + [f"| {r.indicator_id} | {r.area_code} | {r.gradient} |" for r in summary.itertuples()]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": written["inequality_summary"],
            "baseline": baseline_period.label,
            "gradients": dg.MetadataValue.md(gradients),
        }
    )


# -- linked adversity ---------------------------------------------------------------------


@warehouse_writer(
    dg.multi_asset,
    name="linked_adversity",
    specs=[
        _spec(
            "adversity_distribution",
            "Children by number of distinct adversity domains in the year (0, 1, 2, 3, 4+ and "
            "2+), linked across CIN, SSDA903, youth justice and H-CLIC by the shared "
            "pseudonymised id (restricted.adversity_distribution).",
            VALIDATED,
        ),
        _spec(
            "adversity_overlap",
            "Overlap between services: the share of one domain's children also in another "
            "(restricted.adversity_overlap).",
            VALIDATED,
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            name="distribution_sums_to_population",
            asset=key("adversity_distribution"),
            description="0, 1, 2, 3 and 4+ add up to the child population; no negative row.",
            blocking=False,
        )
    ],
    can_subset=False,
)
def linked_adversity(context: dg.AssetExecutionContext, warehouse: Warehouse):
    data = _load(context, warehouse)
    dist = adversity.distribution(data)
    over = adversity.overlap(data)
    written = store.write_period(
        warehouse.engine(),
        {schema.adversity_distribution: dist, schema.adversity_overlap: over},
        data.period.label,
        context.run.run_id,
    )
    yield dg.MaterializeResult(
        asset_key=key("adversity_distribution"),
        metadata={"dagster/row_count": written["adversity_distribution"]},
    )
    yield dg.MaterializeResult(
        asset_key=key("adversity_overlap"),
        metadata={"dagster/row_count": written["adversity_overlap"]},
    )
    yield _check(
        "adversity_distribution",
        "distribution_sums_to_population",
        checks.distribution_not_summing(dist),
        len(dist),
        "per LA",
    )


# -- prevalence ---------------------------------------------------------------------------


@warehouse_writer(
    dg.multi_asset,
    name="prevalence",
    specs=[
        _spec(
            "modelled_prevalence",
            "Modelled toxic-trio prevalence by LSOA, ward and LA (ref_modelled_rates on the "
            "population by age band and deprivation) against recorded children on the matched "
            "any-adult definition: the identification gap (restricted.modelled_prevalence).",
            VALIDATED,
        ),
        _spec(
            "prevalence_summary",
            "The seed's Prevalence slide per LA and year, modelled rows with their recorded "
            "counterparts (restricted.prevalence_summary).",
            VALIDATED,
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            name="plausible_prevalence",
            asset=key("modelled_prevalence"),
            description="Shares within 0-100%; no more children than the population.",
            blocking=False,
        )
    ],
    can_subset=False,
)
def prevalence_assets(context: dg.AssetExecutionContext, warehouse: Warehouse):
    data = _load(context, warehouse)
    modelled = prevalence.modelled_prevalence(data)
    summary = prevalence.prevalence_summary(data, modelled)
    written = store.write_period(
        warehouse.engine(),
        {schema.modelled_prevalence: modelled, schema.prevalence_summary: summary},
        data.period.label,
        context.run.run_id,
    )
    slide = "\n".join(
        ["| measure | basis | children | % |", "|---|---|---:|---:|"]
        + [
            f"| {r.measure} | {r.basis} | {r.children:,.0f} | {r.share_pct:.2f} |"
            for r in summary.itertuples()
        ]
    )
    yield dg.MaterializeResult(
        asset_key=key("modelled_prevalence"),
        metadata={"dagster/row_count": written["modelled_prevalence"]},
    )
    yield dg.MaterializeResult(
        asset_key=key("prevalence_summary"),
        metadata={
            "dagster/row_count": written["prevalence_summary"],
            "slide": dg.MetadataValue.md(slide),
        },
    )
    yield _check(
        "modelled_prevalence",
        "plausible_prevalence",
        checks.implausible_prevalence(modelled),
        len(modelled),
        "",
    )


indicator_assets = [
    indicator_values,
    inequality,
    linked_adversity,
    prevalence_assets,
]
