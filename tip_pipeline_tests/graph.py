"""The one way the tests materialise the project's asset graph: the reference assets, then each
reporting year's partition, in order, as `tip run` does.

Every test that calls :func:`materialise` (directly or through a fixture) is a whole-graph test
and must carry the ``integration`` marker, which keeps it out of the unit tier
(``pytest -m "not integration"``); :func:`materialise` fails a test that lacks it, so the
marker cannot be forgotten. The conftest's ``pytest_runtest_setup`` hook tells this module
which test is running. Dagster and the Definitions are imported when first needed, so the
conftest's import of this module costs a unit test nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tip_pipeline.periods import FinancialYear

if TYPE_CHECKING:
    import dagster as dg

INTEGRATION = "integration"

_running: list[pytest.Item] = []  # the test being set up or run (one at a time)


def running(item: pytest.Item | None) -> None:
    """Record the test now running (called by the conftest's hook; None when it ends)."""
    _running.clear()
    if item is not None:
        _running.append(item)


def require_integration_marker() -> None:
    """Fail the running test unless it is marked ``integration``: it materialises the graph."""
    if _running and _running[0].get_closest_marker(INTEGRATION) is None:
        pytest.fail(
            f"{_running[0].nodeid} materialises the asset graph (directly or through a "
            f"fixture) but is not marked @pytest.mark.{INTEGRATION}",
            pytrace=False,
        )


def resources(data: Path | str, url: str) -> dict[str, dg.ConfigurableResource]:
    """The two resources every asset reads: the delivery folder and the warehouse."""
    from tip_pipeline.defs.resources import DataSources, Warehouse

    return {"data_sources": DataSources(path=str(data)), "warehouse": Warehouse(url=url)}


def keys(partitioned: bool, group: str | None = None) -> list[dg.AssetKey]:
    """The partitioned (a reporting year's) or unpartitioned (reference) asset keys, of one
    group or of all."""
    from tip_pipeline.definitions import defs

    return [
        s.key
        for s in defs.resolve_all_asset_specs()
        if (s.partitions_def is not None) == partitioned and group in (None, s.group_name)
    ]


@dataclass
class Materialised:
    """The runs of one :func:`materialise` call: the reference run (None when skipped) and
    each year's run, by partition key (``2023-24``)."""

    reference: dg.ExecuteInProcessResult | None
    years: dict[str, dg.ExecuteInProcessResult] = field(default_factory=dict)

    @property
    def last(self) -> dg.ExecuteInProcessResult:
        """The last year's run (the one most tests look at)."""
        return list(self.years.values())[-1]


def materialise(
    data: Path | str,
    url: str,
    years: Sequence[str] = (),
    *,
    reference: bool = True,
    selection: Sequence[dg.AssetKey] | None = None,
    raise_on_error: bool = True,
    instance: dg.DagsterInstance | None = None,
) -> Materialised:
    """Materialise the reference assets (unless ``reference`` is False), then each of
    ``years`` (``2023/24`` or ``2023-24``) in order: every partitioned asset, or only
    ``selection``. With ``raise_on_error`` False a failed run is returned, not raised. The runs
    go to ``instance`` if given (else an ephemeral one, in memory)."""
    require_integration_marker()
    import dagster as dg

    from tip_pipeline.definitions import defs

    assets = list(defs.assets)
    done = Materialised(reference=None)
    if reference:
        done.reference = dg.materialize(
            assets,
            selection=keys(False),
            resources=resources(data, url),
            raise_on_error=raise_on_error,
            instance=instance,
        )
    for year in years:
        tag = FinancialYear.parse(year).tag
        done.years[tag] = dg.materialize(
            assets,
            selection=list(selection) if selection is not None else keys(True),
            partition_key=tag,
            resources=resources(data, url),
            raise_on_error=raise_on_error,
            instance=instance,
        )
    return done
