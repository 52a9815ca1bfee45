"""Build small deliveries by hand: every contract column present, overridden per test."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.rules import Delivery

PERIOD = FinancialYear(2023)
LSOAS = frozenset({"E01011264", "E01011265"})

DEFAULTS = {
    "cin_children": {
        "LAchildID": "c1",
        "PersonBirthDate": "2015-06-01",
        "Sex": "1",
        "Ethnicity": "WBRI",
        "HomeLSOA": "E01011264",
        "PersonDeathDate": None,
    },
    "cin_episodes": {
        "LAchildID": "c1",
        "CINreferralDate": "2023-05-10",
        "ReferralSource": "1A",
        "PrimaryNeedCode": "N1",
        "ReferralNFA": "0",
        "CINclosureDate": None,
        "ReasonForClosure": None,
    },
    "cin_assessments": {
        "LAchildID": "c1",
        "CINreferralDate": "2023-05-10",
        "AssessmentActualStartDate": "2023-05-12",
        "AssessmentAuthorisationDate": "2023-06-20",
        "AssessmentFactors": "3A,4B",
    },
    "cin_cp_plans": {
        "LAchildID": "c1",
        "CINreferralDate": "2023-05-10",
        "CPPstartDate": "2023-07-01",
        "CPPendDate": None,
        "InitialCategoryOfAbuse": "NEG",
        "LatestCategoryOfAbuse": "NEG",
        "NumberOfPreviousCPP": "0",
    },
    "cin_section47": {
        "LAchildID": "c1",
        "CINreferralDate": "2023-05-10",
        "S47ActualStartDate": "2023-05-15",
        "InitialCPCtarget": "2023-06-05",
        "DateOfInitialCPC": "2023-06-02",
        "ICPCnotRequired": "0",
    },
    "ssda903_header": {"CHILD": "c1", "SEX": "1", "DOB": "2015-06-01", "ETHNIC": "WBRI"},
    "ssda903_episodes": {
        "CHILD": "c1",
        "DECOM": "2023-05-01",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U1",
        "PLACE_PROVIDER": "PR1",
        "DEC": None,
        "REC": None,
        "REASON_PLACE_CHANGE": None,
        "HOME_POST": "E01011264",
        "PL_LA": "E08000035",
    },
    "ssda903_missing": {
        "CHILD": "c1",
        "DOB": "2010-06-01",
        "MISSING": "M",
        "MIS_START": "2023-06-01",
        "MIS_END": "2023-06-02",
    },
    "ssda903_reviews": {
        "CHILD": "c1",
        "DOB": "2010-06-01",
        "REVIEW": "2023-06-01",
        "REVIEW_CODE": "PN1",
    },
    "ssda903_oc2": {
        "CHILD": "c1",
        "DOB": "2010-06-01",
        "SDQ_SCORE": "14",
        "SDQ_REASON": None,
        "CONVICTED": "0",
        "HEALTH_CHECK": "1",
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": None,
        "SUBSTANCE_MISUSE": "0",
        "INTERVENTION_RECEIVED": None,
        "INTERVENTION_OFFERED": None,
    },
    "ssda903_oc3": {
        "CHILD": "c1",
        "DOB": "2004-06-01",
        "IN_TOUCH": "YES",
        "ACTIV": "F2",
        "ACCOM": "U1",
    },
    "ssda903_uasc": {"CHILD": "c1", "SEX": "1", "DOB": "2007-06-01", "DUC": None},
    "ssda903_ad1": {
        "CHILD": "c1",
        "DOB": "2020-06-01",
        "DATE_INT": "2023-05-01",
        "DATE_MATCH": "2023-07-01",
        "FOSTER_CARE": "0",
        "NB_ADOPTR": "2",
        "SEX_ADOPTR": "MF",
        "LS_ADOPTR": "L11",
    },
    "ssda903_placed_adoption": {
        "CHILD": "c1",
        "DOB": "2020-06-01",
        "DATE_PLACED": "2023-05-01",
        "DATE_PLACED_CEASED": None,
        "REASON_PLACED_CEASED": None,
    },
    "ssda903_prev_perm": {
        "CHILD": "c1",
        "DOB": "2012-06-01",
        "PREV_PERM": "Z1",
        "LA_PERM": None,
        "DATE_PERM": None,
    },
    "ssda903_sw_episodes": {
        "CHILD": "c1",
        "DOB": "2012-06-01",
        "SW_ID": "5a5a5a5a5a5a5a5a",
        "SW_DECOM": "2023-05-01",
        "SW_DEC": None,
        "SW_REASON": "TSPROC",
    },
    "yjs_offences": {
        "YJ_ID": "c1",
        "OFFENCE_ID": "o1",
        "OFFENCE_DATE": "2023-06-01",
        "OFFENCE_TYPE": "THEFT",
        "GRAVITY": "2",
        "DOB": "2008-01-01",
        "SEX": "1",
        "ETHNICITY": "WBRI",
        "HOME_LSOA": "E01011264",
    },
    "yjs_outcomes": {
        "YJ_ID": "c1",
        "OFFENCE_ID": "o1",
        "OUTCOME_DATE": "2023-08-01",
        "OUTCOME_TYPE": "YC",
    },
}


def table(name: str, *rows: dict) -> pd.DataFrame:
    """A staged-like text frame: defaults overridden by each row dict, lines from 2."""
    records = [{**DEFAULTS[name], **row} for row in rows]
    frame = pd.DataFrame(records, columns=list(EXTRACTS[name].column_names), dtype="string")
    frame.insert(0, "source_file", f"{name}_2023-24.csv")
    frame.insert(1, "line_number", range(2, len(records) + 2))
    return frame


def delivery(**tables: pd.DataFrame) -> Delivery:
    return Delivery(period=PERIOD, raw=dict(tables), lsoas=LSOAS)
