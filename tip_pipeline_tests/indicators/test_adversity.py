"""Linked adversity: the same pseudonymised child across CIN, SSDA903, youth justice and
H-CLIC; the distribution's 0 row is the population minus the rest."""

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from tip_pipeline.home_area import UNKNOWN
from tip_pipeline.indicators import adversity
from tip_pipeline.indicators.data import HISTORY_KEY
from tip_pipeline.indicators.numerator_registry import units_of
from tip_pipeline_tests.indicators import as_before
from tip_pipeline_tests.indicators.helpers import LSOA_A, LSOA_B, child, frame, year


def data():
    outcomes = [
        {"yj_id": "x", "offence_id": "o1", "outcome_date": "2023-06-01", "outcome_type": "RO"}
    ]
    return year(
        cin_children=[child("x", dob="2010-01-01"), child("y", lsoa=LSOA_B), child("z")],
        cin_assessments=[
            {
                "la_child_id": "x",
                "assessment_authorisation_date": "2023-06-01",
                "assessment_factors": "3B,4B",
            },
            {
                "la_child_id": "y",
                "assessment_authorisation_date": "2023-06-01",
                "assessment_factors": "1B",
            },
        ],
        cin_cp_plans=[{"la_child_id": "y", "cpp_start_date": "2023-01-01", "cpp_end_date": None}],
        ssda903_header=[{"child": "x", "sex": "M", "dob": "2010-01-01", "ethnic": "WBRI"}],
        ssda903_episodes=[{"child": "x", "decom": "2023-09-01", "ls": "C2", "home_post": LSOA_B}],
        yjs_offences=[
            {
                "yj_id": "x",
                "offence_id": "o1",
                "offence_date": "2023-05-01",
                "dob": "2010-01-01",
                "sex": "1",
                "ethnicity": "WBRI",
                "home_lsoa": LSOA_A,
            }
        ],
        yjs_outcomes=outcomes,
        **{HISTORY_KEY: frame("yjs_outcomes", outcomes)},
        hclic_main=[
            {
                "case_id": "h",
                "application_date": "2023-05-01",
                "initial_duty": "PREV",
                "num_dep_children": 1,
                "home_lsoa": LSOA_A,
            }
        ],
        hclic_children=[
            {"case_id": "h", "child_id": "x", "child_dob": "2010-01-01", "child_sex": "1"}
        ],
    )


def test_domains_are_linked_across_services():
    kids = adversity.child_domains(data()).set_index("unit_id")
    # x: domestic abuse, mental health, looked after, youth justice, homelessness
    assert kids.loc["x", "domains"] == 5
    assert kids.loc["x", "lsoa"] == LSOA_A  # details from the first domain (CIN)
    assert kids.loc["y", "domains"] == 2  # substance misuse, protection plan
    assert "z" not in kids.index  # in CIN but in no domain


def test_distribution_zero_row_is_the_population_minus_the_rest():
    dist = adversity.distribution(data()).set_index("domains")
    population = 2 * 2 * 18 * 10  # two LSOAs, two sexes, ages 0-17, 10 each
    assert dist.loc["4+", "children"] == 1 and dist.loc["2", "children"] == 1
    assert dist.loc["1", "children"] == 0 and dist.loc["3", "children"] == 0
    assert dist.loc["0", "children"] == population - 2
    assert dist.loc["2+", "children"] == 2
    assert dist.loc[["0", "1", "2", "3", "4+"], "children"].sum() == population
    assert (dist["denominator"] == population).all()


def test_overlap_of_looked_after_children_aged_10_17_with_youth_justice():
    over = adversity.overlap(data())
    row = over[(over["base_domain"] == "looked_after") & (over["other_domain"] == "youth_justice")]
    assert row[["age_range", "base_children", "both_children"]].values.tolist() == [["10-17", 1, 1]]
    assert row["share_pct"].item() == 100


def test_two_or_more_rule():
    assert sorted(units_of("adversity_two_or_more", data())["unit_id"]) == ["x", "y"]


def test_unlinked_youth_justice_withholds_its_overlaps_and_the_distribution():
    """Youth justice taken in without the cross-reference: no overlap pairs it with another
    domain, and no distribution (a child in both would count twice); the other pairs stay."""
    unlinked = data()
    unlinked.unlinked = frozenset({"youth_justice"})
    over = adversity.overlap(unlinked)
    assert not ({"youth_justice"} & (set(over["base_domain"]) | set(over["other_domain"])))
    linked_pairs = adversity.overlap(data())
    kept = linked_pairs[
        (linked_pairs["base_domain"] != "youth_justice")
        & (linked_pairs["other_domain"] != "youth_justice")
    ]
    assert len(over) == len(kept) > 0
    assert adversity.distribution(unlinked).empty
    assert list(adversity.distribution(unlinked).columns) == list(
        adversity.distribution(data()).columns
    )


def _areas(las: int = 3, lsoas: int = 40) -> pd.DataFrame:
    """``lsoas`` LSOAs spread over ``las`` LAs (the overlap reads only LSOA and LA)."""
    return pd.DataFrame(
        {
            "lsoa": [f"E0100{i:04d}" for i in range(lsoas)],
            "la": [f"E0800{i % las:04d}" for i in range(lsoas)],
        }
    )


def _random_units(seed: int, rows: int = 3_000) -> pd.DataFrame:
    """Random unit rows of every domain: ids shared across domains, ages 0-17 (and some
    missing), LSOAs of ``_areas``, the unknown home area and one the lookup does not know,
    ethnic groups (some missing)."""
    rng = np.random.default_rng(seed)
    lsoas = [*_areas()["lsoa"], "E01099999", UNKNOWN, UNKNOWN]
    age = pd.array(rng.integers(0, 18, rows), dtype="Int64")
    age[rng.random(rows) < 0.02] = pd.NA
    ethnic = rng.choice(["White", "Asian", "Black"], rows).astype(object)
    ethnic[rng.random(rows) < 0.1] = None
    return pd.DataFrame(
        {
            "unit_id": pd.array([f"c{i}" for i in rng.integers(0, rows // 3, rows)], dtype="str"),
            "lsoa": pd.array(rng.choice(lsoas, rows), dtype="str"),
            "sex": pd.array(rng.choice(["F", "M"], rows), dtype="str"),
            "ethnic_group": pd.array(ethnic, dtype="str"),
            "age": age,
            "domain": pd.array(rng.choice(list(adversity.DOMAINS), rows), dtype="str"),
        }
    )


@pytest.mark.parametrize("seed", range(4))
def test_child_domains_on_codes_equal_the_group_by_on_ids(seed, monkeypatch):
    """Each child's details, first known LSOA and distinct domains counted on codes give the
    rows the group-by, ``drop_duplicates`` and join on the ids gave (``as_before``), exactly;
    on the hand-made year, random units and none."""
    hand_made = data()
    assert_frame_equal(
        adversity.child_domains(hand_made), as_before.child_domains(hand_made), check_exact=True
    )
    units = _random_units(seed)
    monkeypatch.setattr(adversity, "domain_units", lambda data: units)
    new = adversity.child_domains(hand_made)
    assert new["domains"].max() >= 4 and (new["lsoa"] == UNKNOWN).any()
    assert_frame_equal(new, as_before.child_domains(hand_made), check_exact=True)
    monkeypatch.setattr(adversity, "domain_units", lambda data: units.iloc[:0])
    assert_frame_equal(
        adversity.child_domains(hand_made), as_before.child_domains(hand_made), check_exact=True
    )


@pytest.mark.parametrize("unlinked", [frozenset(), frozenset({"youth_justice"})])
def test_overlap_at_once_equals_pair_as_before(unlinked):
    """Every pair counted at once gives the rows the pair-by-pair group-bys gave (the code
    before, ``as_before.overlap``), in their order, exactly."""
    hand_made = data()
    hand_made.unlinked = unlinked
    assert_frame_equal(adversity.overlap(hand_made), as_before.overlap(hand_made), check_exact=True)


@pytest.mark.parametrize("seed", range(4))
def test_overlap_at_once_equals_pair_as_before_on_random_units(seed, monkeypatch):
    """Random units over three LAs (and an LSOA no LA holds, missing ages): the same rows."""
    units = _random_units(seed)
    monkeypatch.setattr(adversity, "domain_units", lambda data: units)
    year_data = data()
    year_data.__dict__["areas"] = _areas()
    new, old = adversity.overlap(year_data), as_before.overlap(year_data)
    assert len(new) == 3 * 42
    assert_frame_equal(new, old, check_exact=True)
    empty = units.iloc[:0]
    monkeypatch.setattr(adversity, "domain_units", lambda data: empty)
    assert_frame_equal(adversity.overlap(year_data), as_before.overlap(year_data), check_exact=True)


@pytest.mark.parametrize("seed", range(3))
def test_distribution_on_codes_equals_the_merges_and_group_by(seed, monkeypatch):
    """Children placed in their LA and counted by label on codes, the population summed by LA
    on codes, give the rows the merges and group-bys gave (``as_before``), exactly: random
    units over three LAs and a fourth LA with population but no child, the unknown home area
    in the first LA, an LSOA the lookup lacks; a year whose youth justice is unlinked; none."""
    rng = np.random.default_rng(seed)
    units = _random_units(seed)
    no_child = pd.DataFrame({"lsoa": [f"E0120{i:04d}" for i in range(4)], "la": "E08000003"})
    first_la = pd.DataFrame({"lsoa": [UNKNOWN], "la": [_areas()["la"].iloc[0]]})
    areas = pd.concat([_areas(), no_child, first_la], ignore_index=True).assign(
        la_name=lambda a: "name of " + a["la"]
    )
    population = pd.DataFrame(
        [(lsoa, sex, age) for lsoa in areas["lsoa"].iloc[:-1] for sex in "FM" for age in range(18)],
        columns=["lsoa", "sex", "age"],
    ).assign(population=lambda f: rng.integers(0, 60, len(f)))
    monkeypatch.setattr(adversity, "domain_units", lambda data: units)
    year_data = data()
    year_data.__dict__["areas"] = areas
    year_data.__dict__["population"] = population
    new = adversity.distribution(year_data)
    assert len(new) == 4 * 6 and new["children"].sum() > 0
    assert new.loc[new["area_code"] == "E08000003", "children"].tolist() == [
        int(population.loc[population["lsoa"].isin(no_child["lsoa"]), "population"].sum()),
        *[0] * 5,
    ]
    assert_frame_equal(new, as_before.distribution(year_data), check_exact=True)
    year_data.unlinked = frozenset({"youth_justice"})
    assert_frame_equal(
        adversity.distribution(year_data), as_before.distribution(year_data), check_exact=True
    )
    year_data.unlinked = frozenset()
    monkeypatch.setattr(adversity, "domain_units", lambda data: units.iloc[:0])
    assert_frame_equal(
        adversity.distribution(year_data), as_before.distribution(year_data), check_exact=True
    )
