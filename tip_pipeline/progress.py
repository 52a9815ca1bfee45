"""What ``tip run`` shows while it works: which run of how many (the reference data, then each
reporting year), which step of how many, the step running now and the time since the start.

Dagster's own event lines (about 1,200 DEBUG lines for the demo) are for the UI, where every
event stays in the instance; on the terminal they hide how far a run has got, so ``tip run``
shows them only with ``--verbose`` and this display otherwise (issue "newcomer and analyst
experience", point 3). On a terminal the display is one line redrawn in place; written to a
file or a pipe (cron, CI) it is one line per finished step, so a log shows where a run stopped.

Plain Python: the Dagster logger that feeds it is ``tip_pipeline.defs.progress``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

#: how a step ended, as the display words it
FINISHED, FAILED, SKIPPED = "done", "FAILED", "skipped"


def elapsed(seconds: float) -> str:
    """``42s``, ``3m05s``, ``1h02m``: short enough for one terminal line."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


@dataclass
class Progress:
    """The display's state, changed by the run's step events and drawn on ``stream``.

    ``live`` redraws one line (a terminal); otherwise each finished step is one line.
    """

    stream: TextIO
    runs_total: int
    live: bool = False
    clock: Callable[[], float] = time.monotonic
    run_index: int = 0
    run_label: str = ""
    steps_total: int = 0
    steps_done: int = 0
    current: str = ""
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def begin_run(self, label: str, steps: int) -> None:
        """The next run starts: ``label`` names what it runs (a year, or the reference data)."""
        self.run_index += 1
        self.run_label, self.steps_total, self.steps_done, self.current = label, steps, 0, ""
        self._draw()

    def step_started(self, step: str) -> None:
        self.current = step
        self._draw()

    def step_finished(self, step: str, outcome: str = FINISHED) -> None:
        self.steps_done += 1
        if self.live:
            self.current = "" if self.current == step else self.current
            self._draw()
        else:
            self.stream.write(self.line(f"{step} {outcome}") + "\n")
            self.stream.flush()

    def end(self) -> None:
        """Leave the terminal on a new line after the last redraw."""
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def line(self, doing: str | None = None) -> str:
        """``run 2/3 2024-25 | step 5/14 | <doing> | 1m23s``."""
        doing = self.current if doing is None else doing
        parts = [
            f"run {self.run_index}/{self.runs_total} {self.run_label}",
            f"step {self.steps_done}/{self.steps_total}",
            *([doing] if doing else []),
            elapsed(self.clock() - self.started),
        ]
        return " | ".join(parts)

    def _draw(self) -> None:
        if self.live:
            # \r returns to the line's start; \x1b[K clears what a longer line left behind
            self.stream.write("\r" + self.line() + "\x1b[K")
            self.stream.flush()


_shown: Progress | None = None


@contextmanager
def showing(progress: Progress) -> Iterator[Progress]:
    """Make ``progress`` the display the run's step events go to (``shown``) while the block
    runs; one run at a time in a process, as ``tip run`` runs them."""
    global _shown
    _shown = progress
    try:
        yield progress
    finally:
        _shown = None
        progress.end()


def shown() -> Progress | None:
    """The display ``tip run`` is showing, or None (a run from the UI or the daemon)."""
    return _shown
