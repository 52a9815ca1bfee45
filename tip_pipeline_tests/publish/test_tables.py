"""Everything derived from a withheld count is withheld too (hand-made rows)."""

import pandas as pd

from tip_pipeline.publish.tables import (
    published_comparisons,
    published_indicator_values,
    published_inequality,
    published_prevalence,
    withheld_extremes,
    withheld_in,
)

LA, WARD = "E08000999", "E05000001"


def _value_row(area_type, area, breakdown, category, numerator, indicator="cla_31mar"):
    return {
        "indicator_id": indicator,
        "area_type": area_type,
        "area_code": area,
        "breakdown": breakdown,
        "category": category,
        "numerator": numerator,
        "denominator": 1000,
        "value": numerator * 10.0,
        "lower_ci_95": 1.0,
        "upper_ci_95": 2.0,
        "lower_ci_99_8": 0.5,
        "upper_ci_99_8": 2.5,
        "compared_to_benchmark": "higher",
    }


def _cell(area, breakdown, category, measure="numerator", indicator="cla_31mar"):
    return ("iv", indicator, area, breakdown, category, measure)


def test_a_withheld_count_takes_its_value_limits_and_comparison_with_it():
    values = pd.DataFrame(
        [_value_row("la", LA, "sex", "F", 3), _value_row("la", LA, "sex", "M", 40)]
    )
    out = published_indicator_values(values, withheld_in({_cell(LA, "sex", "F")}))
    female, male = out.iloc[0], out.iloc[1]
    assert female["suppressed"] and pd.isna(female["numerator"]) and pd.isna(female["value"])
    assert pd.isna(female["upper_ci_99_8"]) and female["compared_to_benchmark"] == "not compared"
    assert not male["suppressed"] and male["numerator"] == 40 and male["value"] == 400.0
    assert female["denominator"] == 1000  # a population is public


def test_a_withheld_household_denominator_withholds_the_share_but_not_the_numerator():
    share = "homeless_domestic_abuse_share"
    values = pd.DataFrame([_value_row("la", LA, "imd_decile", "5", 0, indicator=share)])
    withheld = withheld_in({_cell(LA, "imd_decile", "5", "denominator", share)})
    [row] = published_indicator_values(values, withheld).to_dict("records")
    assert row["suppressed"] and row["numerator"] == 0
    assert row["denominator"] is None and row["value"] is None


def test_lsoa_values_and_ward_breakdowns_are_not_published():
    values = pd.DataFrame(
        [
            _value_row("lsoa", "E01000001", "total", "all", 7),
            _value_row("ward", WARD, "sex", "F", 7),
            _value_row("ward", WARD, "total", "all", 9),
        ]
    )
    out = published_indicator_values(values, withheld_in(set()))
    assert out["area_type"].tolist() == ["ward"] and out["breakdown"].tolist() == ["total"]


def test_a_ward_comparison_is_withheld_with_the_ward_and_with_its_la():
    comparisons = pd.DataFrame(
        {
            "indicator_id": "cla_31mar",
            "area_code": [WARD, LA],
            "comparator_type": ["la", "england"],
            "comparator_code": [LA, "E92000001"],
            "comparator_value": [70.0, 71.0],
            "value": [80.0, 75.0],
            "lower_ci_95": [60.0, 70.0],
            "upper_ci_95": [99.0, 80.0],
            "result": ["similar", "higher"],
        }
    )
    la_withheld = withheld_in({_cell(LA, "total", "all")})
    ward, la = published_comparisons(comparisons, la_withheld).to_dict("records")
    assert ward["suppressed"] and ward["comparator_value"] is None and ward["value"] == 80.0
    assert la["suppressed"] and la["value"] is None and la["result"] == "not compared"


def _inequality_row() -> dict:
    return {
        "indicator_id": "cla_31mar",
        "area_code": LA,
        "sii": -50.0,
        "lower_sii_95": -60.0,
        "upper_sii_95": -40.0,
        "rii": 0.3,
        "lower_rii_95": 0.2,
        "upper_rii_95": 0.4,
        "sii_intercept": 71.4,
        "sii_transform": "logit",
        "rii_note": None,
        "gradient": "higher in more deprived areas",
        "statement": "...",
        "most_deprived_value": 100.0,
        "least_deprived_value": 30.0,
        "gap": 70.0,
        "lower_gap_95": 60.0,
        "upper_gap_95": 80.0,
        "ratio": 3.3,
        "change_most_deprived": -5.0,
        "change_least_deprived": -1.0,
        "poorest_fastest": -4.0,
        "lower_poorest_fastest_95": -8.0,
        "upper_poorest_fastest_95": 0.0,
        "poorest_fastest_p": 0.05,
        "poorest_fastest_statement": "...",
    }


def test_a_withheld_middle_decile_withholds_the_sii_but_not_the_quintile_gap():
    frame = pd.DataFrame([_inequality_row()])
    [row] = published_inequality(frame, withheld_in({_cell(LA, "imd_decile", "6")}), set()).to_dict(
        "records"
    )
    assert row["suppressed"] and row["sii"] is None and row["statement"] is None
    assert row["sii_intercept"] is None  # the fit's end is derived from the deciles too
    assert row["gap"] == 70.0 and row["poorest_fastest"] == -4.0


def _baseline_quintiles(withheld: set, indicator: str = "cla_31mar") -> pd.DataFrame:
    """A baseline year's published LA rows by quintile, ``withheld`` cells suppressed."""
    rows = [
        _value_row("la", LA, "imd_quintile", q, n, indicator=indicator)
        for q, n in (("1", 40), ("3", 2), ("5", 3))
    ]
    return published_indicator_values(pd.DataFrame(rows), withheld_in(withheld))


def test_a_quintile_withheld_in_the_baseline_year_withholds_the_change_only():
    frame = pd.DataFrame([_inequality_row()])
    then = withheld_extremes(_baseline_quintiles({_cell(LA, "imd_quintile", "5")}))
    assert then == {("cla_31mar", LA)}
    [row] = published_inequality(frame, withheld_in(set()), then).to_dict("records")
    assert row["poorest_fastest"] is None and row["change_least_deprived"] is None
    assert row["gap"] == 70.0 and row["sii"] == -50.0 and row["suppressed"]


def test_the_baseline_years_withheld_extremes_are_quintiles_1_and_5_only():
    assert withheld_extremes(_baseline_quintiles({_cell(LA, "imd_quintile", "3")})) == set()
    assert withheld_extremes(_baseline_quintiles(set())) == set()
    [row] = published_inequality(
        pd.DataFrame([_inequality_row()]), withheld_in(set()), set()
    ).to_dict("records")
    assert row["poorest_fastest"] == -4.0 and not row["suppressed"]


def test_a_withheld_counted_denominator_in_the_baseline_year_counts_as_withheld():
    share = "homeless_domestic_abuse_share"
    withheld = {_cell(LA, "imd_quintile", "1", "denominator", share)}
    assert withheld_extremes(_baseline_quintiles(withheld, share)) == {(share, LA)}


def test_modelled_prevalence_is_never_withheld():
    prevalence = pd.DataFrame(
        {
            "area_code": LA,
            "measure": ["toxic_trio_all", "toxic_trio_all"],
            "basis": ["modelled", "recorded"],
            "children": [3.2, 3.0],
            "share_pct": [0.01, 0.01],
            "lower_pct": [None, 0.0],
            "upper_pct": [None, 0.1],
        }
    )
    withheld = withheld_in({("prev", LA, "toxic_trio_all")})
    modelled, recorded = published_prevalence(prevalence, withheld).to_dict("records")
    assert not modelled["suppressed"] and modelled["children"] == 3.2
    assert recorded["suppressed"] and recorded["children"] is None


def test_a_cohort_incidence_is_withheld_from_the_interval_whose_count_is_withheld_on():
    """The incidence before an interval's end is made from the counts of that interval and
    the earlier ones: withheld with any of them, shown while none is."""
    from tip_pipeline.publish.cells import cohort_cell
    from tip_pipeline.publish.tables import published_cohorts

    key = ("2025/26", "referral", "2023/24", "E08000999", "any", "all")
    rows = pd.DataFrame(
        [
            {
                **dict(
                    zip(
                        ["period", "entry", "entry_period", "area_code", "outcome"],
                        key[:5],
                        strict=True,
                    )
                ),
                "imd_quintile": key[5],
                "months_from": low,
                "months_to": low + 12,
                "at_risk": at_risk,
                "events": events,
                "censored": censored,
                "incidence_pct": pct,
                "lower_ci_95": pct - 1,
                "upper_ci_95": pct + 1,
            }
            for low, at_risk, events, censored, pct in [
                (0, 100, 10, 20, 10.0),
                (12, 70, 3, 30, 14.0),
                (24, 37, 6, 31, 30.0),
            ]
        ]
    )
    withheld = {cohort_cell(*key, 12, "events")}
    out = published_cohorts(rows, lambda cell: cell in withheld).sort_values("months_from")
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["incidence_pct"].tolist()[0] == 10.0
    assert out["incidence_pct"].isna().tolist() == [False, True, True]
    assert out["events"].isna().tolist() == [False, True, False]
    assert out["at_risk"].tolist() == [100, 70, 37]
