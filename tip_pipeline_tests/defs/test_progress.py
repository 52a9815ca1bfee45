"""The progress logger: a run naming it feeds the display its steps' starts and ends; a run
naming Dagster's console logger instead (tip run --verbose) does not; every event is stored in
the instance either way."""

import io

import dagster as dg
import pytest

from tip_pipeline.defs.progress import LOGGERS, run_config
from tip_pipeline.progress import Progress, showing


@dg.asset
def first() -> int:
    return 1


@dg.asset
def second(first: int) -> int:
    return first + 1


@dg.asset
def broken(second: int) -> int:
    raise ValueError("a step that fails")


def _run(verbose: bool, assets: list) -> tuple[str, dg.ExecuteInProcessResult, dg.DagsterInstance]:
    job = dg.Definitions(assets=assets, loggers=LOGGERS).resolve_implicit_global_asset_job_def()
    instance = dg.DagsterInstance.ephemeral()
    stream = io.StringIO()
    with showing(Progress(stream, runs_total=1)) as progress:
        progress.begin_run("test", steps=len(assets))
        result = job.execute_in_process(
            run_config=run_config(verbose), instance=instance, raise_on_error=False
        )
    return stream.getvalue(), result, instance


def test_the_display_gets_each_step_and_the_instance_every_event():
    shown, result, instance = _run(verbose=False, assets=[first, second, broken])
    lines = shown.splitlines()
    assert [line.split(" | ")[1:3] for line in lines] == [
        ["step 1/3", "first done"],
        ["step 2/3", "second done"],
        ["step 3/3", "broken FAILED"],
    ]
    stored = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_START)
    assert len(stored) == 3


def test_verbose_prints_dagster_lines_and_leaves_the_display_alone(capsys):
    shown, result, _ = _run(verbose=True, assets=[first, second])
    assert result.success and shown == ""
    assert "STEP_START" in capsys.readouterr().err


@pytest.mark.parametrize("verbose", [False, True])
def test_run_config_names_one_logger_of_the_code_location(verbose):
    assert set(run_config(verbose)["loggers"]) < set(LOGGERS)
