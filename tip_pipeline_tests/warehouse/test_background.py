"""Writes on a background thread: run in the order given; a failed write cancels the writes
queued behind it and reaches the caller."""

import threading

import pytest

from tip_pipeline.warehouse.background import writes_in_background


class WriteFailed(RuntimeError):
    pass


def test_background_writes_run_in_order_and_a_failure_cancels_the_rest():
    done: list[int] = []

    def record(n: int) -> None:
        done.append(n)

    with writes_in_background() as write:
        for n in range(5):
            write(record, n)
    assert done == [0, 1, 2, 3, 4]

    started = threading.Event()
    release = threading.Event()

    def fail() -> None:
        started.set()
        release.wait(5)
        raise WriteFailed("first")

    done.clear()
    with pytest.raises(WriteFailed), writes_in_background() as write:
        write(fail)
        started.wait(5)
        write(record, 1)  # queued behind the failing write
        release.set()
    assert done == []  # never run: cancelled, or skipped after the failure was seen
