"""Retention in Dagster: the purge as a job with a weekly schedule, off by default, and the
purge of the instance's own runs (``tip_pipeline.warehouse.retention`` purges the warehouse and
the folders; ``tip purge`` runs both, the same way).

The schedule is off until an operator turns it on in the UI (or ``dagster schedule start``),
after the authority has set its retention (``TIP_RETAIN_*``): deleting records is the
authority's decision, never a default.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.defs.policies import SCHEDULE_TIMEZONE
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.periods import FinancialYear
from tip_pipeline.warehouse.engine import REFERENCE_SCOPE, write_transaction
from tip_pipeline.warehouse.retention import (
    DAGSTER_RUNS,
    Plan,
    Purged,
    Retention,
    plan,
    purge,
    record,
)
from tip_pipeline.warehouse.runs import record_run

FINISHED_STATUSES = [
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
]
PURGE_CRON = "0 3 * * 0"  # Sundays 03:00, after the nightly run


def runs_past_retention(instance: dg.DagsterInstance, before: datetime) -> list[str]:
    """The ids of the instance's finished runs created before ``before``."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=FINISHED_STATUSES, created_before=before)
    )
    return [r.dagster_run.run_id for r in records]


def delete_runs(instance: dg.DagsterInstance, run_ids: list[str]) -> int:
    """Delete each run with its event log, and its compute logs (stdout and stderr of its
    steps: the local compute log manager keeps them in ``$DAGSTER_HOME/storage/<run id>``)."""
    home = os.environ.get("DAGSTER_HOME")
    for run_id in run_ids:
        instance.delete_run(run_id)
        if home:
            shutil.rmtree(Path(home) / "storage" / run_id, ignore_errors=True)
    return len(run_ids)


@dataclass(frozen=True)
class Outcome:
    """What a purge found (``plan``), the runs past retention, and what it deleted."""

    plan: Plan
    runs: list[str]
    done: list[Purged]

    def report(self, dry_run: bool) -> list[str]:
        """What ``tip purge`` prints: what it deleted (or would), and what it kept and why."""
        lines = self._would() if dry_run else [i.line() for i in self.done if i.count]
        return (lines or ["nothing past retention"]) + [f"kept: {why}" for why in self.plan.kept]

    def _would(self) -> list[str]:
        found = self.plan
        lines = [f"would purge the records of {year.label}" for year in found.years]
        for what, paths in (
            ("contract files", found.contract_files),
            ("raw files", found.raw_files),
        ):
            if paths:
                lines.append(f"would delete {len(paths)} {what}")
        if found.quarantine_before is not None:
            day = found.quarantine_before.date().isoformat()
            lines.append(f"would erase the records quarantined before {day}")
        if self.runs:
            lines.append(f"would delete {len(self.runs)} finished Dagster runs")
        return lines


def purge_all(
    engine: sa.Engine,
    instance: dg.DagsterInstance,
    data_dir: Path,
    raw_dir: Path | None,
    dry_run: bool,
    purge_id: str | None = None,
) -> Outcome:
    """Purge everything past the retention settings: the warehouse and folders, then the
    instance's runs (the purge's own run, still going, is not finished, so never deleted);
    with ``dry_run``, only say what would be purged."""
    retention = Retention.from_settings()
    now = datetime.now(UTC)
    baseline = FinancialYear.parse(config.FIRST_YEAR.value())
    with engine.connect() as conn:
        found = plan(conn, retention, data_dir, raw_dir, baseline, now)
    runs = (
        runs_past_retention(instance, now - timedelta(days=retention.run_days))
        if retention.run_days is not None
        else []
    )
    if dry_run:
        return Outcome(found, runs, [])
    purge_id = purge_id or str(uuid.uuid4())
    done = purge(engine, found, retention, purge_id, now)
    if runs:
        item = Purged(
            DAGSTER_RUNS, delete_runs(instance, runs), f"TIP_RETAIN_RUN_DAYS={retention.run_days}"
        )
        with write_transaction(engine, REFERENCE_SCOPE) as conn:
            record(conn, purge_id, [item], now, first=len(done) + 1)
        done.append(item)
    with write_transaction(engine, REFERENCE_SCOPE) as conn:
        record_run(conn, purge_id, "tip purge", now)
    return Outcome(found, runs, done)


@dg.op(description="Delete what is past the retention settings (TIP_RETAIN_*), as tip purge does")
def purge_past_retention(
    context: dg.OpExecutionContext, warehouse: Warehouse, data_sources: DataSources
) -> dg.Output[int]:
    outcome = purge_all(
        warehouse.engine(),
        context.instance,
        data_sources.folder,
        data_sources.raw_folder,
        dry_run=False,
        purge_id=context.run_id,
    )
    lines = [item.line() for item in outcome.done] or ["nothing past retention"]
    return dg.Output(
        sum(item.count for item in outcome.done),
        metadata={"purged": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines))},
    )


@dg.job(description="Retention: purge what is past the TIP_RETAIN_* settings (counts only)")
def purge_job() -> None:
    purge_past_retention()


purge_schedule = dg.ScheduleDefinition(
    name="purge_schedule",
    job=purge_job,
    cron_schedule=PURGE_CRON,
    execution_timezone=SCHEDULE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Sundays 03:00 Europe/London: tip purge. Off until the authority has set its "
    "retention (TIP_RETAIN_*) and turns it on.",
)
