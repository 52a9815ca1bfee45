"""published.indicator_trends: the recent trend of each published headline series, from
published values only, with the reason wherever it cannot be computed, written in the
year's publish transaction."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline import stats
from tip_pipeline.publish import trends
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows
from tip_pipeline.warehouse.engine import write_transaction

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
LA, WARD = "E08000035", "E05000001"
FTE = "yj_first_time_entrants"  # a proportion, higher is worse
REFERRALS = "cin_referrals"  # a rate, no judgement
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _row(ind, period, area, x, n, area_type="la", suppressed=False):
    kind = "proportion" if ind == FTE else "rate"
    mult = 100_000 if ind == FTE else 10_000
    est = (stats.proportion_ci if kind == "proportion" else stats.rate_ci)(x, n, 0.95, mult)
    figures = (x, float(est.value), float(est.lower), float(est.upper))
    if suppressed:
        figures = (None, None, None, None)
    return {
        "indicator_id": ind,
        "indicator_name": ind,
        "period": period,
        "area_type": area_type,
        "area_code": area,
        "breakdown": "total",
        "category": "all",
        "numerator": figures[0],
        "denominator": n,
        "value": figures[1],
        "lower_ci_95": figures[2],
        "upper_ci_95": figures[3],
        "unit": "per 100,000",
        "suppressed": suppressed,
    }


#: FTE rising steadily at the LA; referrals flat at the LA; a ward with a suppressed year
FTE_COUNTS = [100, 120, 140, 165, 190, 215]
REFERRAL_COUNTS = [9000, 9050, 8990, 9020, 9010, 9000]


def _values() -> pd.DataFrame:
    rows = []
    for year, x, y in zip(YEARS, FTE_COUNTS, REFERRAL_COUNTS, strict=True):
        rows.append(_row(FTE, year, LA, x, 60_000))
        rows.append(_row(REFERRALS, year, LA, y, 170_000))
        rows.append(_row(FTE, year, WARD, 12, 3_000, "ward", suppressed=year == "2022/23"))
    rows.append(_row(REFERRALS, YEARS[-1], WARD, 300, 5_000, "ward"))  # one year only
    return pd.DataFrame(rows)


def _by_key(frame: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    return {(r["indicator_id"], r["area_code"]): r for _, r in frame.iterrows()}


def test_the_window_is_the_five_years_ending_with_the_period():
    assert trends.window("2024/25") == YEARS[1:]


def test_a_rising_proportion_is_increasing_and_getting_worse():
    rows = _by_key(trends.indicator_trends(_values(), YEARS[-1], YEARS[0]))
    fte = rows[(FTE, LA)]
    expected = stats.recent_trend_proportion(FTE_COUNTS[1:], [60_000] * 5)
    assert fte["direction"] == "increasing" and expected.direction == "increasing"
    assert fte["chi2"] == pytest.approx(float(expected.chi2))
    assert fte["assessment"] == "getting worse"
    assert fte["recent_trend"] == "Increasing and getting worse"
    assert fte["method"] == "chi-squared test for trend"
    assert fte["first_period"] == YEARS[1] and pd.isna(fte["note"])


def test_a_flat_rate_has_no_significant_change_by_the_weighted_method():
    referrals = _by_key(trends.indicator_trends(_values(), YEARS[-1], YEARS[0]))[(REFERRALS, LA)]
    assert referrals["method"] == "weighted regression"
    assert referrals["direction"] == "no significant change"
    assert referrals["recent_trend"] == "No significant change"
    assert referrals["p_value"] > 0.002


def test_a_suppressed_year_or_too_few_years_leave_the_trend_with_its_reason():
    rows = _by_key(trends.indicator_trends(_values(), YEARS[-1], YEARS[0]))
    ward = rows[(FTE, WARD)]
    assert ward["recent_trend"] == "Cannot be calculated" and ward["note"] == trends.SUPPRESSED
    assert all(pd.isna(ward[c]) for c in ("direction", "slope", "chi2", "p_value"))
    one_year = rows[(REFERRALS, WARD)]
    assert one_year["recent_trend"] == "Cannot be calculated"
    assert one_year["note"].startswith("fewer than five annual points: 1 of the five years")
    early = _by_key(trends.indicator_trends(_values(), YEARS[3], YEARS[0]))[(FTE, LA)]
    assert early["note"].startswith("fewer than five annual points: 4 of")


def test_the_change_since_baseline_is_the_report_s_test():
    rows = _by_key(trends.indicator_trends(_values(), YEARS[-1], YEARS[0]))
    fte = rows[(FTE, LA)]
    test = stats.change_test(100, 60_000, 215, 60_000, "proportion", multiplier=100_000)
    assert fte["change_since_baseline"] == pytest.approx(float(test.difference))
    assert fte["lower_change_95"] == pytest.approx(float(test.lower))
    assert fte["change_p_value"] == pytest.approx(float(test.p_value))
    assert fte["change_result"] == "higher"
    assert rows[(REFERRALS, WARD)]["change_note"] == trends.BASELINE_MISSING
    baseline = _by_key(trends.indicator_trends(_values(), YEARS[0], YEARS[0]))[(FTE, LA)]
    assert baseline["change_note"] == trends.BASELINE_ITSELF


def test_a_suppressed_baseline_or_year_leaves_the_change_uncomputed():
    values = _values()
    rows = _by_key(trends.indicator_trends(values, "2022/23", YEARS[0]))
    assert rows[(FTE, WARD)]["change_note"] == trends.BASELINE_SUPPRESSED
    assert np.isnan(float(rows[(FTE, WARD)]["change_since_baseline"]))


@pytest.mark.parametrize(
    ("direction", "polarity", "label"),
    [
        ("increasing", "higher is worse", "Increasing and getting worse"),
        ("decreasing", "higher is worse", "Decreasing and getting better"),
        ("increasing", "higher is better", "Increasing and getting better"),
        ("decreasing", "higher is better", "Decreasing and getting worse"),
        ("increasing", "no judgement", "Increasing"),
        ("decreasing", "no judgement", "Decreasing"),
        ("no significant change", "higher is worse", "No significant change"),
        (None, "higher is worse", "Cannot be calculated"),
    ],
)
def test_fingertips_wording(direction, polarity, label):
    assert trends.fingertips_label(direction, polarity) == label


def test_publish_trends_writes_the_year_in_the_caller_s_transaction(warehouse):
    values = _values()
    with write_transaction(warehouse, YEARS[-1]) as conn:
        replace_rows(
            conn,
            schema.published_indicator_values,
            values.assign(run_id="r", loaded_at=NOW),
            {},
        )
        written = trends.publish_trends(conn, YEARS[-1], YEARS[0], "r", NOW)
    assert written == 4
    with warehouse.connect() as conn:
        stored = pd.read_sql(sa.select(schema.indicator_trends), conn)
    assert set(stored["period"]) == {YEARS[-1]} and set(stored["run_id"]) == {"r"}
    fte = stored[(stored["indicator_id"] == FTE) & (stored["area_code"] == LA)].iloc[0]
    assert fte["recent_trend"] == "Increasing and getting worse"


def _random_values(seed: int) -> pd.DataFrame:
    """Many series of both kinds, with gaps, suppressed years, counts of 0 and an indicator
    not in the catalogue."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(40):
        ind = (FTE, REFERRALS)[k % 2]
        area = f"E0500{k:04d}"
        for year in YEARS:
            if rng.random() < 0.1:
                continue  # the year not published for the series
            x = int(rng.integers(0, 60))
            rows.append(_row(ind, year, area, x, 3_000, "ward", suppressed=rng.random() < 0.05))
    rows.append({**_row(FTE, YEARS[-1], LA, 10, 500), "indicator_id": "not_catalogued"})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_series_at_once_equals_each_series_alone(seed):
    # the trends are computed over arrays of series: each row must be what its series gives
    # on its own, to the last bits of a double
    values = _random_values(seed)
    together = trends.indicator_trends(values, YEARS[-1], YEARS[0])
    for _, row in together.iterrows():
        mine = values[
            (values["indicator_id"] == row["indicator_id"])
            & (values["area_code"] == row["area_code"])
        ]
        alone = trends.indicator_trends(mine, YEARS[-1], YEARS[0]).iloc[0]
        for column in together.columns:
            a, b = row[column], alone[column]
            if isinstance(a, float) and isinstance(b, float):
                assert a == pytest.approx(b, rel=1e-12, nan_ok=True), column
            else:
                assert (pd.isna(a) and pd.isna(b)) or a == b, column
    assert set(together["note"].dropna()) >= {trends.NOT_CATALOGUED}
    assert together["direction"].notna().sum() > 10  # trends were computed, not only reasons
    assert together["change_result"].notna().sum() > 10
