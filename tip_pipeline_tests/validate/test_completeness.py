"""Completeness measures, counted by hand on small outcomes: every declared gap, found through
the contracts (code lists, home LSOA), with its denominator."""

from datetime import UTC, datetime

import pandas as pd

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.completeness import (
    NOT_RECORDED,
    RECORDED_WITHOUT,
    completeness_frame,
    completeness_rows,
)
from tip_pipeline.validate.engine import QUARANTINE_COLUMNS, TableOutcome


def _outcome(table: str, accepted: dict, rows_in: int, rule_counts: dict) -> TableOutcome:
    return TableOutcome(
        table=table,
        rows_in=rows_in,
        accepted=pd.DataFrame(accepted),
        quarantined=pd.DataFrame(columns=QUARANTINE_COLUMNS),
        rule_counts=rule_counts,
    )


def test_children_count_ethnicity_sex_and_home_lsoa_gaps():
    outcome = _outcome(
        "cin_children",
        {
            "Sex": ["1", "9", "0", "2", "U"],
            "Ethnicity": ["WBRI", "REFU", "NOBT", "REFU", "MWBA"],
            "HomeLSOA": ["E01000001"] * 5,
        },
        rows_in=8,  # three rows quarantined: two for the home LSOA, one for another rule
        rule_counts={
            "cin_children.HomeLSOA.home_la_known": 1,
            "cin_children.HomeLSOA.lsoa_known": 1,
            "cin_children.LAchildID.required": 1,
        },
    )
    assert completeness_rows(outcome) == {
        "sex_not_recorded": (3, 5),
        "ethnicity_not_recorded": (3, 5),
        "home_lsoa_missing_or_unknown": (2, 8),
    }


def test_an_accepted_empty_home_lsoa_is_counted_with_the_quarantined_ones():
    outcome = _outcome(
        "ssda903_episodes",
        {"HOME_POST": ["E01000001", None, None, "E01000002"]},
        rows_in=5,
        rule_counts={"ssda903_episodes.HOME_POST.lsoa_known": 1},
    )
    assert completeness_rows(outcome)["home_lsoa_missing_or_unknown"] == (3, 5)


def test_completed_assessments_without_factors():
    outcome = _outcome(
        "cin_assessments",
        {
            "AssessmentAuthorisationDate": pd.to_datetime(
                ["2023-05-01", "2023-06-01", None, "2023-07-01"]
            ),
            "AssessmentFactors": ["1B", None, None, None],
        },
        rows_in=4,
        rule_counts={},
    )
    assert completeness_rows(outcome) == {"completed_assessments_without_factors": (2, 3)}


def test_the_declarations_reach_every_extract_with_such_a_column():
    """Each not-recorded gap is measured in every service extract holding the column (the
    three returns with ethnicity, the five with sex: the SSDA903's UASC table repeats it), and
    each table named exists."""
    measured = {
        gap.measure: sorted(t for t, e in EXTRACTS.items() if any(map(gap.columns, e.columns)))
        for gap in NOT_RECORDED
    }
    assert measured == {
        "ethnicity_not_recorded": ["cin_children", "ssda903_header", "yjs_offences"],
        "sex_not_recorded": [
            "cin_children",
            "hclic_children",
            "ssda903_header",
            "ssda903_uasc",
            "yjs_offences",
        ],
    }
    for gap in RECORDED_WITHOUT:
        assert {gap.recorded, gap.without} <= set(EXTRACTS[gap.table].column_names)


def test_the_frame_holds_the_gaps_and_the_measures_given():
    outcome = _outcome("hclic_support", {"SUPPORT_NEED": ["A"]}, rows_in=1, rule_counts={})
    at = datetime(2026, 1, 1, tzinfo=UTC)
    frame = completeness_frame(outcome, {"records_quarantined": (0, 1)}, "2023/24", "r", at)
    assert frame[["measure", "source", "numerator", "denominator"]].values.tolist() == [
        ["records_quarantined", "hclic", 0, 1]
    ]
