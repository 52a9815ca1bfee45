"""Validation assets: the identifier guard before staging, then one multi-asset per source
that stages its files (the ingestion assets) and validates them in the same step (the
validated tables, each with its checks).

Blocking checks (ERROR) stop everything downstream in the run: a file whose records do not
add up, a quarantine share above the threshold, accepted rows that fail Great Expectations.
Rules broken by a few rows are a WARN: those rows are quarantined, the rest flow on.
"""

import dagster as dg

from tip_pipeline import config
from tip_pipeline.defs.ingest import ingest_materialization, ingest_spec
from tip_pipeline.defs.intake import RAW_RETURNS
from tip_pipeline.defs.partitions import reporting_years
from tip_pipeline.defs.policies import file_reader, warehouse_writer
from tip_pipeline.defs.resources import DataSources, Warehouse
from tip_pipeline.ingest.discovery import unknown_files
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.guard import guard_delivery
from tip_pipeline.validate.source_year import SourceYear
from tip_pipeline.validate.store import TableReport, quality_history

GROUP = "validate"

#: validation units, each source's tables validated together (cross-table rules, cascades):
#: the service sources, and the reference files per period and of their own vintage
PER_PERIOD_REFERENCE = contracts.tables(service=False, per_period=True)
STATIC_REFERENCE = contracts.tables(per_period=False)
LOOKUP_KEY = dg.AssetKey(["validated", "ref_lsoa_lookup"])


def quarantine_threshold() -> float:
    return float(config.QUARANTINE_THRESHOLD.value())


# -- identifier guard -----------------------------------------------------------------------


def _guard(
    context: dg.AssetExecutionContext, data_sources: DataSources, tables, period
) -> dg.MaterializeResult:
    """The guard over ``tables``; files of the folder that match no contract are named in a
    warning (never read), before the guard may refuse the delivery."""
    unknown = unknown_files(data_sources.folder)
    if unknown:
        context.log.warning(
            f"{len(unknown)} file(s) in the data folder match no contract and were not read: "
            f"{', '.join(unknown)}"
        )
    scanned = guard_delivery(data_sources.folder, tables, period)  # refusals: value-free
    return dg.MaterializeResult(
        metadata={"files_scanned": len(scanned), "unknown_files": ", ".join(unknown) or "none"}
    )


@file_reader(
    dg.asset,
    key=["ingest", "delivery_guard"],
    group_name="ingest",
    partitions_def=reporting_years,
    deps=[RAW_RETURNS],  # the contract files intake writes, where raw returns are taken in
    kinds={"csv"},
)
def delivery_guard(
    context: dg.AssetExecutionContext, data_sources: DataSources
) -> dg.MaterializeResult:
    """Identifier guard for a year's delivery, run before anything of it is staged: every
    column of every file is scanned for full postcodes, NHS numbers, full dates of birth,
    names and free text; columns outside the contract refuse the delivery. The failure names
    file, column and kind, never a value."""
    period = FinancialYear.parse(context.partition_key)
    return _guard(context, data_sources, contracts.tables(per_period=True), period)


@file_reader(dg.asset, key=["ingest", "reference_guard"], group_name="ingest", kinds={"csv"})
def reference_guard(
    context: dg.AssetExecutionContext, data_sources: DataSources
) -> dg.MaterializeResult:
    """Identifier guard for the reference files of their own vintage (IMD, lookups,
    statistical neighbours, modelled rates)."""
    return _guard(context, data_sources, STATIC_REFERENCE, None)


# -- validation -----------------------------------------------------------------------------


def _rule_table(report: TableReport) -> str:
    lines = ["| rule | rows | sample lines (pseudonymised id) |", "|---|---:|---|"]
    for rule, count in sorted(report.rule_counts.items(), key=lambda kv: -kv[1]):
        if count:
            sample = ", ".join(
                f"{line} ({cid or '-'})" for line, cid in report.samples.get(rule, [])
            )
            lines.append(f"| {rule} | {count} | {sample} |")
    if report.malformed:
        lines.append(f"| {report.table}.malformed_line | {report.malformed} | see ops.quarantine |")
    return "\n".join(lines) if len(lines) > 2 else "No rule broken."


def _history_table(history) -> str:
    lines = ["| checked at | run | quarantined | read |", "|---|---|---:|---:|"]
    lines += [f"| {at:%Y-%m-%d %H:%M} | {run[:8]} | {q} | {n} |" for at, run, q, n in history]
    return "\n".join(lines)


def _metadata(report: TableReport, history) -> dict:
    return {
        "dagster/row_count": report.accepted,
        "rows_read": report.rows_read,
        "rows_quarantined": report.quarantined + report.malformed,
        "quarantine_share": round(report.quarantine_share, 5),
        "children_with_quarantined_rows": report.children_affected,
        "rules": dg.MetadataValue.md(_rule_table(report)),
        "quality_history": dg.MetadataValue.md(_history_table(history)),
    }


def check_results(report: TableReport, key: dg.AssetKey, threshold: float):
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name="records_conserved",
        passed=report.conserved,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_read": report.rows_read,
            "accepted": report.accepted,
            "quarantined": report.quarantined,
            "malformed": report.malformed,
        },
    )
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name="quarantine_share",
        passed=report.quarantine_share <= threshold,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"At most {threshold:.1%} of records may be quarantined "
        f"({config.QUARANTINE_THRESHOLD.name}).",
        metadata={"share": round(report.quarantine_share, 5), "threshold": threshold},
    )
    failed = [r.rule_id for r in report.expectations if not r.success]
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name="great_expectations",
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"expectations": len(report.expectations), "failed": ", ".join(failed) or "none"},
    )
    broken = {rule: n for rule, n in report.rule_counts.items() if n}
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name="rules",
        passed=not broken and not report.malformed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rules_broken": len(broken), "rules": dg.MetadataValue.md(_rule_table(report))},
    )


CHECK_NAMES = (
    ("records_conserved", True, "Records read = accepted + quarantined, for every file."),
    ("quarantine_share", True, "The share of records quarantined is within the threshold."),
    ("great_expectations", True, "Accepted rows meet every expectation the rules map to."),
    ("rules", False, "No rule is broken (WARN: broken rows are quarantined, the rest flow on)."),
)


def build_validation_asset(name: str, tables: tuple[str, ...], partitioned: bool):
    """One multi-asset staging ``tables`` and validating them together (cross-table rules,
    cascades), in one step (tip_pipeline.validate.source_year): the staged rows are validated
    while still in memory rather than read back from the warehouse. Its outputs are the
    ingestion assets and the validated tables with their checks; they are materialised
    together."""
    keys = {t: dg.AssetKey(["validated", t]) for t in tables}
    needs_lookup = any(EXTRACTS[t].home_lsoa for t in tables)
    specs = [
        dg.AssetSpec(
            key=keys[t],
            group_name=GROUP,
            description=f"Validated {t}: typed rows that pass every rule, in restricted.{t}; "
            f"the rest in ops.quarantine with file, line and rule. {EXTRACTS[t].description}",
            deps=[dg.AssetKey(["ingest", t]), *([LOOKUP_KEY] if needs_lookup else [])],
            kinds={"pandas", "great_expectations"},
            partitions_def=reporting_years if partitioned else None,
            tags={"source": EXTRACTS[t].source},
        )
        for t in tables
    ]
    check_specs = [
        dg.AssetCheckSpec(name=check, asset=keys[t], blocking=blocking, description=text)
        for t in tables
        for check, blocking, text in CHECK_NAMES
    ]

    @warehouse_writer(
        dg.multi_asset,
        name=name,
        specs=[*(ingest_spec(EXTRACTS[t]) for t in tables), *specs],
        check_specs=check_specs,
        can_subset=False,
    )
    def _ingest_and_validate(
        context: dg.AssetExecutionContext, data_sources: DataSources, warehouse: Warehouse
    ):
        period = FinancialYear.parse(context.partition_key) if partitioned else None
        engine = warehouse.engine()
        unit = SourceYear(engine, data_sources.folder, tables, period, context.run.run_id)
        outcome = unit.run()  # staged and validated in one transaction
        for result in outcome.staged:
            yield ingest_materialization(result)
        reports = outcome.reports
        threshold = quarantine_threshold()
        for table in tables:
            report = reports[table]
            history = quality_history(engine, table, report.period)
            yield dg.MaterializeResult(asset_key=keys[table], metadata=_metadata(report, history))
            yield from check_results(report, keys[table], threshold)

    return _ingest_and_validate


validation_assets = [
    build_validation_asset("ingest_validate_reference", STATIC_REFERENCE, partitioned=False),
    build_validation_asset("ingest_validate_population_benchmarks", PER_PERIOD_REFERENCE, True),
    *(
        build_validation_asset(
            f"ingest_validate_{s}", contracts.tables(source=s, per_period=True), True
        )
        for s in contracts.service_sources()
    ),
]
