"""The Dagster code location: every asset, check, job and resource, and the global policies.

Loaded by ``dagster dev -w workspace.yaml`` and by ``tip run``. Domain logic lives in plain
modules (sources, ingest, validate, indicators, warehouse, reports); tip_pipeline.defs only
wires it.
"""

from __future__ import annotations

import os

import dagster as dg

from tip_pipeline import config

# Defaults are applied here, once, so that EnvVar below always resolves and the UI still shows
# which variable each setting comes from.
for _setting in config.SETTINGS:
    os.environ.setdefault(_setting.name, _setting.default)

from tip_pipeline.defs.history import yjs_history  # noqa: E402
from tip_pipeline.defs.intake import raw_history, raw_returns, raw_returns_sensor  # noqa: E402
from tip_pipeline.defs.jobs import full_refresh_job, nightly_job  # noqa: E402
from tip_pipeline.defs.policies import apply_policies  # noqa: E402
from tip_pipeline.defs.progress import LOGGERS  # noqa: E402
from tip_pipeline.defs.publish import publish_assets  # noqa: E402
from tip_pipeline.defs.reports import impact_report  # noqa: E402
from tip_pipeline.defs.resources import DataSources, Warehouse  # noqa: E402
from tip_pipeline.defs.retention import purge_job, purge_schedule  # noqa: E402
from tip_pipeline.defs.schedules import nightly_schedule  # noqa: E402
from tip_pipeline.defs.sensors import delivery_sensor  # noqa: E402
from tip_pipeline.defs.validate import (  # noqa: E402
    delivery_guard,
    reference_guard,
    validation_assets,
)
from tip_pipeline.defs.year import year_assets  # noqa: E402

# owners, kinds, freshness, code references (defs/policies.py; the warehouse writers declare
# their pool and retries with its warehouse_writer)
defs = dg.Definitions(
    assets=apply_policies(
        [
            raw_returns,  # a local authority's raw returns taken in, when TIP_RAW_DIR is set
            raw_history,  # and its years before the first reporting year (youth justice)
            delivery_guard,
            reference_guard,
            yjs_history,
            *validation_assets,  # each stages its source's files, then validates them
            *year_assets,  # a year's indicators and what is published of them, in one step
            *publish_assets,
            impact_report,
        ]
    ),
    jobs=[nightly_job, full_refresh_job, purge_job],
    # the purge's schedule is off until the authority sets its retention (defs/retention.py)
    schedules=[nightly_schedule, purge_schedule],
    sensors=[delivery_sensor, raw_returns_sensor],
    resources={
        "data_sources": DataSources(
            path=dg.EnvVar(config.DATA_DIR.name), raw=dg.EnvVar(config.RAW_DIR.name)
        ),
        "warehouse": Warehouse(url=dg.EnvVar(config.WAREHOUSE_URL.name)),
    },
    # Dagster's console logger, and tip run's progress display, which only its runs name
    loggers=LOGGERS,
)
