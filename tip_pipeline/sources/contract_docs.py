"""Render data_sources/README.md from the contracts, so the documentation cannot drift.

``python -m tip_pipeline.sources.contract_docs > data_sources/README.md`` rewrites it; a test
fails when the committed file differs from what this renders.
"""

from __future__ import annotations

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.contracts import EXTRACTS, SOURCES, Column, ColumnKind, Extract

_EXAMPLE = FinancialYear(2023)

_SOURCE_TITLES = {
    "cin": "Children's services: Children in Need census (flattened)",
    "ssda903": "Children's services: looked-after children (SSDA903)",
    "yjs": "Youth justice",
    "hclic": "Housing: homelessness (H-CLIC-like, quarterly)",
    "ref": "Reference data",
}

_INTRO = """\
# Data contracts

Generated from `tip_pipeline/sources/contracts.py` by
`python -m tip_pipeline.sources.contract_docs > data_sources/README.md`; a test fails when this
file is stale. Real data never enters this repository: this folder holds synthetic deliveries
written by `tip generate` (git ignores everything here but this file). With `--format dfe` the
CIN and SSDA903 extracts come as the raw returns intake takes in (below, "Raw returns
(intake)"), in `raw/`, with a synthetic key and postcode lookup in `raw_support/`; the youth
justice and H-CLIC layouts intake reads, and the cross-reference of people across services,
are documented there too.

## Deliveries and file names

Ingestion finds files **by name alone** (real deliveries come with no manifest), directly in
`TIP_DATA_DIR` (default `data_sources/`). One delivery is one reporting year's files; a
reporting year is a financial year, 1 April to 31 March, labelled `2023/24` and written
`2023-24` in file names.

| cadence | file name | example |
|---|---|---|
| annual service extract | `<table>_<YYYY-YY>.csv` | `cin_children_2023-24.csv` |
| quarterly service extract | `<table>_<YYYY-YY>_Q<1-4>.csv` (Q1 = April-June) | `hclic_main_2023-24_Q1.csv` |
| ONS mid-year estimate | `<table>_mid<YYYY>.csv`; the year ending 31 March YYYY+1 uses mid-YYYY | `ref_population_mid2023.csv` (for 2023/24) |
| reference file | `<table>_<vintage>.csv` | `ref_imd_2025.csv` |

Files are CSV, UTF-8 (a byte-order mark is tolerated), comma-separated, with a header line of
exactly the contract's columns (any other column refuses the delivery), dates as `yyyy-mm-dd`,
and an empty field for a missing value.

Each year's service extract describes the year as known at its end (31 March), like the DfE
returns: it holds every episode, plan or case open at any point in the year; an end date after
31 March is not yet known and is blank; an open episode appears again in the next year's file.

## Anonymisation

Extracts are anonymised before they arrive, as real local-authority extracts are: person ids
are replaced by a salted-hash pseudonym that is the same for the same child in every extract
(so services can be linked without naming anyone); dates of birth are cut to the first of the
month; postcodes are replaced by the LSOA (2021 boundaries); SSDA903's `HOME_POST` holds the
home LSOA and `PL_POST` is dropped (the placement is located by `PL_LA` only); UPNs, NHS
numbers, names and free text are never extracted. A delivery that still carries a direct
identifier is refused whole.

A home LSOA column may be empty: the child's home area is unknown (the CIN census carries no
address; a postcode the ONS lookup lacks). The row is accepted and counted in completeness and
in the delivering local authority (`TIP_HOME_LA`, or the one LA of the LSOA lookup) under an
unknown home area; where that LA cannot be told the row is quarantined. A home LSOA that is
filled must be an LSOA of the lookup.

## Sex codes

Up to 2023/24 returns use `1` male, `2` female, `0` not recorded, `9` indeterminate; from
2024/25 `M`, `F`, `U`. Every person-level extract follows the change; ingestion harmonises to
M, F, U.
"""


def _allowed(column: Column) -> str:
    if callable(column.codes):
        before = ", ".join(column.allowed(FinancialYear(2023)) or ())
        after = ", ".join(column.allowed(codes.SEX_LETTER_FROM) or ())
        return f"{before} (to 2023/24); {after} (from 2024/25)"
    if column.codes is None:
        return ""
    return ", ".join(column.codes)


def _columns_table(extract: Extract) -> list[str]:
    if extract.table == "ref_population":
        return [
            "| column | kind | required | meaning | allowed values |",
            "|---|---|---|---|---|",
            *(_column_row(c) for c in extract.columns[:5]),
            "| F0 ... F90, M0 ... M90 | int | yes | Population by sex and single year of age "
            "(90 = 90 and over) | |",
        ]
    return [
        "| column | kind | required | meaning | allowed values |",
        "|---|---|---|---|---|",
        *(_column_row(c) for c in extract.columns),
    ]


def _column_row(column: Column) -> str:
    required = "yes" if column.required else "no"
    return (
        f"| `{column.name}` | {column.kind.value} | {required} | {column.description} | "
        f"{_allowed(column)} |"
    )


def _extract_section(extract: Extract) -> list[str]:
    names = extract.file_names(_EXAMPLE)
    lines = [
        f"### {extract.table}",
        "",
        extract.description,
        "",
        f"- Files: `{names[0]}`" + (f" ... `{names[-1]}`" if len(names) > 1 else ""),
        f"- Unique key: {', '.join(f'`{k}`' for k in extract.key)}",
    ]
    if extract.parent:
        parent, cols = extract.parent
        lines.append(f"- Each row belongs to a row of `{parent}` (by {', '.join(cols)})")
    if extract.anonymisation:
        lines.append(f"- Anonymisation: {extract.anonymisation}")
    return [*lines, "", *_columns_table(extract), ""]


def _kinds_section() -> list[str]:
    meaning = {
        ColumnKind.PSEUDO_ID: "keyed-hash pseudonym of a child, shared across extracts: lower-case "
        "hexadecimal, 16 or 64 digits (any other value refuses the delivery)",
        ColumnKind.STAFF_PSEUDO_ID: "keyed-hash pseudonym of a member of staff (a social "
        "worker), in the same form as a child's but made in a namespace of its own, so never "
        "equal to a child's pseudonym",
        ColumnKind.ID: "record key that identifies no person",
        ColumnKind.DATE: "date, yyyy-mm-dd",
        ColumnKind.BIRTH_MONTH: "date of birth cut to the first of the month, yyyy-mm-01",
        ColumnKind.PARTIAL_DATE: "date as precisely as it is known: yyyy-mm-dd, yyyy-mm (day "
        "not known) or yyyy (day and month not known); never a day that was not given",
        ColumnKind.INT: "whole number",
        ColumnKind.FLOAT: "decimal number",
        ColumnKind.CODE: "one value of the column's code list",
        ColumnKind.CODES: "comma-separated values of the column's code list",
        ColumnKind.AREA: "ONS GSS area code (E01... LSOA, E05... ward, E06-E10 LA, E12 region)",
        ColumnKind.NAME: "name of an area or of a category (reference data only)",
    }
    rows = [f"| {k.value} | {meaning[k]} |" for k in ColumnKind]
    return ["## Column kinds", "", "| kind | meaning |", "|---|---|", *rows, ""]


_RAW_INTRO = """\
## Raw returns (intake)

A local authority's own returns, as it keeps them, are converted into the contract files above
by intake (`tip intake --raw DIR --out DIR`, or `tip run --raw DIR`), never read by anything
else. The raw folder (`TIP_RAW_DIR`) holds one folder per reporting year named by its file tag
(`2023-24/`); an SSDA903 table is dated by its folder, since it carries no year. A file is
recognised by its content, never its name: a CSV (UTF-8) or XLSX table (first sheet) by its
header, whose names are compared in capitals, stripped, in any order. Dates may be
`dd/mm/yyyy`, ISO or Excel dates and serials. Ids become keyed pseudonyms, dates of birth the
first of their month, home postcodes the LSOA 2021 through the ONS postcode lookup; every other
column is dropped and named in the run's report. Every record is written or refused with its
file, line or row, column and reason (`ops.intake_log`, `ops.intake_tables`,
`ops.intake_refusals`).

Every table of DfE's SSDA903 return is read: Header, Episodes, Missing, Reviews, OC2, OC3,
UASC, AD1, PlacedAdoption, PrevPerm and SW episodes. The SW episodes table is part of the
return from 2023/24: an earlier year with SSDA903 tables gets its contract file with no rows,
and the report says why. A social worker's id (SW_ID) is pseudonymised with the same key as a
child's, in a namespace of its own, so it never equals a child's pseudonym. DATE_PERM may be
partly unknown, as DfE allows (`ZZ/05/2019`, `ZZ/ZZ/2019`, `ZZ/ZZ/ZZZZ`): it is kept to the
month or the year given, or written empty, never with a day made up.

**The previous year's Header and Episodes.** DfE's year-on-year checks read the previous
year's Header and Episodes, which an authority keeps. They are the previous reporting year's
return: put them in that year's folder (`2022-23/` beside `2023-24/`), where they become that
year's `ssda903_header` and `ssda903_episodes`. A table given twice in one year's folder (last
year's Header beside this year's, say) refuses both files whole, naming each other, since
choosing one would drop the other's records.

The SSDA903 return may come as its CSV or XLSX tables or as DfE's XML (below): each is read
into the same raw tables and converted by the same conversions, so a year's XML and its CSV
tables give the same contract rows.

`tip generate --format dfe` writes synthetic returns of these layouts for its children
(`raw/<YYYY-YY>/`: the year's SSDA903 return, with dates `dd/mm/yyyy`, either every table as
CSV or the whole return as DfE's XML, `ssda903_return.xml`: by default the XML for the years
ending in an even year and the CSV tables for the others, `--ssda903 csv` or `xml` for every
year; and the CIN census XML), with a key and an ONS-layout postcode lookup in `raw_support/`
that are synthetic too: the key is drawn from the seed, so it is no secret.

| conversion | what is written |
|---|---|
"""

#: what each intake conversion writes (tip_pipeline.intake.ssda903.Conversion)
_CONVERSIONS = {
    "pseudonym": "the keyed pseudonym (HMAC-SHA256) of the normalised id, in its system's "
    "namespace (children's social care, youth justice, housing), or of its common person id "
    "where the cross-reference lists it",
    "record_id": "the keyed pseudonym (HMAC-SHA256, the same key) of a record key (an offence "
    "or case reference) in its system's records namespace: the same in every file and quarter",
    "staff_pseudonym": "the keyed pseudonym (HMAC-SHA256, the same key) of the normalised id in "
    "the staff namespace: never equal to a child's",
    "birth_month": "the date read, cut to the first of its month, yyyy-mm-01",
    "month": "the date read, cut to the first of its month, yyyy-mm-01 (a date that would give "
    "back a day of birth)",
    "date": "the date read, yyyy-mm-dd",
    "partial_date": "a full date as yyyy-mm-dd; DfE's partly unknown date (ZZ) kept to its "
    "month, yyyy-mm, or year, yyyy, or empty when the year is unknown",
    "home_lsoa": "the LSOA 2021 of the postcode (ONS lookup); empty when the lookup lacks it "
    "(an unknown home area)",
    "placement_la": "the export's own PL_LA where it carries one; otherwise the local authority "
    "district of the placement's postcode, PL_POST (ONS lookup, LADCD), as DfE derives it; "
    "empty when the lookup cannot place it; the postcode itself is dropped",
    "code": "the code as written, trimmed (validation judges it against the year's code list)",
}


def _layout_lines(title: str, layout) -> list[str]:
    """One raw table's columns: kept (with their conversion), the rows written where not all
    are, dropped (with why)."""
    lines = ["", f"### {title} -> `{layout.extract.table}`", ""]
    lines += ["| raw column | contract column | conversion | required |", "|---|---|---|---|"]
    lines += [
        f"| `{c.raw}` | `{c.contract}` | {c.conversion.value} | {'yes' if c.required else 'no'} |"
        for c in layout.kept
    ]
    if layout.rows:
        kept, out = " or ".join(layout.rows.kept), " or ".join(layout.rows.left_out)
        lines += [
            "",
            f"Rows: `{layout.rows.raw}` (required) {kept} is written; {out} is left out and "
            f"counted ({layout.rows.why}); any other value refuses the record.",
        ]
    if layout.dropped:  # the outcome tables' columns are all kept
        lines += ["", "| dropped column | why |", "|---|---|"]
        lines += [f"| `{column}` | {why} |" for column, why in layout.dropped.items()]
    return lines


def _raw_section() -> list[str]:
    from tip_pipeline.intake.services import HCLIC_FAMILY, SERVICE_LAYOUTS, YJ_FAMILY
    from tip_pipeline.intake.ssda903 import LAYOUTS, Conversion

    lines = [_RAW_INTRO.rstrip("\n")]
    lines += [f"| {c.value} | {_CONVERSIONS[c.value]} |" for c in Conversion]
    for layout in LAYOUTS:
        lines += _layout_lines(f"SSDA903 {layout.name} table", layout)
    lines += ["", *_ssda903_xml_section(), *_cin_xml_section()]
    lines += [_SERVICES_INTRO.rstrip("\n")]
    titles = {YJ_FAMILY: "Youth justice", HCLIC_FAMILY: "H-CLIC"}
    for layout in SERVICE_LAYOUTS:
        noun = "section" if layout.family == HCLIC_FAMILY else "table"
        lines += _layout_lines(f"{titles[layout.family]} {layout.name} {noun}", layout)
    return [*lines, "", *_cross_reference_section()]


_SERVICES_INTRO = """### Youth justice case-level tables and H-CLIC sections

Neither specification is openly published (docs/DOMAIN.md, "Youth justice" and "Homelessness
(H-CLIC)"): the YJB's *Data recording requirements for youth justice services* (GOV.UK, yearly)
name the case-level items, but the XML parts a case-management system sends the YJB are laid
out by its suppliers; MHCLG's H-CLIC data requirement (v1.4.5) and XML schema are sent on
request to HomelessnessStats@communities.gov.uk, and only its 2017 *Summary of the Data
Monitoring Specification* is public (nine sections linked by a case id: Main, People, Support,
Prevention, Relief, Final duties, Assistance, Temporary accommodation, Reviews). So intake reads
the tables an authority's systems can report, under the column names below, which are the
project's: an offences table and an outcomes table from the youth justice system, and H-CLIC's
Main, People, Support and Temporary accommodation sections, one CSV or XLSX file each,
recognised by their header like the SSDA903 tables. The youth justice tables lie in their
year's folder (`2023-24/`); H-CLIC's sections in their quarter's (`2023-24/Q1/` for April to
June), each becoming that quarter's contract file; a section outside a quarter folder is
refused. The file names the generator writes (`hclic_main.csv`, `hclic_people.csv`,
`hclic_support.csv`, `hclic_temp_accommodation.csv`) are the project's own too, and intake
does not rely on them. The other five H-CLIC sections are not read. Person ids are the
service's own (hashed in its own namespace, unless the cross-reference below lists them);
record keys are hashed too, never written as the system keeps them. Every record is written,
refused with its line and column, or (H-CLIC's People: members of the household who are not
dependent children) left out and counted: read = written + refused + left out
(`ops.intake_tables`).

The Temporary accommodation section has one row per placement of a case open in the quarter:
its start, its end (blank while the household is still placed) and its type, in the types of
MHCLG's *Statutory homelessness in England* temporary accommodation tables (TA1). From it the
indicators count the dependent children of the households placed at the end of 31 March
(docs/DOMAIN.md, "Homelessness (H-CLIC)").

**Repeat homelessness** is **not computable here** (docs/DOMAIN.md, "Homelessness (H-CLIC)"),
and nothing is counted in its place: it needs a reference of the household (or its main
applicant) that the housing system keeps the same across applications, and the sections read
carry none: `CASE_REF` is one application, the same in every quarter it is reported, Main holds
no id of the applicant, and People's `PERSON_REF` is written for dependent children only.
"""

_CROSS_REFERENCE_INTRO = """### Cross-reference of people across services

An optional table (CSV or XLSX) from the authority's master person index or matching exercise,
**in the raw folder itself** (it is no year's return), recognised by its header: each row gives
a source system, the person's id in it and the common person id. Intake applies it before
hashing: a listed id becomes the pseudonym of its common person id, so the person has one
pseudonym in every service listing them; an id it does not list keeps its system's own
namespace, so services never share a pseudonym by chance. Without it nothing links across
services. Each year's people per service and how many it linked (the match rate) are recorded
in `ops.intake_linkage` and in the run's report. Ids are compared trimmed and case-folded. A row
whose system is unknown or whose id is empty is refused; a source id listed with two different
person ids is refused on every row (it is ambiguous). Two cross-reference files are both refused
and nothing is linked.
"""


def _cross_reference_section() -> list[str]:
    from tip_pipeline.intake.cross_reference import PERSON_ID, SOURCE_ID, SOURCE_SYSTEM
    from tip_pipeline.intake.pseudonyms import SYSTEMS

    systems = "; ".join(f"`{name}`: {system.title}" for name, system in SYSTEMS.items())
    return [
        _CROSS_REFERENCE_INTRO.rstrip("\n"),
        "",
        "| column | holds |",
        "|---|---|",
        f"| `{SOURCE_SYSTEM}` | the system whose id it is: {systems} |",
        f"| `{SOURCE_ID}` | the person's id in that system, as its returns write it |",
        f"| `{PERSON_ID}` | the common person id the authority gives the person |",
        "",
    ]


_SSDA903_XML_INTRO = """\
### SSDA903 return (XML)

DfE's XML of the return, as its *Children looked after return: technical specifications*
lay it out (openly published on GOV.UK for each collection year, the technical specification,
"1.1 XML format", with the XML schema files; for 2023/24:
https://www.gov.uk/government/publications/children-looked-after-return-2023-to-2024-technical-specifications):
root `EXPSSDA903`, one `CHILD` per child holding one `HEADER` and one
`EPISODE` per episode of care. The nesting was checked against the sector's validator
(data-to-insight/csc-validator-be-903, `lac_validator/ingress.py` and its sample
`tests/fake_data/fake_903.xml`); the schema files themselves were not at hand, so the AD1, OC3
and UASC items are read where the validator finds them, as elements of the `HEADER`. An
element not declared below is dropped with all it holds and named in the run's report by its
path, never read as something else.

Recognised by its root `EXPSSDA903` alone (the return's XML names no collection and no year):
dated by its year folder, as the tables are, and refused in the raw folder itself. Parsed as a
stream with DTDs, entity declarations and external references refused, like the CIN census.
Each record becomes a row of its raw table under the CSV's column names, the child's `CHILDID`
(the CSV's CHILD), `DOB` and `SEX` taken from its `HEADER`, and is converted as above. An
empty element and an absent one are both a missing value. A table read from the `HEADER`'s own
items has a record when one of them is given (UASC: `UASC` other than `0`, or a `DUC`); the
Header table has one per `CHILD`.
"""


def _ssda903_xml_section() -> list[str]:
    from tip_pipeline.intake.ssda903_xml_layout import DROPPED, HEADER_PATH, RECORDS, USED

    lines = [_SSDA903_XML_INTRO.rstrip("\n"), ""]
    lines += ["| records | table | element -> raw column |", "|---|---|---|"]
    for record in RECORDS:
        where = f"`{record.path}`, each" if record.path else f"`{HEADER_PATH}`, its items"
        read = [f"`{record.element_of(c).rsplit('/', 1)[1]}` -> {c}" for c in record.columns]
        lines.append(f"| {where} | `{record.layout.extract.table}` | {', '.join(read)} |")
    lines += ["", "| dropped element | why |", "|---|---|"]
    lines += [f"| `{path}` | {why} |" for path, why in {**DROPPED, **USED}.items()]
    return [*lines, ""]


#: what each CIN census conversion writes beyond the tables' (tip_pipeline.intake.cin_layout)
_XML_CONVERSIONS = {
    "codes": "the repeated element's codes, comma-separated",
    "boolean": "`1` for true, `0` for false",
    "int": "the whole number (leading zeros dropped)",
    "parent": "the value of the enclosing record (the child's pseudonym, the referral's date)",
    "absent": "empty: no element of the census holds it",
}


def _cin_xml_section() -> list[str]:
    from tip_pipeline.intake.cin_layout import RECORDS

    lines = [
        "### CIN census return (XML)",
        "",
        "Recognised by its root `Message` and `Header/CollectionDetails/Collection` = `CIN`; "
        "dated by `ReferenceDate` (31 March ends the reporting year), in the raw folder itself "
        "or in its year's folder. Parsed as a stream with DTDs and entities refused. One row per "
        "repeated element below; the census carries no address, so `HomeLSOA` is written "
        "empty and counted: every child is counted in the delivering LA under an unknown home "
        "area.",
        "",
        "| conversion | what is written |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in _XML_CONVERSIONS.items()),
    ]
    for layout in RECORDS:
        lines += ["", f"`{layout.path}` -> `{layout.extract.table}`", ""]
        lines += ["| contract column | conversion | read from |", "|---|---|---|"]
        lines += [
            f"| `{c.contract}` | {c.conversion.value} | "
            f"{', '.join(f'`{source}`' for source in c.sources)} |"
            for c in layout.columns
        ]
        if layout.dropped:
            lines += ["", "| dropped element | why |", "|---|---|"]
            lines += [f"| `{element}` | {why} |" for element, why in layout.dropped.items()]
    return [*lines, ""]


def render() -> str:
    parts = [_INTRO, *_kinds_section()]
    for source in SOURCES:
        parts.append(f"## {_SOURCE_TITLES[source]}\n")
        for extract in EXTRACTS.values():
            if extract.source == source:
                parts.extend(_extract_section(extract))
    parts.extend(_raw_section())
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
