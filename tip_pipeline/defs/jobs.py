"""Jobs over the whole asset graph, partitioned by reporting year, and the run requests the
nightly schedule and the delivery sensor make of them.

A run is either one reporting year (``partition_key``, the partitioned assets only) or the
unpartitioned assets (reference files of their own vintage, youth-justice history), never
both: the reference assets are run once, not once per year.

``full_refresh_job`` is a backfill of every partition: ``dagster job backfill -w
workspace.yaml -j full_refresh_job --noprompt --all`` (the daemon runs it), or from the job's
Partitions tab. Each of its runs is a whole-graph run of one year, so the reference assets are
staged again in every run (idempotently; the ``warehouse`` pool serialises the writes). To run
them once, launch the same refresh as an asset backfill: Lineage, "Materialize all", all
partitions. It stays a multi-run backfill, one run per year, rather than
``BackfillPolicy.single_run()``: every asset body stages or validates one financial year
(``FinancialYear.parse(context.partition_key)``, one transaction per year) and would have to
loop over a partition key range instead; one run per year also lets years run in parallel on
a PostgreSQL warehouse, and a refused year fail alone. A job backfill submits every year's run
at once, in year order, and Dagster does not order them; each year's ``year_figures`` does:
it publishes only when no run of an earlier year is in flight (``defs/year.py``,
``publish/order.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from tip_pipeline.defs.changes import Affected

TRIGGER_TAG = "tip/trigger"
SCOPE_TAG = "tip/scope"
REFERENCE = "reference"

nightly_job = dg.define_asset_job(
    "nightly_job",
    selection=dg.AssetSelection.all(),
    description="The nightly run: the latest complete reporting year and every year whose "
    "delivered files changed (one run each), and the reference assets when their files "
    "changed. Requested by nightly_schedule and delivery_sensor.",
)

full_refresh_job = dg.define_asset_job(
    "full_refresh_job",
    selection=dg.AssetSelection.all(),
    description="Everything, again: launch as a backfill of every reporting year (one run "
    "per year). Materialise the reference assets first (or let the backfill do it).",
)


def asset_keys(repository_def: dg.RepositoryDefinition, partitioned: bool) -> list[dg.AssetKey]:
    """Materialisable assets of the code location that are (or are not) partitioned by year."""
    return sorted(
        (
            key
            for key, assets_def in repository_def.assets_defs_by_key.items()
            if assets_def.is_materializable
            and (assets_def.specs_by_key[key].partitions_def is not None) == partitioned
        ),
        key=lambda k: k.to_user_string(),
    )


def run_requests(
    affected: Affected,
    repository_def: dg.RepositoryDefinition,
    tags: Mapping[str, str],
    run_key: str | None = None,
) -> list[dg.RunRequest]:
    """One run for the reference assets (when affected), then one per affected year."""
    requests = []
    if affected.reference:
        requests.append(
            dg.RunRequest(
                run_key=f"{REFERENCE}:{run_key}" if run_key else None,
                asset_selection=asset_keys(repository_def, partitioned=False),
                tags={**tags, SCOPE_TAG: REFERENCE},
            )
        )
    partitioned = asset_keys(repository_def, partitioned=True)
    requests += [
        dg.RunRequest(
            run_key=f"{year}:{run_key}" if run_key else None,
            partition_key=year,
            asset_selection=partitioned,
            tags={**tags, SCOPE_TAG: year},
        )
        for year in affected.years
    ]
    return requests
