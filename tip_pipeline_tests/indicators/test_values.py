"""Values by area and breakdown: totals, categories summing to them, the sex-code change,
methods by kind, age ranges."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tip_pipeline.indicators import checks
from tip_pipeline.indicators import values as values_module
from tip_pipeline.indicators.catalogue import BREAKDOWNS, CATALOGUE, indicator
from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.values import (
    AREA_LEVELS,
    BREAKDOWN_LEVELS,
    TOTAL,
    VALUE_COLUMNS,
    age_categories,
    all_values,
    at_level,
    category,
    category_codes,
    counts_by_lsoa,
    denominators,
    factorized,
    indicator_values,
    level_denominators,
    numerator_counts,
    numerator_units,
    unit_batches,
    values_of,
    with_areas,
)
from tip_pipeline.stats import proportion_ci, rate_ci
from tip_pipeline_tests.indicators.helpers import (
    LA,
    LSOA_A,
    LSOA_B,
    WARD_A,
    WARD_B,
    YEAR,
    child,
    frame,
    on_reference,
    reference,
    year,
)


def cin_year():
    # sex coded numerically for some children and with letters for others (the 2024/25 change)
    kids = [
        child("a", sex="1", lsoa=LSOA_A),
        child("b", sex="M", lsoa=LSOA_A, eth="REFU"),
        child("c", sex="2", lsoa=LSOA_B, eth="APKN"),
        child("d", sex="F", lsoa=LSOA_B, dob="2000-01-01"),  # aged 24: outside 0-17
        child("e", sex="9", lsoa=LSOA_B),
    ]
    episodes = [
        {"la_child_id": c, "cin_referral_date": "2023-05-01", "cin_closure_date": None}
        for c in "abcde"
    ]
    # a second referral of a, closed again: one more event, the same child
    episodes.append(
        {"la_child_id": "a", "cin_referral_date": "2023-04-02", "cin_closure_date": "2023-04-20"}
    )
    return year(cin_children=kids, cin_episodes=episodes)


def rows(values, area_type="la", breakdown=None):
    v = values[values["area_type"] == area_type]
    return v if breakdown is None else v[v["breakdown"] == breakdown].set_index("category")


def test_totals_categories_and_harmonised_sex():
    values = indicator_values(indicator("cin_31mar"), cin_year())
    total = rows(values, breakdown="total").loc["all"]
    assert (total["numerator"], total["denominator"]) == (4, 720)
    sex = rows(values, breakdown="sex")
    assert sex["numerator"].to_dict() == {"F": 1, "M": 2, "U": 1}
    assert sex.loc["F", "denominator"] == 360 and np.isnan(sex.loc["U", "value"])
    assert rows(values, breakdown="imd_decile")["numerator"].to_dict() == {"1": 2, "10": 2}
    assert rows(values, breakdown="imd_quintile")["numerator"].to_dict() == {"1": 2, "5": 2}
    eth = rows(values, breakdown="ethnic_group")
    assert eth["numerator"].to_dict() == {
        "Asian": 1,
        "Black": 0,
        "Mixed": 0,
        "Not recorded": 1,
        "Other": 0,
        "White": 2,
    }
    # Census 2021 children of the group aged 0-17 in the LA (helpers.CENSUS, two LSOAs)
    assert eth["denominator"].dropna().to_dict() == {
        "Asian": 180,
        "Black": 72,
        "Mixed": 72,
        "Other": 36,
        "White": 360,
    }
    assert pd.isna(eth.loc["Not recorded", "denominator"])
    assert np.isnan(eth.loc["Not recorded", "value"])
    wards = rows(values, "ward", "total")
    assert wards.set_index("area_code")["numerator"].to_dict() == {WARD_A: 2, "E05000002": 2}
    assert len(rows(values, "lsoa")) == 2 and set(rows(values, "lsoa")["breakdown"]) == {"total"}
    assert checks.breakdowns_not_summing(values).empty
    assert checks.implausible_values(values).empty
    assert checks.numerator_above_denominator(values).empty
    assert set(values["area_code"][values["area_type"] == "la"]) == {LA}


def test_proportions_use_wilson_and_rates_byar():
    values = indicator_values(indicator("cin_31mar"), cin_year())
    total = rows(values, breakdown="total").loc["all"]
    expected = proportion_ci(4, 720, 0.95, 10_000)
    assert total["value"] == pytest.approx(float(expected.value))
    assert total["lower_ci_95"] == pytest.approx(float(expected.lower))
    wide = proportion_ci(4, 720, 0.998, 10_000)
    assert total["upper_ci_99_8"] == pytest.approx(float(wide.upper))
    referrals = indicator_values(indicator("cin_referrals"), cin_year())
    r = rows(referrals, breakdown="total").loc["all"]
    assert r["numerator"] == 5  # events of children aged 0-17: a twice, not the 24-year-old
    expected = rate_ci(5, 720, 0.95, 10_000)
    assert r["upper_ci_95"] == pytest.approx(float(expected.upper))


def test_ethnic_group_value_and_limits_by_hand():
    """White children on 31 March: a (LSOA A) and e (LSOA B) of the LA's 360 White children
    aged 0-17 in Census 2021 (helpers.CENSUS: 50 + 50 + 60 + 20 per LSOA). Wilson, z = 1.96:
    p = 2/360, limits (2x + z^2 -+ z sqrt(z^2 + 4x(1 - p))) / 2(n + z^2) per 10,000."""
    white = rows(indicator_values(indicator("cin_31mar"), cin_year()), breakdown="ethnic_group")
    white = white.loc["White"]
    assert (white["numerator"], white["denominator"]) == (2, 360)
    assert white["value"] == pytest.approx(55.5556, abs=1e-4)
    assert white["lower_ci_95"] == pytest.approx(15.2486, abs=1e-4)
    assert white["upper_ci_95"] == pytest.approx(200.2700, abs=1e-4)
    assert white["lower_ci_99_8"] == pytest.approx(8.3925, abs=1e-4)
    assert white["upper_ci_99_8"] == pytest.approx(358.2576, abs=1e-4)


def _offence(oid, yj, lsoa, eth="BCRB", dob="2008-01-01"):
    return {
        "yj_id": yj,
        "offence_id": oid,
        "offence_date": "2023-05-01",
        "dob": dob,
        "sex": "2",
        "ethnicity": eth,
        "home_lsoa": lsoa,
    }


def _yj_year():
    """Four Black children aged 15 with an outcome, three in LSOA B (ward B), one in LSOA A;
    a child with ethnicity refused in LSOA B."""
    offences = [
        _offence("o1", "k1", LSOA_B),
        _offence("o2", "k2", LSOA_B),
        _offence("o3", "k3", LSOA_B, eth="BAFR"),
        _offence("o4", "k4", LSOA_A, eth="BOTH"),
        _offence("o5", "k5", LSOA_B, eth="REFU"),
    ]
    outcomes = [
        {"yj_id": o["yj_id"], "offence_id": o["offence_id"], "outcome_date": "2023-06-01",
         "outcome_type": "YC"}
        for o in offences
    ]  # fmt: skip
    return year(yjs_offences=offences, yjs_outcomes=outcomes)


def test_ethnic_group_denominator_is_the_census_in_the_indicators_ages():
    """yj_outcome counts children aged 10-17: the Black denominator is the census bands 10-15
    and 16-17 only (12 + 4 per LSOA), not the group's 0-17 (36 per LSOA). By hand (Wilson):
    LA 4/32, ward B 3/16."""
    values = indicator_values(indicator("yj_outcome"), _yj_year())
    black = rows(values, breakdown="ethnic_group").loc["Black"]
    assert (black["numerator"], black["denominator"]) == (4, 32)
    assert black["value"] == pytest.approx(1250.0)
    assert black["lower_ci_95"] == pytest.approx(497.0134, abs=1e-4)
    assert black["upper_ci_95"] == pytest.approx(2806.8305, abs=1e-4)
    assert black["lower_ci_99_8"] == pytest.approx(307.2596, abs=1e-4)
    assert black["upper_ci_99_8"] == pytest.approx(3916.5026, abs=1e-4)
    ward = values[(values["area_code"] == WARD_B) & (values["breakdown"] == "ethnic_group")]
    ward = ward.set_index("category")
    assert (ward.loc["Black", "numerator"], ward.loc["Black", "denominator"]) == (3, 16)
    assert ward.loc["Black", "value"] == pytest.approx(1875.0)
    refused = rows(values, breakdown="ethnic_group").loc["Not recorded"]
    assert refused["numerator"] == 1 and pd.isna(refused["denominator"])
    assert np.isnan(refused["value"]) and np.isnan(refused["upper_ci_95"])
    total = rows(values, breakdown="total").loc["all"]
    assert total["denominator"] == 2 * 2 * 8 * 10  # ONS mid-year estimate, ages 10-17
    # different bases: the groups' denominators need not sum to the total's
    assert checks.breakdowns_not_summing(values).empty
    assert checks.implausible_values(values).empty


def test_a_rate_by_ethnic_group_uses_byar_on_the_census_denominator():
    values = indicator_values(indicator("cin_referrals"), cin_year())
    white = rows(values, breakdown="ethnic_group").loc["White"]
    assert (white["numerator"], white["denominator"]) == (3, 360)  # a twice, e once
    expected = rate_ci(3, 360, 0.95, 10_000)
    assert white["lower_ci_95"] == pytest.approx(float(expected.lower))
    assert white["upper_ci_95"] == pytest.approx(float(expected.upper))


def test_without_the_census_file_ethnic_groups_have_counts_only():
    frames = reference()
    del frames["ref_census_ethnicity"]
    kids = [child("a"), child("b", eth="APKN")]
    episodes = [{"la_child_id": c, "cin_referral_date": "2023-05-01"} for c in "ab"]
    frames["cin_children"] = frame("cin_children", kids)
    frames["cin_episodes"] = frame("cin_episodes", episodes)
    data = YearData(period=YEAR, tables=frames)
    eth = rows(indicator_values(indicator("cin_31mar"), data), breakdown="ethnic_group")
    assert eth["numerator"].to_dict() == {"Asian": 1, "White": 1}
    assert eth["denominator"].isna().all() and eth["value"].isna().all()


@pytest.fixture(scope="module")
def reference_only() -> tuple[YearData, pd.DataFrame]:
    """A year of reference data only (no service delivery at all) and every indicator's values
    for it, computed once: the denominators it counts are shared by the property test's
    years (``on_reference``)."""
    data = year()
    return data, all_values(data)


def test_household_share_and_indicators_without_ethnicity_are_unchanged(reference_only):
    share = indicator("homeless_domestic_abuse_share")
    assert not share.census_denominator and "ethnic_group" not in share.breakdowns
    homeless = indicator("homeless_children")
    assert not homeless.census_denominator
    _, values = reference_only
    assert (
        not values["indicator_id"][values["breakdown"] == "ethnic_group"]
        .isin([share.id, homeless.id])
        .any()
    )


def test_breakdown_check_flags_a_broken_sum():
    values = indicator_values(indicator("cin_31mar"), cin_year())
    broken = values.copy()
    broken.loc[broken["breakdown"] == "sex", "numerator"] += 1
    assert not checks.breakdowns_not_summing(broken).empty


def test_a_year_without_a_source_gives_zero_counts_not_an_error(reference_only):
    _, values = reference_only  # reference data only: no service delivery at all
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    # a share of service units (households, referrals, children looked after...) has no
    # denominator without a delivery: only the population indicators have rows
    assert len(la) == sum(i.denominator.ages is not None for i in CATALOGUE)
    assert (la["numerator"] == 0).all()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from([LSOA_A, LSOA_B, None]),  # None: an unknown home area
            st.sampled_from(["1", "2", "0", "9", "M", "F", "U"]),
            st.integers(min_value=2000, max_value=2023),
            st.sampled_from(["WBRI", "MWBC", "APKN", "BAFR", "OOTH", "REFU"]),
        ),
        max_size=30,
    )
)
def test_every_breakdown_sums_to_its_total(reference_only, children):
    """Whatever the children (area, sex code, age, ethnicity), every breakdown of children in
    need on 31 March sums to its total, no numerator exceeds its denominator and the total
    counts the children aged 0-17. The years share the reference data's denominators."""
    kids = [
        child(f"c{i}", sex=sex, lsoa=lsoa, eth=eth, dob=f"{born}-07-01")
        for i, (lsoa, sex, born, eth) in enumerate(children)
    ]
    episodes = [{"la_child_id": k["la_child_id"], "cin_referral_date": "2023-05-01"} for k in kids]
    reference, _ = reference_only
    data = on_reference(reference, cin_children=kids, cin_episodes=episodes)
    values = indicator_values(indicator("cin_31mar"), data)
    assert checks.breakdowns_not_summing(values).empty
    assert checks.numerator_above_denominator(values).empty
    total = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    assert total["numerator"].item() == sum(1 for c in children if c[2] >= 2006)
    wards = values[(values["area_type"] == "ward") & (values["breakdown"] == "total")]
    assert wards["numerator"].sum() == total["numerator"].item()


def test_units_outside_the_child_ages_keep_their_age_band_categories():
    """A share of service units counts every unit (an assessment of an unborn child, a plan
    ending at 18): its age bands still sum to the total."""
    ages = pd.Series([-1, 0, 4, 17, 18, 21, None], dtype="Int64")
    assert age_categories(ages).tolist() == [
        "unborn",
        "0-4",
        "0-4",
        "16-17",
        "18 and over",
        "18 and over",
        "unknown",
    ]


def test_indicators_counted_together_give_each_ones_own_rows():
    # values_of counts every indicator in one pass per area level: the rows must be those of
    # one indicator at a time, in catalogue order, row for row
    data = cin_year()
    chosen = [indicator(i) for i in ("cin_31mar", "cin_referrals", "cin_re_referrals_12m")]
    together = values_of(chosen, data)
    one_by_one = pd.concat([values_of([ind], data) for ind in chosen], ignore_index=True)
    pd.testing.assert_frame_equal(together, one_by_one, check_exact=True)
    assert list(dict.fromkeys(together["indicator_id"])) == [i.id for i in chosen]


def test_no_indicator_gives_no_rows_with_the_value_columns():
    assert values_of([], cin_year()).empty
    assert list(values_of([], cin_year()).columns) == VALUE_COLUMNS


def _counts_by_long_table(frame, breakdowns, weight=None, by=()):
    """``counts_by_lsoa`` as it was written before (a long table grouped by its text keys):
    the reference its numbered form must equal."""
    w = frame[weight].to_numpy() if weight else np.ones(len(frame), dtype=np.int64)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    **{c: frame[c].to_numpy(object) for c in by},
                    "lsoa": frame["lsoa"].to_numpy(object),
                    "breakdown": np.full(len(frame), b, dtype=object),
                    "category": category(frame, b).to_numpy(object),
                    "count": w,
                }
            )
            for b in breakdowns
        ],
        ignore_index=True,
    )
    keys = [*by, "lsoa", "breakdown", "category"]
    return long.groupby(keys, as_index=False)["count"].sum()


def _units(rows: int, text: str | type) -> pd.DataFrame:
    """Placed units of random keys, text as ``text`` (objects, or pandas' Arrow-backed
    strings as numerators make them), missing values in every breakdown's column."""
    rng = np.random.default_rng(rows)
    return pd.DataFrame(
        {
            # every unit placed (``with_areas`` keeps only those): a missing category is left
            # out of its breakdown alone
            "lsoa": rng.choice(["E01000002", "E01000001", "unknown"], rows).astype(object),
            "indicator_id": rng.choice(["b", "a"], rows).astype(object),
            "sex": rng.choice(["F", "M", None], rows).astype(object),
            "ethnic_group": rng.choice(["White", "Asian", None], rows).astype(object),
            "age": pd.array(rng.integers(-1, 19, rows), dtype="Int64").insert(0, pd.NA)[:rows],
            "imd_decile": pd.array(rng.integers(1, 11, rows), dtype="Int64"),
            "imd_quintile": pd.array(rng.integers(1, 6, rows), dtype="Int64").insert(0, pd.NA)[
                :rows
            ],
            "w": rng.integers(0, 9, rows),
        }
    ).astype(dict.fromkeys(["lsoa", "indicator_id", "sex", "ethnic_group"], text))


@pytest.mark.parametrize("rows", [0, 1, 400])
@pytest.mark.parametrize("options", [{}, {"by": ("indicator_id",)}, {"weight": "w"}])
@pytest.mark.parametrize("text", [object, "str"])
def test_counts_by_lsoa_equal_a_group_by_of_the_long_table(rows, options, text):
    frame = _units(rows, text)
    breakdowns = ["total", "sex", "age_band", "imd_decile"]
    expected = _counts_by_long_table(frame, breakdowns, **options)
    got = counts_by_lsoa(frame, breakdowns, **options)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("rows", [0, 1, 400])
@pytest.mark.parametrize("text", [object, "str", "string"])
def test_factorized_numbers_as_pandas_numbers_objects(rows, text):
    # the codes and distinct values (Python objects, in order of first appearance) of the
    # column's objects, made without an object per row
    frame = _units(rows, text)
    for column in ["lsoa", "sex", "age", "imd_quintile", "w"]:
        codes, uniques = factorized(frame[column])
        expected_codes, expected_uniques = pd.factorize(frame[column].to_numpy(object))
        np.testing.assert_array_equal(codes, expected_codes)
        assert uniques.dtype == object and uniques.tolist() == expected_uniques.tolist()
        assert [type(u) for u in uniques] == [type(u) for u in expected_uniques]


@pytest.mark.parametrize("rows", [0, 1, 400])
@pytest.mark.parametrize("text", [object, "str"])
def test_category_codes_number_each_rows_category(rows, text):
    # a category worked out from the column's distinct values numbers the rows as the
    # categories of every row do, missing ones (-1) included
    frame = _units(rows, text)
    for breakdown in BREAKDOWNS:
        codes, categories = category_codes(frame, breakdown)
        expected_codes, expected = pd.factorize(category(frame, breakdown).to_numpy(object))
        np.testing.assert_array_equal(codes, expected_codes)
        assert categories.dtype == object and categories.tolist() == expected.tolist()


def _numerator_counts_in_one_table(indicators, data):
    """``numerator_counts`` as it was written before: the units of the indicators with the same
    breakdowns concatenated, placed in every area column and counted together."""
    by_breakdowns = {}
    for ind in indicators:
        units = numerator_units(ind, data).assign(indicator_id=ind.id)
        by_breakdowns.setdefault(tuple(ind.breakdowns), []).append(units)
    counts = [
        counts_by_lsoa(
            with_areas(pd.concat(parts, ignore_index=True), data, columns=AREA_COLUMNS),
            breakdowns,
            by=("indicator_id",),
        )
        for breakdowns, parts in by_breakdowns.items()
    ]
    return pd.concat(counts, ignore_index=True)


AREA_COLUMNS = ("lsoa_name", "ward", "la", "region", "country", "imd_decile", "imd_quintile")


@pytest.mark.parametrize("delivery", ["cin", "none"])
@pytest.mark.parametrize("units_at_once", [1, 3, 500_000])
def test_numerator_counts_in_batches_equal_them_counted_in_one_table(
    delivery, units_at_once, monkeypatch
):
    # the indicators of every set of breakdowns, in catalogue order, those without units
    # (every service indicator of a year without a delivery) among them; one indicator a
    # batch, a few, or all of a set
    monkeypatch.setattr(values_module, "UNITS_AT_ONCE", units_at_once)
    data = cin_year() if delivery == "cin" else year()
    expected = _numerator_counts_in_one_table(CATALOGUE, data)
    pd.testing.assert_frame_equal(numerator_counts(CATALOGUE, data), expected, check_exact=True)


@pytest.mark.parametrize("units_at_once", [1, 3, 500_000])
def test_unit_batches_hold_consecutive_indicators_up_to_the_limit(units_at_once, monkeypatch):
    monkeypatch.setattr(values_module, "UNITS_AT_ONCE", units_at_once)
    data = cin_year()
    group = sorted((i for i in CATALOGUE if i.numerator_name.startswith("cin")), key=lambda i: i.id)
    batches = list(unit_batches(group, data))
    ids = [list(dict.fromkeys(b["indicator_id"])) for b in batches]
    with_units = [i.id for i in group if len(numerator_units(i, data))]
    assert [i for batch in ids for i in batch] == with_units
    assert all(len(b) <= units_at_once or len(i) == 1 for b, i in zip(batches, ids, strict=True))
    assert list(batches[0].columns) == ["lsoa", "sex", "ethnic_group", "age", "indicator_id"]


@pytest.mark.parametrize("delivery", ["cin", "none"])
def test_level_denominators_are_the_totals_of_the_concatenated_ones(delivery):
    # each indicator's totals taken before the concatenation: the same rows, in the same
    # order, of the same column types, as the totals of every indicator's rows concatenated
    data = cin_year() if delivery == "cin" else year()
    got = level_denominators(CATALOGUE, data)
    for level in AREA_LEVELS:
        every = pd.concat(
            [denominators(ind, data)[level].assign(indicator_id=ind.id) for ind in CATALOGUE],
            ignore_index=True,
        )
        if level not in BREAKDOWN_LEVELS:
            every = every[every["breakdown"] == TOTAL]
        pd.testing.assert_frame_equal(
            pd.concat(got[level], ignore_index=True),
            every.reset_index(drop=True),
            check_exact=True,
        )


def _at_level_by_a_group_by(counts, areas, level, by=()):
    """``at_level`` as it was written before: the counts joined to their areas and grouped by
    their text."""
    placed = counts.merge(areas[["lsoa", level]], on="lsoa").rename(columns={level: "area_code"})
    keys = [*by, "area_code", "breakdown", "category"]
    return placed.groupby(keys, as_index=False)["count"].sum()


@pytest.mark.parametrize("rows", [0, 1, 400])
@pytest.mark.parametrize("text", [object, "str"])
@pytest.mark.parametrize("level", ["ward", "la", "region", "country"])
def test_at_level_equals_a_group_by_of_the_counts_in_their_areas(rows, text, level):
    # an LSOA of no region, an LSOA the lookup does not hold, several breakdowns
    data = cin_year()
    units = _units(rows, text)
    units["lsoa"] = (
        np.random.default_rng(rows)
        .choice([LSOA_A, LSOA_B, "unknown", "E01999999"], rows)
        .astype(object)
    )
    areas = data.areas.astype({"region": object})
    areas.loc[areas["lsoa"] == LSOA_B, "region"] = None
    counts = counts_by_lsoa(units.astype({"lsoa": text}), BREAKDOWNS, by=("indicator_id",))
    expected = _at_level_by_a_group_by(counts, areas, level, by=("indicator_id",))
    got = at_level(counts, areas, level, by=("indicator_id",))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
