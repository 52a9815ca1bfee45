"""tip run's progress display: runs and steps done of total, the current step, elapsed time;
one line redrawn on a terminal, one line per finished step elsewhere."""

import io

from tip_pipeline.progress import FAILED, Progress, elapsed, showing, shown


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_elapsed_is_short():
    assert [elapsed(s) for s in (0, 42.9, 65, 3599, 3720)] == [
        "0s",
        "42s",
        "1m05s",
        "59m59s",
        "1h02m",
    ]


def test_a_log_gets_one_line_per_finished_step():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, runs_total=2, clock=clock)
    progress.begin_run("reference data", steps=2)
    progress.step_started("ingest__reference_guard")
    clock.now += 3
    progress.step_finished("ingest__reference_guard")
    progress.begin_run("2024-25", steps=9)
    progress.step_started("ingest_validate_cin")
    clock.now += 62
    progress.step_finished("ingest_validate_cin", FAILED)
    assert stream.getvalue().splitlines() == [
        "run 1/2 reference data | step 1/2 | ingest__reference_guard done | 3s",
        "run 2/2 2024-25 | step 1/9 | ingest_validate_cin FAILED | 1m05s",
    ]


def test_a_terminal_gets_one_line_redrawn_with_the_step_running_now():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, runs_total=3, live=True, clock=clock)
    progress.begin_run("2023-24", steps=9)
    progress.step_started("year_figures")
    clock.now += 5
    assert progress.line() == "run 1/3 2023-24 | step 0/9 | year_figures | 5s"
    progress.step_finished("year_figures")
    progress.end()
    text = stream.getvalue()
    assert "\n" not in text[:-1] and text.endswith("\n")
    drawn = [part.removesuffix("\x1b[K") for part in text.rstrip("\n").split("\r") if part]
    assert drawn[-2:] == [
        "run 1/3 2023-24 | step 0/9 | year_figures | 0s",
        "run 1/3 2023-24 | step 1/9 | 5s",
    ]


def test_the_display_is_shown_only_inside_its_block_even_when_the_run_fails():
    progress = Progress(io.StringIO(), runs_total=1)
    try:
        with showing(progress):
            assert shown() is progress
            raise RuntimeError("a step failed")
    except RuntimeError:
        pass
    assert shown() is None
