"""The nightly schedule: 02:00 Europe/London, the latest complete year and whatever changed.

"Changed" is judged against the instance, not a cursor (schedules keep none): each ingest
asset records the SHA-256 of its files as its data version (``ingest.reader.data_version``), so a
year (or the reference assets) is requested when the delivered files' hashes differ from the
data version of the last materialisation of any of its ingest assets, or when there is none
(never run, or the run failed before staging). The latest complete year is requested every
night when it has been delivered, so that its checks and metadata are fresh each morning.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.changes import VersionKey, expected_versions, fingerprint, nightly_plan
from tip_pipeline.defs.ingest import GROUP
from tip_pipeline.defs.jobs import TRIGGER_TAG, nightly_job, run_requests
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import SCHEDULE_TIMEZONE
from tip_pipeline.defs.resources import DataSources
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.periods import FinancialYear

NIGHTLY_CRON = "0 2 * * *"
DATA_VERSION_TAG = "dagster/data_version"


def recorded_versions(
    instance: dg.DagsterInstance, keys: Iterable[VersionKey]
) -> dict[VersionKey, str | None]:
    """The data version of the last materialisation of each ingest asset (partition)."""
    recorded: dict[VersionKey, str | None] = {}
    for name, year in keys:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(
                asset_key=dg.AssetKey([GROUP, name]), asset_partitions=[year] if year else None
            ),
            limit=1,
        ).records
        event = records[0].asset_materialization if records else None
        recorded[(name, year)] = event.tags.get(DATA_VERSION_TAG) if event else None
    return recorded


@dg.schedule(
    name="nightly_schedule",
    job=nightly_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    description="02:00 Europe/London: the latest complete year, every year whose delivered "
    "files changed since their last materialisation, and the reference assets if theirs did.",
)
def nightly_schedule(context: dg.ScheduleEvaluationContext, data_sources: DataSources):
    try:
        files = fingerprint(data_sources.folder)
    except DeliveryError as err:
        return dg.SkipReason(str(err))
    expected = expected_versions(files, FinancialYear.parse(config.FIRST_YEAR.value()))
    plan = nightly_plan(
        expected,
        recorded_versions(context.instance, expected),
        reporting_years.get_partition_keys(),
    )
    if not plan:
        return dg.SkipReason(
            f"Nothing to run: no complete reporting year delivered in {data_sources.folder}."
        )
    night = f"{context.scheduled_execution_time or datetime.now(UTC):%Y-%m-%d}"
    return run_requests(plan, context.repository_def, tags={TRIGGER_TAG: "nightly"}, run_key=night)
