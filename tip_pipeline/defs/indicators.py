"""Indicator assets (group ``indicators``): one reporting year per partition, downstream of the
validated tables only. Domain logic lives in tip_pipeline.indicators; this module declares the
assets, their checks and what their materialisations report.

They are materialised by the year's one step (``defs/year.py``), which computes the year's
indicator tables and publishes them: the restricted tables and the published figures made
from them are replaced in one transaction, so a run killed or failed at any moment leaves
both as of the last completed run, never true counts beside a published year they were not
made from. Plausibility checks are WARN: a figure out of range is flagged for an analyst, it
does not stop the run.
"""

from collections.abc import Iterator, Mapping

import dagster as dg
import pandas as pd
import sqlalchemy as sa

from tip_pipeline.defs.history import YOUTH_JUSTICE_TABLES
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.indicators import checks, look_back
from tip_pipeline.indicators.catalogue import CATALOGUE
from tip_pipeline.indicators.data import ALL_TABLES
from tip_pipeline.periods import FinancialYear
from tip_pipeline.validate.store import quarantine_impact
from tip_pipeline.warehouse import schema

GROUP = "indicators"


def validated_dep(table: str) -> dg.AssetKey | dg.AssetDep:
    """The year's figures' dependency on a validated table: that year's partition, and for a
    table an indicator looks back to (``look_back.tables_to_read``) the partitions of the years
    before it too, so that a year materialised again makes the years that read it stale."""
    asset = dg.AssetKey(["validated", table])
    reach = look_back.tables_to_read().get(table, 0)
    if not reach:
        return asset
    keys = reporting_years.get_partition_keys()
    mapping = dg.StaticPartitionMapping(look_back.downstream_by_upstream(keys, reach))
    return dg.AssetDep(asset, partition_mapping=mapping)


VALIDATED = [validated_dep(t) for t in ALL_TABLES] + [
    dg.AssetKey(["validated", f"{t}_history"]) for t in YOUTH_JUSTICE_TABLES
]


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["indicators", name])


def _check(asset: str, name: str, bad: pd.DataFrame, total: int, what: str) -> dg.AssetCheckResult:
    """A WARN check result: passes when ``bad`` is empty; metadata counts, never person data."""
    return dg.AssetCheckResult(
        asset_key=key(asset),
        check_name=name,
        passed=bad.empty,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rows_checked": total, "rows_failing": len(bad), "what": what},
    )


def _spec(
    name: str, description: str, deps: list[dg.AssetKey | dg.AssetDep] = VALIDATED
) -> dg.AssetSpec:
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
    _spec(
        "involvement_flows",
        "'Left shift' flows: children by their highest level of involvement (none, referral, "
        "in need, child protection, looked after) in the previous year and in the year, per "
        "LA (and region and England where the delivery holds all their LAs), with both years' "
        "level totals; read from the year's and the previous year's CIN "
        "census and SSDA903 episodes (restricted.involvement_flows).",
    ),
    _spec(
        "cohort_incidence",
        "Cohorts across years: children entering at a first toxic-trio factor or a first "
        "referral in each of the four years to the year, followed for a plan, care, youth "
        "justice or homelessness; at risk, events and censored per 12-month interval with the "
        "Kaplan-Meier incidence, by LA and IMD quintile (restricted.cohort_incidence).",
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


CHECK_SPECS = [
    dg.AssetCheckSpec(name=name, asset=key(asset), description=what, blocking=False)
    for asset, name, what in CHECKS
]


def indicator_results(
    engine: sa.Engine,
    tables: Mapping[sa.Table, pd.DataFrame],
    written: Mapping[str, int],
    period: FinancialYear,
    baseline: FinancialYear,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """The materialisations of the year's indicator tables, once committed, and their checks."""
    values = tables[schema.indicator_values]
    extra = {
        "indicator_values": {
            "indicators": len(CATALOGUE),
            "la_headlines": dg.MetadataValue.md(_la_headlines(values)),
            "quarantine_impact_by_source": dg.MetadataValue.md(
                _impact_markdown(quarantine_impact(engine, period.label))
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
    yield from _checks(
        values, tables[schema.adversity_distribution], tables[schema.modelled_prevalence]
    )


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
