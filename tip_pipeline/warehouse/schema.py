"""The warehouse's tables, declared once as SQLAlchemy Core metadata.

Layers (see ``layers``): ``restricted`` holds one raw staging table per contract extract,
``published`` the aggregates analysts read, ``ops`` the pipeline's bookkeeping. Lineage runs
published row -> ``run_id`` -> ``ops.runs`` and ``ops.ingest_log`` -> the hashes of the input
files of that run.

Staging tables are built from the data contracts (``tip_pipeline.sources.contracts``), so a new
contract column is a new staging column (and a new Alembic revision: the migrations hold their
own copy of the DDL and ``test_migrations`` fails until one is written). Staging keeps every
value as delivered, as text, empty -> NULL: parsing and validation happen downstream, and a
quarantine entry can always point back to ``(source_file, line_number)``.

Every table and column carries a comment, for the generated data dictionary.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import cache
from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

from tip_pipeline.sources.contracts import EXTRACTS, Extract, Kind
from tip_pipeline.warehouse.layers import OPS, PUBLISHED, RESTRICTED

#: PostgreSQL's identifier limit (NAMEDATALEN - 1)
MAX_IDENTIFIER: Final = 63

#: constraint and index names, deterministic so that migrations can name them
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: columns every staging table starts with, before the contract's columns
STAGING_META_COLUMNS: Final = ("period", "quarter", "source_file", "line_number", "load_run_id")

AREA_TYPES: Final = ("lsoa", "ward", "la", "region", "country")


# -- names ---------------------------------------------------------------------------------

_EXPLANATION_RE: Final = re.compile(r"\([^()]*\s[^()]*\)")  # "(where 1 is most deprived)"
_ALNUM_RUN_RE: Final = re.compile(r"[A-Za-z0-9]+")
_WORD_RE: Final = re.compile(r"[A-Z]{2,}(?=[a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def db_column_name(contract_name: str) -> str:
    """A deterministic snake_case column name for a contract column name.

    ``LAchildID`` -> ``la_child_id``, ``CINreferralDate`` -> ``cin_referral_date``,
    ``HOME_POST`` -> ``home_post``, ``LSOA21CD`` -> ``lsoa21cd``, ``F0`` -> ``f0``,
    ``LSOA code (2021)`` -> ``lsoa_code_2021``, ``Index of Multiple Deprivation (IMD) Rank
    (where 1 is most deprived)`` -> ``index_of_multiple_deprivation_imd_rank``: explanations in
    parentheses (several words) are dropped, one-word ones kept. All-capital runs with digits
    stay one word (the ONS style). Anything still longer than PostgreSQL's 63 characters is cut
    and given a hash suffix, so two long names cannot collide.
    """
    words = [
        word
        for run in _ALNUM_RUN_RE.findall(_EXPLANATION_RE.sub(" ", contract_name))
        for word in _split_run(run)
    ]
    if not words:
        raise ValueError(f"no usable characters in column name {contract_name!r}")
    name = "_".join(words)
    if name[0].isdigit():
        name = f"c_{name}"
    if len(name) > MAX_IDENTIFIER:
        digest = hashlib.sha1(contract_name.encode()).hexdigest()[:8]
        name = f"{name[: MAX_IDENTIFIER - 9].rstrip('_')}_{digest}"
    return name


def _split_run(run: str) -> list[str]:
    """The lower-case words of one alphanumeric run (camelCase split; ``LSOA21CD`` kept)."""
    if run.isupper() or run.isdigit() or run.islower():
        return [run.lower()]
    return [word.lower() for word in _WORD_RE.findall(run)]


@cache
def staging_columns(table_name: str) -> Mapping[str, str]:
    """Contract column name -> staging column name, in contract order, for one extract."""
    extract = EXTRACTS[table_name]
    names = {col.name: db_column_name(col.name) for col in extract.columns}
    taken = list(STAGING_META_COLUMNS) + list(names.values())
    clashes = sorted({name for name in taken if taken.count(name) > 1})
    if clashes:
        raise ValueError(f"{table_name}: staging column names collide: {clashes}")
    return names


def staging_table_name(table_name: str) -> str:
    return f"stg_{table_name}"


# -- restricted ------------------------------------------------------------------------------


def _staging(extract: Extract) -> Table:
    names = staging_columns(extract.table)
    name = staging_table_name(extract.table)
    return Table(
        name,
        metadata,
        Column(
            "period",
            Text,
            nullable=False,
            comment="Financial year of the delivery (e.g. 2023/24), or the reference file's "
            "vintage",
        ),
        Column("quarter", Integer, comment="Quarter 1-4 of a quarterly extract; NULL otherwise"),
        Column("source_file", Text, primary_key=True, comment="Name of the delivered file"),
        Column(
            "line_number",
            Integer,
            primary_key=True,
            comment="1-based physical line of the record in the file (the header is line 1)",
        ),
        Column("load_run_id", Text, nullable=False, comment="Run that loaded the row (ops.runs)"),
        *(
            Column(names[col.name], Text, comment=f"{col.description} (delivered as {col.name})")
            for col in extract.columns
        ),
        Index(f"ix_{name}_period", "period"),
        schema=RESTRICTED,
        comment=f"Raw {extract.table} rows as delivered, all text, empty as NULL. "
        f"{extract.description}",
    )


STAGING_TABLES: Final[Mapping[str, Table]] = {
    table: _staging(extract) for table, extract in EXTRACTS.items()
}


def staging_table(table_name: str) -> Table:
    """The staging table of the contract extract ``table_name`` (e.g. ``cin_children``)."""
    try:
        return STAGING_TABLES[table_name]
    except KeyError:
        raise KeyError(f"no contract extract {table_name!r}") from None


_TYPES: Final = {Kind.DATE: Date, Kind.BIRTH_MONTH: Date, Kind.INT: BigInteger, Kind.FLOAT: Double}


def validated_table_name(table_name: str) -> str:
    return table_name


def _validated(extract: Extract) -> Table:
    names = staging_columns(extract.table)
    name = validated_table_name(extract.table)
    return Table(
        name,
        metadata,
        Column("period", Text, nullable=False, comment="Financial year (e.g. 2023/24) or vintage"),
        Column("quarter", Integer, comment="Quarter 1-4 of a quarterly extract; NULL otherwise"),
        Column("source_file", Text, primary_key=True, comment="Name of the delivered file"),
        Column("line_number", Integer, primary_key=True, comment="Physical line in the file"),
        Column("run_id", Text, nullable=False, comment="Run that validated the row (ops.runs)"),
        *(
            Column(
                names[col.name],
                _TYPES.get(col.kind, Text),
                comment=f"{col.description} (delivered as {col.name})",
            )
            for col in extract.columns
        ),
        Index(f"ix_{name}_period", "period"),
        schema=RESTRICTED,
        comment=f"Validated {extract.table} rows, typed: every rule passed. {extract.description}",
    )


VALIDATED_TABLES: Final[Mapping[str, Table]] = {
    table: _validated(extract) for table, extract in EXTRACTS.items()
}


def validated_table(table_name: str) -> Table:
    """The typed table of rows that passed every rule, for the extract ``table_name``."""
    try:
        return VALIDATED_TABLES[table_name]
    except KeyError:
        raise KeyError(f"no contract extract {table_name!r}") from None


# -- ops -------------------------------------------------------------------------------------

runs = Table(
    "runs",
    metadata,
    Column(
        "run_id", Text, primary_key=True, comment="Run id (the Dagster run id where there is one)"
    ),
    Column("job", Text, nullable=False, comment="Job or command that ran"),
    Column("started_at", DateTime(timezone=True), nullable=False, comment="Start time"),
    Column("finished_at", DateTime(timezone=True), comment="End time; NULL while running"),
    Column("status", Text, nullable=False, comment="Run status, e.g. started, success, failure"),
    Column("data_dir", Text, comment="Directory of the deliveries read"),
    Column("warehouse_url_redacted", Text, comment="Warehouse URL written, password removed"),
    Column("code_version", Text, comment="Version of the pipeline code (package version, git sha)"),
    schema=OPS,
    comment="One row per pipeline run: the lineage anchor of every published row's run_id.",
)

ingest_log = Table(
    "ingest_log",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Run that read the file (ops.runs)"),
    Column("file_name", Text, primary_key=True, comment="Delivered file name"),
    Column("table_name", Text, nullable=False, comment="Contract extract the file belongs to"),
    Column("asset_key", Text, comment="Dagster asset that loaded it, if any"),
    Column("period", Text, comment="Financial year (e.g. 2023/24) or reference vintage"),
    Column("quarter", Integer, comment="Quarter 1-4 of a quarterly extract; NULL otherwise"),
    Column("size_bytes", BigInteger, nullable=False, comment="File size in bytes"),
    Column("sha256", Text, nullable=False, comment="SHA-256 of the file's bytes, hex"),
    Column("rows", BigInteger, nullable=False, comment="Data rows read (header excluded)"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, comment="When it was loaded"),
    Index("ix_ingest_log_table_name_period", "table_name", "period"),
    schema=OPS,
    comment="Every delivered file each run read, with its hash: run -> input files.",
)


quarantine = Table(
    "quarantine",
    metadata,
    Column("period", Text, nullable=False, comment="Financial year or reference vintage"),
    Column("table_name", Text, primary_key=True, comment="Contract extract"),
    Column("source_file", Text, primary_key=True, comment="Delivered file"),
    Column("line_number", Integer, primary_key=True, comment="Physical line in the file"),
    Column(
        "stage",
        Text,
        nullable=False,
        comment="'read' (a malformed line, set aside by ingestion) or 'validate' (a rule)",
    ),
    Column("rule_id", Text, nullable=False, comment="First rule the row breaks"),
    Column("rule_text", Text, nullable=False, comment="The rule in plain English"),
    Column("other_rules", Text, comment="Further rules the row breaks, comma-separated"),
    Column("child_id", Text, comment="Pseudonymised child id of the row, where it has one"),
    Column("record", Text, comment="The original record as delivered (JSON), or the raw line"),
    Column("run_id", Text, nullable=False, comment="Run that quarantined the row (ops.runs)"),
    Column("quarantined_at", DateTime(timezone=True), nullable=False, comment="When"),
    Index("ix_quarantine_period_table_name", "period", "table_name"),
    schema=OPS,
    comment="Rows set aside by validation, each with its file, line and rule. Person-level: "
    "never published.",
)

validation_results = Table(
    "validation_results",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Run that validated (ops.runs)"),
    Column("period", Text, primary_key=True, comment="Financial year or reference vintage"),
    Column("table_name", Text, primary_key=True, comment="Contract extract"),
    Column("rule_id", Text, primary_key=True, comment="Rule id"),
    Column("source", Text, nullable=False, comment="Source (cin, ssda903, yjs, hclic, ref)"),
    Column("rule_text", Text, nullable=False, comment="The rule in plain English"),
    Column("dfe_rule", Text, comment="DfE validation rule number, where it has one"),
    Column("family", Text, nullable=False, comment="Kind of rule (code_list, unique_key, ...)"),
    Column("rows_checked", BigInteger, nullable=False, comment="Rows of the table"),
    Column("rows_broken", BigInteger, nullable=False, comment="Rows breaking the rule"),
    Column("passed", Boolean, nullable=False, comment="True when no row breaks the rule"),
    Column("expectation", Text, comment="Great Expectations expectation run on accepted rows"),
    Column("expectation_passed", Boolean, comment="Its result; NULL where none maps"),
    Column("data_version", Text, comment="Hash of the input files validated"),
    Column("checked_at", DateTime(timezone=True), nullable=False, comment="When"),
    schema=OPS,
    comment="Every run's result for every rule: a source's quality over time. Kept, not replaced.",
)

completeness = Table(
    "completeness",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Run that measured (ops.runs)"),
    Column("period", Text, primary_key=True, comment="Financial year"),
    Column("table_name", Text, primary_key=True, comment="Contract extract"),
    Column("measure", Text, primary_key=True, comment="What is measured"),
    Column("source", Text, nullable=False, comment="Source"),
    Column("numerator", BigInteger, nullable=False, comment="Rows with the gap"),
    Column("denominator", BigInteger, nullable=False, comment="Rows looked at"),
    Column("checked_at", DateTime(timezone=True), nullable=False, comment="When"),
    schema=OPS,
    comment="Completeness of accepted rows per source and year (unknown LSOA, ethnicity not "
    "recorded, completed assessments without factors, ...).",
)


# -- published -------------------------------------------------------------------------------

_IMD_COLUMNS: Final = ("imd_score", "imd_rank", "imd_decile", "imd_quintile")

dim_area = Table(
    "dim_area",
    metadata,
    Column("area_code", Text, primary_key=True, comment="ONS GSS code"),
    Column("area_name", Text, nullable=False, comment="Area name"),
    Column("area_type", Text, nullable=False, comment="lsoa, ward, la, region or country"),
    Column(
        "parent_code",
        Text,
        comment="Next area up: lsoa -> ward -> la -> region -> country; NULL for a country",
    ),
    Column("la_code", Text, comment="Local authority containing the area (itself for an la)"),
    Column("imd_score", Double, comment="IoD2025 IMD score (LSOA only)"),
    Column("imd_rank", Integer, comment="IoD2025 national rank, 1 = most deprived (LSOA only)"),
    Column("imd_decile", Integer, comment="IoD2025 national decile, 1 = most deprived (LSOA only)"),
    Column("imd_quintile", Integer, comment="ceil(imd_decile / 2), 1 = most deprived (LSOA only)"),
    Column("run_id", Text, nullable=False, comment="Run that published the row (ops.runs)"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, comment="When it was published"),
    CheckConstraint(
        "area_type IN (" + ", ".join(f"'{t}'" for t in AREA_TYPES) + ")", name="area_type"
    ),
    CheckConstraint("imd_decile BETWEEN 1 AND 10", name="imd_decile"),
    CheckConstraint("imd_quintile = (imd_decile + 1) / 2", name="imd_quintile"),
    CheckConstraint(
        "area_type = 'lsoa' OR (" + " AND ".join(f"{c} IS NULL" for c in _IMD_COLUMNS) + ")",
        name="imd_lsoa_only",
    ),
    Index("ix_dim_area_area_type_la_code", "area_type", "la_code"),
    schema=PUBLISHED,
    comment="Areas and their hierarchy (LSOA 2021 -> ward 2024 -> LA 2024 -> region -> country), "
    "with IoD2025 deprivation for LSOAs.",
)

data_quality = Table(
    "data_quality",
    metadata,
    Column("period", Text, primary_key=True, comment="Financial year (e.g. 2023/24)"),
    Column("source", Text, nullable=False, comment="Source (cin, ssda903, yjs, hclic)"),
    Column("table_name", Text, primary_key=True, comment="Extract"),
    Column("rule_id", Text, primary_key=True, comment="Rule id; 'all' for the table's total"),
    Column("rule_text", Text, nullable=False, comment="The rule in plain English"),
    Column("rows_read", BigInteger, nullable=False, comment="Records read from the files"),
    Column("rows_quarantined", BigInteger, nullable=False, comment="Records set aside"),
    Column("run_id", Text, nullable=False, comment="Run that published the row (ops.runs)"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, comment="When it was published"),
    schema=PUBLISHED,
    comment="Data-quality summary of the latest deliveries: records read and quarantined by "
    "source, year and rule. Counts of records, no record's content.",
)
