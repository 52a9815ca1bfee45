"""Writes on a background thread, in order, while the caller goes on computing.

Validation writes each table's outcome while it checks the next: the database does the insert
(PostgreSQL's server process, SQLite's engine without the GIL) while Python evaluates rules,
and at england scale the writes take as long as the rules (the figures are in
``docs/PERFORMANCE.md``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

__all__ = ["writes_in_background"]


@contextmanager
def writes_in_background() -> Iterator[Callable[..., None]]:
    """``write(function, *args)`` runs ``function(*args)`` on one background thread, in the
    order given, while the caller goes on. After a failed write the later ones are skipped,
    and the failure is raised (at the next ``write`` or on leaving the block). Leaving the
    block waits for every write, so a transaction the caller opened around the block ends
    after the last one; a failure of the caller inside the block cancels the writes not
    started."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tip-validation-writes")
    futures: list[Future] = []
    failed = threading.Event()

    def unless_failed(function: Callable[..., None], *args) -> None:
        if failed.is_set():
            return
        try:
            function(*args)
        except BaseException:
            failed.set()
            raise

    def write(function: Callable[..., None], *args) -> None:
        for future in futures:
            if future.done():
                future.result()  # raise a failed write now, not at the end
        futures.append(pool.submit(unless_failed, function, *args))

    try:
        yield write
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # the caller failed: write no more
        raise
    pool.shutdown(wait=True)
    for future in futures:
        future.result()
