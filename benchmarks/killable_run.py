"""``tip run`` with an injected kill switch, for the kill harness (kill_harness.py).

    python benchmarks/killable_run.py --kill-at N --count-file F -- run --data D --warehouse URL

Counts the warehouse's commits as SQLAlchemy announces them (the ``commit`` connection event
fires just before COMMIT is sent) and, at the ``N``-th, kills its own process with SIGKILL:
the N-th transaction is lost and the warehouse is exactly as after commit N - 1, the state a
kill at that commit boundary leaves. ``--kill-at 0`` never kills (a clean run, to count the
boundaries). The count so far is written to ``--count-file`` before each commit. Commits of
other databases (the Dagster instance's own storage) are not counted.

Not part of the package: the hook exists only in this process, for the harness.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

import sqlalchemy as sa

from tip_pipeline.cli import main
from tip_pipeline.warehouse.engine import normalise_url


def install_kill_switch(warehouse_url: str, kill_at: int, count_file: Path) -> None:
    """Count the commits of ``warehouse_url``'s database; SIGKILL at the ``kill_at``-th."""
    database = normalise_url(warehouse_url).database
    commits = 0

    @sa.event.listens_for(sa.engine.Engine, "commit")
    def _before_commit(conn: sa.Connection) -> None:
        nonlocal commits
        if conn.engine.url.database != database:
            return
        commits += 1
        count_file.write_text(str(commits))
        if commits == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


def _warehouse(tip_args: list[str]) -> str:
    return tip_args[tip_args.index("--warehouse") + 1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kill-at", type=int, required=True)
    parser.add_argument("--count-file", type=Path, required=True)
    parser.add_argument("tip_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    tip_args = [a for a in args.tip_args if a != "--"]
    install_kill_switch(_warehouse(tip_args), args.kill_at, args.count_file)
    sys.exit(main(tip_args))
