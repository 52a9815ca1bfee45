"""The policies every asset gets, applied once to the whole list in definitions.py, so that the
asset factories (and assets added later) stay free of them:

- owners (``team:data-engineering``) and a kind on every asset;
- freshness: partitioned assets are expected nightly (the 02:00 Europe/London schedule, done by
  06:00); unpartitioned reference assets once a year (their files have vintages);
- every asset that needs the ``warehouse`` resource is a *warehouse writer*: its step takes a
  slot of the Dagster concurrency pool ``warehouse`` (limits in the instance's dagster.yaml:
  1 for a SQLite warehouse, so that parallel runs never meet a locked file) and it is retried
  on transient database errors only.

Why not a plain ``RetryPolicy`` on the op: Dagster retries *every* exception under a
RetryPolicy except ``dg.Failure(allow_retries=False)`` (dagster/_core/execution/plan/utils.py),
so a bug or a data problem raised as anything else would be retried too. Writers are wrapped
instead: a transient error (tip_pipeline.warehouse.transient) raises ``dg.RetryRequested``
with the delays of ``TRANSIENT_RETRY``; every other error, and every Failure, passes through
unchanged and is never retried.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import dagster as dg

from tip_pipeline.warehouse.transient import is_transient

OWNERS = ("team:data-engineering",)
DEFAULT_KIND = "python"
WAREHOUSE_RESOURCE = "warehouse"
WAREHOUSE_POOL = "warehouse"
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


def retry_transient(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (an asset body, plain or generator) retried on transient database errors only."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as error:
                if is_transient(error):
                    raise _retry_request() from error
                raise

        return generator

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            if is_transient(error):
                raise _retry_request() from error
            raise

    return function


def writes_warehouse(assets_def: dg.AssetsDefinition) -> bool:
    return WAREHOUSE_RESOURCE in assets_def.required_resource_keys


def as_warehouse_writer(assets_def: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The same asset(s), its op in the ``warehouse`` pool and retried on transient errors."""
    op = assets_def.node_def
    if not isinstance(op, dg.OpDefinition) or op.pool:
        return assets_def
    compute = op.compute_fn
    wrapped = compute._replace(decorated_fn=retry_transient(compute.decorated_fn))  # type: ignore[union-attr]
    writer = dg.OpDefinition(
        compute_fn=wrapped,
        name=op.name,
        ins={d.name: dg.In.from_definition(d) for d in op.input_defs},
        outs={d.name: dg.Out.from_definition(d) for d in op.output_defs},
        description=op.description,
        config_schema=op.config_schema,
        required_resource_keys=op.required_resource_keys,
        tags=op.tags,
        code_version=op._version,  # no public getter (OpDefinition.version is deprecated)
        retry_policy=op.retry_policy,
        pool=WAREHOUSE_POOL,
    )
    # AssetsDefinition offers no public way to change its op; this is what with_attributes
    # does internally to change everything else
    return dg.AssetsDefinition.dagster_internal_init(
        **{**assets_def.get_attributes_dict(), "node_def": writer}
    )


def apply_policies(assets: Iterable[dg.AssetsDefinition]) -> list[dg.AssetsDefinition]:
    """Links to each asset's source code, owners, kinds, freshness and (for warehouse
    writers) pool and retries."""
    with warnings.catch_warnings():  # code references are "beta" in dagster 1.13
        warnings.simplefilter("ignore", dg.BetaWarning)
        # first, so that they point at each asset's own function, not the writer's wrapper
        referenced = dg.with_source_code_references(list(assets))
    result = []
    for assets_def in referenced:
        assets_def = assets_def.map_asset_specs(_with_metadata)
        if writes_warehouse(assets_def):
            assets_def = as_warehouse_writer(assets_def)
        result.append(assets_def)
    return result
