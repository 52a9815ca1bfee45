"""Tests for tip_pipeline.stats.

- Reference cases (tip_pipeline_tests/data/phe_reference_cases.csv, values from
  PHEindicatormethods) drive a parametrised test.
- phe_sii(transform = TRUE) is checked against the figures PHEindicatormethods' phe_sii vignette
  prints (tip_pipeline_tests/data/phe_sii_vignette_transform.csv, inputs in
  phe_sii_vignette_inputs.csv; sources in their header comments).
- PHStatsMethods (the DHSC Python port, a test-only dependency) cross-checks proportions,
  rates, DSRs and funnels on seeded random frames and on hypothesis-drawn scalars. It refuses
  zero counts; ours accepts them, so zero counts are tested against hand-computed values.
- Changes and trends are checked against independent computations named in each test.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from tip_pipeline import stats as S

PHS = pytest.importorskip("PHStatsMethods")
from PHStatsMethods import confidence_intervals as phs_ci  # noqa: E402
from PHStatsMethods import utils_funnel as phs_funnel  # noqa: E402
from PHStatsMethods.validation import ci_col  # noqa: E402

DATA = Path(__file__).parent / "data" / "phe_reference_cases.csv"
SII_VIGNETTE = Path(__file__).parent / "data" / "phe_sii_vignette_transform.csv"
SII_VIGNETTE_INPUTS = Path(__file__).parent / "data" / "phe_sii_vignette_inputs.csv"
Z95 = 1.959963984540054
SII_REPS = 20_000
SII_SEED = 20240331


def _reference_cases() -> list[dict]:
    with DATA.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _commented_csv(path: Path) -> list[dict]:
    """Rows of a CSV whose leading '#' lines cite its source."""
    with path.open(newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _num(text: str) -> float:
    return math.nan if text.strip().upper() in ("NA", "") else float(text)


def _rtol(case: dict) -> float:
    return 1e-9 if case["tolerance"].startswith("1e-9") else 1e-8


def _float_array(values: list) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _notes_rii(notes: str) -> tuple[float, float, float]:
    """RII and its limits as the reference notes give them: 'RII=a (RII CI b..c)'."""
    rii = float(notes.split("RII=")[1].split()[0])
    lo, hi = notes.split("RII CI ")[1].split(")")[0].split("..")
    return rii, float(lo), float(hi)


#: phe_sii's value_type codes
SII_VALUE_TYPES = {0: "normal", 1: "rate", 2: "proportion"}
#: simulated limits agree when within this share of the reference interval's width
SII_LIMIT_SHARE_OF_WIDTH = 0.02


def _assert_limits_close(got: list, expected: list) -> None:
    """Simulated limits within 2% of the reference interval's width of the reference."""
    width = abs(expected[1] - expected[0])
    np.testing.assert_allclose(got, expected, rtol=0, atol=SII_LIMIT_SHARE_OF_WIDTH * width)


def _check_sii_case(inputs: dict, conf: float, mult: float, expected: list, notes: str) -> None:
    """A phe_sii reference case: point estimates to 1e-9, limits within 2% of the width."""
    res = S.sii(
        inputs["value"],
        inputs["lower_cl"],
        inputs["upper_cl"],
        inputs["population"],
        value_type=SII_VALUE_TYPES[inputs["value_type"]],
        transform=inputs["transform"],
        confidence=conf,
        repetitions=inputs["repetitions"],
        seed=SII_SEED,
        multiplier=mult,
    )
    np.testing.assert_allclose(res.sii, expected[0], rtol=1e-9)
    _assert_limits_close([res.sii_lower, res.sii_upper], expected[1:])
    rii, rii_lo, rii_hi = _notes_rii(notes)
    np.testing.assert_allclose(res.rii, rii, rtol=1e-9)
    _assert_limits_close([res.rii_lower, res.rii_upper], [rii_lo, rii_hi])


# ------------------------------------------------------------------------------------------
# Reference cases
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _reference_cases(), ids=lambda c: c["case_id"])
def test_reference_case(case: dict) -> None:
    inputs = json.loads(case["inputs"])
    conf, mult = float(case["confidence"]), float(case["multiplier"])
    expected = [_num(case[k]) for k in ("expected_value", "expected_lower", "expected_upper")]
    fn = case["function"]
    if fn == "proportion_ci":
        got = S.proportion_ci(inputs["x"], inputs["n"], conf, mult)
    elif fn == "rate_ci":
        got = S.rate_ci(inputs["x"], inputs["n"], conf, mult)
    elif fn == "dsr":
        x = _float_array(inputs["x"])
        got = S.dsr(x, _float_array(inputs["n"]), _float_array(inputs["stdpop"]), conf, mult)
    elif fn == "sii":
        _check_sii_case(inputs, conf, mult, expected, case["notes"])
        return
    else:  # pragma: no cover - a new function in the CSV needs a branch here
        pytest.fail(f"no runner for {fn}")
    for g, e in zip(got, expected, strict=True):
        if math.isnan(e):
            assert np.isnan(g)
        else:
            np.testing.assert_allclose(g, e, rtol=_rtol(case))


# ------------------------------------------------------------------------------------------
# Cross-checks against PHStatsMethods on seeded random frames
# ------------------------------------------------------------------------------------------
def _phs(frame_fn, *args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frame_fn(*args, **kwargs)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
@pytest.mark.parametrize("multiplier", [1, 100])
def test_proportion_matches_phstatsmethods(confidence: float, multiplier: int) -> None:
    rng = np.random.default_rng(1)
    n = rng.integers(1, 50_000, size=300).astype(float)
    x = np.floor(rng.uniform(0, 1, size=300) * (n + 1)).clip(1, n)  # PHS: no zero counts
    frame = pd.DataFrame({"g": np.arange(300), "x": x, "n": n})
    ref = _phs(PHS.ph_proportion, frame, "x", "n", "g", False, confidence, multiplier)
    ours = S.proportion_ci(x, n, confidence, multiplier)
    np.testing.assert_allclose(ours.value, ref["Value"], rtol=1e-12)
    np.testing.assert_allclose(ours.lower, ref[ci_col(confidence, "lower")], rtol=1e-9)
    np.testing.assert_allclose(ours.upper, ref[ci_col(confidence, "upper")], rtol=1e-9)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_rate_matches_phstatsmethods(confidence: float) -> None:
    rng = np.random.default_rng(2)
    # counts either side of the exact/Byar switch at 10, and large
    x = np.concatenate([np.arange(1, 30), rng.integers(1, 100_000, size=200)]).astype(float)
    n = rng.uniform(10, 1e7, size=x.size)
    frame = pd.DataFrame({"g": np.arange(x.size), "x": x, "n": n})
    ref = _phs(PHS.ph_rate, frame, "x", "n", "g", False, confidence, 100_000)
    ours = S.rate_ci(x, n, confidence, 100_000)
    np.testing.assert_allclose(ours.value, ref["Value"], rtol=1e-12)
    np.testing.assert_allclose(ours.lower, ref[ci_col(confidence, "lower")], rtol=1e-9)
    np.testing.assert_allclose(ours.upper, ref[ci_col(confidence, "upper")], rtol=1e-9)


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_dsr_matches_phstatsmethods_2d(confidence: float) -> None:
    rng = np.random.default_rng(3)
    groups, bands = 150, 4
    std = np.array([1500.0, 1600.0, 1900.0, 700.0])  # a child standard, 0-4 .. 16-17
    n = rng.integers(50, 20_000, size=(groups, bands)).astype(float)
    x = rng.poisson(n * rng.uniform(0.0005, 0.02, size=(groups, 1))).astype(float)
    x[::7, 0] = 0  # zero bands are fine for both when the total is >= 10
    frame = pd.DataFrame(
        {
            "g": np.repeat(np.arange(groups), bands),
            "x": x.ravel(),
            "n": n.ravel(),
            "w": np.tile(std, groups),
        }
    )
    ref = _phs(
        PHS.ph_dsr, frame, "x", "n", "w", "g", False, confidence, 100_000, euro_standard_pops=False
    )
    ours = S.dsr(x, n, std, confidence)
    assert np.isnan(ours.value).sum() == ref["Value"].isna().sum()
    np.testing.assert_allclose(ours.value, ref["Value"], rtol=1e-12)
    np.testing.assert_allclose(ours.lower, ref[ci_col(confidence, "lower")], rtol=1e-9)
    np.testing.assert_allclose(ours.upper, ref[ci_col(confidence, "upper")], rtol=1e-9)
    # 1-D (one group) agrees with the 2-D row
    one = S.dsr(x[5], n[5], std, confidence)
    assert one.value.shape == ()
    np.testing.assert_allclose([*one], [a[5] for a in ours], rtol=1e-14)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 10**7),
    frac=st.floats(0, 1),
    confidence=st.sampled_from([0.9, 0.95, 0.99, 0.998]),
)
def test_wilson_hypothesis(n: int, frac: float, confidence: float) -> None:
    x = max(1, math.floor(frac * n))
    ours = S.proportion_ci(x, n, confidence)
    ref = phs_ci.wilson(x, n, confidence)
    np.testing.assert_allclose([ours.lower, ours.upper], ref, rtol=1e-9, atol=1e-300)


@settings(max_examples=200, deadline=None)
@given(x=st.integers(1, 10**6), confidence=st.sampled_from([0.9, 0.95, 0.99, 0.998]))
def test_poisson_limits_hypothesis(x: int, confidence: float) -> None:
    ours = S.poisson_count_limits(x, confidence)
    ref = (phs_ci.byars_lower(x, confidence), phs_ci.byars_upper(x, confidence))
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    x=st.lists(st.integers(0, 500), min_size=3, max_size=19),
    seed=st.integers(0, 2**16),
    confidence=st.sampled_from([0.95, 0.998]),
)
def test_dobson_hypothesis(x: list[int], seed: int, confidence: float) -> None:
    rng = np.random.default_rng(seed)
    xs = np.array(x, dtype=float)
    n = rng.integers(1, 10_000, size=xs.size) + xs
    w = rng.integers(100, 10_000, size=xs.size).astype(float)
    ours = S.dsr(xs, n, w, confidence)
    total = xs.sum()
    if total < 10:
        assert np.isnan([*ours]).all()
        return
    value = (xs * w / n).sum() / w.sum() * 100_000
    var = (xs * (w / n) ** 2).sum() / w.sum() ** 2
    ref_lo = phs_ci.dobson_lower(value, total, var, confidence, 100_000)
    ref_hi = phs_ci.dobson_upper(value, total, var, confidence, 100_000)
    np.testing.assert_allclose([*ours], [value, ref_lo, ref_hi], rtol=1e-9)


# ------------------------------------------------------------------------------------------
# Zero counts (PHStatsMethods refuses them) and other edges, against hand-computed values
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_proportion_zero_and_full(confidence: float) -> None:
    z2 = S.z_value(confidence) ** 2
    n = 50.0
    zero = S.proportion_ci(0, n, confidence)
    assert zero.value == 0 and zero.lower == 0
    np.testing.assert_allclose(zero.upper, z2 / (n + z2), rtol=1e-12)  # Wilson at x = 0
    full = S.proportion_ci(n, n, confidence)
    assert full.value == 1 and full.upper == 1
    np.testing.assert_allclose(full.lower, n / (n + z2), rtol=1e-12)  # Wilson at x = n


@pytest.mark.parametrize(("confidence", "alpha"), [(0.95, 0.05), (0.998, 0.002)])
def test_rate_zero_count(confidence: float, alpha: float) -> None:
    got = S.rate_ci(0, 2_000, confidence, 100_000)
    assert got.value == 0 and got.lower == 0
    # exact upper for 0 events: chi2_{1-a/2}(2)/2 = -ln(a/2) (3.6889 at 95%)
    np.testing.assert_allclose(got.upper, -math.log(alpha / 2) / 2_000 * 100_000, rtol=1e-12)


def test_poisson_zero_count_limits() -> None:
    lo, hi = S.poisson_count_limits([0, 0], 0.95)
    assert (lo == 0).all()
    np.testing.assert_allclose(hi, 3.6888794541139363, rtol=1e-12)


def test_dsr_tiny_total_and_nan_counts() -> None:
    std = np.array([10.0, 20.0, 30.0])
    n = np.array([100.0, 100.0, 100.0])
    # NaN count treated as 0: total 9 -> NaN; total 10 -> published
    assert np.isnan([*S.dsr([np.nan, 4, 5], n, std)]).all()
    with_nan = S.dsr([np.nan, 5, 5], n, std)
    without = S.dsr([0, 5, 5], n, std)
    np.testing.assert_array_equal([*with_nan], [*without])
    assert np.isfinite([*with_nan]).all()
    # all-zero group in a 2-D call: NaN, neighbours unaffected
    two = S.dsr(np.array([[0.0, 0, 0], [10, 20, 30]]), n, std)
    assert np.isnan(two.value[0]) and np.isfinite(two.value[1])
    np.testing.assert_allclose(two.value[1], (10 * 0.1 + 20 * 0.2 + 30 * 0.3) / 60 * 1e5)


@pytest.mark.parametrize(
    ("x", "n"), [(1.0, 0.0), (0.0, 0.0), (np.nan, 10.0), (1.0, np.nan), (-1.0, 10.0), (11, 10)]
)
def test_proportion_invalid_gives_nan(x: float, n: float) -> None:
    assert np.isnan([*S.proportion_ci(x, n)]).all()


@pytest.mark.parametrize(("x", "n"), [(1.0, 0.0), (np.nan, 10.0), (1.0, np.nan), (-1.0, 10.0)])
def test_rate_invalid_gives_nan(x: float, n: float) -> None:
    assert np.isnan([*S.rate_ci(x, n)]).all()


def test_scalars_give_0d_arrays_and_arrays_broadcast() -> None:
    for fn in (S.proportion_ci, S.rate_ci):
        scalar = fn(3, 40)
        assert all(isinstance(a, np.ndarray) and a.shape == () for a in scalar)
        grid = fn(np.array([[1.0], [2.0], [3.0]]), np.array([10.0, 20.0, 30.0, 40.0]))
        assert all(a.shape == (3, 4) for a in grid)
        np.testing.assert_allclose(grid.lower[2, 3], fn(3, 40).lower, rtol=1e-15)
    assert S.compare_to_benchmark(1.0, 2.0, 0.5).shape == ()


def test_invalid_arguments_raise() -> None:
    with pytest.raises(ValueError):
        S.proportion_ci(1, 10, confidence=95)
    with pytest.raises(ValueError):
        S.change_test(1, 10, 2, 10, kind="ratio")
    with pytest.raises(ValueError):
        S.funnel_limits(10, 0.1, kind="mean")


def test_z_value() -> None:
    assert S.z_value(0.95) == pytest.approx(Z95, rel=1e-15)
    assert S.z_value(0.998) == pytest.approx(3.090232306167813, rel=1e-14)


# ------------------------------------------------------------------------------------------
# SII / RII
# ------------------------------------------------------------------------------------------
def _le_case() -> dict:
    return json.loads(
        next(c for c in _reference_cases() if c["case_id"] == "sii_le_area1")["inputs"]
    )


def _sii_args(d: dict) -> tuple[np.ndarray, ...]:
    return tuple(np.array(d[k]) for k in ("value", "lower_cl", "upper_cl", "population"))


def test_sii_seeded_reproducible() -> None:
    args = _sii_args(_le_case())
    a = S.sii(*args, repetitions=5_000, seed=7)
    b = S.sii(*args, repetitions=5_000, seed=7)
    c = S.sii(*args, repetitions=5_000, seed=8)
    np.testing.assert_array_equal([*a], [*b])
    assert a.sii_lower != c.sii_lower
    assert a.sii == c.sii  # point estimate does not depend on the draws


def test_sii_groups_on_leading_axis() -> None:
    v, lo, up, pop = _sii_args(_le_case())
    stacked = [np.stack([a, a[::-1]]) for a in (v, lo, up, pop)]
    both = S.sii(*stacked, repetitions=4_000, seed=11)
    assert both.sii.shape == (2,)
    single = S.sii(v, lo, up, pop, repetitions=4_000, seed=11)
    # an int seed gives every group the same draws: a group does not depend on its batch
    np.testing.assert_array_equal([a[0] for a in both], [*single])
    # reversing the order mirrors the midpoints (b -> 1 - b): SII changes sign exactly
    np.testing.assert_allclose(both.sii[1], -single.sii, rtol=1e-12)
    np.testing.assert_allclose(both.rii[1], 1 / single.rii, rtol=1e-12)
    # per-group seeds
    per_group = S.sii(*stacked, repetitions=4_000, seed=[11, 12])
    np.testing.assert_array_equal([a[0] for a in per_group], [*single])
    with pytest.raises(ValueError):
        S.sii(*stacked, repetitions=10, seed=[1, 2, 3])


def test_sii_missing_quantiles() -> None:
    v, lo, up, pop = _sii_args(_le_case())
    v_gap = v.copy()
    v_gap[3] = np.nan
    keep = np.arange(10) != 3
    gap = S.sii(v_gap, lo, up, pop, repetitions=2_000, seed=1)
    dropped = S.sii(v[keep], lo[keep], up[keep], pop[keep], repetitions=2_000, seed=1)
    np.testing.assert_allclose(gap.sii, dropped.sii, rtol=1e-12)
    np.testing.assert_allclose(gap.rii, dropped.rii, rtol=1e-12)
    # fewer than five quantiles populated -> NaN
    few = v.copy()
    few[:6] = np.nan
    assert np.isnan([*S.sii(few, lo, up, pop, repetitions=100, seed=1)]).all()


def test_sii_hand_computed_linear() -> None:
    # values exactly linear in the midpoint rank: y = 10 + 4 b -> SII 4, RII 14/10
    pop = np.array([1.0, 2.0, 3.0, 2.0, 2.0])
    a = pop / pop.sum()
    b = np.cumsum(a) - a / 2
    y = 10 + 4 * b
    res = S.sii(y, y - 0.1, y + 0.1, pop, repetitions=1_000, seed=0, multiplier=100)
    np.testing.assert_allclose(res.sii, 400, rtol=1e-12)
    np.testing.assert_allclose(res.rii, 1.4, rtol=1e-12)
    assert res.sii_lower < 400 < res.sii_upper
    neg = S.sii(y, y - 0.1, y + 0.1, pop, repetitions=1_000, seed=0, multiplier=-1)
    np.testing.assert_allclose(neg.sii, -4, rtol=1e-12)
    np.testing.assert_allclose(neg.rii, 1 / 1.4, rtol=1e-12)
    assert neg.rii_lower < neg.rii < neg.rii_upper
    assert neg.sii_lower < neg.sii < neg.sii_upper


def _phe_sii_transformed(
    d: dict, value_type: int, multiplier: float, reps: int, seed: int
) -> dict[str, float]:
    """phe_sii(transform = TRUE), written independently of ``stats.sii`` from the package's
    R source (R/SII_function.R and SimulationFunc, PHEindicatormethods 1.4+): ``lm`` on the
    sqrt(a)-weighted design by least squares, draws on the log/logit scale, percentiles as
    phe_sii's order statistics at round(reps * p), each percentile slope placed about the
    fitted value at rank 1/2 and antilogged / antilogited.

    The package's own expected values for these cases sit in tests/testthat/testdata_SII.xlsx,
    which is stored only as binary here and could not be read; the expected values are
    therefore computed by this function, and PHStatsMethods (the Python port) has no SII.
    The figures phe_sii's vignette prints for transform = TRUE are checked directly in
    ``test_sii_transformed_vignette``.
    """
    fwd = np.log if value_type == 1 else (lambda p: np.log(p / (1 - p)))
    back = np.exp if value_type == 1 else (lambda t: np.exp(t) / (1 + np.exp(t)))
    value, lower, upper = (fwd(np.array(d[k], float)) for k in ("value", "lower_cl", "upper_cl"))
    se = (upper - lower) / sps.norm.ppf(0.975) / 2
    pop = np.array(d["population"], float)
    a = pop / pop.sum()
    b = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    (intercept, slope), *_ = np.linalg.lstsq(design, np.sqrt(a) * value, rcond=None)
    y0, y1 = back(intercept), back(intercept + slope)
    rng = np.random.default_rng(seed)
    draws = rng.normal(value, se, size=(reps, value.size))
    params, *_ = np.linalg.lstsq(design, (draws * np.sqrt(a)).T, rcond=None)
    slopes = np.sort(params[1])
    positions = [round(reps * 0.025), round(reps * 0.975)]  # 1-based, as R
    s_low, s_high = slopes[positions[0] - 1], slopes[positions[1] - 1]
    half = intercept + slope / 2

    def at(s: float) -> tuple[float, float]:
        return back(half + s / 2) - back(half - s / 2), back(half + s / 2) / back(half - s / 2)

    (sii_lo, rii_lo), (sii_hi, rii_hi) = at(s_low), at(s_high)
    out = {"sii": (y1 - y0) * multiplier, "rii": y1 / y0, "intercept": y0 * abs(multiplier)}
    if multiplier < 0:
        out |= {"sii_lower": sii_hi * multiplier, "sii_upper": sii_lo * multiplier}
        out |= {"rii": y0 / y1, "rii_lower": 1 / rii_hi, "rii_upper": 1 / rii_lo}
    else:
        out |= {"sii_lower": sii_lo * multiplier, "sii_upper": sii_hi * multiplier}
        out |= {"rii_lower": rii_lo, "rii_upper": rii_hi}
    return out


def _prop_case() -> dict:
    return json.loads(
        next(c for c in _reference_cases() if c["case_id"] == "sii_prop_area1")["inputs"]
    )


def _rate_case() -> dict:
    """A rate per 100,000 by decile with exact/Byar limits (steeply graded, all positive)."""
    pop = np.array(_prop_case()["population"])
    counts = np.array([410.0, 352, 270, 221, 180, 151, 133, 118, 97, 80])
    ci = S.rate_ci(counts, pop, multiplier=100_000)
    return {
        "population": pop.tolist(),
        "value": ci.value.tolist(),
        "lower_cl": ci.lower.tolist(),
        "upper_cl": ci.upper.tolist(),
    }


@pytest.mark.parametrize(
    ("name", "value_type", "multiplier"),
    [("rate", 1, 1), ("rate", 1, -1), ("proportion", 2, 1), ("proportion", 2, -100)],
)
def test_sii_transformed_as_phe(name: str, value_type: int, multiplier: float) -> None:
    """phe_sii(transform = TRUE) for a rate (log) and a proportion (logit), with a positive and
    a negative multiplier: point estimates to 1e-9, limits within 2% of the width (independent
    seeds, 100,000 repetitions each)."""
    d = _rate_case() if name == "rate" else _prop_case()
    reps = 100_000
    want = _phe_sii_transformed(d, value_type, multiplier, reps, seed=20250101)
    got = S.sii(
        *_sii_args(d),
        value_type=SII_VALUE_TYPES[value_type],
        transform=True,
        repetitions=reps,
        seed=SII_SEED,
        multiplier=multiplier,
    )
    for key in ("sii", "rii", "intercept"):
        np.testing.assert_allclose(getattr(got, key), want[key], rtol=1e-9)
    _assert_limits_close([got.sii_lower, got.sii_upper], [want["sii_lower"], want["sii_upper"]])
    _assert_limits_close([got.rii_lower, got.rii_upper], [want["rii_lower"], want["rii_upper"]])
    assert got.sii_lower < got.sii < got.sii_upper
    assert 0 < got.rii_lower < got.rii < got.rii_upper


def _printed_atol(text: str) -> float:
    """Half a unit in the last decimal place of a figure as printed."""
    return 0.5 * 10.0 ** -len(text.partition(".")[2])


@pytest.mark.parametrize("case", _commented_csv(SII_VIGNETTE), ids=lambda c: c["case"])
def test_sii_transformed_vignette(case: dict) -> None:
    """phe_sii(transform = TRUE) as PHEindicatormethods 2.0.2.9001's vignette prints it:
    Example 2 (DSRs by quintile, log; SII and RII) and Example 3 (prevalence by decile, logit,
    multiplier -100; SII). Points are deterministic: within half a unit of the last printed
    place (5-7 significant figures). Limits are one simulation draw of 1e+05 repetitions
    each (sd about 0.2% of the interval's width), so they are held to 2% of the width."""
    rows = sorted(
        (r for r in _commented_csv(SII_VIGNETTE_INPUTS) if r["case"] == case["case"]),
        key=lambda r: int(r["quantile"]),
    )
    scale = float(case["input_scale"])
    value, lower, upper = (
        np.array([float(r[k]) for r in rows]) / scale for k in ("value", "lower_cl", "upper_cl")
    )
    got = S.sii(
        value,
        lower,
        upper,
        np.array([float(r["population"]) for r in rows]),
        value_type=SII_VALUE_TYPES[int(case["value_type"])],
        transform=True,
        repetitions=int(case["repetitions"]),
        seed=SII_SEED,
        multiplier=float(case["multiplier"]),
    )
    for key in ("sii", "rii"):
        if case[key]:
            assert float(getattr(got, key)) == pytest.approx(
                float(case[key]), rel=0, abs=_printed_atol(case[key])
            )
            limits = [float(case[f"{key}_lower"]), float(case[f"{key}_upper"])]
            _assert_limits_close(
                [getattr(got, f"{key}_lower"), getattr(got, f"{key}_upper")], limits
            )


def test_sii_transformed_is_a_curve() -> None:
    """Values exactly log-linear in rank: the transformed fit reproduces them (a curve on the
    natural scale), SII = Y1 - Y0 of the curve and RII = exp(slope)."""
    pop = np.array([1.0, 2.0, 3.0, 2.0, 2.0])
    a = pop / pop.sum()
    b = np.cumsum(a) - a / 2
    y = np.exp(np.log(40.0) - 1.5 * b)
    res = S.sii(y, y * 0.9, y * 1.1, pop, "rate", True, repetitions=2_000, seed=0)
    np.testing.assert_allclose(res.intercept, 40.0, rtol=1e-12)
    np.testing.assert_allclose(res.sii, 40.0 * np.exp(-1.5) - 40.0, rtol=1e-12)
    np.testing.assert_allclose(res.rii, np.exp(-1.5), rtol=1e-12)


def test_sii_steep_gradient_rii_positive_only_when_transformed() -> None:
    """A steep rate gradient whose straight line crosses zero at the least deprived end: the
    untransformed RII is negative (meaningless); the log-transformed RII and its limits are
    positive ratios."""
    pop = np.full(10, 1000.0)
    counts = np.array([200.0, 120, 70, 40, 22, 12, 7, 4, 2, 1])
    ci = S.rate_ci(counts, pop, multiplier=10_000)
    plain = S.sii(ci.value, ci.lower, ci.upper, pop, "rate", False, repetitions=20_000, seed=3)
    assert plain.rii < 0  # the straight line is negative at the least deprived end
    logged = S.sii(ci.value, ci.lower, ci.upper, pop, "rate", True, repetitions=20_000, seed=3)
    assert 0 < logged.rii_lower < logged.rii < logged.rii_upper < 1
    assert logged.sii_lower < logged.sii < logged.sii_upper < 0


def test_sii_transform_undefined_and_errors() -> None:
    pop = np.full(10, 1000.0)
    ci = S.rate_ci(np.linspace(50.0, 20.0, 10), 1000.0, multiplier=1000)
    zero, lower0 = ci.value.copy(), ci.lower.copy()
    zero[0] = lower0[0] = 0.0
    assert np.isnan(S.sii(zero, lower0, ci.upper, pop, "rate", True, repetitions=10).sii)
    with pytest.raises(ValueError):
        S.sii(ci.value, ci.lower, ci.upper, pop, value_type="ratio")
    with pytest.raises(ValueError):
        S.sii(ci.value, ci.lower, ci.upper, pop, "normal", True)


# ------------------------------------------------------------------------------------------
# Funnels
# ------------------------------------------------------------------------------------------
def test_proportion_funnel_matches_phstatsmethods() -> None:
    rng = np.random.default_rng(4)
    n = rng.integers(20, 100_000, size=100).astype(float)
    av = 0.173
    ours = S.funnel_limits(n, av * 100, "proportion", multiplier=100)
    for level, p in enumerate((0.975, 0.999)):
        lo = [max(0, phs_funnel.sigma_adjustment(p, m, av, "low", 100)) for m in n]
        hi = [phs_funnel.sigma_adjustment(p, m, av, "high", 100) for m in n]
        np.testing.assert_allclose(ours.lower[level], lo, rtol=1e-9)
        np.testing.assert_allclose(ours.upper[level], hi, rtol=1e-9)


def test_rate_funnel_matches_phstatsmethods() -> None:
    rng = np.random.default_rng(5)
    pop = rng.uniform(5_000, 400_000, size=40)
    events = rng.poisson(pop * 0.004).astype(float)
    frame = pd.DataFrame({"x": events, "n": pop, "r": events / pop * 100_000})
    table = _phs(
        PHS.calculate_funnel_limits,
        frame,
        "x",
        "rate",
        100_000,
        "n",
        False,
        rate="r",
        rate_type="crude",
        years_of_data=1,
    )
    baseline = float(table["baseline"].iloc[0])
    for side in ("lower", "upper"):
        for level, tag in enumerate(("2s", "3s")):
            denominators = table[f"{side}_{tag}_population_1_year"].to_numpy()
            ours = S.funnel_limits(denominators, baseline, "rate", multiplier=100_000)
            # PHS bisects to 1e-7 on E/(1+E): agreement to about 1e-6 relative
            expected = table[f"{side}_{tag}_limit"].to_numpy()
            np.testing.assert_allclose(getattr(ours, side)[level], expected, rtol=2e-5)


def test_funnel_shape_and_order() -> None:
    n = np.array([10.0, 100.0, 1_000.0, 10_000.0])
    for kind, bench in (("proportion", 0.2), ("rate", 300.0)):
        f = S.funnel_limits(n, bench, kind)
        assert f.lower.shape == f.upper.shape == (2, 4)
        assert (f.lower[1] <= f.lower[0]).all() and (f.upper[1] >= f.upper[0]).all()
        assert (f.lower <= bench).all() and (f.upper >= bench).all()
        assert (np.diff(f.upper, axis=1) < 0).all()  # narrower with larger denominators
    tiny = S.funnel_limits(1.0, 300.0, "rate")  # expected count 0.003: lower limit 0
    assert (tiny.lower == 0).all()


# ------------------------------------------------------------------------------------------
# Benchmark comparison
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lower", "upper", "benchmark", "expected"),
    [
        (1.1, 2.0, 1.0, "higher"),
        (0.5, 0.9, 1.0, "lower"),
        (0.5, 1.5, 1.0, "similar"),
        (1.0, 1.5, 1.0, "similar"),  # touching the benchmark is not significant
        (0.5, 1.0, 1.0, "similar"),
        (np.nan, 1.5, 1.0, "not compared"),
        (0.5, np.nan, 1.0, "not compared"),
        (0.5, 1.5, np.nan, "not compared"),
    ],
)
def test_compare_to_benchmark_truth_table(lower, upper, benchmark, expected) -> None:
    assert S.compare_to_benchmark(lower, upper, benchmark) == expected


def test_compare_to_benchmark_vectorised() -> None:
    est = S.proportion_ci([10, 50, 90, np.nan], 100)
    got = S.compare_to_benchmark(est.lower, est.upper, 0.5)
    assert got.tolist() == ["lower", "similar", "higher", "not compared"]


# ------------------------------------------------------------------------------------------
# Changes, trends and the difference of changes
# ------------------------------------------------------------------------------------------
def test_change_proportion_newcombe_example() -> None:
    # Newcombe RG (1998) Stat Med 17:873-890, example 56/70 vs 48/80: method 10 limits
    # +0.0524 to +0.3339 for a difference of 0.2
    res = S.change_test(48, 80, 56, 70, "proportion")
    assert res.difference == pytest.approx(0.2, rel=1e-12)
    assert round(float(res.lower), 4) == 0.0524
    assert round(float(res.upper), 4) == 0.3339
    # pooled z-test == Pearson chi-square on the 2x2 table without continuity correction
    table = np.array([[48, 80 - 48], [56, 70 - 56]])
    expected_p = sps.chi2_contingency(table, correction=False)[1]
    assert res.p_value == pytest.approx(expected_p, rel=1e-9)
    assert bool(res.significant)


def test_change_proportion_vectorised_and_edges() -> None:
    rng = np.random.default_rng(6)
    n1, n2 = rng.integers(20, 2_000, 50), rng.integers(20, 2_000, 50)
    x1, x2 = rng.binomial(n1, 0.3), rng.binomial(n2, 0.32)
    res = S.change_test(x1, n1, x2, n2, "proportion", multiplier=100)
    for i in range(0, 50, 7):
        table = np.array([[x1[i], n1[i] - x1[i]], [x2[i], n2[i] - x2[i]]])
        assert res.p_value[i] == pytest.approx(
            sps.chi2_contingency(table, correction=False)[1], rel=1e-9
        )
    np.testing.assert_allclose(res.difference, (x2 / n2 - x1 / n1) * 100, rtol=1e-12)
    none = S.change_test(0, 100, 0, 200, "proportion")
    assert none.p_value == 1 and not none.significant and none.difference == 0
    assert none.lower < 0 < none.upper  # Wilson-based limits stay informative at zero
    assert np.isnan(S.change_test(1, 0, 1, 10).p_value)


def test_change_rate_exact_conditional() -> None:
    x1, n1, x2, n2 = 12, 40_000.0, 27, 45_000.0
    res = S.change_test(x1, n1, x2, n2, "rate")
    # doubled one-sided exact binomial p (scipy.stats.binomtest), x2 | x1 + x2
    share = n2 / (n1 + n2)
    less = sps.binomtest(x2, x1 + x2, share, alternative="less").pvalue
    greater = sps.binomtest(x2, x1 + x2, share, alternative="greater").pvalue
    assert res.p_value == pytest.approx(min(1.0, 2 * min(less, greater)), rel=1e-9)
    d = (x2 / n2 - x1 / n1) * 100_000
    se = math.sqrt(x1 / n1**2 + x2 / n2**2) * 100_000
    assert res.difference == pytest.approx(d, rel=1e-12)
    assert [res.lower, res.upper] == pytest.approx([d - Z95 * se, d + Z95 * se], rel=1e-12)
    zero = S.change_test(0, 1_000, 0, 5_000, "rate")
    assert zero.p_value == 1 and zero.difference == 0 and not zero.significant
    one_side = S.change_test(0, 1_000, 9, 1_000, "rate")  # 9 vs 0, equal populations
    assert one_side.p_value == pytest.approx(2 * 0.5**9, rel=1e-12)


def _expanded_cochran_armitage(x: np.ndarray, n: np.ndarray) -> float:
    """Cochran-Armitage chi2 = N r^2 (r: Pearson correlation of score and 0/1 outcome)."""
    scores = np.repeat(np.arange(len(n)), n)
    pairs = zip(x, n, strict=True)
    outcome = np.concatenate([np.r_[np.ones(xi), np.zeros(ni - xi)] for xi, ni in pairs])
    r = np.corrcoef(scores, outcome)[0, 1]
    return len(outcome) * r**2


def test_trend_proportion_cochran_armitage() -> None:
    x = np.array([30, 34, 41, 38, 50, 55])
    n = np.array([400, 410, 395, 420, 405, 415])
    res = S.trend_test(x, n, "proportion")
    expected = _expanded_cochran_armitage(x, n)
    assert res.chi2 == pytest.approx(expected, rel=1e-9)
    assert res.p_value == pytest.approx(sps.chi2.sf(expected, 1), rel=1e-9)
    assert res.direction == "increasing" and res.significant
    # slope = weighted least squares slope of p on period (weights n)
    fit = np.polyfit(np.arange(6), x / n, 1, w=np.sqrt(n))
    assert res.slope == pytest.approx(fit[0], rel=1e-9)


def test_trend_rate_score_test() -> None:
    x = np.array([80.0, 74, 70, 61, 66, 52])
    n = np.array([1e5, 1.01e5, 1.02e5, 1.03e5, 1.04e5, 1.05e5])
    res = S.trend_test(x, n, "rate")

    # score test by numerical differentiation of the Poisson log-linear log-likelihood
    # conditional on the total (multinomial, pi_i prop. to n_i exp(b s_i)) at b = 0
    s = np.arange(6.0)

    def loglik(b: float) -> float:
        logits = np.log(n) + b * s
        return float((x * (logits - np.logaddexp.reduce(logits))).sum())

    h = 1e-4
    score = (loglik(h) - loglik(-h)) / (2 * h)
    info = -(loglik(h) - 2 * loglik(0) + loglik(-h)) / h**2
    assert res.chi2 == pytest.approx(score**2 / info, rel=1e-5)
    assert res.direction == "decreasing"


def test_trend_vectorised_guards_and_flat() -> None:
    x = np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [0, 0, 0, 0, 0]])
    n = np.full((3, 5), 100)
    res = S.trend_test(x, n, "rate")
    assert res.chi2.shape == (3,)
    for i in range(2):
        assert res.chi2[i] == pytest.approx(float(S.trend_test(x[i], n[i], "rate").chi2))
    assert res.chi2[2] == 0 and res.p_value[2] == 1
    assert res.direction[2] == "no significant change"
    with pytest.raises(ValueError, match="at least 5"):
        S.trend_test([1, 2, 3, 4], [10, 10, 10, 10])


def test_difference_of_changes_hand_computed() -> None:
    # symmetric limits value -/+ z se with se 1, 2, 2, 4: var = 1 + 4 + 4 + 16 = 25
    def est(value: float, se: float) -> tuple[float, float, float]:
        return (value, value - Z95 * se, value + Z95 * se)

    res = S.difference_of_changes(est(30, 1), est(22, 2), est(15, 2), est(13, 4))
    assert res.change_most == pytest.approx(-8)
    assert res.change_least == pytest.approx(-2)
    assert res.difference == pytest.approx(-6)
    assert [res.lower, res.upper] == pytest.approx([-6 - Z95 * 5, -6 + Z95 * 5], rel=1e-12)
    assert res.p_value == pytest.approx(2 * sps.norm.sf(6 / 5), rel=1e-9)
    assert not res.significant


def test_difference_of_changes_vectorised_from_estimates() -> None:
    mb = S.proportion_ci([300, 310], 1000)
    ml = S.proportion_ci([200, 305], 1000)
    lb = S.proportion_ci([100, 100], 1000)
    ll = S.proportion_ci([95, 100], 1000)
    res = S.difference_of_changes(mb, ml, lb, ll)
    assert res.difference.shape == (2,)
    np.testing.assert_allclose(res.difference, [-0.1 + 0.005, -0.005], rtol=1e-12)
    assert res.significant.tolist() == [True, False]


# -- Fingertips' recent trend ------------------------------------------------------------------
#
# Fingertips' own worked examples: the series and the chi-square its tests assert, from
# Fingertips' source (ukhsa-collaboration/fingertips-open, PholioVisualisationWS/AnalysisTest/
# TrendMarkerCalculatorTest.cs, commit 67808972): ``GetTrendData_Set1`` (years 2014-2018,
# listed there newest first), "TestIsSignificantReturnsTrue" (the method for other value types,
# chi2 46.77) and "TestIsSignificantForProportionsReturnsTrue" (the proportion method, chi2
# 47.9); ``GetTrendData_Set2``, "TestIsSignificantReturnsFalse"; ``GetTrendDataForProportion_
# Set2`` (a count equal to its denominator), "TestIsSignificantForProportionsCannotBeCalculated".
FT_SET1 = {
    "count": [994, 1023, 1199, 1332, 1367],
    "denominator": [40299, 41527, 42811, 44064, 44701],
    "value": [24.67, 24.6, 28, 30.2, 30.6],
    "lower": [23.16, 23.15, 26.44, 28.63, 28.98],
    "upper": [26.25, 26.19, 29.64, 31.9, 32.25],
}
FT_SET2 = {
    "value": [20.5506, 19.5952, 19.0349, 21.3966, 18.4372],
    "lower": [18.1803, 17.3444, 16.8421, 19.0918, 16.2925],
    "upper": [23.1427, 22.0602, 21.4394, 23.8975, 20.7941],
}
FT_PROPORTION_SET2 = {"count": [5, 3, 1, 1, 2], "denominator": [5, 5, 5, 4, 4]}


def test_recent_trend_fingertips_worked_examples() -> None:
    other = S.recent_trend_weighted(FT_SET1["value"], FT_SET1["lower"], FT_SET1["upper"])
    assert round(float(other.chi2), 2) == 46.77
    assert other.direction == "increasing" and not other.outlier
    proportion = S.recent_trend_proportion(FT_SET1["count"], FT_SET1["denominator"])
    assert round(float(proportion.chi2), 1) == 47.9
    assert proportion.direction == "increasing"
    not_significant = S.recent_trend_weighted(FT_SET2["value"], FT_SET2["lower"], FT_SET2["upper"])
    assert not_significant.direction == "no significant change"
    cannot = S.recent_trend_proportion(
        FT_PROPORTION_SET2["count"], FT_PROPORTION_SET2["denominator"]
    )
    assert cannot.direction == "cannot be calculated" and np.isnan(cannot.chi2)


def test_recent_trend_significance_is_fingertips_99_8() -> None:
    # Fingertips' ChiSquareConfidence = 9.54953570608324, the chi2 (1 d.f.) 99.8% point
    assert S.z_value(S.RECENT_TREND_CONFIDENCE) ** 2 == pytest.approx(9.54953570608324, rel=1e-12)
    assert sps.chi2.ppf(0.998, 1) == pytest.approx(9.54953570608324, rel=1e-9)


def test_recent_trend_proportion_hand_made() -> None:
    x = np.array([50, 58, 66, 77, 90])
    n = np.array([1000, 1010, 990, 1005, 1000])
    res = S.recent_trend_proportion(x, n)
    # chi2: the Cochran-Armitage statistic from the expanded 0/1 data (N r^2)
    assert res.chi2 == pytest.approx(_expanded_cochran_armitage(x, n), rel=1e-9)
    assert res.p_value == pytest.approx(sps.chi2.sf(float(res.chi2), 1), rel=1e-12)
    # slope: the ordinary least-squares gradient of the logit on 1..5
    logit = np.log(x / (n - x))
    assert res.slope == pytest.approx(np.polyfit(np.arange(1, 6), logit, 1)[0], rel=1e-9)
    assert res.direction == "increasing" and not res.outlier
    # the same counts falling: decreasing
    assert S.recent_trend_proportion(x[::-1], n[::-1]).direction == "decreasing"
    # flat: no significant change
    flat = S.recent_trend_proportion([60, 61, 59, 60, 61], [1000] * 5)
    assert flat.direction == "no significant change"


def test_recent_trend_weighted_hand_made() -> None:
    value = np.array([100.0, 104.0, 111.0, 115.0, 121.0])
    se = np.array([2.0, 2.5, 2.0, 3.0, 2.0])
    res = S.recent_trend_weighted(value, value - 1.96 * se, value + 1.96 * se)
    # weighted least squares by the normal equations: beta = (X'WX)^-1 X'Wy, var = (X'WX)^-1
    design = np.column_stack([np.ones(5), np.arange(1, 6.0)])
    weights = np.diag(1 / se**2)
    inverse = np.linalg.inv(design.T @ weights @ design)
    beta = (inverse @ design.T @ weights @ value)[1]
    assert res.slope == pytest.approx(beta, rel=1e-9)
    assert res.chi2 == pytest.approx(beta**2 / inverse[1, 1], rel=1e-9)
    assert res.direction == "increasing"
    # the scale the value is shown on does not matter
    scaled = S.recent_trend_weighted(value * 10, (value - 1.96 * se) * 10, (value + 1.96 * se) * 10)
    assert scaled.chi2 == pytest.approx(float(res.chi2), rel=1e-9)


def test_recent_trend_outlier_is_no_significant_change() -> None:
    # a steep rise made by the last point alone: without it the four others fall
    value = np.array([50.0, 49.0, 48.0, 47.0, 90.0])
    limits = (value - 0.5, value + 0.5)
    res = S.recent_trend_weighted(value, *limits)
    assert res.chi2 > 9.5495 and res.slope > 0
    without_last = np.polyfit(np.arange(1, 5), value[:4], 1)[0]
    assert without_last < 0
    assert res.outlier and res.direction == "no significant change"


def test_recent_trend_uses_the_last_five_and_is_vectorised() -> None:
    value = np.array([[1.0, 100, 104, 111, 115, 121], [1.0, 121, 115, 111, 104, 100]])
    lower, upper = value - 4, value + 4
    res = S.recent_trend_weighted(value, lower, upper)
    assert res.direction.tolist() == ["increasing", "decreasing"]
    last = S.recent_trend_weighted(value[0, 1:], lower[0, 1:], upper[0, 1:])
    assert res.chi2[0] == pytest.approx(float(last.chi2))
    missing = S.recent_trend_weighted([1, 2, np.nan, 4, 5], [0, 1, 2, 3, 4], [2, 3, 4, 5, 6])
    assert missing.direction == "cannot be calculated" and np.isnan(missing.p_value)
    zero = S.recent_trend_proportion([0, 1, 2, 3, 4], [100] * 5)
    assert zero.direction == "cannot be calculated"
    with pytest.raises(ValueError, match="at least 5"):
        S.recent_trend_proportion([1, 2, 3, 4], [10] * 4)
