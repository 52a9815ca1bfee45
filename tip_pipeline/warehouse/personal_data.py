"""The inventory of personal data (``docs/PERSONAL_DATA.md``), generated from the contracts and
the schema, for the authority's data protection impact assessment (DPIA).

Why generated: an inventory written by hand goes stale the day an extract gains a column. Here
every column of every service extract is classified from its declared kind
(``contracts.ColumnKind``), with the few special-category and criminal-offence columns named
below as data, and every table of the warehouse must be accounted for: a test fails when a
table is added without saying whether it holds personal data.

The categories follow UK GDPR: personal data (Art. 4(1)), pseudonymised data is still personal
data (Recital 26), special categories (Art. 9: racial or ethnic origin, health), criminal
offence data (Art. 10). The lawful basis is the authority's to state, so its column is left
for the authority to fill.

    python -m tip_pipeline.warehouse.personal_data > docs/PERSONAL_DATA.md
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from tip_pipeline.sources.contracts import EXTRACTS, Cadence, ColumnKind, Extract
from tip_pipeline.warehouse.retention import year_tables
from tip_pipeline.warehouse.schema import (
    metadata,
    staging_columns,
    staging_table_name,
    validated_table,
)

COMMAND: Final = "python -m tip_pipeline.warehouse.personal_data > docs/PERSONAL_DATA.md"


class Category(StrEnum):
    """What a column is, for data protection."""

    PSEUDONYM = "pseudonymised identifier"
    INDIRECT = "indirect identifier"
    SPECIAL = "special category (Art. 9)"
    CRIMINAL = "criminal offence data (Art. 10)"
    ATTRIBUTE = "personal data"
    RECORD_KEY = "record key"


#: a column's category from its declared kind: a keyed pseudonym identifies a person to
#: whoever holds the key; a birth month, an event date and a small area narrow a person down
#: (indirect identifiers); a record key (a case or offence id) names a record, not a person,
#: but links a person's records
BY_KIND: Final = {
    ColumnKind.PSEUDO_ID: Category.PSEUDONYM,
    ColumnKind.STAFF_PSEUDO_ID: Category.PSEUDONYM,
    ColumnKind.BIRTH_MONTH: Category.INDIRECT,
    ColumnKind.DATE: Category.INDIRECT,
    ColumnKind.PARTIAL_DATE: Category.INDIRECT,
    ColumnKind.AREA: Category.INDIRECT,
    ColumnKind.ID: Category.RECORD_KEY,
    ColumnKind.CODE: Category.ATTRIBUTE,
    ColumnKind.CODES: Category.ATTRIBUTE,
    ColumnKind.INT: Category.ATTRIBUTE,
    ColumnKind.FLOAT: Category.ATTRIBUTE,
    ColumnKind.NAME: Category.ATTRIBUTE,
}

#: (extract, column) -> the category its content makes it, whatever its kind, and why
BY_CONTENT: Final[dict[tuple[str, str], tuple[Category, str]]] = {
    ("cin_children", "Ethnicity"): (Category.SPECIAL, "ethnic origin"),
    ("ssda903_header", "ETHNIC"): (Category.SPECIAL, "ethnic origin"),
    ("yjs_offences", "ETHNICITY"): (Category.SPECIAL, "ethnic origin"),
    ("cin_assessments", "AssessmentFactors"): (
        Category.SPECIAL,
        "health: the factors include mental ill-health, substance misuse and disability, of the "
        "child and of adults around the child",
    ),
    ("cin_episodes", "PrimaryNeedCode"): (
        Category.SPECIAL,
        "health: one need is the child's disability or illness",
    ),
    ("hclic_support", "SUPPORT_NEED"): (
        Category.SPECIAL,
        "health: needs include mental and physical ill-health and drug or alcohol dependency",
    ),
    ("yjs_offences", "OFFENCE_TYPE"): (Category.CRIMINAL, "the offence"),
    ("yjs_offences", "GRAVITY"): (Category.CRIMINAL, "the offence's gravity score"),
    ("yjs_offences", "OFFENCE_DATE"): (Category.CRIMINAL, "the date of an offence"),
    ("yjs_outcomes", "OUTCOME_TYPE"): (Category.CRIMINAL, "the court or out-of-court outcome"),
    ("yjs_outcomes", "OUTCOME_DATE"): (Category.CRIMINAL, "the date of an outcome"),
}


@dataclass(frozen=True)
class Holding:
    """Tables of the warehouse that hold no column of an extract, with what they hold."""

    tables: tuple[str, ...]
    personal: bool
    holds: str


#: every warehouse table that is not an extract's staging or validated table
OTHER_TABLES: Final = (
    Holding(
        ("ops.quarantine",),
        True,
        "each quarantined record whole (`record`, its delivered values, pseudonymised as "
        "delivered) with its child's pseudonym (`child_id`), file, line and the rule broken, "
        "so that it can be corrected and delivered again (its contents erased after "
        "`TIP_RETAIN_QUARANTINE_DAYS`)",
    ),
    Holding(
        ("ops.erased_people",),
        True,
        "the erasure register: the SHA-256 of each erased child's pseudonym (never the "
        "pseudonym), so that staging refuses the child's records delivered again; with the "
        "pseudonyms of a delivery it tells whether a child was erased",
    ),
    Holding(
        (
            "ops.ingest_log",
            "ops.intake_log",
            "ops.intake_tables",
            "ops.intake_refusals",
            "ops.intake_linkage",
            "ops.validation_results",
            "ops.completeness",
            "ops.quality_summary",
            "ops.run_inputs",
            "ops.runs",
            "ops.pseudonym_keys",
            "ops.purges",
            "ops.erasures",
        ),
        False,
        "lineage, counts and reasons: files, lines, columns, rules and counts, never a value; "
        "the key's fingerprint, never the key",
    ),
    Holding(
        (
            "restricted.indicator_values",
            "restricted.indicator_comparisons",
            "restricted.inequality_summary",
            "restricted.adversity_distribution",
            "restricted.adversity_overlap",
            "restricted.modelled_prevalence",
            "restricted.prevalence_summary",
            "restricted.involvement_flows",
            "restricted.cohort_incidence",
        ),
        False,
        "aggregates before disclosure control: counts of children by area and breakdown, "
        "small counts included (1 to 4 in a ward can point to a child), so they stay in the "
        "restricted layer",
    ),
    Holding(
        tuple(
            t.fullname
            for t in metadata.sorted_tables
            if t.schema == "published" or t.name.removeprefix("stg_").startswith("ref_")
        ),
        False,
        "published aggregates, disclosure-controlled (counts from 1 to 4 withheld, audited), "
        "and reference data (population, deprivation, geography, benchmarks)",
    ),
)


@dataclass(frozen=True)
class Entry:
    """One column of a service extract."""

    extract: str
    delivered_as: str
    warehouse_column: str
    category: Category
    why: str
    description: str


def entries(extract: Extract) -> list[Entry]:
    """Every column of a service extract, classified."""
    names = staging_columns(extract.table)
    found = []
    for column in extract.columns:
        category, why = BY_CONTENT.get((extract.table, column.name), (BY_KIND[column.kind], ""))
        found.append(
            Entry(
                extract.table,
                column.name,
                names[column.name],
                category,
                why,
                column.description,
            )
        )
    return found


def service_extracts() -> list[Extract]:
    return [extract for extract in EXTRACTS.values() if extract.service]


def extract_tables(extract: Extract) -> tuple[str, str]:
    """The staging and validated tables of an extract."""
    return (
        f"restricted.{staging_table_name(extract.table)}",
        validated_table(extract.table).fullname,
    )


def accounted_tables() -> set[str]:
    """Every warehouse table the inventory says something about."""
    tables = {t for e in service_extracts() for t in extract_tables(e)}
    return tables | {t for holding in OTHER_TABLES for t in holding.tables}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _file_pattern(extract: Extract) -> str:
    quarter = "_Q<n>" if extract.cadence is Cadence.QUARTERLY else ""
    return f"{extract.table}_<year>{quarter}.csv"


def _retention(extract: Extract) -> str:
    """How long the extract's records are kept, by the retention settings (``tip purge``)."""
    records = (
        "the records of the `TIP_RETAIN_YEARS` most recent reporting years and of the baseline "
        "year; older years' are purged with their contract files"
        if extract.table in year_tables()
        else "every year's records, read by later years (a purge of older years keeps them)"
    )
    return (
        f"{records}; a quarantined record's contents for `TIP_RETAIN_QUARANTINE_DAYS` "
        '(docs/INFORMATION_GOVERNANCE.md, "How long it is kept"; each setting empty: until '
        "deleted)."
    )


def _extract_section(extract: Extract) -> list[str]:
    staging, validated = extract_tables(extract)
    lines = [
        f"### `{extract.table}` ({extract.source})",
        "",
        f"{_cell(extract.description)}",
        "",
        f"Held in: the data folder (`{_file_pattern(extract)}`), `{staging}` (as delivered), "
        f"`{validated}` (validated), and `ops.quarantine` for records a rule set aside. "
        f"Lawful basis: _for the authority to state_. Retention: {_retention(extract)}",
        "",
        "| column (delivered as) | warehouse column | category | what it holds |",
        "|---|---|---|---|",
    ]
    for entry in entries(extract):
        why = f" ({entry.why})" if entry.why else ""
        lines.append(
            f"| `{entry.delivered_as}` | `{entry.warehouse_column}` | {entry.category}{why} | "
            f"{_cell(entry.description)} |"
        )
    return [*lines, ""]


def _other_section(holdings: Iterable[Holding]) -> list[str]:
    lines = [
        "## The other tables",
        "",
        "| tables | personal data? | what they hold |",
        "|---|---|---|",
    ]
    for holding in holdings:
        tables = ", ".join(f"`{t}`" for t in sorted(holding.tables))
        lines.append(f"| {tables} | {'yes' if holding.personal else 'no'} | {holding.holds} |")
    return [*lines, ""]


def _category_counts() -> list[str]:
    counts: dict[Category, int] = {}
    for extract in service_extracts():
        for entry in entries(extract):
            counts[entry.category] = counts.get(entry.category, 0) + 1
    return [f"- {category}: {counts.get(category, 0)} columns" for category in Category]


def render() -> str:
    """The whole inventory, as Markdown."""
    lines = [
        "# Personal data held by the pipeline",
        "",
        f"Generated from the contracts and the schema by `{COMMAND}`; a test fails when it is "
        "stale, or when a warehouse table is not accounted for. For the authority's data "
        "protection impact assessment: what personal data is held, where, in which category, "
        "for what purpose. How it is protected, who may see it and who holds the key are in "
        "`docs/INFORMATION_GOVERNANCE.md`.",
        "",
        "Every column below is pseudonymised personal data: ids are keyed pseudonyms "
        "(HMAC-SHA256) that the key holder can link back to a child, dates of birth are cut to "
        "the month and postcodes replaced by the LSOA, and none of that makes the data "
        "anonymous (UK GDPR Recital 26). The raw returns (`TIP_RAW_DIR`) hold the same records "
        "with their direct identifiers (ids, UPNs, full dates of birth, postcodes): only intake "
        "reads them, in memory.",
        "",
        "Columns by category, over every service extract:",
        "",
        *_category_counts(),
        "",
        "## Service extracts",
        "",
    ]
    for extract in service_extracts():
        lines += _extract_section(extract)
    lines += _other_section(OTHER_TABLES)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
