"""Modelled prevalence from the joint distribution, recorded counterpart, the slide."""

import itertools

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tip_pipeline.indicators.prevalence import (
    modelled_prevalence,
    modelled_shares,
    prevalence_summary,
)
from tip_pipeline_tests.indicators import as_before
from tip_pipeline_tests.indicators.helpers import LA, LSOA_B, child, year

#: the lower and upper estimates as multiples of the central one's factor shares
LOW, HIGH = 0.5, 1.5


def rates(none: float, all3: float, da_only: float) -> pd.DataFrame:
    """The same joint distribution for every band and quintile: none, all three, DA only,
    the rest zero; the lower and upper estimates scale all three and DA only by LOW / HIGH
    (each still a joint distribution: none absorbs the difference)."""
    rows = []
    for band, q in itertools.product(("0-4", "5-9", "10-15", "16-17"), range(1, 6)):
        for da, mh, sm in itertools.product("01", repeat=3):
            ends = {}
            for name, f in (("share", 1.0), ("share_lower", LOW), ("share_upper", HIGH)):
                joint = {"000": 1 - f * (all3 + da_only), "111": f * all3, "100": f * da_only}
                ends[name] = joint.get(da + mh + sm, 0.0)
            assert ends["share"] == pytest.approx(
                {"000": none, "111": all3, "100": da_only}.get(da + mh + sm, 0.0)
            )
            rows.append(
                {
                    "age_band": band,
                    "imd_quintile": str(q),
                    "domestic_abuse": da,
                    "parental_mental_health": mh,
                    "parental_substance_misuse": sm,
                    **ends,
                }
            )
    return pd.DataFrame(rows)


def test_shares_follow_from_one_joint_distribution():
    shares = modelled_shares(rates(0.8, 0.05, 0.15)).iloc[0]
    assert shares["domestic_abuse"] == pytest.approx(0.2)
    assert shares["parental_mental_health"] == pytest.approx(0.05)
    assert shares["toxic_trio_any"] == pytest.approx(0.2)
    assert shares["toxic_trio_all"] == pytest.approx(0.05)


def test_modelled_and_recorded_by_area_and_the_slide():
    data = year(
        ref_modelled_rates=rates(0.8, 0.05, 0.15),
        cin_children=[child("a"), child("b")],
        cin_assessments=[
            {
                "la_child_id": "a",
                "assessment_authorisation_date": "2023-06-01",
                "assessment_factors": "3A",
            },
            {
                "la_child_id": "b",
                "assessment_authorisation_date": "2023-06-01",
                "assessment_factors": "4C",
            },  # another adult: the matched definition counts it
        ],
    )
    modelled = modelled_prevalence(data)
    la = modelled[modelled["area_type"] == "la"].set_index("measure")
    assert la.loc["domestic_abuse", "population"] == 720
    assert la.loc["domestic_abuse", "modelled_children"] == pytest.approx(144)
    assert la.loc["domestic_abuse", "recorded_children"] == 1
    assert la.loc["parental_mental_health", "recorded_children"] == 1
    assert la.loc["toxic_trio_any", "recorded_children"] == 2
    assert la.loc["domestic_abuse", "gap_children"] == pytest.approx(143)
    assert la.loc["toxic_trio_all", "modelled_pct"] == pytest.approx(5)
    lsoa = modelled[(modelled["area_type"] == "lsoa") & (modelled["measure"] == "domestic_abuse")]
    assert lsoa["modelled_children"].sum() == pytest.approx(144)

    slide = prevalence_summary(data, modelled)
    assert slide.columns[:8].tolist() == [
        "area_code",
        "measure",
        "basis",
        "children",
        "share_pct",
        "lower_pct",
        "upper_pct",
        "measure_label",
    ]
    assert len(slide) == 13 and set(slide["area_code"]) == {LA}
    assert slide["slide_order"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8]
    rec = slide[slide["basis"] == "recorded"].set_index("measure")
    assert rec.loc["toxic_trio_any", "children"] == 2
    assert rec.loc["looked_after", "children"] == 0
    assert slide[slide["basis"] == "modelled"]["lower_pct"].isna().all()


def test_the_modelled_range_is_propagated_to_every_level_and_the_gap():
    """Lower and upper estimates applied to the same population: 144 children modelled with
    domestic abuse, range 72 to 216 (0.5x, 1.5x); the gap's range is the range minus the one
    recorded child; every row is labelled "modelled range", not a confidence interval."""
    data = year(
        ref_modelled_rates=rates(0.8, 0.05, 0.15),
        cin_children=[child("a")],
        cin_assessments=[
            {
                "la_child_id": "a",
                "assessment_authorisation_date": "2023-06-01",
                "assessment_factors": "3A",
            }
        ],
    )
    modelled = modelled_prevalence(data)
    assert set(modelled["range_kind"]) == {"modelled range"}
    la = modelled[modelled["area_type"] == "la"].set_index("measure")
    da = la.loc["domestic_abuse"]
    assert (da["modelled_children_low"], da["modelled_children_high"]) == pytest.approx((72, 216))
    assert (da["gap_children_low"], da["gap_children_high"]) == pytest.approx((71, 215))
    assert (da["modelled_low_pct"], da["modelled_high_pct"]) == pytest.approx((10, 30))
    for level in ("lsoa", "ward"):
        rows = modelled[
            (modelled["area_type"] == level) & (modelled["measure"] == "domestic_abuse")
        ]
        assert rows["modelled_children_low"].sum() == pytest.approx(72)
        assert rows["modelled_children_high"].sum() == pytest.approx(216)
        assert (rows["modelled_children_low"] <= rows["modelled_children"]).all()
        assert (rows["modelled_children"] <= rows["modelled_children_high"]).all()

    slide = prevalence_summary(data, modelled)
    mod = slide[slide["basis"] == "modelled"].set_index("measure")
    assert mod.loc["domestic_abuse", "range_low_children"] == pytest.approx(72)
    assert mod.loc["domestic_abuse", "range_high_pct"] == pytest.approx(30)
    assert set(mod["range_kind"]) == {"modelled range"}
    rec = slide[slide["basis"] == "recorded"]
    assert rec["range_kind"].isna().all() and rec["range_low_children"].isna().all()


def _random_rates(rng: np.random.Generator) -> pd.DataFrame:
    """A random joint distribution of the three factors for every band and quintile, in each
    of the three estimates (none of them a round number)."""
    rows = []
    for band, q in itertools.product(("0-4", "5-9", "10-15", "16-17"), range(1, 6)):
        ends = {name: rng.dirichlet(np.ones(8)) for name in ("share", "share_lower", "share_upper")}
        for k, (da, mh, sm) in enumerate(itertools.product("01", repeat=3)):
            rows.append(
                {
                    "age_band": band,
                    "imd_quintile": str(q),
                    "domestic_abuse": da,
                    "parental_mental_health": mh,
                    "parental_substance_misuse": sm,
                    **{name: float(shares[k]) for name, shares in ends.items()},
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(3))
def test_modelled_prevalence_at_once_equals_estimate_by_estimate(seed):
    """The three estimates grouped together, each level's measures side by side, give the
    rows the code before gave (``as_before.modelled_prevalence``: each estimate grouped and
    merged on its own), exactly: random rates, 60 more LSOAs in six wards of three LAs with
    random populations, children recorded in the two known LSOAs and of unknown home."""
    rng = np.random.default_rng(seed)
    data = year(
        ref_modelled_rates=_random_rates(rng),
        cin_children=[child("a"), child("b", lsoa=None), child("c", lsoa=LSOA_B)],
        cin_assessments=[
            {
                "la_child_id": cid,
                "assessment_authorisation_date": "2023-06-01",
                "assessment_factors": factors,
            }
            for cid, factors in (("a", "3A,4A"), ("b", "4C"), ("c", "3A,4A,5A"))
        ],
    )
    more = pd.DataFrame(
        {
            "lsoa": [f"E0110{i:04d}" for i in range(60)],
            "ward": [f"E0510{i % 6:04d}" for i in range(60)],
            "la": [f"E0810{i % 3:04d}" for i in range(60)],
            "imd_quintile": pd.array(rng.integers(1, 6, 60), dtype="Int64"),
        }
    )
    data.__dict__["areas"] = pd.concat([data.areas, more], ignore_index=True)
    extra = pd.DataFrame(
        [(lsoa, sex, age) for lsoa in more["lsoa"] for sex in "FM" for age in range(18)],
        columns=["lsoa", "sex", "age"],
    ).assign(population=lambda f: rng.integers(0, 40, len(f)))
    data.__dict__["population"] = pd.concat([data.population, extra], ignore_index=True)
    assert_frame_equal(
        modelled_prevalence(data), as_before.modelled_prevalence(data), check_exact=True
    )
