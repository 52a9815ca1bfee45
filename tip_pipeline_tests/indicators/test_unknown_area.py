"""Children of unknown home area (no home LSOA: ``tip_pipeline.home_area``): counted in the
delivering LA and its person breakdowns, in the unknown ward and the unknown IMD decile and
quintile, in no LSOA, with no population denominator; every breakdown still sums to its total;
SII and the quintile gap ignore them; the modelled-prevalence, slide and adversity counts of
the LA include them."""

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.home_area import UNKNOWN, UNKNOWN_WARD, UNKNOWN_WARD_NAME
from tip_pipeline.indicators import adversity, checks
from tip_pipeline.indicators.catalogue import indicator
from tip_pipeline.indicators.data import area_lookup
from tip_pipeline.indicators.inequality import inequality_summary
from tip_pipeline.indicators.numerator_registry import make_units
from tip_pipeline.indicators.prevalence import modelled_prevalence, prevalence_summary
from tip_pipeline.indicators.values import UnplacedUnits, indicator_values
from tip_pipeline_tests.indicators.helpers import (
    LA,
    LSOA_A,
    LSOA_B,
    WARD_A,
    WARD_B,
    child,
    frame,
    reference,
    year,
)
from tip_pipeline_tests.indicators.test_prevalence import rates

OTHER_LA = "E08000998"


def _cin(kids: list[dict], **tables) -> object:
    episodes = [{"la_child_id": k["la_child_id"], "cin_referral_date": "2023-05-01"} for k in kids]
    return year(cin_children=kids, cin_episodes=episodes, **tables)


def _kids() -> list[dict]:
    return [
        child("a", lsoa=LSOA_A),
        child("b", lsoa=LSOA_B, sex="2"),
        child("c", lsoa=None, sex="2", eth="APKN"),
        child("d", lsoa=None, dob="2010-02-01"),
        child("e", lsoa="", eth="REFU"),  # blank text, as a CSV may give it
    ]


def _rows(values: pd.DataFrame, area_type: str, breakdown: str) -> pd.DataFrame:
    v = values[(values["area_type"] == area_type) & (values["breakdown"] == breakdown)]
    return v.set_index("category" if area_type == "la" else "area_code")


def test_make_units_keeps_an_empty_lsoa_as_the_unknown_area():
    rows = pd.DataFrame({"id": ["a", "b", "c"], "lsoa": [LSOA_A, None, " "]})
    assert make_units(rows, "id", "lsoa")["lsoa"].tolist() == [LSOA_A, UNKNOWN, UNKNOWN]


def test_the_lookup_places_the_unknown_area_in_the_delivering_la_only_when_it_is_known():
    ref = reference()
    frames = (ref["ref_lsoa_lookup"], ref["ref_lad_region"], ref["ref_imd"])
    areas = area_lookup(*frames, home_la_setting="").set_index("lsoa")
    assert areas.loc[UNKNOWN, ["ward", "ward_name", "la", "region"]].tolist() == [
        UNKNOWN_WARD,
        UNKNOWN_WARD_NAME,
        LA,
        "E12000003",
    ]
    assert pd.isna(areas.loc[UNKNOWN, "imd_decile"]) and pd.isna(areas.loc[UNKNOWN, "imd_quintile"])
    assert len(areas) == 3
    two = pd.concat([frames[0], frames[0].iloc[[0]].assign(lsoa21cd="E01000003", lad24cd=OTHER_LA)])
    assert UNKNOWN not in set(area_lookup(two, *frames[1:], home_la_setting="")["lsoa"])
    named = area_lookup(two, *frames[1:], home_la_setting=OTHER_LA).set_index("lsoa")
    assert named.loc[UNKNOWN, "la"] == OTHER_LA


def test_children_of_unknown_area_count_in_the_la_and_in_an_unknown_category():
    values = indicator_values(indicator("cin_31mar"), _cin(_kids()))
    total = _rows(values, "la", "total").loc["all"]
    assert (total["numerator"], total["denominator"]) == (5, 720)  # the population's own
    assert _rows(values, "la", "sex")["numerator"].to_dict() == {"F": 2, "M": 3}
    eth = _rows(values, "la", "ethnic_group")["numerator"]
    assert (eth["Asian"], eth["White"], eth["Not recorded"]) == (1, 3, 1)
    for breakdown, known in (("imd_decile", ("1", "10")), ("imd_quintile", ("1", "5"))):
        cats = _rows(values, "la", breakdown)
        assert cats["numerator"].to_dict() == {known[0]: 1, known[1]: 1, UNKNOWN: 3}
        unknown = cats.loc[UNKNOWN]
        assert pd.isna(unknown["denominator"]) and np.isnan(unknown["value"])
        assert np.isnan(unknown["lower_ci_95"]) and np.isnan(unknown["upper_ci_99_8"])
    wards = _rows(values, "ward", "total")
    assert wards["numerator"].to_dict() == {WARD_A: 1, WARD_B: 1, UNKNOWN_WARD: 3}
    assert wards["numerator"].sum() == total["numerator"]
    assert wards.loc[UNKNOWN_WARD, "area_name"] == UNKNOWN_WARD_NAME
    assert pd.isna(wards.loc[UNKNOWN_WARD, "denominator"])
    assert set(values.loc[values["area_type"] == "lsoa", "area_code"]) == {LSOA_A, LSOA_B}
    assert checks.breakdowns_not_summing(values).empty
    assert checks.implausible_values(values).empty


def test_without_a_delivering_la_the_children_are_an_error_never_dropped(monkeypatch):
    monkeypatch.delenv("TIP_HOME_LA", raising=False)
    data = _cin(_kids())
    lookup = data.table("ref_lsoa_lookup")
    data.tables["ref_lsoa_lookup"] = pd.concat(
        [lookup, lookup.iloc[[0]].assign(lsoa21cd="E01000003", lad24cd=OTHER_LA)]
    )
    with pytest.raises(UnplacedUnits, match="3 unit"):
        indicator_values(indicator("cin_31mar"), data)


def test_sii_and_the_quintile_gap_ignore_the_unknown_category():
    kids = [child(f"k{i}", lsoa=LSOA_A if i % 3 else LSOA_B) for i in range(12)]
    with_unknown = kids + [child(f"u{i}", lsoa=None) for i in range(4)]
    summaries = [
        inequality_summary(indicator_values(indicator("cin_31mar"), _cin(k)), None, None)
        for k in (kids, with_unknown)
    ]
    columns = ["most_deprived_value", "least_deprived_value", "gap", "deciles_used"]
    pd.testing.assert_frame_equal(summaries[0][columns], summaries[1][columns])


def test_prevalence_and_adversity_count_the_unknown_area_in_the_la():
    assessments = [
        {"la_child_id": c, "assessment_authorisation_date": "2023-06-01", "assessment_factors": f}
        for c, f in (("a", "3B"), ("c", "3B"), ("d", "4B"))
    ]
    data = _cin(_kids(), ref_modelled_rates=rates(0.8, 0.05, 0.15), cin_assessments=assessments)
    modelled = modelled_prevalence(data)
    da = modelled[modelled["measure"] == "domestic_abuse"].set_index(["area_type", "area_code"])
    assert da.loc[("la", LA), "recorded_children"] == 2
    assert da.loc[("la", LA), "population"] == 720
    # the unknown ward has no population and nothing modelled: no row, no negative gap
    assert ("ward", UNKNOWN_WARD) not in da.index
    assert UNKNOWN not in set(da.loc["lsoa"].index)
    slide = prevalence_summary(data, modelled)
    recorded = slide[(slide["basis"] == "recorded") & (slide["measure"] == "domestic_abuse")]
    assert recorded["children"].item() == 2
    dist = adversity.distribution(data).set_index("domains")
    assert dist.loc["1", "children"] == 3  # a, c and d: each one domain
    assert dist.loc[["0", "1", "2", "3", "4+"], "children"].sum() == 720


def test_household_units_of_unknown_area_count_in_the_la():
    data = year(
        hclic_main=[
            {
                "case_id": case,
                "application_date": "2023-05-01",
                "initial_duty": "PREV",
                "num_dep_children": 1,
                "home_lsoa": lsoa,
            }
            for case, lsoa in (("h1", LSOA_A), ("h2", None))
        ],
        hclic_children=frame(
            "hclic_children",
            [
                {"case_id": c, "child_id": f"{c}k", "child_dob": "2015-01-01", "child_sex": "1"}
                for c in ("h1", "h2")
            ],
        ),
    )
    values = indicator_values(indicator("homeless_children"), data)
    assert _rows(values, "la", "total").loc["all", "numerator"] == 2
    assert _rows(values, "ward", "total").loc[UNKNOWN_WARD, "numerator"] == 1


def test_a_linked_child_takes_the_first_known_home_area(monkeypatch):
    """Known to CIN (no address) first and to SSDA903 (an LSOA) second: the child is placed in
    the LSOA, with the first domain's other details; a child known nowhere stays unknown."""
    units = pd.DataFrame(
        {
            "unit_id": ["k", "k", "u"],
            "lsoa": [UNKNOWN, LSOA_A, UNKNOWN],
            "sex": ["1", "2", "1"],
            "ethnic_group": ["White", "Mixed", "White"],
            "age": [7, 7, 9],
            "domain": ["domestic_abuse", "looked_after", "domestic_abuse"],
        }
    )
    monkeypatch.setattr(adversity, "domain_units", lambda _data: units)
    kids = adversity.child_domains(None).set_index("unit_id")
    assert kids.loc["k", ["lsoa", "sex", "domains"]].tolist() == [LSOA_A, "1", 2]
    assert kids.loc["u", "lsoa"] == UNKNOWN
