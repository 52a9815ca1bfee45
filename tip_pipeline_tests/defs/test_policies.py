"""Policies applied once to every asset: owners, kinds, freshness, code references, the
warehouse pool, and retries on transient database errors only."""

import dagster as dg
import psycopg
import pytest

from tip_pipeline.definitions import defs
from tip_pipeline.defs import policies
from tip_pipeline.defs.policies import WAREHOUSE_POOL, as_warehouse_writer, writes_warehouse


def test_every_asset_has_owners_kinds_freshness_and_code_references():
    for spec in defs.resolve_all_asset_specs():
        name = spec.key.to_user_string()
        assert "team:data-engineering" in spec.owners, name
        assert spec.kinds, name
        assert spec.freshness_policy is not None, name
        references = spec.metadata["dagster/code_references"].code_references
        assert references and not references[0].file_path.endswith("policies.py"), name


def test_partitioned_assets_are_expected_nightly():
    for spec in defs.resolve_all_asset_specs():
        if spec.partitions_def is not None:
            assert spec.freshness_policy == policies.NIGHTLY_FRESHNESS


def test_every_warehouse_writer_is_in_the_pool_and_nothing_else():
    writers = [a for a in defs.assets if writes_warehouse(a)]
    assert len(writers) > 10
    for assets_def in defs.assets:
        expected = WAREHOUSE_POOL if writes_warehouse(assets_def) else None
        assert assets_def.node_def.pool == expected, assets_def.node_def.name
    job = defs.resolve_implicit_global_asset_job_def()
    pools = {n.definition.name: n.definition.pool for n in job.graph.nodes}
    assert pools["ingest_validate_cin"] == WAREHOUSE_POOL
    assert pools["ingest__delivery_guard"] is None


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(policies, "TRANSIENT_RETRY", dg.RetryPolicy(max_retries=2))


def flaky(errors: list[Exception], attempts: list[int], generator: bool) -> dg.AssetsDefinition:
    if generator:

        @dg.multi_asset(specs=[dg.AssetSpec("flaky")])
        def body(context: dg.AssetExecutionContext):
            attempts.append(context.retry_number)
            if errors:
                raise errors.pop(0)
            yield dg.MaterializeResult(asset_key="flaky")

    else:

        @dg.asset(name="flaky")
        def body(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            attempts.append(context.retry_number)
            if errors:
                raise errors.pop(0)
            return dg.MaterializeResult()

    return as_warehouse_writer(body)


@pytest.mark.parametrize("generator", [False, True])
def test_transient_errors_are_retried(no_delay, generator):
    attempts: list[int] = []
    errors = [psycopg.OperationalError("server closed the connection unexpectedly")]
    result = dg.materialize([flaky(errors, attempts, generator)])
    assert result.success and attempts == [0, 1]


@pytest.mark.parametrize(
    "error",
    [
        dg.Failure(description="delivery refused", allow_retries=False),
        ValueError("not a financial year"),
        psycopg.errors.UniqueViolation("duplicate key"),
    ],
)
def test_data_problems_and_bugs_are_never_retried(no_delay, error):
    attempts: list[int] = []
    result = dg.materialize([flaky([error], attempts, False)], raise_on_error=False)
    assert not result.success and attempts == [0]


def test_retries_are_bounded(no_delay):
    attempts: list[int] = []
    errors = [psycopg.OperationalError("connection refused") for _ in range(5)]
    result = dg.materialize([flaky(errors, attempts, False)], raise_on_error=False)
    assert not result.success and attempts == [0, 1, 2]
