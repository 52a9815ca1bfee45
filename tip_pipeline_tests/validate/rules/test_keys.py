"""Parent links: every link column compared, a missing value matching a missing or empty one."""

import dataclasses

import pandas as pd
import pytest

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules.keys import _linked
from tip_pipeline_tests.validate.helpers import delivery, table


def test_links_compare_every_column_and_missing_matches_empty():
    rows = pd.DataFrame(
        {"a": ["x", "x", "y", None, "z"], "b": ["1", "2", "1", "1", None]}, dtype="string"
    )
    parents = pd.DataFrame({"a": ["x", "y", "", "z"], "b": ["1", "2", "1", ""]}, dtype="string")
    linked = _linked(rows.set_axis([5, 6, 7, 8, 9]), parents, ("a", "b"))
    assert linked.tolist() == [True, False, False, True, True]
    assert linked.index.tolist() == [5, 6, 7, 8, 9]


# --- an empty home LSOA: an unknown home area, quarantined only where its LA cannot be told ---

HOME = {
    "cin_children": "HomeLSOA",
    "ssda903_episodes": "HOME_POST",
    "yjs_offences": "HOME_LSOA",
}


#: a second row's own key (its parent's too)
OTHER_KEY = {
    "cin_children": {"LAchildID": "c2"},
    "ssda903_episodes": {"CHILD": "c2"},
    "yjs_offences": {"OFFENCE_ID": "o2"},
}


def _one_table(name: str, home_la: str | None, lsoa: str | None):
    """``name`` with a clean row (line 2) and a row whose home LSOA is ``lsoa`` (line 3)."""
    tables = {name: table(name, {}, {**OTHER_KEY[name], HOME[name]: lsoa})}
    if name == "ssda903_episodes":
        tables["ssda903_header"] = table("ssda903_header", {}, {"CHILD": "c2"})
    d = dataclasses.replace(delivery(**tables), home_la=home_la)
    return validate_delivery(d)[name]


@pytest.mark.parametrize("name", sorted(HOME))
def test_an_empty_home_lsoa_is_accepted_when_the_delivering_la_is_known(name):
    out = _one_table(name, "E08000035", None)
    assert out.quarantined.empty and len(out.accepted) == 2
    assert out.accepted[HOME[name]].isna().sum() == 1


@pytest.mark.parametrize("name", sorted(HOME))
def test_an_empty_home_lsoa_is_quarantined_with_a_reason_when_no_la_can_be_told(name):
    out = _one_table(name, None, None)
    assert len(out.accepted) == 1 and list(out.quarantined["line_number"]) == [3]
    assert out.quarantined.iloc[0]["rule_id"] == f"{name}.{HOME[name]}.home_la_known"


def test_a_home_lsoa_the_lookup_lacks_stays_a_quarantine_whatever_the_la():
    out = _one_table("cin_children", "E08000035", "E01099999")
    assert list(out.quarantined["rule_id"]) == ["cin_children.HomeLSOA.lsoa_known"]
