"""The Dagster logger behind ``tip run``'s progress display (``tip_pipeline.progress``).

A code location's loggers run only when a run's config names them (Dagster's "Custom loggers"
guide): ``tip run`` names ``progress`` (or ``console`` with ``--verbose``), so runs launched
from the UI, the schedule or a sensor keep Dagster's default console logger and never see this
one. Every event is stored in the instance whichever logger prints.
"""

import logging

import dagster as dg

from tip_pipeline.progress import FAILED, FINISHED, SKIPPED, shown

PROGRESS = "progress"
CONSOLE = "console"


def _outcome(event: dg.DagsterEvent) -> str | None:
    """How a finished step ended, or None for any other event."""
    if event.is_step_success:
        return FINISHED
    if event.is_step_failure:
        return FAILED
    if event.is_step_skipped:
        return SKIPPED
    return None


class _StepEvents(logging.Handler):
    """Passes a run's step starts and ends to the display ``tip run`` is showing; Dagster
    attaches the event to each log record it emits (``record.dagster_event``)."""

    def emit(self, record: logging.LogRecord) -> None:
        event, display = getattr(record, "dagster_event", None), shown()
        if display is None or not isinstance(event, dg.DagsterEvent) or not event.step_key:
            return
        if event.is_step_start:
            display.step_started(event.step_key)
        elif (outcome := _outcome(event)) is not None:
            display.step_finished(event.step_key, outcome)


@dg.logger(description="tip run's progress display: runs and steps done of total, elapsed time")
def progress_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger("tip_pipeline.progress", level=logging.DEBUG)
    logger.addHandler(_StepEvents())
    return logger


#: the code location's loggers: Dagster's console logger as before, and the progress display
LOGGERS = {CONSOLE: dg.colored_console_logger, PROGRESS: progress_logger}


def run_config(verbose: bool) -> dict:
    """The loggers a ``tip run`` run uses: Dagster's event lines with ``verbose``, else the
    progress display alone."""
    if verbose:
        return {"loggers": {CONSOLE: {"config": {"log_level": "DEBUG"}}}}
    return {"loggers": {PROGRESS: {}}}
