"""Data contracts: every extract the pipeline accepts, declared once, as data.

The generator writes these files, ingestion finds and reads them by these names alone (real
deliveries come with no manifest), validation checks them against these columns and code lists,
the warehouse's staging tables are built from them and data_sources/README.md documents them.

A delivery is one reporting year's files. Service extracts are named
``<table>_<YYYY-YY>.csv`` (homelessness, quarterly: ``<table>_<YYYY-YY>_Q<n>.csv``); reference
files carry their own vintage (``ref_population_mid2023.csv``, ``ref_imd_2025.csv``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes


class ColumnKind(StrEnum):
    """What a column holds; decides its parsed type and which checks apply to it."""

    PSEUDO_ID = "pseudo_id"  # keyed hash in PSEUDONYM_FORMAT, same child in every extract
    #: keyed hash of a member of staff's id (a social worker), in PSEUDONYM_FORMAT but made in
    #: a namespace of its own, so that it never equals a child's pseudonym
    STAFF_PSEUDO_ID = "staff_pseudo_id"
    ID = "id"  # a record key that identifies no person (case id, offence id)
    DATE = "date"  # ISO yyyy-mm-dd
    BIRTH_MONTH = "birth_month"  # date of birth cut to the first of the month
    #: a date known to the day, the month or the year only: yyyy-mm-dd, yyyy-mm or yyyy (ISO
    #: 8601's reduced precision); never a day that was not given
    PARTIAL_DATE = "partial_date"
    INT = "int"
    FLOAT = "float"
    CODE = "code"  # one value from a code list
    CODES = "codes"  # comma-separated values from a code list
    AREA = "area"  # ONS GSS code (LSOA, ward, LA, region, country)
    NAME = "name"  # the name of an area or of a category (reference data only)


#: The declared form of a pseudonymised id (``ColumnKind.PSEUDO_ID``): lower-case hexadecimal of a
#: keyed hash, either the synthetic generator's 16 digits (the first 64 bits of SHA-256 of a
#: secret salt and the internal id, ``sources/generator/pseudonyms.py``) or a full HMAC-SHA256
#: digest (64 digits, RFC 2104 with SHA-256), as a keyed-hash intake emits. A value of any other
#: form (a name, a date, an NHS number, a local case number) is never accepted as an id: the
#: identifier guard refuses the delivery that carries it.
PSEUDONYM_PATTERN = r"[0-9a-f]{16}|[0-9a-f]{64}"
PSEUDONYM_FORMAT = re.compile(PSEUDONYM_PATTERN)


#: the kinds of column that hold a keyed pseudonym (a child's or a member of staff's): each value
#: must have the declared form, which the identifier guard enforces
PSEUDONYM_KINDS = frozenset({ColumnKind.PSEUDO_ID, ColumnKind.STAFF_PSEUDO_ID})


def is_pseudonym(value: str) -> bool:
    """True if ``value`` has the declared form of a pseudonymised id."""
    return PSEUDONYM_FORMAT.fullmatch(value) is not None


@dataclass(frozen=True)
class BirthRange:
    """The dates of birth a return can plausibly hold, relative to its reporting year.

    ``oldest``: the oldest age, in whole years, on the first day of the year (1 April) of
    anyone the return covers. ``latest_months``: how many months after the last day of the year
    (31 March) a date of birth may fall (an unborn child's expected date; negative when
    everyone covered is older than that, e.g. -120 for ten years and over). A date outside the
    range is an error of entry (a wrong century, a parent's date), not a child of the return.
    """

    oldest: int
    latest_months: int = 0
    why: str = ""

    def earliest_birth(self, period: FinancialYear) -> date:
        """The first day of the earliest plausible birth month: aged ``oldest`` at most on 1
        April (month to month, as the dates are cut to the month)."""
        return date(period.start.year - self.oldest - 1, period.start.month, 1)

    def latest_birth(self, period: FinancialYear) -> date:
        """The last plausible date of birth: the end of the month ``latest_months`` after
        March."""
        months = period.end.year * 12 + period.end.month + self.latest_months
        return date(months // 12, months % 12 + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Column:
    name: str
    kind: ColumnKind
    description: str
    required: bool = True
    #: allowed values: a tuple, or a function of the period for lists that change by year
    codes: tuple[str, ...] | Callable[[FinancialYear], tuple[str, ...]] | None = None
    #: columns sharing a group (e.g. the population's counts F0..M90) are validated together
    group: str = ""
    #: a date-of-birth column's plausible dates, relative to the reporting year
    birth_range: BirthRange | None = None
    #: a date planned rather than past (a target date), which may fall after 31 March: no
    #: "not after the year's end" rule
    planned: bool = False

    def allowed(self, period: FinancialYear | None) -> tuple[str, ...] | None:
        """The code list in force for ``period`` (None where the column has no list)."""
        if callable(self.codes):
            if period is None:
                raise ValueError(f"{self.name}: its code list depends on the period")
            return self.codes(period)
        return self.codes


#: the source of reference data (population, deprivation, lookups, benchmarks); every other
#: source is a service's records
REFERENCE_SOURCE = "ref"


class Cadence(StrEnum):
    ANNUAL = "annual"  # one file per financial year
    QUARTERLY = "quarterly"  # four files per financial year
    REFERENCE = "reference"  # one file of its own vintage, not tied to a reporting year
    MID_YEAR = "mid_year"  # one file per ONS mid-year estimate


@dataclass(frozen=True)
class Extract:
    """One table of one source, as delivered."""

    table: str
    source: str
    description: str
    cadence: Cadence
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    anonymisation: str = ""
    #: the vintage in a reference file's name, e.g. ``ref_imd_2025.csv``
    vintage: str = ""
    #: parent table and the columns that link to it (referential integrity, cascade)
    parent: tuple[str, tuple[str, ...]] | None = None
    #: the column holding the child's (or household's) home LSOA, checked against the lookup
    home_lsoa: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: years before the first reporting year are delivered too, and staged and validated once
    #: as the unpartitioned history (a first-time entrant's "first ever" needs them)
    history: bool = False
    #: the indicators read every delivered year up to the reporting year, history included
    #: (not only the year's own rows)
    read_across_years: bool = False
    #: read by the indicators (a table validated for its own sake, or for its parent's
    #: cascade, is not)
    read_by_indicators: bool = True
    #: read whole by publishing to build the published areas (``dim_area``: the hierarchy
    #: and deprivation by LSOA)
    published_areas: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.table} has no column {name!r}")

    def file_names(self, period: FinancialYear) -> list[str]:
        """The file names of this extract in the delivery for ``period``."""
        if self.cadence is Cadence.ANNUAL:
            return [f"{self.table}_{period.tag}.csv"]
        if self.cadence is Cadence.QUARTERLY:
            return [f"{self.table}_{period.tag}_Q{q}.csv" for q in (1, 2, 3, 4)]
        if self.cadence is Cadence.MID_YEAR:
            return [f"{self.table}_mid{period.population_mid_year}.csv"]
        return [f"{self.table}_{self.vintage}.csv"]

    @property
    def per_period(self) -> bool:
        """Delivered with each reporting year (annual, quarterly, mid-year), rather than a
        reference file of its own vintage."""
        return self.cadence is not Cadence.REFERENCE

    @property
    def service(self) -> bool:
        """An extract of a service's records (not reference data)."""
        return self.source != REFERENCE_SOURCE


def _sex(period: FinancialYear) -> tuple[str, ...]:
    return tuple(codes.sex_codes(period))


def _col(name: str, kind: ColumnKind, description: str, **kw) -> Column:
    return Column(name=name, kind=kind, description=description, **kw)


def _home_lsoa(name: str, description: str) -> Column:
    """The home LSOA column of an extract (``Extract.home_lsoa``): not required, since an empty
    one is an unknown home area, counted in completeness and in the delivering LA, never a
    reason to quarantine (``tip_pipeline.home_area``); a code the lookup lacks still is."""
    return _col(name, ColumnKind.AREA, description, required=False)


_ANON_PERSON = (
    "Child ids replaced by a salted-hash pseudonym that is the same for the same child in every "
    "extract; date of birth cut to the first of the month; postcode replaced by the home LSOA "
    "(2021 boundaries)."
)

CIN_CHILDREN = Extract(
    home_lsoa="HomeLSOA",
    table="cin_children",
    source="cin",
    description="Children in Need census: one row per child with a CIN episode open in the year.",
    cadence=Cadence.ANNUAL,
    key=("LAchildID",),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("LAchildID", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col(
            "PersonBirthDate",
            ColumnKind.BIRTH_MONTH,
            "Date of birth, first of the month",
            birth_range=BirthRange(
                oldest=25,
                latest_months=9,
                why="children in need up to 25 (care leavers' support); an unborn child's "
                "expected date up to 9 months after the census (DfE 8530Q)",
            ),
        ),
        _col("Sex", ColumnKind.CODE, "Sex: 1/2/0/9 up to 2023/24, M/F/U from 2024/25", codes=_sex),
        _col("Ethnicity", ColumnKind.CODE, "DfE ethnicity code", codes=codes.ETHNICITY),
        _home_lsoa("HomeLSOA", "Home LSOA (2021), in place of the postcode"),
        _col("PersonDeathDate", ColumnKind.DATE, "Date of death", required=False),
    ),
)

CIN_EPISODES = Extract(
    table="cin_episodes",
    source="cin",
    description="CIN episodes (referrals) open at any point in the year, with closure.",
    cadence=Cadence.ANNUAL,
    key=("LAchildID", "CINreferralDate"),
    parent=("cin_children", ("LAchildID",)),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("LAchildID", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("CINreferralDate", ColumnKind.DATE, "Date of referral"),
        _col("ReferralSource", ColumnKind.CODE, "Source of referral", codes=codes.REFERRAL_SOURCE),
        _col("PrimaryNeedCode", ColumnKind.CODE, "Primary need N0-N9", codes=codes.PRIMARY_NEED),
        _col(
            "ReferralNFA",
            ColumnKind.CODE,
            "1 if the referral led to no further action",
            codes=codes.YES_NO,
        ),
        _col("CINclosureDate", ColumnKind.DATE, "Date the episode closed", required=False),
        _col(
            "ReasonForClosure",
            ColumnKind.CODE,
            "Reason for closure RC1-RC9",
            required=False,
            codes=codes.REASON_FOR_CLOSURE,
        ),
    ),
)

CIN_ASSESSMENTS = Extract(
    table="cin_assessments",
    source="cin",
    description="Assessments in CIN episodes open in the year, with factors identified at the "
    "end of assessment.",
    cadence=Cadence.ANNUAL,
    key=("LAchildID", "CINreferralDate", "AssessmentActualStartDate"),
    parent=("cin_episodes", ("LAchildID", "CINreferralDate")),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("LAchildID", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("CINreferralDate", ColumnKind.DATE, "Referral date of the episode"),
        _col("AssessmentActualStartDate", ColumnKind.DATE, "Assessment start date"),
        _col(
            "AssessmentAuthorisationDate",
            ColumnKind.DATE,
            "Date the assessment was completed (authorised); blank while in progress",
            required=False,
        ),
        _col(
            "AssessmentFactors",
            ColumnKind.CODES,
            "Factors identified at the end of assessment, comma-separated; blank until completed",
            required=False,
            codes=codes.ASSESSMENT_FACTORS,
        ),
    ),
)

CIN_CP_PLANS = Extract(
    table="cin_cp_plans",
    source="cin",
    description="Child protection plans open at any point in the year.",
    cadence=Cadence.ANNUAL,
    key=("LAchildID", "CPPstartDate"),
    parent=("cin_episodes", ("LAchildID", "CINreferralDate")),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("LAchildID", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("CINreferralDate", ColumnKind.DATE, "Referral date of the episode"),
        _col("CPPstartDate", ColumnKind.DATE, "Plan start date"),
        _col("CPPendDate", ColumnKind.DATE, "Plan end date", required=False),
        _col(
            "InitialCategoryOfAbuse",
            ColumnKind.CODE,
            "Category at the start",
            codes=codes.CATEGORY_OF_ABUSE,
        ),
        _col(
            "LatestCategoryOfAbuse",
            ColumnKind.CODE,
            "Latest category",
            codes=codes.CATEGORY_OF_ABUSE,
        ),
        _col("NumberOfPreviousCPP", ColumnKind.INT, "Number of previous plans"),
    ),
)

CIN_SECTION47 = Extract(
    table="cin_section47",
    source="cin",
    description="Section 47 enquiries in CIN episodes open in the year (the census's Section47 "
    "groups): each enquiry's start and its initial child protection conference, held or not "
    "required.",
    cadence=Cadence.ANNUAL,
    key=("LAchildID", "CINreferralDate", "S47ActualStartDate"),
    parent=("cin_episodes", ("LAchildID", "CINreferralDate")),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("LAchildID", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("CINreferralDate", ColumnKind.DATE, "Referral date of the episode"),
        _col("S47ActualStartDate", ColumnKind.DATE, "Date the section 47 enquiry started"),
        _col(
            "InitialCPCtarget",
            ColumnKind.DATE,
            "Target date of the initial child protection conference (15 working days after the "
            "strategy discussion); may fall after 31 March",
            required=False,
            planned=True,
        ),
        _col(
            "DateOfInitialCPC",
            ColumnKind.DATE,
            "Date of the initial child protection conference; blank if none was held in the "
            "year (or not yet)",
            required=False,
        ),
        _col(
            "ICPCnotRequired",
            ColumnKind.CODE,
            "1 if the enquiry found no initial child protection conference was required",
            required=False,
            codes=codes.YES_NO,
        ),
    ),
)

SSDA903_HEADER = Extract(
    table="ssda903_header",
    source="ssda903",
    description="SSDA903 header: one row per child looked after at any point in the year, and "
    "per care leaver of the year's OC3 cohort.",
    cadence=Cadence.ANNUAL,
    key=("CHILD",),
    anonymisation=_ANON_PERSON + " UPN and mother's details are not extracted.",
    columns=(
        _col("CHILD", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("SEX", ColumnKind.CODE, "Sex: 1/2/0/9 up to 2023/24, M/F/U from 2024/25", codes=_sex),
        _col(
            "DOB",
            ColumnKind.BIRTH_MONTH,
            "Date of birth, first of the month",
            birth_range=BirthRange(
                oldest=21, why="children looked after, and care leavers up to 21 (OC3)"
            ),
        ),
        _col("ETHNIC", ColumnKind.CODE, "DfE ethnicity code", codes=codes.ETHNICITY),
    ),
)

SSDA903_EPISODES = Extract(
    home_lsoa="HOME_POST",
    table="ssda903_episodes",
    source="ssda903",
    description="SSDA903 episodes open at any point in the year (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD", "DECOM"),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_PERSON + " HOME_POST holds the home LSOA code; PL_POST is dropped and "
    "the placement is located only by PL_LA.",
    columns=(
        _col("CHILD", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("DECOM", ColumnKind.DATE, "Date episode commenced"),
        _col("RNE", ColumnKind.CODE, "Reason for new episode", codes=codes.RNE),
        _col("LS", ColumnKind.CODE, "Legal status", codes=codes.LEGAL_STATUS),
        _col("CIN", ColumnKind.CODE, "Category of need N1-N8", codes=codes.CIN_NEED_903),
        _col("PLACE", ColumnKind.CODE, "Placement type", codes=codes.PLACEMENT),
        _col(
            "PLACE_PROVIDER",
            ColumnKind.CODE,
            "Placement provider",
            required=False,
            codes=codes.PLACE_PROVIDER,
        ),
        _col("DEC", ColumnKind.DATE, "Date episode ceased", required=False),
        _col(
            "REC",
            ColumnKind.CODE,
            "Reason episode ceased",
            required=False,
            codes=codes.REASON_EPISODE_CEASED,
        ),
        _col(
            "REASON_PLACE_CHANGE",
            ColumnKind.CODE,
            "Reason for placement change",
            required=False,
            codes=codes.REASON_PLACE_CHANGE,
        ),
        _home_lsoa("HOME_POST", "Home LSOA (2021) in place of the home postcode"),
        _col("PL_LA", ColumnKind.AREA, "Local authority of the placement", required=False),
    ),
)

#: the dates of birth of children looked after during the year (care ends at 18 at the latest)
_LOOKED_AFTER_BIRTH = BirthRange(oldest=17, why="children looked after, who leave care by 18")


def _child_dob(birth_range: BirthRange = _LOOKED_AFTER_BIRTH) -> tuple[Column, Column]:
    """CHILD and DOB, the first two columns of every SSDA903 table after the header: DfE
    repeats the date of birth in each table, here cut to the month as in the header."""
    return (
        _col("CHILD", ColumnKind.PSEUDO_ID, "Pseudonymised child id (as in ssda903_header)"),
        _col(
            "DOB",
            ColumnKind.BIRTH_MONTH,
            "Date of birth, first of the month",
            birth_range=birth_range,
        ),
    )


_ANON_903 = (
    "CHILD is the same keyed pseudonym as in ssda903_header; DOB is cut to the first of the month."
)

SSDA903_MISSING = Extract(
    table="ssda903_missing",
    source="ssda903",
    description="SSDA903 Missing: each period in the year when a looked-after child was missing "
    "from their placement or away from it without authorisation (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD", "MIS_START"),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903,
    columns=(
        *_child_dob(),
        _col(
            "MISSING",
            ColumnKind.CODE,
            "M missing from the placement, A away from it without authorisation",
            codes=tuple(codes.MISSING_TYPE),
        ),
        _col("MIS_START", ColumnKind.DATE, "Date the child went missing or away"),
        _col(
            "MIS_END",
            ColumnKind.DATE,
            "Date the child returned; blank while still missing or away at 31 March",
            required=False,
        ),
    ),
)

SSDA903_REVIEWS = Extract(
    table="ssda903_reviews",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 Reviews: each statutory review of a looked-after child's care plan held "
    "in the year, with how the child took part (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD", "REVIEW"),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903,
    columns=(
        *_child_dob(),
        _col("REVIEW", ColumnKind.DATE, "Date of the review"),
        _col(
            "REVIEW_CODE",
            ColumnKind.CODE,
            "Participation in the review: "
            + "; ".join(f"{k} {v}" for k, v in codes.REVIEW_PARTICIPATION.items()),
            codes=tuple(codes.REVIEW_PARTICIPATION),
        ),
    ),
)

_YES_NO_903 = "0 no, 1 yes"

SSDA903_OC2 = Extract(
    table="ssda903_oc2",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 OC2: outcomes of each child looked after continuously for at least 12 "
    "months at 31 March: the SDQ, offending, health and substance misuse (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD",),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903,
    columns=(
        *_child_dob(
            BirthRange(
                oldest=17,
                latest_months=-12,
                why="children looked after for at least 12 months at 31 March, so aged 1 or "
                "more, who leave care by 18",
            )
        ),
        _col(
            "SDQ_SCORE",
            ColumnKind.INT,
            f"Strengths and Difficulties Questionnaire total score, 0-{codes.SDQ_MAX}; blank "
            "where none (SDQ_REASON says why)",
            required=False,
        ),
        _col(
            "SDQ_REASON",
            ColumnKind.CODE,
            "Why there is no SDQ score: "
            + "; ".join(f"{k} {v}" for k, v in codes.SDQ_REASON.items()),
            required=False,
            codes=tuple(codes.SDQ_REASON),
        ),
        _col(
            "CONVICTED",
            ColumnKind.CODE,
            "Convicted, or given a youth caution or conditional caution, during the year "
            f"({_YES_NO_903})",
            codes=codes.YES_NO,
        ),
        _col(
            "HEALTH_CHECK",
            ColumnKind.CODE,
            f"Annual health assessment up to date ({_YES_NO_903})",
            codes=codes.YES_NO,
        ),
        _col(
            "IMMUNISATIONS",
            ColumnKind.CODE,
            f"Immunisations up to date ({_YES_NO_903})",
            codes=codes.YES_NO,
        ),
        _col(
            "TEETH_CHECK",
            ColumnKind.CODE,
            f"Dental check in the year ({_YES_NO_903})",
            codes=codes.YES_NO,
        ),
        _col(
            "HEALTH_ASSESSMENT",
            ColumnKind.CODE,
            f"Development assessments up to date, children under 5 ({_YES_NO_903}); blank from 5",
            required=False,
            codes=codes.YES_NO,
        ),
        _col(
            "SUBSTANCE_MISUSE",
            ColumnKind.CODE,
            f"Identified as having a substance misuse problem in the year ({_YES_NO_903})",
            codes=codes.YES_NO,
        ),
        _col(
            "INTERVENTION_RECEIVED",
            ColumnKind.CODE,
            f"Received an intervention for substance misuse ({_YES_NO_903}); blank without a "
            "substance misuse problem",
            required=False,
            codes=codes.YES_NO,
        ),
        _col(
            "INTERVENTION_OFFERED",
            ColumnKind.CODE,
            f"Offered an intervention and refused it ({_YES_NO_903}); blank without a "
            "substance misuse problem",
            required=False,
            codes=codes.YES_NO,
        ),
    ),
)

SSDA903_OC3 = Extract(
    table="ssda903_oc3",
    source="ssda903",
    description="SSDA903 OC3: care leavers whose 19th, 20th or 21st birthday falls in the year "
    "(looked after at least 13 weeks after their 14th birthday, some of it after their "
    "16th): contact, activity and accommodation around the birthday (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD",),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903,
    columns=(
        *_child_dob(
            BirthRange(
                oldest=21,
                latest_months=-12 * 19,
                why="care leavers whose 19th, 20th or 21st birthday falls in the year",
            )
        ),
        _col(
            "IN_TOUCH",
            ColumnKind.CODE,
            "Whether the authority is in touch: "
            + "; ".join(f"{k} {v}" for k, v in codes.IN_TOUCH.items()),
            codes=tuple(codes.IN_TOUCH),
        ),
        _col(
            "ACTIV",
            ColumnKind.CODE,
            "Main activity (F/P full or part time; G not in education, employment or "
            "training; 0 not known)",
            codes=tuple(codes.ACTIVITY),
        ),
        _col(
            "ACCOM",
            ColumnKind.CODE,
            "Accommodation, its letter the kind and 1 suitable or 2 not suitable (0 not known)",
            codes=codes.ACCOMMODATION,
        ),
    ),
)

_UASC_ANON = (
    _ANON_903 + " DUC is cut to the first of its month, as DOB is: UASC status usually ends on "
    "the 18th birthday, so DUC to the day would give back the day of birth that DOB drops."
)

SSDA903_UASC = Extract(
    table="ssda903_uasc",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 UASC: each child looked after in the year who was an unaccompanied "
    "asylum-seeking child at any time in it, with the date that status ceased (DfE column "
    "names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD",),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_UASC_ANON,
    columns=(
        _col("CHILD", ColumnKind.PSEUDO_ID, "Pseudonymised child id (as in ssda903_header)"),
        _col("SEX", ColumnKind.CODE, "Sex: 1/2/0/9 up to 2023/24, M/F/U from 2024/25", codes=_sex),
        _col(
            "DOB",
            ColumnKind.BIRTH_MONTH,
            "Date of birth, first of the month",
            birth_range=_LOOKED_AFTER_BIRTH,
        ),
        _col(
            "DUC",
            ColumnKind.DATE,
            "Month the child ceased to be an unaccompanied asylum-seeking child (at the 18th "
            "birthday at the latest), as its first day; blank while still one at 31 March",
            required=False,
        ),
    ),
)


def _listed(meanings: Mapping[str, str]) -> str:
    """A code list as the contract's descriptions show it: ``code meaning; ...``."""
    return "; ".join(f"{k} {v}" for k, v in meanings.items())


SSDA903_AD1 = Extract(
    table="ssda903_ad1",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 AD1: each child adopted in the year (an episode ceasing with REC E11 "
    "or E12): the decisions on the way and the adopters (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD", "DATE_INT"),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903 + " Nothing identifies the adopters: their number, sex and legal "
    "status only.",
    columns=(
        *_child_dob(),
        _col(
            "DATE_INT",
            ColumnKind.DATE,
            "Date of the decision that adoption is in the child's best interests",
        ),
        _col("DATE_MATCH", ColumnKind.DATE, "Date the child was matched with the adopters"),
        _col(
            "FOSTER_CARE",
            ColumnKind.CODE,
            f"Adopted by the child's foster carers ({_YES_NO_903})",
            codes=codes.YES_NO,
        ),
        _col(
            "NB_ADOPTR",
            ColumnKind.CODE,
            "Number of adopters: " + _listed(codes.NUMBER_OF_ADOPTERS),
            codes=tuple(codes.NUMBER_OF_ADOPTERS),
        ),
        _col(
            "SEX_ADOPTR",
            ColumnKind.CODE,
            "Sex of the adopter(s): " + _listed(codes.SEX_OF_ADOPTERS),
            codes=tuple(codes.SEX_OF_ADOPTERS),
        ),
        _col(
            "LS_ADOPTR",
            ColumnKind.CODE,
            "Legal status of the adopter(s): " + _listed(codes.LEGAL_STATUS_OF_ADOPTERS),
            codes=tuple(codes.LEGAL_STATUS_OF_ADOPTERS),
        ),
    ),
)

SSDA903_PLACED_ADOPTION = Extract(
    table="ssda903_placed_adoption",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 PlacedAdoption: each decision that a child looked after in the year "
    "should be placed for adoption, and its reversal if it was reversed (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD", "DATE_PLACED"),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903,
    columns=(
        *_child_dob(),
        _col(
            "DATE_PLACED",
            ColumnKind.DATE,
            "Date of the decision that the child should be placed for adoption",
        ),
        _col(
            "DATE_PLACED_CEASED",
            ColumnKind.DATE,
            "Date of the decision that the child should no longer be placed for adoption; "
            "blank unless the decision was reversed",
            required=False,
        ),
        _col(
            "REASON_PLACED_CEASED",
            ColumnKind.CODE,
            "Why the decision was reversed: " + _listed(codes.REASON_PLACED_CEASED),
            required=False,
            codes=tuple(codes.REASON_PLACED_CEASED),
        ),
    ),
)

SSDA903_PREV_PERM = Extract(
    table="ssda903_prev_perm",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 PrevPerm: for each child who started to be looked after in the year, "
    "the permanence order they had before, if any (adoption, special guardianship, residence "
    "or child arrangements order), where and when it was made (DfE column names).",
    cadence=Cadence.ANNUAL,
    key=("CHILD",),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903 + " DATE_PERM is kept only as precisely as DfE's return gives it "
    "(a day, a month or a year: DfE allows the unknown parts to be written ZZ).",
    columns=(
        *_child_dob(),
        _col(
            "PREV_PERM",
            ColumnKind.CODE,
            "Previous permanence order: " + _listed(codes.PREVIOUS_PERMANENCE),
            required=False,
            codes=tuple(codes.PREVIOUS_PERMANENCE),
        ),
        _col(
            "LA_PERM",
            ColumnKind.CODE,
            "DfE's three-digit number of the authority that arranged it, or WAL, SCO, NIR, "
            "NUK outside England; often blank",
            required=False,
            codes=codes.LA_PERM,
        ),
        _col(
            "DATE_PERM",
            ColumnKind.PARTIAL_DATE,
            "Date of the order, as precisely as it is known: yyyy-mm-dd, yyyy-mm (day not "
            "known) or yyyy (day and month not known); blank when not known at all",
            required=False,
        ),
    ),
)

SSDA903_SW_EPISODES = Extract(
    table="ssda903_sw_episodes",
    source="ssda903",
    read_by_indicators=False,
    description="SSDA903 SW episodes: the social workers of each child looked after in the "
    "year, one row per social worker episode, with why the social worker changed (DfE column "
    f"names; part of the return from {codes.SW_EPISODES_FROM.label}, earlier years' files "
    "hold no rows).",
    cadence=Cadence.ANNUAL,
    key=("CHILD", "SW_DECOM"),
    parent=("ssda903_header", ("CHILD",)),
    anonymisation=_ANON_903 + " SW_ID, the social worker's id, is a keyed pseudonym made in a "
    "namespace of its own, so it can never equal a child's pseudonym.",
    columns=(
        *_child_dob(),
        _col(
            "SW_ID",
            ColumnKind.STAFF_PSEUDO_ID,
            "Pseudonymised id of the social worker (the same worker has the same pseudonym for "
            "every child and year)",
        ),
        _col("SW_DECOM", ColumnKind.DATE, "Date the social worker episode began"),
        _col(
            "SW_DEC",
            ColumnKind.DATE,
            "Date the social worker episode ended; blank while still open at 31 March",
            required=False,
        ),
        _col(
            "SW_REASON",
            ColumnKind.CODE,
            "Why the social worker changed: "
            + _listed(codes.SOCIAL_WORKER_CHANGE)
            + f"; may be blank on an episode begun before {codes.SW_EPISODES_FROM.start:%-d %B %Y}",
            required=False,
            codes=tuple(codes.SOCIAL_WORKER_CHANGE),
        ),
    ),
)

YJS_OFFENCES = Extract(
    home_lsoa="HOME_LSOA",
    table="yjs_offences",
    source="yjs",
    history=True,
    description="Youth justice: offences by children aged 10-17 whose outcome fell in the year, "
    "with the child's details at the offence.",
    cadence=Cadence.ANNUAL,
    key=("OFFENCE_ID",),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("YJ_ID", ColumnKind.PSEUDO_ID, "Pseudonymised child id (the shared pseudonym)"),
        _col("OFFENCE_ID", ColumnKind.ID, "Offence record id"),
        _col("OFFENCE_DATE", ColumnKind.DATE, "Date of the offence"),
        _col("OFFENCE_TYPE", ColumnKind.CODE, "Offence category", codes=tuple(codes.OFFENCE_TYPE)),
        _col("GRAVITY", ColumnKind.CODE, "YJB gravity score 1-8", codes=codes.GRAVITY),
        _col(
            "DOB",
            ColumnKind.BIRTH_MONTH,
            "Date of birth, first of the month",
            birth_range=BirthRange(
                oldest=20,
                latest_months=-120,
                why="offences by children from 10 (the age of criminal responsibility) to 17, "
                "in the year of their outcome, which can come after 18",
            ),
        ),
        _col("SEX", ColumnKind.CODE, "Sex: 1/2/0/9 up to 2023/24, M/F/U from 2024/25", codes=_sex),
        _col("ETHNICITY", ColumnKind.CODE, "DfE ethnicity code", codes=codes.ETHNICITY),
        _home_lsoa("HOME_LSOA", "Home LSOA (2021) at the offence"),
    ),
)

YJS_OUTCOMES = Extract(
    table="yjs_outcomes",
    source="yjs",
    history=True,
    read_across_years=True,
    description="Youth justice: the outcome of each offence, dated in the year.",
    cadence=Cadence.ANNUAL,
    key=("OFFENCE_ID",),
    parent=("yjs_offences", ("OFFENCE_ID",)),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("YJ_ID", ColumnKind.PSEUDO_ID, "Pseudonymised child id"),
        _col("OFFENCE_ID", ColumnKind.ID, "Offence record id"),
        _col(
            "OUTCOME_DATE", ColumnKind.DATE, "Date of the outcome (caution, conviction, resolution)"
        ),
        _col("OUTCOME_TYPE", ColumnKind.CODE, "Outcome", codes=tuple(codes.OUTCOME_TYPE)),
    ),
)

HCLIC_MAIN = Extract(
    home_lsoa="HOME_LSOA",
    table="hclic_main",
    source="hclic",
    description="Homelessness (H-CLIC-like): one row per case reported in the quarter.",
    cadence=Cadence.QUARTERLY,
    key=("CASE_ID",),
    anonymisation="Applicant details removed; address replaced by the LSOA of the last settled "
    "home.",
    columns=(
        _col("CASE_ID", ColumnKind.ID, "Case id, stable across quarters"),
        _col("APPLICATION_DATE", ColumnKind.DATE, "Date of application"),
        _col("ASSESSMENT_DATE", ColumnKind.DATE, "Date of the initial assessment"),
        _col(
            "INITIAL_DUTY",
            ColumnKind.CODE,
            "Outcome of the initial assessment",
            codes=tuple(codes.INITIAL_DUTY),
        ),
        _col(
            "REASON_LOSS",
            ColumnKind.CODE,
            "Main reason for loss of last settled home",
            codes=tuple(codes.REASON_LOSS),
        ),
        _col(
            "HOUSEHOLD_TYPE",
            ColumnKind.CODE,
            "Household composition",
            codes=tuple(codes.HOUSEHOLD_TYPE),
        ),
        _col("NUM_DEP_CHILDREN", ColumnKind.INT, "Number of dependent children"),
        _home_lsoa("HOME_LSOA", "LSOA (2021) of the last settled home"),
        _col("DUTY_END_DATE", ColumnKind.DATE, "Date the duty ended", required=False),
        _col(
            "DUTY_END_REASON",
            ColumnKind.CODE,
            "How the duty ended",
            required=False,
            codes=codes.DUTY_END_REASON,
        ),
    ),
)

HCLIC_CHILDREN = Extract(
    table="hclic_children",
    source="hclic",
    description="Homelessness: the dependent children of each case.",
    cadence=Cadence.QUARTERLY,
    key=("CASE_ID", "CHILD_ID"),
    parent=("hclic_main", ("CASE_ID",)),
    anonymisation=_ANON_PERSON,
    columns=(
        _col("CASE_ID", ColumnKind.ID, "Case id"),
        _col("CHILD_ID", ColumnKind.PSEUDO_ID, "Pseudonymised child id (the shared pseudonym)"),
        _col(
            "CHILD_DOB",
            ColumnKind.BIRTH_MONTH,
            "Date of birth, first of the month",
            birth_range=BirthRange(
                oldest=18, why="dependent children: under 16, or 16 to 18 in education"
            ),
        ),
        _col(
            "CHILD_SEX",
            ColumnKind.CODE,
            "Sex: 1/2/0/9 up to 2023/24, M/F/U from 2024/25",
            codes=_sex,
        ),
    ),
)

HCLIC_SUPPORT = Extract(
    table="hclic_support",
    source="hclic",
    read_by_indicators=False,
    description="Homelessness: support needs of the household, one row per need.",
    cadence=Cadence.QUARTERLY,
    key=("CASE_ID", "SUPPORT_NEED"),
    parent=("hclic_main", ("CASE_ID",)),
    columns=(
        _col("CASE_ID", ColumnKind.ID, "Case id"),
        _col("SUPPORT_NEED", ColumnKind.CODE, "Support need", codes=tuple(codes.SUPPORT_NEED)),
    ),
)

HCLIC_TEMP_ACCOMMODATION = Extract(
    table="hclic_temp_accommodation",
    source="hclic",
    description="Homelessness: the household's placements in temporary accommodation (H-CLIC's "
    "Temporary accommodation section), one row per placement open in the quarter.",
    cadence=Cadence.QUARTERLY,
    key=("CASE_ID", "TA_START_DATE"),
    parent=("hclic_main", ("CASE_ID",)),
    anonymisation="No person's details: the address of the accommodation is not delivered, only "
    "its type.",
    columns=(
        _col("CASE_ID", ColumnKind.ID, "Case id"),
        _col("TA_START_DATE", ColumnKind.DATE, "Date the household was placed"),
        _col(
            "TA_END_DATE",
            ColumnKind.DATE,
            "Date the household left the placement; blank if still placed at the quarter's end",
            required=False,
        ),
        _col(
            "TA_TYPE",
            ColumnKind.CODE,
            "Type of temporary accommodation (the types of MHCLG's TA tables)",
            codes=tuple(codes.TA_TYPE),
        ),
    ),
)

_POP_AGE_COLUMNS = tuple(
    _col(
        f"{sex}{age}",
        ColumnKind.INT,
        f"{'Females' if sex == 'F' else 'Males'} aged {age}{'+' if age == 90 else ''}",
        group="F0..F90, M0..M90",
    )
    for sex in ("F", "M")
    for age in range(91)
)

REF_POPULATION = Extract(
    table="ref_population",
    source="ref",
    description="ONS mid-year population estimates by LSOA (2021), single year of age and sex, "
    "in the ONS wide layout (F0..F90, M0..M90; 90 means 90 and over).",
    cadence=Cadence.MID_YEAR,
    key=("LSOA 2021 Code",),
    columns=(
        _col("LAD 2021 Code", ColumnKind.AREA, "Local authority"),
        _col("LAD 2021 Name", ColumnKind.NAME, "Local authority name"),
        _col("LSOA 2021 Code", ColumnKind.AREA, "LSOA"),
        _col("LSOA 2021 Name", ColumnKind.NAME, "LSOA name"),
        _col("Total", ColumnKind.INT, "All ages"),
        *_POP_AGE_COLUMNS,
    ),
)

#: DfE child age bands (docs/CONVENTIONS.md), as the modelled rates and the census counts use them
AGE_BANDS = ("0-4", "5-9", "10-15", "16-17")
#: the census file's count column of each DfE age band (ONS age labels)
CENSUS_AGE_COLUMNS = {
    "0-4": "Aged 4 years and under",
    "5-9": "Aged 5 to 9 years",
    "10-15": "Aged 10 to 15 years",
    "16-17": "Aged 16 to 17 years",
}
CENSUS_ETHNIC_CODE = "Ethnic group (5 categories) Code"

REF_CENSUS_ETHNICITY = Extract(
    table="ref_census_ethnicity",
    source="ref",
    description="Census 2021 usual residents aged 0-17 by LSOA (2021), ethnic group (the five "
    "major groups) and DfE age band, in an ONS custom-dataset layout: one row per LSOA and "
    "group, a count column per age band. A fixed vintage (census day, 21 March 2021), like "
    "the IMD and the lookups: the denominator of rates by ethnic group, which the ONS mid-year "
    "estimates do not have.",
    cadence=Cadence.REFERENCE,
    vintage="2021",
    key=("LSOA code (2021)", CENSUS_ETHNIC_CODE),
    columns=(
        _col("LSOA code (2021)", ColumnKind.AREA, "LSOA"),
        _col("LSOA name (2021)", ColumnKind.NAME, "LSOA name"),
        _col(
            CENSUS_ETHNIC_CODE,
            ColumnKind.CODE,
            "Census ethnic group: "
            + "; ".join(f"{k} = {group}" for k, (group, _) in codes.CENSUS_ETHNIC_GROUPS.items()),
            codes=tuple(codes.CENSUS_ETHNIC_GROUPS),
        ),
        _col("Ethnic group (5 categories)", ColumnKind.NAME, "The group's ONS label"),
        *(
            _col(
                name,
                ColumnKind.INT,
                f"Usual residents of the group aged {band}",
                group=f"{CENSUS_AGE_COLUMNS['0-4']} .. {CENSUS_AGE_COLUMNS['16-17']}",
            )
            for band, name in CENSUS_AGE_COLUMNS.items()
        ),
    ),
    notes=(
        "Every child has a group: the census imputes missing answers, so there is no "
        "'not recorded' and the groups of an LSOA sum to its census child population.",
        "A different base from the mid-year estimates (another date and method): rates by "
        "ethnic group do not add up to the total's rate, as in OHID Fingertips.",
    ),
)

REF_IMD = Extract(
    table="ref_imd",
    source="ref",
    published_areas=True,
    description="English Indices of Deprivation 2025 by LSOA (2021), IoD column headings.",
    cadence=Cadence.REFERENCE,
    vintage="2025",
    key=("LSOA code (2021)",),
    columns=(
        _col("LSOA code (2021)", ColumnKind.AREA, "LSOA"),
        _col("LSOA name (2021)", ColumnKind.NAME, "LSOA name"),
        _col("Local Authority District code (2024)", ColumnKind.AREA, "Local authority"),
        _col("Local Authority District name (2024)", ColumnKind.NAME, "Local authority name"),
        _col("Index of Multiple Deprivation (IMD) Score", ColumnKind.FLOAT, "IMD score"),
        _col(
            "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
            ColumnKind.INT,
            "National rank, 1 = most deprived",
        ),
        _col(
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
            ColumnKind.CODE,
            "National decile, 1 = most deprived",
            codes=tuple(str(d) for d in range(1, 11)),
        ),
    ),
)

REF_LSOA_LOOKUP = Extract(
    table="ref_lsoa_lookup",
    source="ref",
    published_areas=True,
    description="ONS best-fit lookup LSOA (2021) -> ward (2024) -> local authority (2024).",
    cadence=Cadence.REFERENCE,
    vintage="2024",
    key=("LSOA21CD",),
    columns=(
        _col("LSOA21CD", ColumnKind.AREA, "LSOA"),
        _col("LSOA21NM", ColumnKind.NAME, "LSOA name"),
        _col("WD24CD", ColumnKind.AREA, "Electoral ward"),
        _col("WD24NM", ColumnKind.NAME, "Ward name"),
        _col("LAD24CD", ColumnKind.AREA, "Local authority"),
        _col("LAD24NM", ColumnKind.NAME, "Local authority name"),
    ),
)

REF_LAD_REGION = Extract(
    table="ref_lad_region",
    source="ref",
    published_areas=True,
    description="ONS lookup local authority (2024) -> region.",
    cadence=Cadence.REFERENCE,
    vintage="2024",
    key=("LAD24CD",),
    columns=(
        _col("LAD24CD", ColumnKind.AREA, "Local authority"),
        _col("LAD24NM", ColumnKind.NAME, "Local authority name"),
        _col("RGN24CD", ColumnKind.AREA, "Region"),
        _col("RGN24NM", ColumnKind.NAME, "Region name"),
    ),
)

REF_STAT_NEIGHBOURS = Extract(
    table="ref_stat_neighbours",
    source="ref",
    description="Children's services statistical neighbours: ten per local authority, ranked.",
    cadence=Cadence.REFERENCE,
    vintage="2024",
    key=("la_code", "neighbour_rank"),
    columns=(
        _col("la_code", ColumnKind.AREA, "Local authority"),
        _col("neighbour_rank", ColumnKind.INT, "1 = closest"),
        _col("neighbour_code", ColumnKind.AREA, "The neighbouring local authority"),
    ),
)

MODELLED_FACTORS = ("domestic_abuse", "parental_mental_health", "parental_substance_misuse")

REF_MODELLED_RATES = Extract(
    table="ref_modelled_rates",
    source="ref",
    description="Modelled toxic-trio prevalence: for each age band and national IMD quintile, "
    "the share of children living with each combination of the three factors (a synthetic "
    "stand-in for survey-based model inputs), central estimate with the lower and upper "
    "estimates of the published range. Each of the three sums to 1 within a band and quintile.",
    cadence=Cadence.REFERENCE,
    vintage="2025",
    key=("age_band", "imd_quintile", *MODELLED_FACTORS),
    columns=(
        _col("age_band", ColumnKind.CODE, "Child age band (DfE)", codes=AGE_BANDS),
        _col(
            "imd_quintile",
            ColumnKind.CODE,
            "National IMD quintile, 1 = most deprived",
            codes=("1", "2", "3", "4", "5"),
        ),
        *(
            _col(
                f,
                ColumnKind.CODE,
                f"1 if the household has {f.replace('_', ' ')}",
                codes=codes.YES_NO,
            )
            for f in MODELLED_FACTORS
        ),
        _col("share", ColumnKind.FLOAT, "Share of children in the band and quintile"),
        _col("share_lower", ColumnKind.FLOAT, "Share in the lower estimate of the published range"),
        _col("share_upper", ColumnKind.FLOAT, "Share in the upper estimate of the published range"),
    ),
)

BENCHMARK_GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")

REF_BENCHMARKS = Extract(
    table="ref_benchmarks",
    source="ref",
    description="Published benchmark values (England, regions, local authorities) in the layout "
    "of DfE/OHID national statistical releases, for comparing a single-LA deployment.",
    cadence=Cadence.ANNUAL,
    key=("geographic_level", "area_code", "measure"),
    columns=(
        _col("time_period", ColumnKind.INT, "Financial year as released, e.g. 202324"),
        _col(
            "time_identifier", ColumnKind.CODE, "Always 'Financial year'", codes=("Financial year",)
        ),
        _col(
            "geographic_level",
            ColumnKind.CODE,
            "National, Regional or Local authority",
            codes=BENCHMARK_GEOGRAPHIC_LEVELS,
        ),
        _col("area_code", ColumnKind.AREA, "Country, region or local authority code"),
        _col("area_name", ColumnKind.NAME, "Area name"),
        _col(
            "measure",
            ColumnKind.CODE,
            "Measure id: "
            + "; ".join(f"{k} = {v[0]}" for k, v in codes.BENCHMARK_MEASURES.items()),
            codes=tuple(codes.BENCHMARK_MEASURES),
        ),
        _col("numerator", ColumnKind.INT, "Count"),
        _col(
            "denominator",
            ColumnKind.INT,
            "Population; for a share, the units it is a share of (referrals, assessments, "
            "plans, children, care leavers)",
        ),
        _col("value", ColumnKind.FLOAT, "Rate per the measure's multiplier (a share: per 100)"),
    ),
)

EXTRACTS: Mapping[str, Extract] = {
    e.table: e
    for e in (
        CIN_CHILDREN,
        CIN_EPISODES,
        CIN_ASSESSMENTS,
        CIN_CP_PLANS,
        CIN_SECTION47,
        SSDA903_HEADER,
        SSDA903_EPISODES,
        SSDA903_MISSING,
        SSDA903_REVIEWS,
        SSDA903_OC2,
        SSDA903_OC3,
        SSDA903_UASC,
        SSDA903_AD1,
        SSDA903_PLACED_ADOPTION,
        SSDA903_PREV_PERM,
        SSDA903_SW_EPISODES,
        YJS_OFFENCES,
        YJS_OUTCOMES,
        HCLIC_MAIN,
        HCLIC_CHILDREN,
        HCLIC_SUPPORT,
        HCLIC_TEMP_ACCOMMODATION,
        REF_POPULATION,
        REF_CENSUS_ETHNICITY,
        REF_IMD,
        REF_LSOA_LOOKUP,
        REF_LAD_REGION,
        REF_STAT_NEIGHBOURS,
        REF_MODELLED_RATES,
        REF_BENCHMARKS,
    )
}

SOURCES = tuple(dict.fromkeys(e.source for e in EXTRACTS.values()))


def tables(
    *,
    source: str | None = None,
    service: bool | None = None,
    per_period: bool | None = None,
    history: bool | None = None,
    read_across_years: bool | None = None,
    read_by_indicators: bool | None = None,
    published_areas: bool | None = None,
) -> tuple[str, ...]:
    """The tables (in declaration order) of the extracts matching every criterion given; a
    criterion left None matches any extract. Every stage's list of tables is one of these, so
    that a new extract lands in each by its declaration alone."""
    wanted = {
        "source": source,
        "service": service,
        "per_period": per_period,
        "history": history,
        "read_across_years": read_across_years,
        "read_by_indicators": read_by_indicators,
        "published_areas": published_areas,
    }
    return tuple(
        table
        for table, extract in EXTRACTS.items()
        if all(value is None or getattr(extract, name) == value for name, value in wanted.items())
    )


def service_sources() -> tuple[str, ...]:
    """The services delivering records (every source but the reference data), in declaration
    order: each is staged and validated as one unit per reporting year."""
    return tuple(dict.fromkeys(e.source for e in EXTRACTS.values() if e.service))


_FILE_RE = re.compile(
    r"^(?P<table>[a-z0-9_]+?)_(?:(?P<period>\d{4}-\d{2})(?:_Q(?P<quarter>[1-4]))?"
    r"|mid(?P<mid>\d{4})|(?P<vintage>\d{4}))\.csv$"
)


@dataclass(frozen=True)
class FileName:
    """What a delivered file's name says about it."""

    extract: Extract
    period: FinancialYear | None
    quarter: int | None


def parse_file_name(name: str) -> FileName | None:
    """Recognise a delivered file by its name alone; None for anything that is not an extract.

    ``ref_population_mid2023.csv`` is the denominator of 2023/24 (the year ending 31 March
    2024 uses the mid-2023 estimate).
    """
    match = _FILE_RE.match(name)
    if not match or match.group("table") not in EXTRACTS:
        return None
    extract = EXTRACTS[match.group("table")]
    period: FinancialYear | None = None
    quarter = int(match.group("quarter")) if match.group("quarter") else None
    if match.group("period"):
        period = FinancialYear.parse(match.group("period"))
    elif match.group("mid"):
        period = FinancialYear(int(match.group("mid")))
    expected = extract.file_names(period) if period else extract.file_names(FinancialYear(2000))
    if name not in expected:
        return None
    return FileName(extract=extract, period=period, quarter=quarter)
