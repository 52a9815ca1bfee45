"""Policies applied once to every asset: owners, kinds, freshness, code references; and the
warehouse writers' pool and retries on transient database errors only."""

from pathlib import Path

import dagster as dg
import psycopg
import pytest

from tip_pipeline.definitions import defs
from tip_pipeline.defs import policies
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import WAREHOUSE_POOL, warehouse_writer, writes_warehouse
from tip_pipeline.defs.resources import DataSources, Warehouse


def test_every_asset_has_owners_kinds_freshness_and_code_references():
    for spec in defs.resolve_all_asset_specs():
        name = spec.key.to_user_string()
        assert "team:data-engineering" in spec.owners, name
        assert spec.kinds, name
        assert spec.freshness_policy is not None, name
        references = spec.metadata[policies.CODE_REFERENCES].code_references
        assert len(references) == 1, name
        (reference,) = references
        # the asset's own body (its decorator or def line), not the writers' wrapper
        assert not reference.file_path.endswith("policies.py"), name
        line = Path(reference.file_path).read_text().splitlines()[reference.line_number - 1]
        assert line.lstrip().startswith(("@", "def ")), (name, line)


def test_partitioned_assets_are_expected_nightly():
    for spec in defs.resolve_all_asset_specs():
        if spec.partitions_def is not None:
            assert spec.freshness_policy == policies.NIGHTLY_FRESHNESS


def test_the_pool_is_the_steps_of_the_whole_graph():
    job = defs.resolve_implicit_global_asset_job_def()
    pools = {n.definition.name: n.definition.pool for n in job.graph.nodes}
    assert pools["ingest_validate_cin"] == WAREHOUSE_POOL
    assert pools["ingest__delivery_guard"] is None


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(policies, "TRANSIENT_RETRY", dg.RetryPolicy(max_retries=2))


#: every asset of the code location, by its op's name (one test each: they spread over workers)
ASSETS = {a.node_def.name: a for a in defs.assets}


def test_most_assets_write_the_warehouse():
    assert sum(writes_warehouse(a) for a in ASSETS.values()) > 10


NAME, DOB = "Olivia Hussain", "14/03/2015"  # what a library's error message would repeat

#: every use of a resource below in the current run (each use raises): one per attempt
TOUCHED: list[str] = []


def _error(resource: str, transient_uses: int, with_values: Exception) -> Exception:
    """What the next use of a resource raises: on the run's first ``transient_uses`` uses a
    dropped connection (a transient error) whose message repeats the values too, then
    ``with_values``."""
    TOUCHED.append(resource)
    if len(TOUCHED) <= transient_uses:
        return psycopg.OperationalError(
            f"server closed the connection unexpectedly while sending '{NAME}', '{DOB}'"
        )
    return with_values


class FolderOfValues(DataSources):
    """A delivery folder on a network share that drops (``transient_uses`` times), then whose
    reading fails the way pandas fails on a delivered value."""

    transient_uses: int = 0

    @property
    def folder(self) -> Path:
        raise _error(
            "data_sources",
            self.transient_uses,
            ValueError(f"time data '{DOB}' of '{NAME}' doesn't match format '%Y-%m'"),
        )


class WarehouseOfValues(Warehouse):
    """A warehouse whose connection drops (``transient_uses`` times), then that refuses a row
    and repeats it."""

    transient_uses: int = 0

    def engine(self):
        raise _error(
            "warehouse",
            self.transient_uses,
            psycopg.errors.UniqueViolation(
                f'duplicate key value violates unique constraint "pk"\n'
                f"DETAIL:  Key (child_id)=({NAME}) already exists."
            ),
        )


def _fail_with_values(
    assets_def: dg.AssetsDefinition,
    instance: dg.DagsterInstance | None = None,
    transient_uses: int = 0,
) -> dg.DagsterEvent:
    """The step failure of ``assets_def`` run against resources whose errors repeat values,
    the first ``transient_uses`` transient; ``TOUCHED`` then holds one use per attempt."""
    TOUCHED.clear()
    partitioned = assets_def.partitions_def is not None
    result = dg.materialize(
        [assets_def],
        resources={
            "data_sources": FolderOfValues(path="unused", transient_uses=transient_uses),
            "warehouse": WarehouseOfValues(url="unused", transient_uses=transient_uses),
        },
        instance=instance,
        partition_key=reporting_years.get_partition_keys()[0] if partitioned else None,
        raise_on_error=False,
    )
    assert not result.success
    return next(e for e in result.all_events if e.is_step_failure)


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_an_asset_is_retried_if_it_writes_and_fails_without_the_values(no_delay, name):
    """Each asset of the code location run once, against resources that fail twice with a
    dropped connection (a transient error) and then with a data error, every message
    repeating a name and a date of birth. An asset requiring the warehouse is a writer and
    nothing else is: a writer (in the warehouse pool) is retried on the transient errors, up
    to TRANSIENT_RETRY.max_retries (2 here) times, and fails on the data error; any other
    asset is never retried and fails on the first. Either way the step fails naming the
    error's class, with neither value in its description or its error (chained causes
    included). An asset declared without ``warehouse_writer`` or ``file_reader`` fails here."""
    assets_def = ASSETS[name]
    failure = _fail_with_values(assets_def, transient_uses=2).step_failure_data
    description = failure.user_failure_data.description
    if writes_warehouse(assets_def):
        assert assets_def.node_def.pool == WAREHOUSE_POOL
        assert len(TOUCHED) == 3
        assert "UniqueViolation" in description or "ValueError" in description
    else:
        assert assets_def.node_def.pool is None
        assert len(TOUCHED) == 1
        assert "OperationalError" in description
    assert "withheld" in description
    stored = description + failure.error.to_string()
    assert NAME not in stored and DOB not in stored


def test_nothing_of_the_values_reaches_the_instance_folder_or_the_output(tmp_path, capfd):
    """The same for a file reader and a writer, on an instance on disk: neither value is in the
    output or in any file of the instance (event log, run store, compute logs)."""
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        for name in ("ingest__delivery_guard", "ingest_validate_cin"):
            _fail_with_values(ASSETS[name], instance)
    output = "".join(capfd.readouterr())
    assert "withheld" in output
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"withheld" in stored
    for value in (NAME, DOB):
        assert value not in output and value.encode() not in stored


def flaky(errors: list[Exception], attempts: list[int], generator: bool) -> dg.AssetsDefinition:
    if generator:

        @warehouse_writer(dg.multi_asset, specs=[dg.AssetSpec("flaky")])
        def body(context: dg.AssetExecutionContext):
            attempts.append(context.retry_number)
            if errors:
                raise errors.pop(0)
            yield dg.MaterializeResult(asset_key="flaky")

    else:

        @warehouse_writer(dg.asset, name="flaky")
        def body(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
            attempts.append(context.retry_number)
            if errors:
                raise errors.pop(0)
            return dg.MaterializeResult()

    return body


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
