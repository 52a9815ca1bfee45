"""GX runs the expectations the rules map to, on the accepted rows, and can fail."""

import pandas as pd
import pytest

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.expectations import (
    _presence_only,
    _validate,
    distinct_values,
    expectations_for,
    numbered,
    run_expectations,
)
from tip_pipeline_tests.validate.helpers import PERIOD, delivery, table

#: Great Expectations takes seconds to import (on first use): these tests, the unit tier's
#: only users, run on one worker (``--dist loadgroup``), which imports it once
pytestmark = pytest.mark.xdist_group("great_expectations")


def test_accepted_rows_meet_every_expectation():
    d = delivery(cin_children=table("cin_children", {}, {"LAchildID": "c2", "Sex": "M"}))
    validate_delivery(d)
    results = run_expectations(d.accepted["cin_children"], "cin_children", PERIOD)
    assert results and all(r.success for r in results)
    ids = {r.rule_id for r in results}
    assert {
        "cin_children.Sex.code_list",
        "cin_children.unique_key",
        "cin_children.PersonBirthDate.birth_month",
        "cin_children.columns",
    } <= ids


def test_gx_fails_when_a_bad_row_is_let_through():
    # what the post-condition is for: rows that a broken mask had accepted
    frame = table("cin_children", {}, {"Sex": "M", "PersonBirthDate": "2015-06-17"}, {})
    results = {r.rule_id: r.success for r in run_expectations(frame, "cin_children", PERIOD)}
    assert results["cin_children.Sex.code_list"] is False
    assert results["cin_children.PersonBirthDate.birth_month"] is False
    assert results["cin_children.unique_key"] is False
    assert results["cin_children.Ethnicity.code_list"] is True


def test_columns_without_a_value_expectation_are_represented_by_one_value():
    # line numbers and ids are all distinct, but no single-value expectation looks at them
    # beyond "not null": the frame GX sees stays one row long whatever the rows
    frame = table("cin_children", {}, {"LAchildID": "c2"}, {"LAchildID": "c3"})
    value_pairs, _ = expectations_for("cin_children", PERIOD)
    presence = _presence_only(value_pairs, list(frame))
    assert {"source_file", "line_number", "LAchildID"} <= presence
    assert "Sex" not in presence and "PersonBirthDate" not in presence
    assert len(distinct_values(frame, presence)) == 1


def _keys(files: list, ids: list) -> pd.DataFrame:
    return pd.DataFrame({"source_file": files, "LAchildID": ids}, dtype="str")


KEY_FRAMES = [
    _keys(["a.csv", "a.csv", "b.csv"], ["c1", "c2", "c1"]),  # unique in each file
    _keys(["a.csv", "b.csv", "a.csv"], ["c1", "c1", "c1"]),  # repeated in a file
    _keys(["a.csv", "a.csv", "a.csv"], ["c1", None, None]),  # two rows missing the id
    _keys([None, None, "a.csv"], [None, None, "c1"]),  # two rows missing every key
]
#: GX's answer on each (rows missing every key column are left out by GX, not compared)
KEY_UNIQUE = [True, False, False, True]


@pytest.mark.parametrize("frame", KEY_FRAMES)
def test_numbered_keys_keep_which_values_are_equal_and_which_missing(frame):
    out = numbered(frame)
    assert out.isna().equals(frame.isna())
    assert out.duplicated(keep=False).equals(frame.duplicated(keep=False))
    for column in frame:
        by_value = frame.groupby(column, dropna=False).indices.values()
        by_number = out.groupby(column, dropna=False).indices.values()
        assert sorted(map(list, by_value)) == sorted(map(list, by_number))


@pytest.mark.parametrize(("frame", "unique"), list(zip(KEY_FRAMES, KEY_UNIQUE, strict=True)))
def test_gx_judges_numbered_keys_as_it_judges_the_text(frame, unique):
    def pairs() -> list:  # a suite takes expectations no other suite holds
        return expectations_for("cin_children", PERIOD)[1]

    as_text = _validate(frame.astype("string"), pairs(), "text")
    as_numbers = _validate(numbered(frame), pairs(), "numbers")
    assert [r.success for r in as_numbers] == [r.success for r in as_text] == [unique]
