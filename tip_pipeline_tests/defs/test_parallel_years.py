"""Two reporting years' runs at once on a PostgreSQL warehouse publish as if in year order.

Why: a year's disclosure control depends on the earlier years' *published* cells (the
involvement flows and the cohorts keep the earlier years' cells as published,
``publish.suppression``; the inequality changes are withheld where the baseline year's
quintiles are). Two runs of different years take different advisory locks
(``warehouse.engine.write_transaction``), so on PostgreSQL a later year could publish first
and the earlier year after it. Found by publishing 2022/23, 2021/22, 2020/21 of a small delivery in
that order: 2021/22's inequality changes were then published beside withheld baseline
quintiles, and 2022/23's cohort cells could be narrowed to a range 0 wide (its disclosure
audit failed once the earlier years were in).

The scene, made deterministic with an advisory lock the test holds: the earlier year's run
(2020-21, staged again, then its figures) is in flight but held at its first write; the later
year's run (2021-22, its figures only) starts. The later year must not publish until the
earlier run is over, and must then publish from the earlier year's rows as they are now: both
years pass their disclosure audits afterwards. Before years were ordered, both runs succeeded
and 2021/22's audit then failed: its inequality changes were published though the baseline
year's quintiles, published after it, are withheld.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish.audit import audit_year
from tip_pipeline.sources.generator import generate
from tip_pipeline.warehouse.engine import ADVISORY_LOCK_NAMESPACE, make_engine
from tip_pipeline_tests import graph
from tip_pipeline_tests.conftest import PLANTED_SEED

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

THRESHOLD = 5  # TIP_SUPPRESSION_THRESHOLD's default
#: seconds the later year is given to publish (wrongly) while the earlier one is held
HELD_S = 30
RUN_TIMEOUT_S = 600
NO_COMPUTE_LOGS = {
    "compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager",
        "class": "NoOpComputeLogManager",
    }
}


def _year_keys() -> list[dg.AssetKey]:
    """The keys of the one step that computes and publishes a year (``defs/year.py``)."""
    from tip_pipeline.definitions import defs

    return sorted(defs.resolve_assets_def(dg.AssetKey(["published", "indicator_values"])).keys)


def _staging_keys() -> list[dg.AssetKey]:
    """A year's staging and validation: every partitioned asset but its figures and reports."""
    year = set(_year_keys())
    return [k for k in graph.keys(True) if k not in year and k.path[0] != "reports"]


def _in_thread(
    done: dict, name: str, data, url, year: str, selection, instance
) -> threading.Thread:
    def run() -> None:
        done[name] = graph.materialise(
            data,
            url,
            [year],
            reference=False,
            selection=selection,
            raise_on_error=False,
            instance=instance,
        ).last

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def _started(instance: dg.DagsterInstance, year: str) -> bool:
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            tags={"dagster/partition": year}, statuses=[dg.DagsterRunStatus.STARTED]
        )
    )
    return bool(runs)


def _years() -> list[FinancialYear]:
    """The first three reporting years offered: the partitions are fixed when the Definitions
    are first imported, by the ``TIP_FIRST_YEAR`` of that moment (a session fixture may set it
    for itself, ``leeds_warehouse``)."""
    from tip_pipeline.defs.partitions import reporting_years

    return [FinancialYear.parse(k) for k in reporting_years.get_partition_keys()[:3]]


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small years, the first the baseline. Not the session's ``small_delivery``: its
    2021/22 does not converge in disclosure control even published after 2020/21 (on main
    too), which would hide the order this test is about."""
    first, _, last = _years()
    out = tmp_path_factory.mktemp("three_years")
    generate(out, scale="small", seed=PLANTED_SEED, first_year=first.label, last_year=last.label)
    return out


def test_a_later_year_publishes_after_an_earlier_year_in_flight(
    delivery, postgres_url, monkeypatch, tmp_path
):
    data = delivery
    earlier, later = (year.tag for year in _years()[:2])
    monkeypatch.setenv("TIP_FIRST_YEAR", _years()[0].label)  # the baseline of the changes
    monkeypatch.setenv("TIP_PUBLISH_WAIT_S", str(RUN_TIMEOUT_S))
    engine = make_engine(postgres_url)
    # no compute-log capture: two runs in threads of one process would share its file
    # descriptors, and the capture's ``tail -F`` processes could outlive the test
    with dg.instance_for_test(temp_dir=str(tmp_path), overrides=NO_COMPUTE_LOGS) as instance:
        # both years staged and validated, nothing of either published yet
        graph.materialise(
            data, postgres_url, [earlier, later], selection=_staging_keys(), instance=instance
        )
        holder = engine.connect()
        holder.execute(
            sa.text("SELECT pg_advisory_lock(:ns, hashtext(:scope))"),
            {"ns": ADVISORY_LOCK_NAMESPACE, "scope": FinancialYear.parse(earlier).label},
        )
        done: dict[str, dg.ExecuteInProcessResult] = {}
        try:
            earlier_run = _in_thread(
                done, "earlier", data, postgres_url, earlier,
                [*_staging_keys(), *_year_keys()], instance,
            )  # fmt: skip
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while not _started(instance, earlier):
                assert time.monotonic() < deadline, "the earlier year's run never started"
                time.sleep(0.2)
            later_run = _in_thread(done, "later", data, postgres_url, later, _year_keys(), instance)
            later_run.join(HELD_S)  # without an order, the later year publishes in this time
        finally:  # the earlier year's run goes on (a session lock outlives a pooled close)
            holder.execute(
                sa.text("SELECT pg_advisory_unlock(:ns, hashtext(:scope))"),
                {"ns": ADVISORY_LOCK_NAMESPACE, "scope": FinancialYear.parse(earlier).label},
            )
            holder.close()
        earlier_run.join(RUN_TIMEOUT_S)
        later_run.join(RUN_TIMEOUT_S)
    assert done["earlier"].success and done["later"].success
    for year in (earlier, later):
        found = audit_year(engine, FinancialYear.parse(year).label, THRESHOLD)
        assert found.passed, (year, found.problems[:5])
    engine.dispose()
