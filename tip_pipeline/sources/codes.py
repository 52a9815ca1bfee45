"""Code lists of the returns the extracts imitate (docs/DOMAIN.md), kept as data.

The CIN census and SSDA903 lists are those of the DfE return specifications; the youth-justice
and homelessness lists are this project's own layouts (documented in data_sources/README.md),
modelled on YJB case-management categories and MHCLG's H-CLIC specification.
"""

from __future__ import annotations

from tip_pipeline.periods import FinancialYear

# --- people -------------------------------------------------------------------------------

#: Sex before 2024/25: 1 male, 2 female, 0 not recorded, 9 indeterminate.
SEX_NUMERIC = {"1": "M", "2": "F", "0": "U", "9": "U"}
#: Sex from 2024/25.
SEX_LETTER = {"M": "M", "F": "F", "U": "U"}
SEX_LETTER_FROM = FinancialYear(2024)


def sex_codes(period: FinancialYear) -> dict[str, str]:
    """The sex codes a return for ``period`` uses, mapped to the harmonised M/F/U."""
    return SEX_LETTER if period >= SEX_LETTER_FROM else SEX_NUMERIC


ETHNICITY_GROUPS = {
    "WBRI": "White",
    "WIRI": "White",
    "WIRT": "White",
    "WOTH": "White",
    "WROM": "White",
    "MWBC": "Mixed",
    "MWBA": "Mixed",
    "MWAS": "Mixed",
    "MOTH": "Mixed",
    "AIND": "Asian",
    "APKN": "Asian",
    "ABAN": "Asian",
    "AOTH": "Asian",
    "CHNE": "Asian",
    "BCRB": "Black",
    "BAFR": "Black",
    "BOTH": "Black",
    "OOTH": "Other",
    "REFU": "Not recorded",
    "NOBT": "Not recorded",
}
ETHNICITY = tuple(ETHNICITY_GROUPS)

#: Census 2021 ethnic group, ONS "Ethnic group (6 categories)" without -8 "Does not apply"
#: (every child is a usual resident): code -> (the major group as ETHNICITY_GROUPS names it,
#: the ONS label). The census has no "not recorded": ONS imputes missing answers.
CENSUS_ETHNIC_GROUPS = {
    "1": ("Asian", "Asian, Asian British or Asian Welsh"),
    "2": ("Black", "Black, Black British, Black Welsh, Caribbean or African"),
    "3": ("Mixed", "Mixed or Multiple ethnic groups"),
    "4": ("White", "White"),
    "5": ("Other", "Other ethnic group"),
}

# --- Children in Need census ----------------------------------------------------------------

REFERRAL_SOURCE = (
    "1A",
    "1B",
    "1C",
    "1D",
    "2A",
    "2B",
    "3A",
    "3B",
    "3C",
    "3D",
    "3E",
    "3F",
    "4",
    "5A",
    "5B",
    "5C",
    "5D",
    "6",
    "7",
    "8",
    "9",
    "10",
)
PRIMARY_NEED = tuple(f"N{i}" for i in range(10))
REASON_FOR_CLOSURE = tuple(f"RC{i}" for i in range(1, 10))
CATEGORY_OF_ABUSE = ("NEG", "PHY", "SAB", "EMO", "MUL")
YES_NO = ("0", "1")

#: Factors identified at the end of assessment (CIN census).
ASSESSMENT_FACTORS = (
    "1A",
    "1B",
    "1C",
    "2A",
    "2B",
    "2C",
    "3A",
    "3B",
    "3C",
    "4A",
    "4B",
    "4C",
    "5A",
    "5B",
    "5C",
    "6A",
    "6B",
    "6C",
    "7A",
    "8B",
    "8C",
    "8D",
    "8E",
    "8F",
    "9A",
    "10A",
    "11A",
    "12A",
    "13A",
    "14A",
    "15A",
    "16A",
    "17A",
    "18B",
    "18C",
    "19B",
    "19C",
    "20",
    "21",
    "22A",
    "23A",
    "24A",
)
FACTOR_NONE = "21"

#: Toxic trio as recorded (docs/DOMAIN.md): the child's own parent or carer.
TOXIC_TRIO_RECORDED = {
    "domestic_abuse": ("3A", "3B", "3C"),
    "parental_mental_health": ("4B",),
    "parental_substance_misuse": ("1B", "2B"),
}
#: Toxic trio matched to the modelled definition (any adult in the household), for the
#: identification gap (docs/CONVENTIONS.md, "Modelled and recorded prevalence").
TOXIC_TRIO_ANY_ADULT = {
    "domestic_abuse": ("3A", "3B", "3C"),
    "parental_mental_health": ("4B", "4C"),
    "parental_substance_misuse": ("1B", "1C", "2B", "2C"),
}

# --- SSDA903 ------------------------------------------------------------------------------

RNE = ("S", "L", "P", "T", "U", "B")
#: RNE codes whose new episode puts the child with new carers (S started to be looked after;
#: P change of placement and carers only; B change of legal status and of placement and carers
#: at the same time). The others keep the placement for DfE's placement count: L a change of
#: legal status only; T a change of placement type with the same carers; U a change of legal
#: status and placement type with the same carers (SSDA903 guide, RNE; the sector's validator,
#: data-to-insight/csc-validator-be-903, rules 435 and 436, checks P and B so).
RNE_NEW_CARERS = ("S", "P", "B")
LEGAL_STATUS = (
    "C1",
    "C2",
    "D1",
    "E1",
    "J1",
    "J2",
    "J3",
    "L1",
    "L2",
    "L3",
    "V2",
    "V3",
    "V4",
)
#: Series of short breaks: excluded from looked-after counts at 31 March (DfE headline).
SHORT_BREAK_LEGAL_STATUS = ("V3", "V4")
#: Legal statuses that link care to youth justice.
YOUTH_JUSTICE_LEGAL_STATUS = ("J1", "J2", "J3")
CIN_NEED_903 = tuple(f"N{i}" for i in range(1, 9))
PLACEMENT = (
    "A3",
    "A4",
    "A5",
    "A6",
    "H5",
    "K1",
    "K2",
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R3",
    "R5",
    "S1",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "Z1",
)
#: temporary placements (PLACE T0-T4: a temporary move, a period in hospital, a holiday, the
#: carers' holiday, seven days or less), which DfE's placement count leaves out; the child
#: returns to the placement before it (DfE validation rule 383)
TEMPORARY_PLACEMENTS = ("T0", "T1", "T2", "T3", "T4")
PLACE_PROVIDER = ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5")
REASON_EPISODE_CEASED = (
    "E11",
    "E12",
    "E13",
    "E14",
    "E15",
    "E16",
    "E17",
    "E2",
    "E3",
    "E41",
    "E45",
    "E46",
    "E47",
    "E48",
    "E4A",
    "E4B",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
    "X1",
)
#: Reason ceased: sentenced to custody.
REC_CUSTODY = "E9"
REASON_PLACE_CHANGE = (
    "CARPL",
    "CLOSE",
    "ALLEG",
    "STAND",
    "APPRR",
    "CREQB",
    "CREQO",
    "CHILD",
    "LAREQ",
    "PLACE",
    "OTHER",
)

# --- SSDA903 outcome tables (Missing, Reviews, OC2, OC3) -------------------------------------
#
# The code lists of DfE's *Children looked after return (SSDA903): guide to the return* (DfE,
# published for each collection year; these are the lists of the 2023-24 and 2024-25 guides),
# whose validation rules 1006 (MISSING), 167 (REVIEW_CODE), 196 (SDQ_REASON), 131 (IN_TOUCH),
# 132 (ACTIV) and 133 (ACCOM) name the same lists; checked against the sector's validator
# (data-to-insight/csc-validator-be-903, ``validator903/validators/rule_<number>.py``).

#: Missing table, MISSING: the kind of absence from the placement.
MISSING_TYPE = {
    "M": "Missing from the placement",
    "A": "Away from the placement without authorisation",
}

#: Reviews table, REVIEW_CODE: how the child took part in the review of their care plan.
REVIEW_PARTICIPATION = {
    "PN0": "Child aged under 4 at the time of the review",
    "PN1": "Child physically attends and speaks for themselves",
    "PN2": "Child physically attends and an advocate speaks on their behalf",
    "PN3": "Child attends and conveys their views symbolically (non-verbally)",
    "PN4": "Child physically attends but does not speak for themselves, convey their views "
    "symbolically or ask an advocate to speak for them",
    "PN5": "Child does not attend physically but briefs an advocate to speak for them",
    "PN6": "Child does not attend but conveys their feelings to the review by a facilitative "
    "medium",
    "PN7": "Child does not attend nor are their views conveyed to the review",
}
#: REVIEW_CODE of a child under 4 at the review
REVIEW_UNDER_4 = "PN0"

#: OC2, SDQ_REASON: why there is no Strengths and Difficulties Questionnaire score.
SDQ_REASON = {
    "SDQ1": "No form returned as the child was aged under 4 or over 17 at the date of the "
    "latest assessment",
    "SDQ2": "Carer(s) refused to complete and return the questionnaire",
    "SDQ3": "Not possible to complete the questionnaire due to the severity of the child's "
    "disability",
    "SDQ4": "Other",
    "SDQ5": "The child or young person refuses to allow an SDQ to be completed",
}
#: ages at 31 March for which an SDQ score is expected (DfE guide: 4 to 16 inclusive)
SDQ_AGES = (4, 16)
#: the SDQ total difficulties score runs from 0 to 40 (Goodman, 1997; DfE guide)
SDQ_MAX = 40

#: OC3, IN_TOUCH: whether the authority is in touch with the care leaver around their birthday.
IN_TOUCH = {
    "YES": "In touch",
    "NO": "Not in touch",
    "DIED": "Died",
    "REFU": "The young person refuses contact",
    "NREQ": "The young person no longer requires services",
    "RHOM": "Returned home to live with parents or relatives for 6 months or more",
}

#: OC3, ACTIV: the care leaver's main activity; "0" where the authority does not know it
#: (not in touch, died, refused contact).
ACTIVITY = {
    "F1": "Full time in higher education",
    "P1": "Part time in higher education",
    "F2": "Full time in education other than higher education",
    "P2": "Part time in education other than higher education",
    "F4": "Full time in an apprenticeship",
    "P4": "Part time in an apprenticeship",
    "F5": "Full time in training or employment (not an apprenticeship)",
    "P5": "Part time in training or employment (not an apprenticeship)",
    "G4": "Not in education, employment or training: illness or disability",
    "G5": "Not in education, employment or training: other reasons",
    "G6": "Not in education, employment or training: pregnancy or parenting",
    "0": "Not known (not in touch)",
}
#: the activities that are education, employment or training (DfE's "EET")
ACTIVITY_EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")

#: OC3, ACCOM: the care leaver's accommodation, its letter the kind and its digit whether it
#: is suitable (1) or not (2); no fixed abode (S) and custody (X) are never suitable, so S1 and
#: X1 are not codes. "0" where the authority does not know it.
ACCOMMODATION_KINDS = {
    "B": "With parents or relatives",
    "C": "Community home or other residential care, such as an NHS establishment",
    "D": "Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "Supported lodgings",
    "G": "Gone abroad",
    "H": "Deported",
    "K": "Ordinary lodgings, without formal support",
    "R": "Residence not known",
    "S": "No fixed abode or homeless",
    "T": "Foyers and similar supported accommodation",
    "U": "Independent living, for example a flat or tenancy",
    "V": "Emergency accommodation, for example night shelters or emergency hostels",
    "W": "Bed and breakfast",
    "X": "In custody",
    "Y": "Other accommodation",
    "Z": "With former foster carers",
}
ACCOMMODATION_NEVER_SUITABLE = ("S", "X")
#: the digit ending an ACCOM code of suitable accommodation (DfE: 1 suitable, 2 not)
ACCOMMODATION_SUITABLE = "1"
ACCOMMODATION = (
    *(
        f"{kind}{suitable}"
        for kind in ACCOMMODATION_KINDS
        for suitable in ("1", "2")
        if not (suitable == "1" and kind in ACCOMMODATION_NEVER_SUITABLE)
    ),
    "0",
)

# --- SSDA903 UASC, adoption, previous permanence and social worker tables ---------------------
#
# The code lists of DfE's *Children looked after return (SSDA903): guide to the return* for
# the UASC, AD1, PlacedAdoption, PrevPerm and SW episodes tables, which DfE's validation rules
# name: 114 (FOSTER_CARE), 175 (NB_ADOPTR), 176 (SEX_ADOPTR), 177 (LS_ADOPTR, whose meanings
# rules 514 and 517-520 and 524 spell out), 120 (REASON_PLACED_CEASED), 631 (PREV_PERM), 633
# (LA_PERM), 632 (DATE_PERM's partly unknown dates) and SW13STG1 (SW_REASON); checked against
# the sector's validator (data-to-insight/csc-validator-be-903, ``lac_validator/rules/``).

#: AD1, NB_ADOPTR: how many people adopt the child.
NUMBER_OF_ADOPTERS = {"1": "One adopter", "2": "Two adopters (a couple)"}

#: AD1, SEX_ADOPTR: the sex of the adopter, or of the adopting couple.
SEX_OF_ADOPTERS = {
    "M1": "Single male adopter",
    "F1": "Single female adopter",
    "MM": "Couple, both male",
    "FF": "Couple, both female",
    "MF": "Couple, male and female",
}
#: SEX_ADOPTR codes of a single adopter (DfE rule 511: two adopters are never M1 or F1)
SEX_OF_ONE_ADOPTER = ("M1", "F1")

#: AD1, LS_ADOPTR: the legal status of the adopters.
LEGAL_STATUS_OF_ADOPTERS = {
    "L0": "Single person",
    "L11": "Married couple of different sexes",
    "L12": "Married couple of the same sex",
    "L2": "Civil partners",
    "L3": "Couple of different sexes living as partners in an enduring family relationship",
    "L4": "Couple of the same sex living as partners in an enduring family relationship",
}

#: the placement types of a child placed for adoption (DfE's PLACE A3-A6); A3 and A5 are
#: placements with the child's current foster carers, which AD1's FOSTER_CARE records
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
ADOPTION_WITH_FOSTER_CARERS = ("A3", "A5")
#: the reasons an episode ceases that are an adoption (REC E11, E12): the children of AD1
ADOPTED = ("E11", "E12")

#: PlacedAdoption, REASON_PLACED_CEASED: why the decision that the child should be placed for
#: adoption was reversed.
REASON_PLACED_CEASED = {
    "RD1": "The child's needs changed after the decision",
    "RD2": "The court did not make a placement order",
    "RD3": "Prospective adopters could not be found",
    "RD4": "Any other reason",
}

#: PrevPerm, PREV_PERM: the permanence order the child had before this period of care, if any.
PREVIOUS_PERMANENCE = {
    "P1": "Adoption",
    "P2": "Special guardianship order",
    "P3": "Residence order (before child arrangements orders replaced them in April 2014)",
    "P4": "Child arrangements order saying with whom the child is to live",
    "Z1": "No previous permanence order, or not known",
}
#: PREV_PERM: no previous permanence (DfE rule 635: then no LA_PERM or DATE_PERM)
NO_PREVIOUS_PERMANENCE = "Z1"

#: PrevPerm, LA_PERM: DfE's three-digit number of the English authority that arranged the
#: previous permanence order (the numbers rule 633 accepts), or the country outside England.
_LA_NUMBER_TEXT = """
800 889 822 301 304 303 330 825 837 302 846 370 350 890 867 380 305 801 351 873 823 895 896 381
909 202 908 331 306 841 830 831 878 371 835 332 840 307 308 811 881 845 390 916 203 876 850 311
204 884 312 205 313 805 919 310 309 420 921 206 207 886 810 382 314 340 888 208 856 383 855 209
925 341 201 821 352 806 887 826 315 929 812 391 926 892 813 802 928 891 392 316 815 353 931 879
836 851 874 807 354 317 870 318 372 857 333 935 343 803 373 342 893 356 355 871 394 334 933 882
936 861 852 319 860 808 393 866 210 357 894 883 880 358 211 937 869 320 359 865 384 335 336 212
868 872 885 344 877 213 938 816 999
"""
LA_NUMBERS = tuple(_LA_NUMBER_TEXT.split())
LA_OUTSIDE_ENGLAND = {
    "WAL": "Wales",
    "SCO": "Scotland",
    "NIR": "Northern Ireland",
    "NUK": "Outside the United Kingdom",
}
LA_PERM = (*LA_NUMBERS, *LA_OUTSIDE_ENGLAND)

#: PrevPerm, DATE_PERM: DfE's placeholder for an unknown part of the date (``ZZ/05/2019``: the
#: month and year known; ``ZZ/ZZ/2019``: the year; ``ZZ/ZZ/ZZZZ``: nothing), rule 632.
UNKNOWN_DATE_PART = "Z"

#: SW episodes, SW_REASON: why the child's social worker changed.
SOCIAL_WORKER_CHANGE = {
    "MANAGE": "Management decision (for example a change of team or of caseloads)",
    "FCONTA": "The social worker's fixed-term or agency contract ended",
    "LEFTRL": "The social worker left the role",
    "ORGRST": "Organisational restructure",
    "TSPROC": "Transfer to another team as the case moved on (for example to a looked-after "
    "children's team)",
    "ABSENC": "The social worker's absence (for example long-term sickness or leave)",
    "CHCHAN": "The child or family asked for a change",
    "PCCHAN": "A change of the child's placement (for example a move out of the area)",
    "SWDIED": "The social worker died",
    "OTHERS": "Other reason",
}
#: the reporting year whose return first holds the SW episodes table (DfE's rules SW01-SW14
#: start in the 2023-24 collection); SW_REASON may be blank on an episode begun before it
SW_EPISODES_FROM = FinancialYear(2023)
#: DfE's prefixes of a social worker's id (rule SW02STG1: SW, or XX where none is known)
SOCIAL_WORKER_ID_PREFIXES = ("SW", "XX")

# --- Youth justice (project layout) ---------------------------------------------------------

OFFENCE_TYPE = {
    "VAP": "Violence against the person",
    "ROBB": "Robbery",
    "THEFT": "Theft and handling stolen goods",
    "BURG": "Burglary",
    "CRIMDAM": "Criminal damage",
    "DRUGS": "Drugs offences",
    "PUBORD": "Public order",
    "MOTOR": "Motoring offences",
    "SEXUAL": "Sexual offences",
    "WEAPON": "Possession of weapons",
    "BREACH": "Breach of statutory order",
    "OTHER": "Other offences",
}
OUTCOME_TYPE = {
    "CR": "Community resolution",
    "YC": "Youth caution",
    "YCC": "Youth conditional caution",
    "DIS": "Conditional or absolute discharge",
    "FINE": "Fine",
    "RO": "Referral order",
    "YRO": "Youth rehabilitation order",
    "CUST": "Custodial sentence",
}
#: A youth caution or a conviction (not a community resolution): the outcomes that make a
#: first-time entrant (the MoJ/YJB first-time-entrant measure) and that prove an offence in
#: MoJ's proven reoffending.
OUTCOME_CAUTION_OR_CONVICTION = ("YC", "YCC", "DIS", "FINE", "RO", "YRO", "CUST")
OUTCOME_FIRST_TIME_ENTRANT = OUTCOME_CAUTION_OR_CONVICTION
#: A custodial sentence (a detention and training order, or detention under the Sentencing Act)
OUTCOME_CUSTODY = "CUST"
#: The outcomes that start a child's follow-up in the local reoffending proxy: a caution or a
#: conviction that is not custodial. MoJ starts a child sentenced to custody at the release,
#: which the youth justice tables do not hold (docs/DOMAIN.md, "Youth justice").
OUTCOME_REOFFENDING_INDEX = tuple(o for o in OUTCOME_CAUTION_OR_CONVICTION if o != OUTCOME_CUSTODY)
GRAVITY = tuple(str(g) for g in range(1, 9))

# --- Homelessness (project layout modelled on H-CLIC) ----------------------------------------

INITIAL_DUTY = {
    "PREV": "Threatened with homelessness within 56 days: prevention duty owed",
    "RELIEF": "Homeless: relief duty owed",
    "NODUTY": "Not homeless nor threatened with homelessness within 56 days",
}
DUTY_OWED = ("PREV", "RELIEF")
REASON_LOSS = {
    "FAMFRIENDS": "Family or friends no longer willing or able to accommodate",
    "ENDPRS": "End of private rented tenancy",
    "ENDSOCIAL": "End of social rented tenancy",
    "DOMABUSE": "Domestic abuse",
    "RELBREAK": "Non-violent relationship breakdown with partner",
    "OTHVIOL": "Other violence or harassment",
    "MORTGAGE": "Mortgage repossession",
    "INSTITUTION": "Left institution or care",
    "SUPPORTED": "Eviction from supported housing",
    "OTHER": "Other reason",
}
REASON_LOSS_DOMESTIC_ABUSE = "DOMABUSE"
HOUSEHOLD_TYPE = {
    "SPF": "Single parent, female, with dependent children",
    "SPM": "Single parent, male, with dependent children",
    "CPLCH": "Couple with dependent children",
    "SINGF": "Single adult, female",
    "SINGM": "Single adult, male",
    "CPLNOCH": "Couple, no dependent children",
    "OTHCH": "Other household with dependent children",
    "OTHNOCH": "Other household, no dependent children",
}
SUPPORT_NEED = {
    "MH": "History of mental health problems",
    "PHYS": "Physical ill health and disability",
    "LD": "Learning disability",
    "DRUG": "Drug dependency needs",
    "ALCOHOL": "Alcohol dependency needs",
    "DA": "At risk of or has experienced domestic abuse",
    "OFFEND": "Offending history",
    "YOUNGPAR": "Young parent requiring support",
    "CARELEAVER": "Care leaver",
    "ROUGHSLEEP": "History of rough sleeping",
}
DUTY_END_REASON = ("SECURED6", "SECURED12", "CONTACTLOST", "WITHDRAWN", "NOTSECURED", "REFUSED")
#: The type of a placement in temporary accommodation: the accommodation types of MHCLG's
#: *Statutory homelessness in England* temporary accommodation tables (TA1, households in
#: temporary accommodation at the end of the quarter, by type). The codes are the project's own
#: (H-CLIC's specification, and so its codes, is not openly published; docs/DOMAIN.md,
#: "Homelessness (H-CLIC)"); the descriptions follow the published tables' types.
TA_TYPE = {
    "BB": "Bed and breakfast hotel (including shared annexes)",
    "NIGHTLY": "Nightly paid, privately managed accommodation, self-contained",
    "HOSTEL": "Hostel (including reception centres, emergency units and refuges)",
    "PSL": "Private sector accommodation leased by the authority or by a registered provider",
    "LAHA": "Local authority or housing association (LA/HA) stock",
    "OTHER": "Any other type of accommodation (including with a private landlord)",
}

# --- Benchmarks (published national releases) --------------------------------------------

#: measure id -> (description, multiplier, age range of the denominator): rates per child
#: population, modelled by the generator from its own counts (``generator/benchmarks.py``)
POPULATION_BENCHMARK_MEASURES = {
    "cla_31mar": ("Children looked after at 31 March per 10,000 aged 0-17", 10_000, "0-17"),
    "cpp_31mar": (
        "Children on a child protection plan at 31 March per 10,000 aged 0-17",
        10_000,
        "0-17",
    ),
    "cin_31mar": ("Children in need at 31 March per 10,000 aged 0-17", 10_000, "0-17"),
    "factor_domestic_abuse": (
        "Children with domestic abuse identified at assessment in the year per 10,000 aged 0-17",
        10_000,
        "0-17",
    ),
    "factor_parental_mental_health": (
        "Children with parental mental ill-health identified at "
        "assessment in the year per 10,000 aged 0-17",
        10_000,
        "0-17",
    ),
    "factor_parental_substance_misuse": (
        "Children with parental substance misuse identified "
        "at assessment in the year per 10,000 aged 0-17",
        10_000,
        "0-17",
    ),
    "yj_outcome": (
        "Children with a youth-justice outcome in the year per 10,000 aged 10-17",
        10_000,
        "10-17",
    ),
    "yj_first_time_entrants": (
        "First-time entrants to the youth justice system per 100,000 aged 10-17",
        100_000,
        "10-17",
    ),
    "homeless_children": (
        "Dependent children in households owed a prevention or relief duty per 10,000 aged 0-17",
        10_000,
        "0-17",
    ),
}

#: measure id (the catalogue indicator's id) -> (description, multiplier, what the denominator
#: counts): the outcome measures DfE publishes by local authority, shares of service units and
#: two rates per child population (``indicators/catalogue.OUTCOMES``; docs/DOMAIN.md, "Outcome
#: measures")
OUTCOME_BENCHMARK_MEASURES = {
    "cin_re_referrals_12m": (
        "Referrals within 12 months of a previous referral, % of referrals in the year",
        100,
        "referrals",
    ),
    "assessments_within_45_days": (
        "Assessments completed within 45 working days, % of assessments completed in the year",
        100,
        "assessments",
    ),
    "cpp_ended_two_years_or_more": (
        "Child protection plans ended in the year that lasted 2 years or more, % of plans ended",
        100,
        "plans",
    ),
    "cpp_second_or_subsequent": (
        "Children starting a child protection plan for a second or subsequent time, % of "
        "children starting a plan",
        100,
        "children",
    ),
    "cla_three_or_more_placements": (
        "Children looked after at 31 March with 3 or more placements in the year, % of them",
        100,
        "children",
    ),
    "cla_long_term_stability": (
        "Children under 16 looked after for 2.5 years or more in the same placement for 2 "
        "years, % of them",
        100,
        "children",
    ),
    "cla_missing": (
        "Children looked after in the year who went missing, % of children looked after in "
        "the year",
        100,
        "children",
    ),
    "care_leavers_eet": (
        "Care leavers aged 19-21 in education, employment or training, % of them",
        100,
        "care leavers",
    ),
    "care_leavers_suitable_accommodation": (
        "Care leavers aged 19-21 in suitable accommodation, % of them",
        100,
        "care leavers",
    ),
    "s47_enquiries": ("Section 47 enquiries in the year per 10,000 aged 0-17", 10_000, "0-17"),
    "icpcs_after_s47": (
        "Initial child protection conferences in the year per 10,000 aged 0-17",
        10_000,
        "0-17",
    ),
}
#: every measure of the benchmark file
BENCHMARK_MEASURES = {**POPULATION_BENCHMARK_MEASURES, **OUTCOME_BENCHMARK_MEASURES}
