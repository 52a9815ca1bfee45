"""The engine: quarantine with the first rule broken, cascade, and conservation."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tip_pipeline.validate.engine import parent_first, validate_delivery
from tip_pipeline_tests.validate.helpers import delivery, table


def outcome_rules(outcome) -> dict[int, str]:
    q = outcome.quarantined
    return dict(zip(q["line_number"], q["rule_id"], strict=True))


def test_clean_delivery_is_all_accepted():
    d = delivery(
        cin_children=table("cin_children", {}),
        cin_episodes=table("cin_episodes", {}),
        cin_assessments=table("cin_assessments", {}),
        cin_cp_plans=table("cin_cp_plans", {}),
    )
    outcomes = validate_delivery(d)
    assert all(o.quarantined.empty and len(o.accepted) == 1 for o in outcomes.values())
    assert all(count == 0 for o in outcomes.values() for count in o.rule_counts.values())


def test_bad_code_is_quarantined_with_rule_and_record_and_the_rest_flow_on():
    d = delivery(cin_children=table("cin_children", {}, {"LAchildID": "c2", "Sex": "M"}))
    out = validate_delivery(d)["cin_children"]
    assert outcome_rules(out) == {3: "cin_children.Sex.code_list"}
    assert list(out.accepted["LAchildID"]) == ["c1"]
    row = out.quarantined.iloc[0]
    assert row["child_id"] == "c2" and '"Sex": "M"' in row["record"]
    assert out.rule_counts["cin_children.Sex.code_list"] == 1


def test_sex_codes_follow_the_period():
    from tip_pipeline.periods import FinancialYear

    d = delivery(cin_children=table("cin_children", {"Sex": "M"}))
    d.period = FinancialYear(2024)
    assert validate_delivery(d)["cin_children"].quarantined.empty


def test_children_of_a_quarantined_parent_cascade_under_their_own_rule():
    d = delivery(
        ssda903_header=table("ssda903_header", {"CHILD": "c1", "ETHNIC": "XXXX"}),
        ssda903_episodes=table("ssda903_episodes", {"CHILD": "c1"}, {"CHILD": "zz"}),
    )
    out = validate_delivery(d)
    assert outcome_rules(out["ssda903_header"]) == {2: "ssda903_header.ETHNIC.code_list"}
    assert outcome_rules(out["ssda903_episodes"]) == {
        2: "ssda903_episodes.parent_quarantined",
        3: "ssda903_episodes.parent_present",
    }


def test_a_row_broken_twice_names_both_rules_once():
    d = delivery(cin_children=table("cin_children", {"Sex": "7", "Ethnicity": "ZZZZ"}))
    q = validate_delivery(d)["cin_children"].quarantined
    assert len(q) == 1
    assert q.iloc[0]["rule_id"] == "cin_children.Sex.code_list"
    assert q.iloc[0]["other_rules"] == "cin_children.Ethnicity.code_list"


def test_a_broken_row_does_not_make_its_valid_twin_a_duplicate():
    d = delivery(cin_children=table("cin_children", {"HomeLSOA": "nowhere"}, {}))
    out = validate_delivery(d)["cin_children"]
    assert outcome_rules(out) == {2: "cin_children.HomeLSOA.format"}
    assert len(out.accepted) == 1


def test_parents_are_validated_first():
    order = parent_first(["cin_cp_plans", "cin_assessments", "cin_episodes", "cin_children"])
    assert order.index("cin_children") < order.index("cin_episodes") < order.index("cin_cp_plans")


codes = st.sampled_from(["1", "2", "9", "M", "", "X"])
dates = st.sampled_from(["2015-06-01", "2015-06-17", "2023-02-30", "", "2031-01-01", "1/2/2015"])
lsoas = st.sampled_from(["E01011264", "E01099999", "LS1 1AA", ""])
ids = st.sampled_from(["c1", "c2", "c3", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(ids, dates, codes, lsoas), min_size=0, max_size=25))
def test_rows_in_equal_accepted_plus_quarantined(rows):
    frame = table(
        "cin_children",
        *(
            {
                "LAchildID": i or None,
                "PersonBirthDate": b or None,
                "Sex": s or None,
                "HomeLSOA": lsoa or None,
            }
            for i, b, s, lsoa in rows
        ),
    )
    out = validate_delivery(delivery(cin_children=frame))["cin_children"]
    assert len(out.accepted) + len(out.quarantined) == len(rows)
    assert set(out.quarantined["line_number"]).isdisjoint(
        set(frame.loc[out.accepted.index, "line_number"])
    )
    assert not pd.Index(out.quarantined["line_number"]).has_duplicates
