"""The delivery sensor: a run as soon as a new or changed file lands in TIP_DATA_DIR.

Files are judged by content hash, never by time stamp: the cursor is JSON {file name: sha256}
of the folder as last seen, so a file copied again unchanged requests nothing. New or changed
files request their reporting years (one run each, partitions offered only) and, for
reference files or youth-justice history, the unpartitioned assets. The first tick sees
every file as new. Hashing reads every file once a minute; at England scale raise
``minimum_interval_seconds`` (or the sensor's interval in the UI).
"""

from __future__ import annotations

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.changes import (
    affected_files,
    changed_files,
    dump_cursor,
    fingerprint,
    load_cursor,
)
from tip_pipeline.defs.jobs import TRIGGER_TAG, nightly_job, run_requests
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.resources import DataSources
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.ingest.reader import data_version
from tip_pipeline.periods import FinancialYear

MINIMUM_INTERVAL_SECONDS = 60


@dg.sensor(
    name="delivery_sensor",
    job=nightly_job,
    minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
    description="Watches TIP_DATA_DIR: a run for each reporting year (and the reference "
    "assets) with a new or changed file, judged by SHA-256; unchanged files are skipped.",
)
def delivery_sensor(context: dg.SensorEvaluationContext, data_sources: DataSources):
    folder = data_sources.folder
    try:
        current = fingerprint(folder)
    except DeliveryError as err:
        return dg.SkipReason(str(err))
    changed = changed_files(load_cursor(context.cursor), current)
    if not changed:
        return dg.SkipReason(f"No new or changed delivery in {folder} ({len(current)} files).")
    first = FinancialYear.parse(config.FIRST_YEAR.value())
    affected = affected_files(changed, first, reporting_years.get_partition_keys())
    cursor = dump_cursor(current)
    if not affected:
        return dg.SensorResult(
            skip_reason=f"{len(changed)} new or changed files ({', '.join(changed[:5])}) "
            f"belong to no complete reporting year offered as a partition.",
            cursor=cursor,
        )
    context.log.info(f"new or changed: {', '.join(changed)}")
    requests = run_requests(
        affected,
        context.repository_def,
        tags={TRIGGER_TAG: "delivery"},
        run_key=data_version(current.items())[:16],
    )
    return dg.SensorResult(run_requests=requests, cursor=cursor)
