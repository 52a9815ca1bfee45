"""Years published in year order when their runs go on at once (issue #21, years in parallel).

Why an order: a year's disclosure control starts from the earlier years as published. The
involvement flows and the cohorts keep every earlier year's cell as it was published
(``cells.earlier_statuses``, ``suppression.published_in_effect``), and the inequality changes
are withheld where the baseline year's quintiles are (``tables.published_inequality``). A
year published before an earlier year it relates to is controlled against cells that the
earlier year's publication then changes: published in the order 2022/23, 2021/22, 2020/21, a
small delivery's 2021/22 inequality changes stood beside withheld baseline quintiles, and
2022/23's cohort cells could be narrowed to a range 0 wide (its audit failed afterwards;
``tip_pipeline_tests/defs/test_parallel_years.py``).

So a year's figures are computed at once, whatever runs beside them, but published only when
no run of an earlier year that publishes it is still in flight; the publish transactions of
all years then take turns (``warehouse.engine.PUBLICATION_SCOPE``), and a year whose inputs
were validated again while it waited is computed again (``indicators.data.validated_runs``).
The runs in flight come from the Dagster instance (``defs/year.py``); this module decides.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: seconds between two looks at the runs in flight
POLL_S = 5.0
#: the tag of a run that runs its years one after the other, oldest first, in its own
#: process (``tip run``, ``runner``): no year waits for it
IN_ORDER_TAG = "tip/years_in_order"


@dataclass(frozen=True)
class InFlight:
    """A run not yet finished that publishes a year: its id and its partition (``2023-24``)."""

    run_id: str
    year: str


def earlier_in_flight(year: str, runs: Iterable[InFlight], own_run: str) -> list[str]:
    """The years before ``year`` (partition keys, which sort as years do) that a run other
    than ``own_run`` is still to publish, oldest first."""
    return sorted({r.year for r in runs if r.year < year and r.run_id != own_run})


def wait_for_earlier(
    blocking: Callable[[], list[str]],
    timeout_s: float,
    poll_s: float = POLL_S,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    waiting: Callable[[list[str]], None] = lambda years: None,
) -> list[str]:
    """Look at ``blocking`` (the earlier years in flight) every ``poll_s`` until it is empty
    or ``timeout_s`` has passed; what it last returned (empty: go on and publish).
    ``waiting`` is told the years whenever they change, for the run's log."""
    deadline = clock() + timeout_s
    told: list[str] | None = None
    while True:
        years = blocking()
        if not years or clock() >= deadline:
            return years
        if years != told:
            waiting(years)
            told = years
        sleep(min(poll_s, max(deadline - clock(), 0.0)))


def still_waiting(year: str, years: list[str], timeout_s: float) -> str:
    """Why ``year`` was not published: the earlier years whose runs were still in flight."""
    return (
        f"{year} was not published: after {timeout_s:.0f} s the runs of {', '.join(years)} were "
        "still in flight, and a year is published after the years before it (its disclosure "
        "control starts from them as published). Let those runs finish (or mark a run that "
        "died as failed in the Dagster UI), then run this year again; TIP_PUBLISH_WAIT_S sets "
        "the wait."
    )
