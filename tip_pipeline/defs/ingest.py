"""Ingestion assets: one per extract contract, declared by looping over the contracts."""

import dagster as dg

from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.ingest.discovery import DeliveryError
from tip_pipeline.ingest.load import IngestResult, ingest_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, Extract

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
    }


def build_ingest_asset(extract: Extract) -> dg.AssetsDefinition:
    """Stage one extract's files for a reporting year (or its reference vintage)."""

    @dg.asset(
        name=extract.table,
        key_prefix=[GROUP],
        group_name=GROUP,
        partitions_def=reporting_years if extract.per_period else None,
        deps=[GUARD_PER_PERIOD if extract.per_period else GUARD_REFERENCE],
        description=f"{extract.description}\n\nStaged as delivered (text) in "
        f"restricted.stg_{extract.table}. Contract: data_sources/README.md#{extract.table}.",
        kinds={"csv", "pandas"},
        tags={"source": extract.source},
        metadata={"dagster/column_schema": _column_schema(extract), "source": extract.source},
    )
    def _ingest(
        context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse
    ) -> dg.MaterializeResult:
        period = FinancialYear.parse(context.partition_key) if extract.per_period else None
        try:
            result = ingest_extract(
                warehouse.engine(), data_sources.folder, extract.table, period, context.run.run_id
            )
        except DeliveryError as err:
            raise dg.Failure(description=str(err), allow_retries=False) from None
        return dg.MaterializeResult(
            metadata=_metadata(result), data_version=dg.DataVersion(result.data_version)
        )

    return _ingest


ingest_assets = [build_ingest_asset(extract) for extract in EXTRACTS.values()]
