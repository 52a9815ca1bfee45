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
from dataclasses import dataclass
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

from tip_pipeline.sources.contracts import EXTRACTS, ColumnKind, Extract
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


@dataclass(frozen=True)
class _Layout:
    """What differs between an extract's staging table and its validated table."""

    name: str
    period_comment: str
    line_comment: str
    run_column: str
    run_comment: str
    typed: bool
    comment: str


def _extract_table(extract: Extract, layout: _Layout) -> Table:
    """One table per extract: where each row came from, then the contract's columns (text as
    delivered, or typed by kind)."""
    names = staging_columns(extract.table)
    return Table(
        layout.name,
        metadata,
        Column("period", Text, nullable=False, comment=layout.period_comment),
        Column("quarter", Integer, comment="Quarter 1-4 of a quarterly extract; NULL otherwise"),
        Column("source_file", Text, primary_key=True, comment="Name of the delivered file"),
        Column("line_number", Integer, primary_key=True, comment=layout.line_comment),
        Column(layout.run_column, Text, nullable=False, comment=layout.run_comment),
        *(
            Column(
                names[col.name],
                _TYPES.get(col.kind, Text) if layout.typed else Text,
                comment=f"{col.description} (delivered as {col.name})",
            )
            for col in extract.columns
        ),
        Index(f"ix_{layout.name}_period", "period"),
        schema=RESTRICTED,
        comment=f"{layout.comment} {extract.description}",
    )


_TYPES: Final = {
    ColumnKind.DATE: Date,
    ColumnKind.BIRTH_MONTH: Date,
    ColumnKind.INT: BigInteger,
    ColumnKind.FLOAT: Double,
}


def _staging(extract: Extract) -> Table:
    return _extract_table(
        extract,
        _Layout(
            name=staging_table_name(extract.table),
            period_comment="Financial year of the delivery (e.g. 2023/24), or the reference "
            "file's vintage",
            line_comment="1-based physical line of the record in the file (the header is line 1)",
            run_column="load_run_id",
            run_comment="Run that loaded the row (ops.runs)",
            typed=False,
            comment=f"Raw {extract.table} rows as delivered, all text, empty as NULL.",
        ),
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


def _validated(extract: Extract) -> Table:
    return _extract_table(
        extract,
        _Layout(
            name=extract.table,
            period_comment="Financial year (e.g. 2023/24) or vintage",
            line_comment="Physical line in the file",
            run_column="run_id",
            run_comment="Run that validated the row (ops.runs)",
            typed=True,
            comment=f"Validated {extract.table} rows, typed: every rule passed.",
        ),
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
    Column("run_by", Text, comment="Operating-system account of the process that wrote"),
    Column("database_role", Text, comment="Database role it wrote as (PostgreSQL; NULL on SQLite)"),
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


pseudonym_keys = Table(
    "pseudonym_keys",
    metadata,
    Column(
        "fingerprint",
        Text,
        primary_key=True,
        comment="Fingerprint of a pseudonym key (16 hex digits; never the key)",
    ),
    Column("first_run_id", Text, nullable=False, comment="First intake run that used the key"),
    Column("first_used_at", DateTime(timezone=True), nullable=False, comment="When"),
    Column(
        "current",
        Boolean,
        nullable=False,
        comment="True for the key intake uses now; an earlier key's pseudonyms do not link",
    ),
    Column("rekeyed", Boolean, nullable=False, comment="True when it replaced a key (--rekey)"),
    Column(
        "linked",
        Boolean,
        comment="Whether the history's pseudonyms were made through the authority's "
        "cross-reference of people across services (it changes the listed children's "
        "pseudonyms as a new key would: a change is refused unless --rekey); NULL before the "
        "first intake that recorded it",
    ),
    schema=OPS,
    comment="The pseudonym keys intake has used, by fingerprint: a different key is refused "
    "unless the whole history is rebuilt with it (tip intake --rekey).",
)

intake_log = Table(
    "intake_log",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Intake run (ops.runs)"),
    Column("raw_file", Text, primary_key=True, comment="Raw file, by its path in the raw folder"),
    Column(
        "period", Text, nullable=False, comment="Financial year, or 'unknown' if refused unread"
    ),
    Column("status", Text, nullable=False, comment="'converted' or 'refused' (whole)"),
    Column("refused_reason", Text, comment="Why the whole file was refused; NULL otherwise"),
    Column("key_fingerprint", Text, nullable=False, comment="Fingerprint of the run's key"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, comment="When"),
    schema=OPS,
    comment="Every raw file each intake run found: converted (its tables in ops.intake_tables) "
    "or refused whole with why. Names, never a value.",
)

intake_tables = Table(
    "intake_tables",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Intake run (ops.runs)"),
    Column("raw_file", Text, primary_key=True, comment="Raw file, by its path in the raw folder"),
    Column("table_name", Text, primary_key=True, comment="Contract extract written from it"),
    Column("period", Text, nullable=False, comment="Financial year (e.g. 2023/24)"),
    Column(
        "unit", Text, nullable=False, comment="What a record is numbered by: line, row, element"
    ),
    Column("records_read", BigInteger, nullable=False, comment="Records read"),
    Column("records_written", BigInteger, nullable=False, comment="Records written"),
    Column("records_refused", BigInteger, nullable=False, comment="Records refused"),
    Column(
        "records_left_out",
        BigInteger,
        nullable=False,
        server_default="0",
        comment="Records left out by design (H-CLIC People: members who are not dependent "
        "children), counted with why in the run's report",
    ),
    schema=OPS,
    comment="Each contract extract a converted raw file gave (a CIN census XML gives four): "
    "records read = written + refused + left out (each refusal in ops.intake_refusals).",
)

intake_linkage = Table(
    "intake_linkage",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Intake run (ops.runs)"),
    Column("period", Text, primary_key=True, comment="Financial year (e.g. 2023/24)"),
    Column(
        "service",
        Text,
        primary_key=True,
        comment="Source system: social_care (CIN census, SSDA903), youth_justice or housing",
    ),
    Column(
        "people",
        BigInteger,
        nullable=False,
        comment="Distinct people the year's returns of the service gave (person ids written)",
    ),
    Column(
        "linked",
        BigInteger,
        nullable=False,
        comment="Of them, how many the authority's cross-reference listed (0 without one)",
    ),
    Column(
        "cross_reference_file",
        Text,
        comment="The cross-reference file applied, by its path in the raw folder; NULL when "
        "there was none (each service kept pseudonyms of its own)",
    ),
    schema=OPS,
    comment="Linkage of people across services, per intake run, year and service: the match "
    "rate is linked / people. Counts only, never an id.",
)

intake_refusals = Table(
    "intake_refusals",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Intake run (ops.runs)"),
    Column("raw_file", Text, primary_key=True, comment="Raw file, by its path in the raw folder"),
    Column("table_name", Text, primary_key=True, comment="Contract extract the record was for"),
    Column(
        "refusal",
        BigInteger,
        primary_key=True,
        comment="Number of the refusal in the file and table (1, 2, ...), in the file's order",
    ),
    Column("period", Text, nullable=False, comment="Financial year (e.g. 2023/24)"),
    Column(
        "position",
        BigInteger,
        nullable=False,
        comment="Line (CSV), row (XLSX) or line of the element's start tag (XML)",
    ),
    Column("unit", Text, nullable=False, comment="line (CSV), row (XLSX) or element (XML)"),
    Column("raw_column", Text, comment="Raw column or element that refused it; NULL if none"),
    Column("reason", Text, nullable=False, comment="Why, in plain English; never the value"),
    schema=OPS,
    comment="Each raw record intake could not convert, by file, position, column and reason. "
    "Never the record: the raw returns stay in the raw folder.",
)

purges = Table(
    "purges",
    metadata,
    Column("purge_id", Text, primary_key=True, comment="Purge or erasure run (ops.runs)"),
    Column(
        "item",
        Integer,
        primary_key=True,
        comment="Number of the item in the run (1, 2, ...)",
    ),
    Column(
        "what",
        Text,
        nullable=False,
        comment="'year records', 'quarantined records', 'raw files', 'contract files' or "
        "'dagster runs'",
    ),
    Column("table_name", Text, comment="Table the rows were deleted from; NULL for files, runs"),
    Column("period", Text, comment="Financial year (e.g. 2020/21) where the item is one year's"),
    Column("count", BigInteger, nullable=False, comment="Rows, files or runs deleted"),
    Column("why", Text, nullable=False, comment="The retention setting applied, e.g. its limit"),
    Column("purged_at", DateTime(timezone=True), nullable=False, comment="When"),
    schema=OPS,
    comment="What each tip purge deleted past retention, by table, year and kind: counts, "
    "never a value. A year with 'year records' here is purged: its published figures stand "
    "and it is never run again.",
)

erasures = Table(
    "erasures",
    metadata,
    Column("erasure_id", Text, primary_key=True, comment="Erasure or staging run (ops.runs)"),
    Column("item", Integer, primary_key=True, comment="Number of the item in the run (1, 2, ...)"),
    Column("table_name", Text, nullable=False, comment="Contract extract the rows were of"),
    Column("period", Text, nullable=False, comment="Financial year (e.g. 2023/24)"),
    Column("source_file", Text, nullable=False, comment="Delivered file the rows came from"),
    Column(
        "load_run_id",
        Text,
        nullable=False,
        comment="Run that read the file (ops.ingest_log): its rows read = staged + malformed + "
        "erased",
    ),
    Column(
        "layer",
        Text,
        nullable=False,
        comment="'staged' (with the validated or quarantined row made from it), 'malformed' "
        "(a line set aside at reading), or 'refused at staging' (delivered again after erasure)",
    ),
    Column("count", BigInteger, nullable=False, comment="Rows erased"),
    Column("erased_at", DateTime(timezone=True), nullable=False, comment="When"),
    schema=OPS,
    comment="What each tip erase removed, and what staging refused of children erased before, "
    "by table, year and file: counts, never a value, so that every file's records still add up.",
)

erased_people = Table(
    "erased_people",
    metadata,
    Column(
        "token",
        Text,
        primary_key=True,
        comment="SHA-256 of an erased child's pseudonym (hex): recognises the child delivered "
        "again without keeping the pseudonym",
    ),
    Column("erasure_id", Text, nullable=False, comment="The erasure run (ops.runs)"),
    Column("erased_at", DateTime(timezone=True), nullable=False, comment="When"),
    schema=OPS,
    comment="The erasure register: children erased by tip erase, whose records staging refuses "
    "when they are delivered again.",
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


def _quality_table(
    name: str, layer: str, comments: tuple[str, str, str, str], comment: str
) -> Table:
    """A data-quality summary table: the pending one (ops) and the published one share their
    columns; ``comments`` are those of period, source, run_id and loaded_at, which differ."""
    period, source, run, at = comments
    return Table(
        name,
        metadata,
        Column("period", Text, primary_key=True, comment=period),
        Column("source", Text, nullable=False, comment=source),
        Column("table_name", Text, primary_key=True, comment="Extract"),
        Column("rule_id", Text, primary_key=True, comment="Rule id; 'all' for the table's total"),
        Column("rule_text", Text, nullable=False, comment="The rule in plain English"),
        Column("rows_read", BigInteger, nullable=False, comment="Records read from the files"),
        Column("rows_quarantined", BigInteger, nullable=False, comment="Records set aside"),
        Column("run_id", Text, nullable=False, comment=run),
        Column("loaded_at", DateTime(timezone=True), nullable=False, comment=at),
        schema=layer,
        comment=comment,
    )


quality_summary = _quality_table(
    "quality_summary",
    OPS,
    (
        "Financial year or reference vintage",
        "Source (cin, ssda903, yjs, hclic, ref)",
        "Run that validated (ops.runs)",
        "When it was validated",
    ),
    "The latest validation's quality summary of each delivery, waiting to be published: "
    "publishing a year copies its rows to published.data_quality in the publish transaction.",
)

data_quality = _quality_table(
    "data_quality",
    PUBLISHED,
    (
        "Financial year (e.g. 2023/24)",
        "Source (cin, ssda903, yjs, hclic)",
        "Run that published the row (ops.runs)",
        "When it was published",
    ),
    "Data-quality summary of the latest deliveries: records read and quarantined by "
    "source, year and rule. Counts of records, no record's content.",
)


data_linkage = Table(
    "data_linkage",
    metadata,
    Column("period", Text, primary_key=True, comment="Financial year (e.g. 2023/24)"),
    Column(
        "service",
        Text,
        primary_key=True,
        comment="Source system: social_care (CIN census, SSDA903), youth_justice or housing",
    ),
    Column(
        "people",
        BigInteger,
        nullable=False,
        comment="Distinct people the year's records of the service gave",
    ),
    Column(
        "linked",
        BigInteger,
        nullable=False,
        comment="Of them, how many the authority's cross-reference listed (0 without one)",
    ),
    Column(
        "match_rate_pct",
        Double,
        comment="linked / people, percent; NULL when the service gave nobody",
    ),
    Column(
        "cross_reference",
        Boolean,
        nullable=False,
        comment="Whether a cross-reference of people across services was applied at intake",
    ),
    Column("run_id", Text, nullable=False, comment="Intake run that recorded it (ops.runs)"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, comment="When it was published"),
    schema=PUBLISHED,
    comment="Match rates of the people of each service linked across services, from the latest "
    "intake of each published year (ops.intake_linkage): a measure across services reads as "
    "much as the linkage allows. No row for a year delivered as contract files, whose "
    "services share one pseudonym by declaration. Counts of people, no person's record.",
)


# -- indicators: restricted (true figures) and published (disclosure-controlled) twins ----------
#
# Written by the indicators stage (tip_pipeline.indicators, assets in tip_pipeline.defs.
# indicators), one reporting year at a time (``replace_rows(..., where={"period": label})``).
# Counts in the restricted tables are NOT disclosure-controlled. The publishing step
# (tip_pipeline.publish) reads them, applies primary and secondary suppression and writes the
# published twins: the same columns, counts and everything derived from them NULL where
# suppressed, and a ``suppressed`` flag. Each table is declared once by a builder called for
# both layers.


#: the columns a load writes about itself (which run, when), not part of a row's content
LINEAGE: Final = ("run_id", "loaded_at")


def content_columns(table: Table) -> list[Column]:
    """``table``'s columns but its ``LINEAGE``: what publishing computes from and compares."""
    return [c for c in table.columns if c.name not in LINEAGE]


def _lineage(what: str = "computed") -> tuple[Column, Column]:
    return (
        Column("run_id", Text, nullable=False, comment=f"Run that {what} the row (ops.runs)"),
        Column("loaded_at", DateTime(timezone=True), nullable=False, comment="When it was written"),
    )


def _ci(suffix: str, what: str) -> tuple[Column, Column]:
    """``lower_<suffix>``/``upper_<suffix>``; the level is read from the suffix (95 or 99_8)."""
    level = "99.8%" if suffix.endswith("99_8") else "95%"
    return (
        Column(f"lower_{suffix}", Double, comment=f"Lower {level} limit of {what}"),
        Column(f"upper_{suffix}", Double, comment=f"Upper {level} limit of {what}"),
    )


def _layer_tail(schema: str, suppressed_comment: str) -> tuple[Column, ...]:
    """``suppressed`` (published only), then the lineage columns."""
    lineage = _lineage("published" if schema == PUBLISHED else "computed")
    if schema != PUBLISHED:
        return lineage
    return (Column("suppressed", Boolean, nullable=False, comment=suppressed_comment), *lineage)


def _count(name: str, schema: str, comment: str, type_=BigInteger) -> Column:
    """A count column: NOT NULL with true figures, NULL when suppressed in the published twin."""
    suffix = "; NULL where suppressed" if schema == PUBLISHED else ""
    return Column(name, type_, nullable=schema == PUBLISHED, comment=comment + suffix)


def _layer_comment(schema: str, what: str) -> str:
    if schema == PUBLISHED:
        return what + " Disclosure-controlled: see the suppressed column."
    return what + " True counts, before disclosure control."


def _area_type_check() -> CheckConstraint:
    return CheckConstraint(
        "area_type IN (" + ", ".join(f"'{t}'" for t in AREA_TYPES) + ")", name="area_type"
    )


dim_indicator = Table(
    "dim_indicator",
    metadata,
    Column("indicator_id", Text, primary_key=True, comment="Indicator id (catalogue)"),
    Column("indicator_name", Text, nullable=False, comment="Short name"),
    Column("definition", Text, nullable=False, comment="What is counted, in plain English"),
    Column("numerator_rule", Text, nullable=False, comment="Registered numerator rule"),
    Column("numerator", Text, nullable=False, comment="The numerator in plain English"),
    Column("denominator", Text, nullable=False, comment="The denominator in plain English"),
    Column("age_min", Integer, comment="Youngest age counted (years), NULL if not by age"),
    Column("age_max", Integer, comment="Oldest age counted (years), NULL if not by age"),
    Column("reference_date", Text, nullable=False, comment="'31 March' or 'in the year'"),
    Column("unit", Text, nullable=False, comment="How the value is expressed"),
    Column("multiplier", Integer, nullable=False, comment="value = numerator / denominator x it"),
    Column("method", Text, nullable=False, comment="Confidence-limit method, CONVENTIONS.md"),
    Column("polarity", Text, nullable=False, comment="Higher is worse / better / no judgement"),
    Column("source", Text, nullable=False, comment="Source returns"),
    Column("breakdowns", Text, nullable=False, comment="Breakdowns published, comma-separated"),
    Column("benchmark_measure", Text, comment="Measure id in ref_benchmarks, if published"),
    Column("notes", Text, comment="Caveats"),
    Column(
        "goal_value", Double, comment="Goal on the value's scale (a range's lower end); NULL: none"
    ),
    Column("goal_upper", Double, comment="A goal range's upper end; NULL for a single value"),
    Column("goal_polarity", Text, comment="The goal's side that is good: lower / higher is better"),
    Column("goal_rule", Text, comment="How a value is compared with the goal (Fingertips)"),
    Column("goal_source", Text, comment="Where the goal is set (document, body, date)"),
    *_lineage("published"),
    schema=PUBLISHED,
    comment="The indicator catalogue (tip_pipeline.indicators.catalogue), one row per indicator: "
    "definitions, units, methods and polarity in plain English.",
)


def _indicator_values(schema: str) -> Table:
    return Table(
        "indicator_values",
        metadata,
        Column("indicator_id", Text, primary_key=True, comment="Indicator id (dim_indicator)"),
        Column("indicator_name", Text, nullable=False, comment="Short name"),
        Column("period", Text, primary_key=True, comment="Financial year, e.g. 2023/24"),
        Column("area_type", Text, primary_key=True, comment="lsoa, ward, la, region or country"),
        Column("area_code", Text, primary_key=True, comment="ONS GSS code"),
        Column("area_name", Text, comment="Area name"),
        Column(
            "breakdown",
            Text,
            primary_key=True,
            comment="total, imd_decile, imd_quintile, sex, age_band or ethnic_group",
        ),
        Column("category", Text, primary_key=True, comment="Category of the breakdown ('all')"),
        _count("numerator", schema, "Count (children, or households)"),
        Column(
            "denominator",
            BigInteger,
            comment="Population, or households for a share of households (NULL where none "
            "exists: ethnicity; or, for a count of households, where suppressed)",
        ),
        Column("value", Double, comment="numerator / denominator x multiplier"),
        *_ci("ci_95", "the value"),
        *_ci("ci_99_8", "the value"),
        Column("unit", Text, nullable=False, comment="e.g. 'per 10,000 children aged 0-17'"),
        Column(
            "compared_to_benchmark",
            Text,
            comment="higher / similar / lower / not compared: the 95% limits against the benchmark",
        ),
        Column(
            "benchmark_area_code",
            Text,
            comment="Benchmark: England for an LA, the LA for a ward or LSOA, the area's own "
            "total for a breakdown category",
        ),
        *_layer_tail(
            schema,
            "True when the count (or a count it could be worked out from) is withheld: "
            "numerator, value and limits are then NULL",
        ),
        _area_type_check(),
        Index("ix_indicator_values_period_indicator_id", "period", "indicator_id"),
        schema=schema,
        comment=_layer_comment(
            schema,
            "Indicator values by area, breakdown and category, with 95% and 99.8% limits, in "
            "the tidy layout of OHID Fingertips.",
        ),
    )


def _indicator_comparisons(schema: str) -> Table:
    return Table(
        "indicator_comparisons",
        metadata,
        Column("indicator_id", Text, primary_key=True, comment="Indicator id"),
        Column("period", Text, primary_key=True, comment="Financial year"),
        Column("area_type", Text, nullable=False, comment="la or ward"),
        Column("area_code", Text, primary_key=True, comment="The area compared"),
        Column(
            "comparator_type",
            Text,
            primary_key=True,
            comment="england, region, stat_neighbours (their mean) or la (for a ward)",
        ),
        Column("comparator_code", Text, comment="Comparator area code(s), comma-separated"),
        Column("comparator_name", Text, comment="Comparator name"),
        Column("comparator_value", Double, comment="Comparator value, in the indicator's unit"),
        Column(
            "comparator_source",
            Text,
            nullable=False,
            comment="'computed' (the warehouse's own data), 'ref_benchmarks' (published), both "
            "joined by '+' for a neighbour mean, or 'none'",
        ),
        Column("value", Double, comment="The area's value"),
        *_ci("ci_95", "the area's value"),
        Column("result", Text, nullable=False, comment="higher / similar / lower / not compared"),
        *_layer_tail(schema, "True when the area's value is suppressed (result 'not compared')"),
        schema=schema,
        comment=_layer_comment(
            schema,
            "Each LA against England, its region and its statistical neighbours, and each ward "
            "against its LA (headline rows only), as Fingertips compares.",
        ),
    )


def _inequality_summary(schema: str) -> Table:
    return Table(
        "inequality_summary",
        metadata,
        Column("indicator_id", Text, primary_key=True, comment="Indicator id"),
        Column("period", Text, primary_key=True, comment="Financial year"),
        Column("area_code", Text, primary_key=True, comment="Local authority"),
        Column("area_name", Text, comment="Local authority name"),
        Column("deciles_used", Integer, nullable=False, comment="IMD deciles populated (>= 5)"),
        Column("sii", Double, comment="Slope index of inequality: least minus most deprived"),
        *_ci("sii_95", "the SII (simulated, seeded)"),
        Column("rii", Double, comment="Relative index of inequality: least / most deprived"),
        *_ci("rii_95", "the RII (simulated, seeded)"),
        Column(
            "sii_intercept",
            Double,
            comment="Fitted value at the most deprived end (rank 0); with sii_transform and the "
            "SII it gives the fitted line or curve",
        ),
        Column(
            "sii_transform",
            Text,
            comment="Scale of the fit: log (rates) or logit (proportions), back-transformed so "
            "the fit is a curve; none where the transform is undefined (a straight line)",
        ),
        Column(
            "rii_note",
            Text,
            comment="Why the RII is NULL (e.g. a straight-line fit not positive at both ends); "
            "NULL when the RII is published",
        ),
        Column("gradient", Text, comment="Plain statement, e.g. 'higher in more deprived areas'"),
        Column("statement", Text, comment="One sentence read against the indicator's polarity"),
        Column("most_deprived_value", Double, comment="Value in IMD quintile 1"),
        Column("least_deprived_value", Double, comment="Value in IMD quintile 5"),
        Column("gap", Double, comment="Quintile 1 minus quintile 5"),
        *_ci("gap_95", "the gap (Newcombe / Wald)"),
        Column("ratio", Double, comment="Quintile 1 / quintile 5"),
        Column("baseline_period", Text, comment="Baseline year of the change (the first year)"),
        Column("change_most_deprived", Double, comment="Change since baseline, quintile 1"),
        Column("change_least_deprived", Double, comment="Change since baseline, quintile 5"),
        Column(
            "poorest_fastest",
            Double,
            comment="Change in quintile 1 minus change in quintile 5 (Marmot)",
        ),
        *_ci("poorest_fastest_95", "the difference of changes"),
        Column("poorest_fastest_p", Double, comment="p-value of the difference of changes"),
        Column("poorest_fastest_statement", Text, comment="The difference in plain English"),
        Column("unit", Text, nullable=False, comment="Unit of the values"),
        *_layer_tail(
            schema,
            "True when any figure of the row is withheld because a decile or quintile it is "
            "computed from is suppressed (those figures are then NULL)",
        ),
        schema=schema,
        comment=_layer_comment(
            schema,
            "Inequality by deprivation per indicator, year and LA: SII/RII across deciles, "
            "quintile gap and ratio, and 'improve the health of the poorest fastest'.",
        ),
    )


def _adversity_distribution(schema: str) -> Table:
    return Table(
        "adversity_distribution",
        metadata,
        Column("period", Text, primary_key=True, comment="Financial year"),
        Column("area_code", Text, primary_key=True, comment="Local authority"),
        Column("area_name", Text, comment="Local authority name"),
        Column(
            "domains",
            Text,
            primary_key=True,
            comment="Distinct adversity domains in the year: 0, 1, 2, 3, 4+ (the distribution) "
            "and 2+ (derived: the sum of 2, 3 and 4+)",
        ),
        _count("children", schema, "Children; 0 = population - rest"),
        Column("denominator", BigInteger, nullable=False, comment="Children aged 0-17 (ONS)"),
        Column("share_pct", Double, comment="Percent of children aged 0-17"),
        Column("lower_pct", Double, comment="Lower 95% limit (Wilson)"),
        Column("upper_pct", Double, comment="Upper 95% limit (Wilson)"),
        *_layer_tail(schema, "True when the count is withheld (share and limits NULL too)"),
        schema=schema,
        comment=_layer_comment(
            schema,
            "Children by number of adversity domains in the year, linked across services by "
            "the shared pseudonym.",
        ),
    )


def _prevalence_summary(schema: str) -> Table:
    return Table(
        "prevalence_summary",
        metadata,
        Column("period", Text, primary_key=True, comment="Financial year"),
        Column("area_code", Text, primary_key=True, comment="Local authority"),
        Column("measure", Text, primary_key=True, comment="Row of the seed's Prevalence slide"),
        Column("basis", Text, primary_key=True, comment="modelled or recorded"),
        _count("children", schema, "Children (modelled: expected number)", type_=Double),
        Column("share_pct", Double, comment="Percent of all children aged 0-17"),
        Column("lower_pct", Double, comment="Lower 95% limit (recorded rows, Wilson)"),
        Column("upper_pct", Double, comment="Upper 95% limit (recorded rows, Wilson)"),
        Column("area_name", Text, comment="Local authority name"),
        Column("measure_label", Text, comment="The slide's wording"),
        Column("slide_order", Integer, comment="Row order on the slide"),
        Column("denominator", BigInteger, comment="Children aged 0-17 (ONS)"),
        Column("range_low_children", Double, comment="Modelled rows: lower estimate (children)"),
        Column("range_high_children", Double, comment="Modelled rows: upper estimate (children)"),
        Column("range_low_pct", Double, comment="Modelled rows: lower estimate (percent)"),
        Column("range_high_pct", Double, comment="Modelled rows: upper estimate (percent)"),
        Column(
            "range_kind",
            Text,
            comment="'modelled range' on modelled rows: the spread of the source's estimates, "
            "not a confidence interval; NULL on recorded rows (their limits are Wilson 95%)",
        ),
        *_layer_tail(schema, "True when a recorded count is withheld (share, limits NULL)"),
        CheckConstraint("basis IN ('modelled', 'recorded')", name="basis"),
        schema=schema,
        comment=_layer_comment(
            schema,
            "The seed's Prevalence slide recomputed per LA and year, modelled rows with their "
            "recorded counterparts.",
        ),
    )


def _involvement_flows(schema: str) -> Table:
    return Table(
        "involvement_flows",
        metadata,
        Column("period", Text, primary_key=True, comment="Financial year Y (the flows into it)"),
        Column("previous_period", Text, nullable=False, comment="Financial year Y-1"),
        Column(
            "area_code",
            Text,
            primary_key=True,
            comment="Local authority; or region or England (dim_area), where the delivery holds "
            "every one of its authorities: then the sum of their flows",
        ),
        Column("area_name", Text, comment="Area name"),
        Column(
            "from_level",
            Text,
            primary_key=True,
            comment="Highest level of involvement in Y-1: none, referral, in_need, "
            "child_protection, looked_after; 'all' on the margin of the children at each level "
            "in Y",
        ),
        Column(
            "to_level",
            Text,
            primary_key=True,
            comment="Highest level of involvement in Y (as from_level); 'all' on the margin of "
            "the children at each level in Y-1",
        ),
        _count(
            "children",
            schema,
            "Children known to children's services in Y-1 or Y at from_level in Y-1 and "
            "to_level in Y (none -> none is not counted)",
        ),
        *_layer_tail(schema, "True when the count is withheld"),
        schema=schema,
        comment=_layer_comment(
            schema,
            "Involvement flows ('left shift'): children by their highest level of involvement "
            "in the previous year and in the year, linked across the CIN census and SSDA903 "
            "by the shared pseudonym, with the level totals of both years as margins.",
        ),
    )


def _cohort_incidence(schema: str) -> Table:
    return Table(
        "cohort_incidence",
        metadata,
        Column(
            "period",
            Text,
            primary_key=True,
            comment="Financial year Y published: the data end on its 31 March",
        ),
        Column(
            "entry",
            Text,
            primary_key=True,
            comment="How children entered: toxic_trio (a first toxic-trio factor at assessment) "
            "or referral (a first referral), each after 12 months with none",
        ),
        Column(
            "entry_period",
            Text,
            primary_key=True,
            comment="Financial year the children entered (Y-3 to Y)",
        ),
        Column("area_code", Text, primary_key=True, comment="Local authority"),
        Column("area_name", Text, comment="Local authority name"),
        Column(
            "outcome",
            Text,
            primary_key=True,
            comment="What the children were followed for: child_protection (a plan starting), "
            "looked_after (a period of care starting), youth_justice (an outcome), "
            "homelessness (a household owed a duty), or any (the first of them)",
        ),
        Column(
            "imd_quintile",
            Text,
            primary_key=True,
            comment="National IMD quintile of the home LSOA in the entry year (1 most deprived), "
            "'unknown' for an unknown home area, 'all' for the whole cohort",
        ),
        Column(
            "months_from",
            Integer,
            primary_key=True,
            comment="Start of the follow-up interval, months after entry (0, 12, 24)",
        ),
        Column("months_to", Integer, nullable=False, comment="End of the interval (12, 24, 36)"),
        _count("at_risk", schema, "Children followed at the start of the interval"),
        _count("events", schema, "Children whose first such event was in the interval"),
        _count(
            "censored",
            schema,
            "Children no longer followed during the interval (18th birthday, death, transfer "
            "to another LA, end of the data) without the event",
        ),
        Column(
            "incidence_pct",
            Double,
            comment="Kaplan-Meier cumulative incidence before months_to, percent",
        ),
        *_ci("ci_95", "the incidence (Greenwood's variance, log-log)"),
        *_layer_tail(schema, "True when a count is withheld (incidence and limits NULL)"),
        schema=schema,
        comment=_layer_comment(
            schema,
            "Cohorts across years: children followed on the shared pseudonym from a first "
            "toxic-trio factor or a first referral, for a plan, care, youth justice or "
            "homelessness, by 12-month interval of follow-up, with the Kaplan-Meier cumulative "
            "incidence.",
        ),
    )


indicator_values = _indicator_values(RESTRICTED)
indicator_comparisons = _indicator_comparisons(RESTRICTED)
inequality_summary = _inequality_summary(RESTRICTED)
adversity_distribution = _adversity_distribution(RESTRICTED)
prevalence_summary = _prevalence_summary(RESTRICTED)
involvement_flows = _involvement_flows(RESTRICTED)
cohort_incidence = _cohort_incidence(RESTRICTED)

adversity_overlap = Table(
    "adversity_overlap",
    metadata,
    Column("period", Text, primary_key=True, comment="Financial year"),
    Column("area_code", Text, primary_key=True, comment="Local authority"),
    Column("base_domain", Text, primary_key=True, comment="Children of this domain ..."),
    Column("other_domain", Text, primary_key=True, comment="... who are also in this one"),
    Column("age_range", Text, nullable=False, comment="Ages of the base (both domains' range)"),
    Column("base_children", BigInteger, nullable=False, comment="Children in the base domain"),
    Column("both_children", BigInteger, nullable=False, comment="Of them, also in the other"),
    Column("share_pct", Double, comment="both / base x 100"),
    Column("lower_pct", Double, comment="Lower 95% limit (Wilson)"),
    Column("upper_pct", Double, comment="Upper 95% limit (Wilson)"),
    *_lineage(),
    schema=RESTRICTED,
    comment="Overlap between services: the share of one domain's children also in another.",
)

modelled_prevalence = Table(
    "modelled_prevalence",
    metadata,
    Column("period", Text, primary_key=True, comment="Financial year"),
    Column("area_type", Text, primary_key=True, comment="lsoa, ward or la"),
    Column("area_code", Text, primary_key=True, comment="ONS GSS code"),
    Column("area_name", Text, comment="Area name"),
    Column(
        "measure",
        Text,
        primary_key=True,
        comment="domestic_abuse, parental_mental_health, parental_substance_misuse, "
        "toxic_trio_any, toxic_trio_all",
    ),
    Column("population", BigInteger, nullable=False, comment="Children aged 0-17 (ONS)"),
    Column("modelled_children", Double, nullable=False, comment="Expected children (modelled)"),
    Column("modelled_pct", Double, comment="Modelled percent of children"),
    Column("modelled_children_low", Double, comment="Lower estimate of the modelled range"),
    Column("modelled_children_high", Double, comment="Upper estimate of the modelled range"),
    Column("modelled_low_pct", Double, comment="Lower estimate of the modelled range, percent"),
    Column("modelled_high_pct", Double, comment="Upper estimate of the modelled range, percent"),
    Column(
        "recorded_children",
        BigInteger,
        nullable=False,
        comment="Children with the factor identified at an assessment completed in the year, "
        "any adult in the household (definitions matched)",
    ),
    Column("recorded_pct", Double, comment="Recorded percent of children"),
    Column("recorded_lower_pct", Double, comment="Lower 95% limit (Wilson)"),
    Column("recorded_upper_pct", Double, comment="Upper 95% limit (Wilson)"),
    Column("identified_pct", Double, comment="Recorded as a percent of modelled"),
    Column("gap_children", Double, comment="Modelled minus recorded: the hidden need"),
    Column("gap_children_low", Double, comment="Lower modelled estimate minus recorded"),
    Column("gap_children_high", Double, comment="Upper modelled estimate minus recorded"),
    Column(
        "range_kind",
        Text,
        comment="'modelled range': the spread of the source's lower and upper estimates, not a "
        "confidence interval",
    ),
    *_lineage(),
    schema=RESTRICTED,
    comment="Modelled toxic-trio prevalence (ref_modelled_rates on the population by age band "
    "and deprivation) and the identification gap against recorded children.",
)

#: the restricted tables of a year's indicators, computed and replaced together in one
#: transaction with their published twins (tip_pipeline.publish.store.publish_year)
INDICATOR_TABLES: Final = (
    indicator_values,
    indicator_comparisons,
    inequality_summary,
    adversity_distribution,
    adversity_overlap,
    modelled_prevalence,
    prevalence_summary,
    involvement_flows,
    cohort_incidence,
)

# -- published twins ---------------------------------------------------------------------------

published_indicator_values = _indicator_values(PUBLISHED)
published_indicator_comparisons = _indicator_comparisons(PUBLISHED)
published_inequality_summary = _inequality_summary(PUBLISHED)
published_adversity_distribution = _adversity_distribution(PUBLISHED)
published_prevalence_summary = _prevalence_summary(PUBLISHED)
published_involvement_flows = _involvement_flows(PUBLISHED)
published_cohort_incidence = _cohort_incidence(PUBLISHED)

#: restricted indicator table -> its published, disclosure-controlled twin
PUBLISHED_TWINS: Final[Mapping[Table, Table]] = {
    indicator_values: published_indicator_values,
    indicator_comparisons: published_indicator_comparisons,
    inequality_summary: published_inequality_summary,
    adversity_distribution: published_adversity_distribution,
    prevalence_summary: published_prevalence_summary,
    involvement_flows: published_involvement_flows,
    cohort_incidence: published_cohort_incidence,
}

#: the recent trend of every published headline series, computed from published values only
indicator_trends = Table(
    "indicator_trends",
    metadata,
    Column("indicator_id", Text, primary_key=True, comment="Indicator id (dim_indicator)"),
    Column("period", Text, primary_key=True, comment="Financial year: the last of the window"),
    Column("area_type", Text, nullable=False, comment="ward, la, region or country"),
    Column("area_code", Text, primary_key=True, comment="ONS GSS code"),
    Column("breakdown", Text, primary_key=True, comment="'total' (headline series)"),
    Column("category", Text, primary_key=True, comment="'all'"),
    Column("first_period", Text, nullable=False, comment="First financial year of the window"),
    Column(
        "method",
        Text,
        nullable=False,
        comment="Fingertips' recent-trend method: 'chi-squared test for trend' (proportions) or "
        "'weighted regression' (rates: values with 95% limits)",
    ),
    Column(
        "direction",
        Text,
        comment="increasing / decreasing / no significant change (99.8% level); NULL: cannot "
        "be calculated (see note)",
    ),
    Column(
        "assessment",
        Text,
        comment="getting better / getting worse / no significant change, by the indicator's "
        "polarity; NULL without a polarity or a trend",
    ),
    Column(
        "recent_trend",
        Text,
        nullable=False,
        comment="Fingertips' wording, e.g. 'Increasing and getting worse', 'No significant "
        "change', 'Cannot be calculated'",
    ),
    Column("slope", Double, comment="Gradient per year: of the logit (proportions), of the value"),
    Column("chi2", Double, comment="Chi-square statistic for trend (1 degree of freedom)"),
    Column("p_value", Double, comment="P(chi-square > chi2)"),
    Column("note", Text, comment="Why the trend cannot be calculated, or an outlier"),
    Column("baseline_period", Text, comment="Baseline year (the first reporting year)"),
    Column("change_since_baseline", Double, comment="Value minus the baseline year's value"),
    *_ci("change_95", "the change since baseline"),
    Column("change_p_value", Double, comment="Test of the change (two proportions / exact)"),
    Column(
        "change_result",
        Text,
        comment="higher / lower / similar (95% level); NULL when not computed (change_note)",
    ),
    Column("change_note", Text, comment="Why the change since baseline is not computed"),
    *_lineage("published"),
    _area_type_check(),
    schema=PUBLISHED,
    comment="Recent trend of each published headline series (indicator, area) over the five "
    "years ending in the period, as OHID Fingertips computes it, and the change since the "
    "baseline year with its test; computed from published values only, a window with a "
    "suppressed value left uncomputed.",
)

la_benchmarking = Table(
    "la_benchmarking",
    metadata,
    Column("indicator_id", Text, primary_key=True, comment="Indicator id (dim_indicator)"),
    Column("period", Text, primary_key=True, comment="Financial year"),
    Column(
        "la_code",
        Text,
        primary_key=True,
        comment="The authority whose benchmarking view the row belongs to: one this pipeline "
        "publishes (its statistical neighbours are those of ref_stat_neighbours)",
    ),
    Column("area_code", Text, primary_key=True, comment="An English upper-tier authority"),
    Column("area_name", Text, comment="Its name"),
    Column("region_code", Text, comment="Its region (ONS LA-to-region lookup)"),
    Column("region_name", Text, comment="Its region's name"),
    Column(
        "value",
        Double,
        comment="Its published value: this pipeline's own (after disclosure control) for an "
        "authority it publishes, else the benchmark file's; NULL with value_note",
    ),
    Column(
        "value_source",
        Text,
        nullable=False,
        comment="'this pipeline' (published.indicator_values) or 'ref_benchmarks' (the "
        "published benchmark file)",
    ),
    Column("value_note", Text, comment="Why the value is NULL (suppressed, not published)"),
    Column(
        "neighbour_rank",
        Integer,
        comment="1-10 if the authority is one of la_code's statistical neighbours (1 = most "
        "similar); NULL for la_code itself and any other authority",
    ),
    Column(
        "neighbour_group_rank",
        Integer,
        comment="Rank among la_code and its ten neighbours with a value (1 = best; see "
        "rank_order); NULL outside the group or without a value",
    ),
    Column("neighbour_group_ranked", Integer, comment="Authorities of the group with a value"),
    Column(
        "england_rank",
        Integer,
        comment="Rank among England's authorities with a value (1 = best; ties share the "
        "lowest rank; see rank_order)",
    ),
    Column("england_ranked", Integer, comment="England's authorities with a value"),
    Column(
        "rank_order",
        Text,
        nullable=False,
        comment="What rank 1 is: 'lowest value first (higher is worse)', 'highest value first "
        "(higher is better)' or 'highest value first (no polarity: not a judgement)'",
    ),
    Column(
        "quartile_band",
        Text,
        comment="LAIT's quartile banding: A (the quarter ranked first) to D, from england_rank",
    ),
    Column(
        "england_quintile",
        Integer,
        comment="Quintile among England's values, 1 = lowest values (Fingertips' quintile "
        "bounds); NULL without a value or with fewer than five",
    ),
    Column(
        "compared_to_percentiles",
        Text,
        comment="Fingertips' wording of the quintile: Best / Better / Middle / Worse / Worst "
        "with a polarity, Lowest / Low / Middle / High / Highest without, Not compared",
    ),
    *_lineage("published"),
    CheckConstraint("quartile_band IN ('A', 'B', 'C', 'D')", name="quartile_band"),
    CheckConstraint("england_quintile BETWEEN 1 AND 5", name="england_quintile"),
    schema=PUBLISHED,
    comment="LAIT-style benchmarking: for each indicator with a published benchmark and year, "
    "every English authority's published value (this pipeline's own for the authorities it "
    "publishes, the benchmark file's for the others), whether it is a statistical neighbour, "
    "ranks among the neighbours and England, LAIT's quartile band and Fingertips' England "
    "quintile; computed from published values only.",
)

#: every published value of an indicator with a goal compared with it, from published values only
indicator_goals = Table(
    "indicator_goals",
    metadata,
    Column("indicator_id", Text, primary_key=True, comment="Indicator id (dim_indicator)"),
    Column("period", Text, primary_key=True, comment="Financial year"),
    Column("area_type", Text, nullable=False, comment="ward, la, region or country"),
    Column("area_code", Text, primary_key=True, comment="ONS GSS code"),
    Column("breakdown", Text, primary_key=True, comment="As in indicator_values"),
    Column("category", Text, primary_key=True, comment="As in indicator_values"),
    Column("goal_value", Double, nullable=False, comment="The goal compared with (lower end)"),
    Column("goal_upper", Double, comment="A goal range's upper end; NULL for a single value"),
    Column("goal_polarity", Text, nullable=False, comment="lower is better / higher is better"),
    Column(
        "compared_to_goal",
        Text,
        comment="Fingertips' wording: 'Better', 'Similar', 'Worse'; NULL: not compared (note)",
    ),
    Column("note", Text, comment="Why the value is not compared (suppressed, no value)"),
    *_lineage("published"),
    _area_type_check(),
    schema=PUBLISHED,
    comment="Each published value of an indicator with a declared goal (dim_indicator.goal_*) "
    "compared with it as OHID Fingertips compares a value with a target ('Compared to goal'); "
    "computed from published values only, a suppressed value not compared. An indicator "
    "without a goal has no rows.",
)

#: the child population by single year of age and sex: ONS mid-year estimates (public)
child_population = Table(
    "child_population",
    metadata,
    Column("period", Text, primary_key=True, comment="Financial year whose denominator it is"),
    Column("mid_year", Integer, nullable=False, comment="ONS mid-year estimate (30 June YYYY)"),
    Column("area_type", Text, nullable=False, comment="'la'"),
    Column("area_code", Text, primary_key=True, comment="ONS GSS code of the local authority"),
    Column("area_name", Text, comment="Local authority name"),
    Column("sex", Text, primary_key=True, comment="F or M (ONS estimates have two sexes)"),
    Column("age", Integer, primary_key=True, comment="Single year of age, 0-17"),
    Column("population", BigInteger, nullable=False, comment="Children (ONS mid-year estimate)"),
    *_lineage("published"),
    _area_type_check(),
    schema=PUBLISHED,
    comment="Children aged 0-17 by local authority, sex and single year of age: the ONS mid-year "
    "population estimates the year's denominators come from, summed over the authority's "
    "LSOAs (ONS publishes them; no disclosure control applies).",
)

#: the indicators a published year has no values of, and why (an indicator's look-back years
#: not delivered: tip_pipeline.indicators.look_back); written with the year's published rows
indicator_not_available = Table(
    "indicator_not_available",
    metadata,
    Column(
        "indicator_id",
        Text,
        primary_key=True,
        comment="Indicator id (dim_indicator), involvement_flows (the flows table), or "
        "cohort_incidence_entered_Y-k (the cohorts entered k years before)",
    ),
    Column("period", Text, primary_key=True, comment="Financial year with no values of it"),
    Column(
        "reason",
        Text,
        nullable=False,
        comment="Why the indicator has no values for the year: the look-back years and tables "
        "not delivered",
    ),
    *_lineage("published"),
    schema=PUBLISHED,
    comment="Indicators not computed for a published year, with the reason: their value for "
    "the year is NULL (no row in indicator_values), never one from part of the years they "
    "need.",
)

#: the published tables a year's publish transaction writes beside the twins (no counts of
#: their own, so outside disclosure control): held to the year's run like the twins
YEAR_DERIVED: Final[tuple[Table, ...]] = (
    indicator_trends,
    la_benchmarking,
    indicator_goals,
    child_population,
    indicator_not_available,
)

# -- lineage (ops) ------------------------------------------------------------------------------

run_inputs = Table(
    "run_inputs",
    metadata,
    Column("run_id", Text, primary_key=True, comment="Run that published (ops.runs)"),
    Column("period", Text, primary_key=True, comment="Financial year published"),
    Column("file_name", Text, primary_key=True, comment="Input file the published rows rest on"),
    Column("table_name", Text, nullable=False, comment="Contract extract of the file"),
    Column("file_period", Text, comment="The file's own period or reference vintage"),
    Column("sha256", Text, nullable=False, comment="SHA-256 of the file's bytes when loaded"),
    Column("load_run_id", Text, nullable=False, comment="Run that loaded the file (ingest_log)"),
    schema=OPS,
    comment="Lineage: for each publishing run and year, every input file (with its SHA-256) "
    "that the published rows of that year were computed from.",
)
