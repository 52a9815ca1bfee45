"""The raw layouts of the other services' case-level records intake reads: the youth justice
case-management system's offences and outcomes tables, and the H-CLIC return's Main, People,
Support and Temporary accommodation sections, as CSV or XLSX tables, converted into the
contract extracts ``yjs_*`` and ``hclic_*`` by the SSDA903 reader's conversions
(``intake.ssda903``: :class:`RawLayout`, ``convert``), recognised by their header like its
tables.

**Why the column names are the project's own.** Neither specification is openly published
(docs/DOMAIN.md, "Youth justice" and "Homelessness (H-CLIC)"). The YJB's *Data recording
requirements for youth justice services* (GOV.UK, yearly) name the case-level items, but the
layout of the XML parts a case-management system sends the YJB is its suppliers'. MHCLG's
H-CLIC data requirement and XML schema are sent on request only
(``HomelessnessStats@communities.gov.uk``); its public *Summary of the Data Monitoring
Specification* (2017) gives the nine sections linked by a case id, of which Main, People and
Support are completed for every case, and Temporary accommodation when the authority places
the household (here one record per placement: its start, its end and its type). So the tables
below carry the items the contracts need under names declared here, as an authority's system
reports them, and ``data_sources/README.md`` documents them for the authority's analyst who
writes that report.

How values are converted, beyond the SSDA903 reader's:

- A person's id is the service system's own: hashed in that system's namespace, or, where the
  authority's cross-reference lists it, as its common person id (``intake.pseudonyms``), so the
  same child links across services only through that file.
- A record key (the offence reference, the H-CLIC case reference) is hashed in the system's
  records namespace: the same in every file and quarter, never the system's key itself.
- The postcodes (home at the offence; the last settled home) become LSOA 2021 codes.
- H-CLIC's People section lists every member of the household; ``DEPENDENT_CHILD`` says who is
  a dependent child (``Y``) and who is not (``N``). Only dependent children are written to
  ``hclic_children``; the others are counted as left out, never silently dropped.
- H-CLIC is reported by quarter: each section's file lies in its quarter's folder
  (``2023-24/Q1/``, ``intake.landing``) and becomes that quarter's contract file.
"""

from __future__ import annotations

from pathlib import Path

from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import HOUSING, YOUTH_JUSTICE, Pseudonymiser
from tip_pipeline.intake.ssda903 import (
    LAYOUTS as SSDA903_LAYOUTS,
)
from tip_pipeline.intake.ssda903 import (
    Conversion,
    IntakeResult,
    RawColumn,
    RawLayout,
    RowFilter,
    convert,
    recognise,
)
from tip_pipeline.intake.tables import read_table
from tip_pipeline.sources.contracts import (
    HCLIC_CHILDREN,
    HCLIC_MAIN,
    HCLIC_SUPPORT,
    HCLIC_TEMP_ACCOMMODATION,
    YJS_OFFENCES,
    YJS_OUTCOMES,
)

#: how messages name the youth justice tables and the H-CLIC sections
YJ_FAMILY = "the youth justice system's"
HCLIC_FAMILY = "H-CLIC's"


def _column(raw: str, contract: str, conversion: Conversion) -> RawColumn:
    return RawColumn(raw, contract, conversion)


YJ_OFFENCES = RawLayout(
    name="Offences",
    extract=YJS_OFFENCES,
    kept=(
        _column("YJ_CHILD_ID", "YJ_ID", Conversion.PSEUDONYM),
        _column("OFFENCE_REF", "OFFENCE_ID", Conversion.RECORD_ID),
        _column("OFFENCE_DATE", "OFFENCE_DATE", Conversion.DATE),
        _column("OFFENCE_CATEGORY", "OFFENCE_TYPE", Conversion.CODE),
        _column("GRAVITY_SCORE", "GRAVITY", Conversion.CODE),
        _column("DOB", "DOB", Conversion.BIRTH_MONTH),
        _column("SEX", "SEX", Conversion.CODE),
        _column("ETHNICITY", "ETHNICITY", Conversion.CODE),
        _column("HOME_POSTCODE", "HOME_LSOA", Conversion.HOME_LSOA),
    ),
    dropped={
        "PNC_ID": "the Police National Computer id, a national identifier of the child: not in "
        "the contract",
        "OFFENCE_DESCRIPTION": "free text, which may name people or places: only the "
        "offence's category is kept",
    },
    system=YOUTH_JUSTICE,
    family=YJ_FAMILY,
    collection="youth justice",
)

YJ_OUTCOMES = RawLayout(
    name="Outcomes",
    extract=YJS_OUTCOMES,
    kept=(
        _column("YJ_CHILD_ID", "YJ_ID", Conversion.PSEUDONYM),
        _column("OFFENCE_REF", "OFFENCE_ID", Conversion.RECORD_ID),
        _column("OUTCOME_DATE", "OUTCOME_DATE", Conversion.DATE),
        _column("OUTCOME", "OUTCOME_TYPE", Conversion.CODE),
    ),
    dropped={
        "COURT": "the court or panel that gave the outcome: not in the contract",
    },
    system=YOUTH_JUSTICE,
    family=YJ_FAMILY,
    collection="youth justice",
)

HCLIC_MAIN_SECTION = RawLayout(
    name="Main",
    extract=HCLIC_MAIN,
    kept=(
        _column("CASE_REF", "CASE_ID", Conversion.RECORD_ID),
        _column("APPLICATION_DATE", "APPLICATION_DATE", Conversion.DATE),
        _column("ASSESSMENT_DATE", "ASSESSMENT_DATE", Conversion.DATE),
        _column("ASSESSMENT_OUTCOME", "INITIAL_DUTY", Conversion.CODE),
        _column("REASON_LOSS_SETTLED_HOME", "REASON_LOSS", Conversion.CODE),
        _column("HOUSEHOLD_TYPE", "HOUSEHOLD_TYPE", Conversion.CODE),
        # a count, passed through as text like a code: validation reads it as a whole number
        _column("DEPENDENT_CHILDREN", "NUM_DEP_CHILDREN", Conversion.CODE),
        _column("SETTLED_HOME_POSTCODE", "HOME_LSOA", Conversion.HOME_LSOA),
        _column("DUTY_END_DATE", "DUTY_END_DATE", Conversion.DATE),
        _column("DUTY_END_REASON", "DUTY_END_REASON", Conversion.CODE),
    ),
    dropped={
        "CURRENT_POSTCODE": "the postcode where the household lives now: only the last settled "
        "home is kept, as its LSOA",
    },
    system=HOUSING,
    family=HCLIC_FAMILY,
    collection="",
)

#: the People section's column that says whether a member of the household is a dependent child
DEPENDENT_CHILD = "DEPENDENT_CHILD"

HCLIC_PEOPLE_SECTION = RawLayout(
    name="People",
    extract=HCLIC_CHILDREN,
    kept=(
        _column("CASE_REF", "CASE_ID", Conversion.RECORD_ID),
        _column("PERSON_REF", "CHILD_ID", Conversion.PSEUDONYM),
        _column("DOB", "CHILD_DOB", Conversion.BIRTH_MONTH),
        _column("SEX", "CHILD_SEX", Conversion.CODE),
    ),
    dropped={
        "RELATIONSHIP": "the member's relationship to the main applicant: not in the contract",
        "ETHNICITY": "not in the contract's hclic_children",
        "NATIONALITY": "not in the contract",
    },
    system=HOUSING,
    family=HCLIC_FAMILY,
    collection="",
    rows=RowFilter(
        raw=DEPENDENT_CHILD,
        kept=("Y",),
        left_out=("N",),
        why="members of the household who are not dependent children (DEPENDENT_CHILD N): "
        "hclic_children holds the dependent children only",
    ),
)

HCLIC_SUPPORT_SECTION = RawLayout(
    name="Support",
    extract=HCLIC_SUPPORT,
    kept=(
        _column("CASE_REF", "CASE_ID", Conversion.RECORD_ID),
        _column("SUPPORT_NEED", "SUPPORT_NEED", Conversion.CODE),
    ),
    dropped={},
    system=HOUSING,
    family=HCLIC_FAMILY,
    collection="",
)

HCLIC_TA_SECTION = RawLayout(
    name="Temporary accommodation",
    extract=HCLIC_TEMP_ACCOMMODATION,
    kept=(
        _column("CASE_REF", "CASE_ID", Conversion.RECORD_ID),
        _column("TA_START_DATE", "TA_START_DATE", Conversion.DATE),
        _column("TA_END_DATE", "TA_END_DATE", Conversion.DATE),
        _column("TA_TYPE", "TA_TYPE", Conversion.CODE),
    ),
    dropped={
        "TA_POSTCODE": "the postcode of the accommodation, where the household lives: only the "
        "type of accommodation is kept",
        "TA_LA": "the authority whose district the accommodation is in (placed out of area or "
        "not): not in the contract",
    },
    system=HOUSING,
    family=HCLIC_FAMILY,
    collection="",
)

#: the youth justice tables and H-CLIC sections, in the order they are compared
SERVICE_LAYOUTS: tuple[RawLayout, ...] = (
    YJ_OFFENCES,
    YJ_OUTCOMES,
    HCLIC_MAIN_SECTION,
    HCLIC_PEOPLE_SECTION,
    HCLIC_SUPPORT_SECTION,
    HCLIC_TA_SECTION,
)
#: every raw table landing recognises by its header
TABLE_LAYOUTS: tuple[RawLayout, ...] = SSDA903_LAYOUTS + SERVICE_LAYOUTS
TABLE_KINDS = "SSDA903, youth justice or H-CLIC"


def read_raw_table(
    path: Path | str, pseudonymiser: Pseudonymiser, lookup: PostcodeLookup
) -> IntakeResult:
    """A raw table (CSV or XLSX) of any return landing reads as tables (SSDA903, youth
    justice, H-CLIC), told by its header, converted into its contract extract."""
    table = read_table(path)
    layout = recognise(table.header, table.file, table.unit, TABLE_LAYOUTS, TABLE_KINDS)
    return convert(table, pseudonymiser, lookup, layout)
