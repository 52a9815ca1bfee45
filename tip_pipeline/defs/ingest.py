"""Ingestion assets: one per extract contract, declared by looping over the contracts.

Each is an output of its source's multi-asset in defs/validate.py, which stages the source's
files and then validates them in the same step (tip_pipeline.validate.source_year); this
module declares the ingestion side."""

import dagster as dg

from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.ingest.load import IngestResult
from tip_pipeline.sources.contracts import Extract

GROUP = "ingest"
#: nothing of a delivery is staged before the identifier guard has passed it
GUARD_PER_PERIOD = dg.AssetKey([GROUP, "delivery_guard"])
GUARD_REFERENCE = dg.AssetKey([GROUP, "reference_guard"])


def _column_schema(extract: Extract) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(c.name, "text", description=f"{c.kind.value}: {c.description}")
            for c in extract.columns
        ]
    )


def _files_markdown(result: IngestResult) -> str:
    lines = ["| file | bytes | rows | sha256 |", "|---|---:|---:|---|"]
    lines += [f"| {f.name} | {f.size_bytes} | {f.rows} | `{f.sha256}` |" for f in result.files]
    return "\n".join(lines)


def _metadata(result: IngestResult) -> dict[str, dg.MetadataValue | int | str]:
    """What a data engineer wants to see: which bytes were read and how many rows they held.
    Never a value of a record."""
    return {
        "dagster/row_count": result.rows,
        "period": result.period,
        "files": dg.MetadataValue.md(_files_markdown(result)),
        "sha256": result.files[0].sha256 if len(result.files) == 1 else result.data_version,
        "size_bytes": sum(f.size_bytes for f in result.files),
        # rows of children erased before (tip erase), refused at staging (ops.erasures)
        "rows_erased": result.erased,
    }


def ingest_spec(extract: Extract) -> dg.AssetSpec:
    """The staged rows of one extract for a reporting year (or its reference vintage).

    Staged by the multi-asset that validates the extract's source (defs/validate.py): the
    rows are validated while still in memory instead of being read back."""
    return dg.AssetSpec(
        key=[GROUP, extract.table],
        group_name=GROUP,
        partitions_def=reporting_years if extract.per_period else None,
        deps=[GUARD_PER_PERIOD if extract.per_period else GUARD_REFERENCE],
        description=f"{extract.description}\n\nStaged as delivered (text) in "
        f"restricted.stg_{extract.table}. Contract: data_sources/README.md#{extract.table}.",
        kinds={"csv", "pandas"},
        tags={"source": extract.source},
        metadata={"dagster/column_schema": _column_schema(extract), "source": extract.source},
    )


def ingest_materialization(result: IngestResult) -> dg.MaterializeResult:
    """The staged extract's materialization: its files, rows, and the files' hash as its data
    version (what the nightly schedule compares)."""
    return dg.MaterializeResult(
        asset_key=dg.AssetKey([GROUP, result.table]),
        metadata=_metadata(result),
        data_version=dg.DataVersion(result.data_version),
    )
