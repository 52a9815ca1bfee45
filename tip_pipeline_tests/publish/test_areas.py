"""The published area hierarchy (``dim_area``) and the parents disclosure control relates:
the delivering LA's unknown home area is a ward of that LA, never an LSOA."""

from tip_pipeline.home_area import UNKNOWN, UNKNOWN_WARD, UNKNOWN_WARD_NAME
from tip_pipeline.indicators.data import area_lookup
from tip_pipeline.publish.areas import dim_area_frame, parents
from tip_pipeline_tests.indicators.helpers import LA, LSOA_A, LSOA_B, WARD_A, WARD_B, reference


def _lookup(setting: str = ""):
    ref = reference()
    lookup = area_lookup(
        ref["ref_lsoa_lookup"], ref["ref_lad_region"], ref["ref_imd"], home_la_setting=setting
    )
    imd = ref["ref_imd"].assign(
        index_of_multiple_deprivation_imd_score=["50.1", "3.2"],
        index_of_multiple_deprivation_imd_rank=["10", "33000"],
    )
    return lookup, imd


def test_the_unknown_home_area_is_a_ward_of_the_delivering_la_with_no_lsoa():
    lookup, imd = _lookup()
    dim = dim_area_frame(lookup, imd).set_index("area_code")
    assert UNKNOWN not in dim.index
    unknown = dim.loc[UNKNOWN_WARD]
    assert (unknown["area_type"], unknown["area_name"]) == ("ward", UNKNOWN_WARD_NAME)
    assert (unknown["parent_code"], unknown["la_code"]) == (LA, LA)
    assert dim["imd_decile"].dropna().index.tolist() == [LSOA_A, LSOA_B]
    up = parents(lookup)
    assert {w: up[w] for w in (WARD_A, WARD_B, UNKNOWN_WARD)} == dict.fromkeys(
        (WARD_A, WARD_B, UNKNOWN_WARD), LA
    )
    assert UNKNOWN not in up


def test_without_a_delivering_la_there_is_no_unknown_ward():
    lookup, imd = _lookup("E08000001")  # named, but not an LA of the lookup
    assert UNKNOWN_WARD not in set(dim_area_frame(lookup, imd)["area_code"])
