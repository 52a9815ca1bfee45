"""Publishing assets (group ``published``): the analyst-facing, disclosure-controlled tables.
Domain logic lives in tip_pipeline.publish; this module declares the assets and wires the
unpartitioned ones.

A reporting year's published tables are downstream of its indicator tables only, and are
materialised by the year's one step with them (``defs/year.py``): the year's published rows,
its lineage and its restricted indicator tables are replaced in one transaction, which the
blocking disclosure audit checks before it commits (a suppressed count that can be worked out
rolls the year back and stops the run, so nothing downstream, the report included, reads
it). The catalogue and the area hierarchy are not partitioned.
"""

import itertools
from collections.abc import Iterator

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import warehouse_writer
from tip_pipeline.defs.resources import Warehouse
from tip_pipeline.publish import audit, store
from tip_pipeline.sources import contracts

GROUP = "published"
#: published table -> the restricted indicator asset it is the twin of
TWINS = {
    "indicator_values": "Indicator values by LA (every breakdown), ward (headline), region and "
    "England, in the Fingertips layout, disclosure-controlled (published.indicator_values).",
    "indicator_comparisons": "Each LA against England, its region and its statistical "
    "neighbours, and each ward against its LA; withheld where the value is "
    "(published.indicator_comparisons).",
    "inequality_summary": "SII/RII, quintile gap and 'poorest fastest' per indicator and LA; "
    "figures derived from a withheld decile or quintile withheld (published.inequality_summary).",
    "adversity_distribution": "Children by number of adversity domains, disclosure-controlled "
    "(published.adversity_distribution).",
    "prevalence_summary": "The seed's Prevalence slide, modelled and recorded, "
    "disclosure-controlled (published.prevalence_summary).",
    "involvement_flows": "'Left shift' flows between levels of involvement from the previous "
    "year, with both years' level totals, disclosure-controlled together with the earlier "
    "years' flows (published.involvement_flows).",
    "cohort_incidence": "Cohorts across years: at risk, events and censored per interval of "
    "follow-up and the Kaplan-Meier incidence, disclosure-controlled together with the "
    "earlier years' publication of the same cohorts (published.cohort_incidence).",
}
#: the restricted tables read, as their indicator assets
UPSTREAM = [dg.AssetKey(["indicators", name]) for name in TWINS]
REFERENCE_UPSTREAM = [dg.AssetKey(["validated", name]) for name in store.REFERENCE_TABLES]
#: whose quality summaries publish_reference publishes: the reference files of their own
#: vintage and the youth-justice history (tip_pipeline.publish.quality)
QUALITY_UPSTREAM = [
    *(dg.AssetKey(["validated", t]) for t in contracts.tables(per_period=False)),
    *(dg.AssetKey(["validated", f"{t}_history"]) for t in contracts.tables(history=True)),
]


def key(name: str) -> dg.AssetKey:
    return dg.AssetKey([GROUP, name])


#: the published tables whose earlier years' cells a year's disclosure control keeps as
#: published (``publish.order``)
CARRIED = ("involvement_flows", "cohort_incidence")


def earlier_publication(name: str) -> list[dg.AssetDep]:
    """The year's publication's dependency on the previous year's: ``indicator_values`` (which
    carries the disclosure audit) depends on the previous year's partition of the published
    flows and cohorts, so that an asset backfill (the UI's "Materialize all" over the
    partitions) publishes the years oldest first.

    One twin is enough: the year's one step materialises every twin, so the dependency orders
    the whole step. Not the flows on their own previous year: Dagster refuses an asset
    depending on an earlier partition of itself unless its partitions are time windows
    (reporting years are static partitions), and a dependency of the flows on the cohorts
    and back would be a cycle between keys."""
    if name != "indicator_values":
        return []
    keys = reporting_years.get_partition_keys()
    mapping = dg.StaticPartitionMapping(dict(itertools.pairwise(keys)))
    return [dg.AssetDep(key(carried), partition_mapping=mapping) for carried in CARRIED]


SPECS = [
    dg.AssetSpec(
        key=key(name),
        group_name=GROUP,
        description=description,
        deps=[*UPSTREAM, *earlier_publication(name)],
        partitions_def=reporting_years,
        kinds={"pandas"},
    )
    for name, description in TWINS.items()
]
AUDIT = dg.AssetCheckSpec(
    name="disclosure_audit",
    asset=key("indicator_values"),
    description="Run inside the publish transaction, before it commits: counts below the "
    "threshold withheld; every withheld count's range, given everything published (a linear "
    "program), at least the threshold wide; nothing derived from a withheld count published; "
    "published counts true. A failure rolls the year back.",
    blocking=True,
)


def threshold() -> int:
    return int(config.SUPPRESSION_THRESHOLD.value())


def published_results(result: store.Published, threshold: int) -> Iterator[dg.MaterializeResult]:
    """The materialisations of the year's published twins, once committed: the flows and
    the cohorts first, which Dagster requires of a multi-asset's outputs depending on one
    another (``earlier_publication``), even on another partition."""
    for name in sorted(TWINS, key=lambda twin: twin not in CARRIED):
        metadata: dict[str, object] = {"dagster/row_count": result.rows[name]}
        if name == "indicator_values":
            metadata |= {
                "cells": result.cells,
                "primary_suppressed": result.primary,
                "secondary_suppressed": result.secondary,
                "narrowest_range": result.narrowest,
                "threshold": threshold,
                "input_files": result.inputs,
                "data_quality_rows": result.rows["data_quality"],
            }
        yield dg.MaterializeResult(asset_key=key(name), metadata=metadata)


def audit_result(found: audit.Audit) -> dg.AssetCheckResult:
    """The disclosure audit's result: problems named by cell, never by a true count."""
    return dg.AssetCheckResult(
        asset_key=key("indicator_values"),
        check_name=AUDIT.name,
        passed=found.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "cells": found.cells,
            "withheld": found.withheld,
            "narrowest_range": found.narrowest,
            "problems": len(found.problems),
            "first_problems": "\n".join(found.problems[:10]),
        },
    )


@warehouse_writer(
    dg.multi_asset,
    name="publish_reference",
    specs=[
        dg.AssetSpec(
            key=key("dim_indicator"),
            group_name=GROUP,
            description="The indicator catalogue in plain English: definitions, units, methods, "
            "polarity (published.dim_indicator), from tip_pipeline.indicators.catalogue. "
            "Published with it: the data-quality summaries of the reference files and the "
            "youth-justice history (published.data_quality).",
            deps=QUALITY_UPSTREAM,
            kinds={"pandas"},
        ),
        dg.AssetSpec(
            key=key("dim_area"),
            group_name=GROUP,
            description="Areas and their hierarchy, LSOA -> ward -> LA -> region -> England, "
            "with IoD2025 deprivation for LSOAs (published.dim_area).",
            deps=REFERENCE_UPSTREAM,
            kinds={"pandas"},
        ),
    ],
    can_subset=False,
)
def publish_reference(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """The unpartitioned published tables, replaced whole, with the data-quality summaries of
    the reference files and the history years."""
    rows = store.publish_reference(warehouse.engine(), context.run.run_id)
    yield dg.MaterializeResult(
        asset_key=key("dim_indicator"),
        metadata={
            "dagster/row_count": rows["dim_indicator"],
            "data_quality_rows": rows["data_quality"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=key("dim_area"), metadata={"dagster/row_count": rows["dim_area"]}
    )


publish_assets = [publish_reference]
