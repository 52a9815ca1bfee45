"""The policies every asset gets, and the one every warehouse writer is declared with.

Applied once to the whole list in definitions.py (``apply_policies``), so that the asset
factories (and assets added later) stay free of them:

- owners (``team:data-engineering``) and a kind on every asset;
- freshness: partitioned assets are expected nightly (the 02:00 Europe/London schedule, done by
  06:00); unpartitioned reference assets once a year (their files have vintages);
- a link to the source code of each asset's body.

Declared with every asset's body (``warehouse_writer`` or ``file_reader``): whatever the body
raises reaches Dagster as a ``dg.Failure`` whose description names the error without a value of
a record (tip_pipeline.errors: a database's or a parser's message repeats the values it choked
on, and the event log, the compute logs and ``tip run``'s output keep it).

Declared by each asset that needs the ``warehouse`` resource (``warehouse_writer``): its step
takes a slot of the Dagster concurrency pool ``warehouse`` (limits in the instance's
dagster.yaml: 1 for a SQLite warehouse, so that parallel runs never meet a locked file) and it
is retried on transient database errors only. tip_pipeline_tests/defs/test_policies.py proves
that every asset requiring the resource was declared so, and that every asset's errors are
value-free.

Why not a plain ``RetryPolicy`` on the op: Dagster retries *every* exception under a
RetryPolicy except ``dg.Failure(allow_retries=False)``, so a bug or a data problem raised as
anything else would be retried too. A writer's body is wrapped instead: a transient error
(tip_pipeline.warehouse.transient) raises ``dg.RetryRequested`` with the delays of
``TRANSIENT_RETRY``; every other error becomes a ``Failure`` that is never retried.
"""

from __future__ import annotations

import functools
import inspect
import os
import warnings
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import dagster as dg

from tip_pipeline.errors import describe, withheld
from tip_pipeline.warehouse.transient import is_transient

OWNERS = ("team:data-engineering",)
DEFAULT_KIND = "python"
WAREHOUSE_RESOURCE = "warehouse"
WAREHOUSE_POOL = "warehouse"
#: the metadata key of an asset's links to its source code (Dagster's own)
CODE_REFERENCES = "dagster/code_references"
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL)
SCHEDULE_TIMEZONE = "Europe/London"
#: the nightly run starts at 02:00; a partitioned asset not updated by 06:00 is late
NIGHTLY_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=4), timezone=SCHEDULE_TIMEZONE
)
#: reference files are re-delivered with each vintage, about once a year
REFERENCE_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=400), warn_window=timedelta(days=370)
)


def _with_metadata(spec: dg.AssetSpec) -> dg.AssetSpec:
    freshness = NIGHTLY_FRESHNESS if spec.partitions_def is not None else REFERENCE_FRESHNESS
    return spec.replace_attributes(
        owners=sorted({*spec.owners, *OWNERS}),
        kinds=spec.kinds or {DEFAULT_KIND},
        freshness_policy=spec.freshness_policy or freshness,
    )


def _retry_request() -> dg.RetryRequested:
    attempt = dg.AssetExecutionContext.get().retry_number + 1
    return dg.RetryRequested(
        max_retries=TRANSIENT_RETRY.max_retries,
        seconds_to_wait=TRANSIENT_RETRY.calculate_delay(attempt),
    )


def _raised_instead(error: Exception, retry_transient: bool) -> BaseException:
    """What a step raises for ``error``: a retry request for a transient database error (of a
    writer), ``dg.Failure`` and ``dg.RetryRequested`` as they are, and for anything else a
    ``dg.Failure`` (never retried) whose description names the error without a value
    (tip_pipeline.errors)."""
    if isinstance(error, dg.Failure | dg.RetryRequested):
        return error
    if retry_transient and is_transient(error):
        dg.AssetExecutionContext.get().log.warning(f"retrying a transient error: {describe(error)}")
        return _retry_request()
    return dg.Failure(description=str(withheld(error)), allow_retries=False)


def guarded(fn: Callable[..., Any], retry_transient: bool) -> Callable[..., Any]:
    """``fn`` (an asset body, plain or generator) whose errors reach Dagster value-free, and
    (``retry_transient``) retried on transient database errors only. Errors are re-raised
    ``from None``: Dagster stores a chained cause's message with the step's failure."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as error:
                raise _raised_instead(error, retry_transient) from None

        return generator

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            raise _raised_instead(error, retry_transient) from None

    return function


def writes_warehouse(assets_def: dg.AssetsDefinition) -> bool:
    return WAREHOUSE_RESOURCE in assets_def.required_resource_keys


def code_reference(fn: Callable[..., Any]) -> dg.CodeReferencesMetadataValue:
    """Where ``fn`` is defined: its file and the line its definition starts on."""
    path = os.path.abspath(inspect.getsourcefile(fn) or inspect.getfile(fn))
    line = inspect.getsourcelines(fn)[1]
    with warnings.catch_warnings():  # code references are "beta" in dagster 1.13
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.CodeReferencesMetadataValue(
            code_references=[dg.LocalFileCodeReference(file_path=path, line_number=line)]
        )


def has_code_references(assets_def: dg.AssetsDefinition) -> bool:
    return all(CODE_REFERENCES in spec.metadata for spec in assets_def.specs)


def _declare(
    decorator: Callable[..., Callable[[Callable[..., Any]], dg.AssetsDefinition]],
    retry_transient: bool,
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    def declare(body: Callable[..., Any]) -> dg.AssetsDefinition:
        assets_def = decorator(**kwargs)(guarded(body, retry_transient))
        reference = code_reference(body)
        return assets_def.map_asset_specs(
            lambda spec: spec.replace_attributes(
                metadata={**spec.metadata, CODE_REFERENCES: reference}
            )
        )

    return declare


def warehouse_writer(
    decorator: Callable[..., Callable[[Callable[..., Any]], dg.AssetsDefinition]],
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """``decorator(**kwargs)`` (``dg.asset`` or ``dg.multi_asset``) for an asset that writes the
    warehouse: its step in the ``warehouse`` pool, its body retried on transient database errors
    only, its errors value-free, and its code reference pointing at the body (not at the
    wrapper)."""
    return _declare(decorator, retry_transient=True, pool=WAREHOUSE_POOL, **kwargs)


def file_reader(
    decorator: Callable[..., Callable[[Callable[..., Any]], dg.AssetsDefinition]],
    **kwargs: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """``decorator(**kwargs)`` for an asset that reads delivered files and writes nothing: its
    errors value-free, never retried, no pool."""
    return _declare(decorator, retry_transient=False, **kwargs)


def apply_policies(assets: Iterable[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Links to each asset's source code (writers carry theirs already), owners, kinds and
    freshness."""
    result = []
    for assets_def in assets:
        if not has_code_references(assets_def):
            with warnings.catch_warnings():  # code references are "beta" in dagster 1.13
                warnings.simplefilter("ignore", dg.BetaWarning)
                (assets_def,) = dg.with_source_code_references([assets_def])
        result.append(assets_def.map_asset_specs(_with_metadata))
    return result
