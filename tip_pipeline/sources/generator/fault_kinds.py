"""The fault kinds: which tables and columns each applies to (see faults.py for what each
kind puts on its line). The kinds a validation rule declares with itself (``Rule.fault``) take
their name and column from the rule."""

from __future__ import annotations

from tip_pipeline.validate.rules import RULES


def _declared_by_rules(table: str) -> dict[str, tuple[str, ...]]:
    """The fault kinds the rules of ``table`` declare, in the registry's order."""
    return {r.fault.kind: (r.fault.column,) for r in RULES if r.table == table and r.fault}


#: kind -> columns it applies to, per table (empty tuple: a row-level kind)
KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "cin_children": {
        "invalid_code": ("Sex", "Ethnicity"),
        "dob_after_event": ("PersonBirthDate",),
        "duplicate_row": (),
        "duplicate_key": ("Ethnicity",),
        "missing_required": ("Ethnicity",),
        "unknown_lsoa": ("HomeLSOA",),
        "malformed_line": (),
    },
    "cin_episodes": {
        "invalid_code": ("ReferralSource", "PrimaryNeedCode", "ReferralNFA", "ReasonForClosure"),
        "malformed_date": ("CINclosureDate",),
        "future_date": ("CINclosureDate",),
        "end_before_start": ("CINclosureDate",),
        "duplicate_row": (),
        "duplicate_key": ("ReferralSource",),
        "missing_required": ("ReferralSource", "PrimaryNeedCode"),
        "malformed_line": (),
        "orphan_row": ("LAchildID",),
    },
    "cin_assessments": {
        "invalid_code": ("AssessmentFactors",),
        "malformed_date": ("AssessmentAuthorisationDate",),
        "future_date": ("AssessmentAuthorisationDate",),
        "end_before_start": ("AssessmentAuthorisationDate",),
        **_declared_by_rules("cin_assessments"),  # DfE 8869, 8898, 8614
        "duplicate_row": (),
        "malformed_line": (),
        "orphan_row": ("LAchildID",),
    },
    "cin_cp_plans": {
        "invalid_code": ("InitialCategoryOfAbuse", "LatestCategoryOfAbuse"),
        "malformed_date": ("CPPendDate",),
        "future_date": ("CPPendDate",),
        "end_before_start": ("CPPendDate",),
        "duplicate_row": (),
        "duplicate_key": ("LatestCategoryOfAbuse",),
        "missing_required": ("InitialCategoryOfAbuse",),
        "malformed_line": (),
        "orphan_row": ("LAchildID",),
    },
    "cin_section47": {
        "invalid_code": ("ICPCnotRequired",),
        "malformed_date": ("InitialCPCtarget",),
        **_declared_by_rules("cin_section47"),  # DfE 8615, 2889, 8740
        "duplicate_row": (),
        "duplicate_key": ("ICPCnotRequired",),
        "malformed_line": (),
        "orphan_row": ("LAchildID",),
    },
    "ssda903_header": {
        "invalid_code": ("SEX", "ETHNIC"),
        "dob_after_event": ("DOB",),
        "duplicate_row": (),
        "duplicate_key": ("ETHNIC",),
        "missing_required": ("ETHNIC",),
        "malformed_line": (),
    },
    "ssda903_episodes": {
        "invalid_code": ("RNE", "LS", "CIN", "PLACE"),
        "malformed_date": ("DEC",),
        "future_date": ("DEC",),
        "end_before_start": ("DEC",),
        "overlapping_episode": ("DECOM",),
        "rec_without_dec": ("REC",),
        "duplicate_row": (),
        "missing_required": ("LS", "PLACE"),
        "unknown_lsoa": ("HOME_POST",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_missing": {
        "invalid_code": ("MISSING",),
        "malformed_date": ("MIS_END",),
        "future_date": ("MIS_END",),
        **_declared_by_rules("ssda903_missing"),  # DfE 567
        "duplicate_row": (),
        "missing_required": ("MISSING",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_reviews": {
        "invalid_code": ("REVIEW_CODE",),
        "malformed_date": ("REVIEW",),
        "duplicate_row": (),
        "missing_required": ("REVIEW_CODE",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_oc2": {
        "invalid_code": ("SDQ_REASON", "HEALTH_CHECK"),
        "duplicate_row": (),
        "missing_required": ("IMMUNISATIONS",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_oc3": {
        "invalid_code": ("IN_TOUCH", "ACCOM"),
        "duplicate_row": (),
        "missing_required": ("ACTIV",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_uasc": {
        "invalid_code": ("SEX",),
        "malformed_date": ("DUC",),
        "duplicate_row": (),
        "missing_required": ("SEX",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_ad1": {
        "invalid_code": ("LS_ADOPTR", "FOSTER_CARE"),
        "malformed_date": ("DATE_MATCH",),
        "duplicate_row": (),
        "missing_required": ("NB_ADOPTR",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_placed_adoption": {
        "invalid_code": ("REASON_PLACED_CEASED",),
        "malformed_date": ("DATE_PLACED_CEASED",),
        "duplicate_row": (),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_prev_perm": {
        "invalid_code": ("PREV_PERM", "LA_PERM"),
        "duplicate_row": (),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "ssda903_sw_episodes": {
        "invalid_code": ("SW_REASON",),
        "malformed_date": ("SW_DECOM",),
        "duplicate_row": (),
        "missing_required": ("SW_ID",),
        "malformed_line": (),
        "orphan_row": ("CHILD",),
    },
    "yjs_offences": {
        "invalid_code": ("OFFENCE_TYPE", "GRAVITY", "SEX", "ETHNICITY"),
        "malformed_date": ("OFFENCE_DATE",),
        "age_out_of_range": ("DOB",),
        "duplicate_row": (),
        "duplicate_key": ("GRAVITY",),
        "missing_required": ("OFFENCE_TYPE", "GRAVITY"),
        "unknown_lsoa": ("HOME_LSOA",),
        "malformed_line": (),
    },
    "yjs_outcomes": {
        "invalid_code": ("OUTCOME_TYPE",),
        "malformed_date": ("OUTCOME_DATE",),
        "duplicate_row": (),
        "missing_required": ("OUTCOME_TYPE",),
        "malformed_line": (),
        "orphan_row": ("OFFENCE_ID",),
    },
    "hclic_main": {
        "invalid_code": ("INITIAL_DUTY", "REASON_LOSS", "HOUSEHOLD_TYPE"),
        "malformed_date": ("DUTY_END_DATE",),
        "future_date": ("DUTY_END_DATE",),
        "end_before_start": ("DUTY_END_DATE",),
        "duplicate_row": (),
        "duplicate_key": ("REASON_LOSS",),
        "missing_required": ("REASON_LOSS",),
        "unknown_lsoa": ("HOME_LSOA",),
        "malformed_line": (),
    },
    "hclic_children": {
        "invalid_code": ("CHILD_SEX",),
        "dob_after_event": ("CHILD_DOB",),
        "malformed_line": (),
        "orphan_row": ("CASE_ID",),
    },
    "hclic_support": {
        "invalid_code": ("SUPPORT_NEED",),
        "duplicate_row": (),
        "malformed_line": (),
        "orphan_row": ("CASE_ID",),
    },
    "hclic_temp_accommodation": {
        "invalid_code": ("TA_TYPE",),
        "malformed_date": ("TA_END_DATE",),
        "end_before_start": ("TA_END_DATE",),
        "duplicate_row": (),
        "duplicate_key": ("TA_TYPE",),
        "missing_required": ("TA_TYPE",),
        "malformed_line": (),
        "orphan_row": ("CASE_ID",),
    },
}

#: the start each end-like column must not precede
START_OF = {
    "CINclosureDate": "CINreferralDate",
    "AssessmentAuthorisationDate": "AssessmentActualStartDate",
    "CPPendDate": "CPPstartDate",
    "DEC": "DECOM",
    "DUTY_END_DATE": "APPLICATION_DATE",
    "TA_END_DATE": "TA_START_DATE",
}
INVALID = ("X9", "99", "ZZ", "N10", "Q", "RC0")
