"""Statistical methods for published indicators, as OHID Fingertips / PHEindicatormethods.

Pure numpy/scipy, vectorised: every argument that holds data accepts scalars or arrays and
broadcasts in the numpy way; nothing here needs pandas or dagster (docs/CONVENTIONS.md, "Methods by
kind of indicator").

Return convention
-----------------
Every function returns a ``NamedTuple`` whose fields are ``numpy.ndarray``. Scalar inputs give
0-d arrays (``float(result.value)`` or ``result.value.item()`` unwraps them); array inputs give
arrays of the broadcast shape. Invalid inputs (NaN, negative counts, a zero denominator, a
numerator above its denominator for a proportion) give NaN rather than an exception, so that one
bad row cannot stop a vectorised computation; argument errors that are not data (a confidence
outside (0, 1), an unknown ``kind``, fewer than five periods for a trend) raise ``ValueError``.

Sources
-------
- Fingertips technical guidance / PHE "Technical Guide: Confidence intervals" (2018).
- PHEindicatormethods (R, OHID) and its Python port PHStatsMethods (DHSC): ``phe_proportion``,
  ``phe_rate``, ``phe_dsr``, ``phe_sii``, ``phe_funnels``; the formulas below follow them and the
  tests cross-check against PHStatsMethods 0.1.16 and the reference cases in
  ``tip_pipeline_tests/data/phe_reference_cases.csv``.
- Survival (``kaplan_meier_incidence``, the cohorts' cumulative incidence): Kaplan & Meier
  (1958), Greenwood (1926), the log-log limits of Kalbfleisch & Prentice (2002) and Collett
  (2015); unlike the rest it takes one row per person, not aggregates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special
from scipy.stats import binom
from scipy.stats import chi2 as chi2_dist

FloatArray = NDArray[np.float64]
#: an indicator's kind, which decides its limits: a proportion (Wilson) or a rate (Poisson)
#: (docs/CONVENTIONS.md, "Methods by kind of indicator"); the catalogue declares it
Kind = Literal["proportion", "rate"]

#: Below this count Poisson limits are exact (chi-square); from it, Byar's approximation.
EXACT_POISSON_BELOW = 10
#: A directly standardised rate is not published for a total count below this (PHE).
DSR_MIN_TOTAL_COUNT = 10
#: A trend test needs at least this many periods (docs/CONVENTIONS.md).
TREND_MIN_PERIODS = 5

COMPARISON_LABELS = ("higher", "similar", "lower", "not compared")


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------
class Estimate(NamedTuple):
    """A point estimate with its two-sided confidence limits."""

    value: FloatArray
    lower: FloatArray
    upper: FloatArray


class SIIResult(NamedTuple):
    """Slope and relative index of inequality with simulated confidence limits."""

    sii: FloatArray
    sii_lower: FloatArray
    sii_upper: FloatArray
    rii: FloatArray
    rii_lower: FloatArray
    rii_upper: FloatArray
    #: fitted value at the most deprived end (rank 0) on the natural scale, times
    #: abs(multiplier): PHEindicatormethods' ``intercept = TRUE`` output
    intercept: FloatArray


class FunnelLimits(NamedTuple):
    """Funnel-plot control limits.

    ``lower`` and ``upper`` have shape ``(len(confidence), *denominators.shape)``: row ``i``
    holds the limits for ``confidence[i]`` (by default row 0 is 95%, "2 sigma", and row 1 is
    99.8%, "3 sigma").
    """

    confidence: FloatArray
    baseline: FloatArray
    lower: FloatArray
    upper: FloatArray


class ChangeTest(NamedTuple):
    """Difference between two periods (later minus earlier) with limits and a test."""

    difference: FloatArray
    lower: FloatArray
    upper: FloatArray
    p_value: FloatArray
    significant: NDArray[np.bool_]


class TrendTest(NamedTuple):
    """Chi-square test for linear trend over periods (1 degree of freedom)."""

    slope: FloatArray
    direction: NDArray[np.str_]
    chi2: FloatArray
    p_value: FloatArray
    significant: NDArray[np.bool_]


class DifferenceOfChanges(NamedTuple):
    """(Change in the most deprived) minus (change in the least deprived), with limits."""

    change_most: FloatArray
    change_least: FloatArray
    difference: FloatArray
    lower: FloatArray
    upper: FloatArray
    p_value: FloatArray
    significant: NDArray[np.bool_]


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------
def _f(x: ArrayLike) -> FloatArray:
    """Input as a float array (a copy is not promised)."""
    return np.asarray(x, dtype=np.float64)


def _arrays(*xs: ArrayLike) -> tuple[np.ndarray, ...]:
    """Outputs as ndarrays (numpy arithmetic on 0-d arrays returns scalars; undo that)."""
    return tuple(np.asarray(x) for x in xs)


def _check_confidence(confidence: float) -> float:
    c = float(confidence)
    if not 0.0 < c < 1.0:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return c


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: z = Phi^-1(1 - (1 - confidence) / 2).

    1.959964 for 95%, 3.090232 for 99.8% (PHStatsMethods ``get_calc_variables``).
    """
    c = _check_confidence(confidence)
    return float(special.ndtri(0.5 + c / 2.0))


def _check_kind(kind: str) -> Kind:
    if kind not in ("proportion", "rate"):
        raise ValueError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    return kind  # type: ignore[return-value]


def _wilson_limits(x: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits of a proportion (Wilson 1927; Newcombe & Altman 2000, pp 46-48).

    lower, upper = (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)),
    as PHEindicatormethods::phe_proportion / PHStatsMethods ``wilson_lower``/``wilson_upper``.
    x = 0 gives lower exactly 0 and x = n gives upper exactly 1. Invalid input -> NaN.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        invalid = ~((n > 0) & (x >= 0) & (x <= n))
        z2 = z * z
        root = z * np.sqrt(z2 + 4.0 * x * (1.0 - x / n))
        denom = 2.0 * (n + z2)
        lower = (2.0 * x + z2 - root) / denom
        upper = (2.0 * x + z2 + root) / denom
    lower = np.where(x == 0, 0.0, lower)
    upper = np.where(x == n, 1.0, upper)
    return np.where(invalid, np.nan, lower), np.where(invalid, np.nan, upper)


def _exact_poisson_limits(o: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson limits for an observed count o (Armitage & Berry 2002).

    lower = chi2_{alpha/2}(2o) / 2,  upper = chi2_{1-alpha/2}(2o + 2) / 2, computed as the
    equivalent gamma quantiles (chi2_q(2k)/2 = Gamma^-1(k; q)); lower = 0 when o = 0.
    """
    with np.errstate(invalid="ignore"):
        lower = np.where(o > 0, special.gammaincinv(np.where(o > 0, o, 1.0), alpha / 2.0), 0.0)
        upper = special.gammaincinv(o + 1.0, 1.0 - alpha / 2.0)
    return lower, upper


def _byar_limits(o: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Byar's approximation to the Poisson limits (Breslow & Day 1987).

    lower = o (1 - 1/(9o) - z/(3 sqrt(o)))^3,
    upper = (o + 1) (1 - 1/(9(o + 1)) + z/(3 sqrt(o + 1)))^3.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        o1 = o + 1.0
        upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
    return lower, upper


def poisson_count_limits(count: ArrayLike, confidence: float = 0.95) -> tuple[FloatArray, ...]:
    """Confidence limits for a Poisson count: exact below 10, Byar's method from 10.

    As PHStatsMethods ``byars_lower``/``byars_upper`` (which switch to the exact method below
    10), but zero counts are allowed (lower 0, upper chi2_{1-alpha/2}(2)/2 = 3.689 at 95%).
    Negative or NaN counts give NaN. Returns ``(lower, upper)`` on the count scale.
    """
    z = z_value(confidence)
    o = _f(count)
    shape = o.shape
    flat = o.ravel()
    lower, upper = _byar_limits(flat, z)
    small = flat < EXACT_POISSON_BELOW
    if small.any():
        lower[small], upper[small] = _exact_poisson_limits(flat[small], 1.0 - confidence)
    bad = ~(flat >= 0)
    lower[bad] = np.nan
    upper[bad] = np.nan
    return lower.reshape(shape), upper.reshape(shape)


def se_from_limits(lower: ArrayLike, upper: ArrayLike, confidence: float = 0.95) -> FloatArray:
    """Standard error implied by symmetric limits: se = (upper - lower) / (2 z).

    As PHEindicatormethods::phe_sii when it is given limits rather than standard errors.
    """
    return (_f(upper) - _f(lower)) / (2.0 * z_value(confidence))


def _normal_test(
    estimate: FloatArray, se: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Wald limits estimate -/+ z se and a two-sided z-test p-value of estimate = 0."""
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2.0 * special.ndtr(-np.abs(estimate / se))
        p = np.where((se == 0) & (estimate == 0), 1.0, p)
        return estimate - z * se, estimate + z * se, p, p < 1.0 - confidence


# --------------------------------------------------------------------------------------------
# Proportions and crude rates
# --------------------------------------------------------------------------------------------
def proportion_ci(
    x: ArrayLike, n: ArrayLike, confidence: float = 0.95, multiplier: float = 1
) -> Estimate:
    """Proportion x/n with Wilson score limits (Wilson 1927), as PHEindicatormethods::
    phe_proportion and PHStatsMethods ``ph_proportion``.

    value = x / n * multiplier; limits from :func:`_wilson_limits` times ``multiplier``.
    x = 0 and x = n are allowed (lower 0 / upper 1 exactly); n = 0, NaN, x < 0 or x > n give
    NaN value and limits. Use for a count of distinct children in the denominator population,
    whatever multiplier it is shown with (docs/CONVENTIONS.md).
    """
    xa, na = np.broadcast_arrays(_f(x), _f(n))
    lower, upper = _wilson_limits(xa, na, z_value(confidence))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(np.isnan(lower), np.nan, xa / na)
    return Estimate(*_arrays(value * multiplier, lower * multiplier, upper * multiplier))


def rate_ci(
    x: ArrayLike, n: ArrayLike, confidence: float = 0.95, multiplier: float = 100_000
) -> Estimate:
    """Crude rate x/n with Poisson limits, as PHEindicatormethods::phe_rate / PHStatsMethods
    ``ph_rate``: exact (chi-square) limits when x < 10 (Armitage & Berry 2002), Byar's method
    otherwise (Breslow & Day 1987), divided by n and times ``multiplier``.

    Zero counts are allowed (value 0, lower 0, upper 3.689/n at 95%) -- PHStatsMethods refuses
    them. n <= 0, NaN or x < 0 give NaN.
    """
    xa, na = np.broadcast_arrays(_f(x), _f(n))
    lower, upper = poisson_count_limits(xa, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(na > 0, multiplier / na, np.nan)
    value = np.where(np.isnan(lower), np.nan, xa * scale)  # a negative count is invalid too
    return Estimate(*_arrays(value, lower * scale, upper * scale))


def dsr(
    x: ArrayLike,
    n: ArrayLike,
    standard_pop: ArrayLike,
    confidence: float = 0.95,
    multiplier: float = 100_000,
) -> Estimate:
    """Directly standardised rate with Dobson limits, as PHEindicatormethods::phe_dsr /
    PHStatsMethods ``ph_dsr``.

    The last axis is the standardisation category (age band): 1-D input is one group, 2-D
    ``(groups, bands)`` many groups at once (any leading axes work); ``standard_pop`` broadcasts
    against ``x`` (usually shape ``(bands,)``). With w_i the standard population,

    - value = sum(x_i w_i / n_i) / sum(w_i) * multiplier
    - var = sum(x_i (w_i / n_i)^2) / sum(w_i)^2
    - O = sum(x_i); (O_L, O_U) = Poisson limits of O (:func:`poisson_count_limits`: Byar's
      method, O >= 10 here)
    - lower/upper = value + sqrt(var / O) (O_L/O_U - O) * multiplier  (Dobson et al. 1991).

    NaN counts are treated as 0 (as PHE: reference case ``dsr_testdata_tiny``); a NaN or zero
    denominator gives NaN for the group. Value and limits are NaN when O < 10 (PHE does not
    publish DSRs for fewer than 10 events).
    """
    xa, na, wa = np.broadcast_arrays(_f(x), _f(n), _f(standard_pop))
    xa = np.where(np.isnan(xa), 0.0, xa)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = wa / na
        total_w = wa.sum(axis=-1)
        value = (xa * ratio).sum(axis=-1) / total_w * multiplier
        var = (xa * ratio**2).sum(axis=-1) / total_w**2
        total = xa.sum(axis=-1)
        o_lower, o_upper = poisson_count_limits(total, confidence)
        scale = np.sqrt(var / total) * multiplier
        lower = value + scale * (o_lower - total)
        upper = value + scale * (o_upper - total)
    publish = total >= DSR_MIN_TOTAL_COUNT
    return Estimate(*_arrays(*(np.where(publish, a, np.nan) for a in (value, lower, upper))))


# --------------------------------------------------------------------------------------------
# Slope and relative index of inequality
# --------------------------------------------------------------------------------------------
_VALUE_TYPES = ("normal", "rate", "proportion")


def _sii_hat_matrix(share: FloatArray) -> FloatArray:
    """Rows mapping values to (intercept, slope) of the population-weighted least squares fit.

    share: (G, k) population shares a_i (0 for a missing quantile, each row sums to 1).
    Midpoint rank b_i = cumsum(a)_i - a_i / 2; weights a_i (PHEindicatormethods::phe_sii fits
    ``lm(sqrt(a) y ~ 0 + sqrt(a) + b sqrt(a))``, i.e. weighted least squares with weights a).
    With Sb = sum a b and Sbb = sum a b^2 (sum a = 1), det = Sbb - Sb^2:
    intercept = sum a (Sbb - Sb b) y / det, slope = sum a (b - Sb) y / det. Returns (G, 2, k).
    """
    b = np.cumsum(share, axis=-1) - share / 2.0
    sb = (share * b).sum(axis=-1, keepdims=True)
    sbb = (share * b * b).sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        det = sbb - sb * sb
        h_intercept = share * (sbb - sb * b) / det
        h_slope = share * (b - sb) / det
    return np.stack([h_intercept, h_slope], axis=-2)


def _transform(v: FloatArray, value_type: str) -> FloatArray:
    """log for rates, logit for proportions (0-1 scale), identity otherwise (phe_sii)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if value_type == "rate":
            return np.log(v)
        if value_type == "proportion":
            return special.logit(v)
    return v


def _back_transform(v: FloatArray, value_type: str) -> FloatArray:
    """exp for rates, expit (inverse logit) for proportions, identity otherwise."""
    if value_type == "rate":
        return np.exp(v)
    if value_type == "proportion":
        return special.expit(v)
    return v


def _group_rngs(
    seed: int | Sequence[int] | np.random.SeedSequence | None, groups: int
) -> list[np.random.Generator] | np.random.Generator:
    """One generator shared by all groups (scalar seed) or one per group (a seed per group)."""
    if seed is None or isinstance(seed, int | np.integer | np.random.SeedSequence):
        return np.random.default_rng(seed)
    seeds = list(seed)
    if len(seeds) != groups:
        raise ValueError(f"seed has {len(seeds)} entries for {groups} groups")
    return [np.random.default_rng(s) for s in seeds]


#: each thread's array of simulated values, reused from group to group (``_simulated``)
_SIMULATION_BUFFER = threading.local()


def _simulated(
    draws: np.ndarray | np.random.Generator,
    mean: FloatArray,
    se: FloatArray,
    shape: tuple[int, int],
) -> np.ndarray:
    """``mean + se * z`` for the standard normal draws ``z`` (given, or drawn now from the
    generator, as ``standard_normal(shape)`` draws them), written into this
    thread's reused array and returned (valid until the thread's next call).

    Why: a fresh 100,000 x 10 array per group, and two temporaries to compute it, cost about
    a third of the SII's time at england scale in page faults alone (issue #21's profile).
    The values are bitwise those of ``mean + se * z``: the same products and sums, each
    rounded once, in the same order."""
    buffer = getattr(_SIMULATION_BUFFER, "array", None)
    if buffer is None or buffer.shape != shape:
        buffer = np.empty(shape)
        _SIMULATION_BUFFER.array = buffer
    if isinstance(draws, np.ndarray):
        np.multiply(draws, se, out=buffer)
    else:
        draws.standard_normal(out=buffer)
        np.multiply(buffer, se, out=buffer)
    np.add(buffer, mean, out=buffer)
    return buffer


def _ends(
    intercept: FloatArray, slope: FloatArray, value_type: str, transform: bool
) -> tuple[FloatArray, FloatArray]:
    """Fitted values at the most (rank 0) and least (rank 1) deprived ends, natural scale.

    Untransformed, the ends of the straight line; transformed, the line's ends on the log/logit
    scale back-transformed (phe_sii with ``transform = TRUE``: antilog / antilogit of the
    intercept and of intercept + slope).
    """
    if not transform:
        return intercept, intercept + slope
    return _back_transform(intercept, value_type), _back_transform(intercept + slope, value_type)


def _transformed_limits(
    midpoint: float, slopes: FloatArray, value_type: str
) -> tuple[FloatArray, FloatArray]:
    """SII and RII on the natural scale for transformed-scale slopes about a fixed midpoint.

    phe_sii (``transform = TRUE``) takes the percentiles of the simulated slopes on the
    transformed scale and places each about the fitted value at rank 1/2 (m = intercept +
    slope/2): ends m - s/2 and m + s/2, back-transformed. SII = g(m + s/2) - g(m - s/2) and
    RII = g(m + s/2) / g(m - s/2) both increase with s, so these are the SII's and RII's limits.
    """
    low = _back_transform(midpoint - slopes / 2.0, value_type)
    high = _back_transform(midpoint + slopes / 2.0, value_type)
    with np.errstate(divide="ignore", invalid="ignore"):
        return high - low, high / low


def sii(
    value: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    population: ArrayLike,
    value_type: Literal["normal", "rate", "proportion"] = "normal",
    transform: bool = False,
    confidence: float = 0.95,
    repetitions: int = 100_000,
    seed: int | Sequence[int] | np.random.SeedSequence | None = None,
    multiplier: float = 1,
    min_quantiles: int = 5,
) -> SIIResult:
    """Slope (SII) and relative (RII) index of inequality, as PHEindicatormethods::phe_sii
    (method: Low & Low 2004; PHE "Technical guide: SII and RII"; R/SII_function.R).

    Inputs have the quantiles on the last axis, ordered from most to least deprived (decile 1
    first); leading axes are groups. ``lower``/``upper`` are the quantiles' 95% limits (for
    proportions on the 0-1 scale). For each group:

    - a_i = population share, b_i = cumsum(a)_i - a_i/2 (midpoint of the cumulative share,
      0 = most deprived end, 1 = least deprived end);
    - se_i = (upper_i - lower_i) / (2 z_0.975), on the log scale for rates and the logit scale
      for proportions (``value_type``), on the natural scale for "normal" (phe_sii computes the
      standard errors at 95% whatever ``confidence``);
    - fit y_i = intercept + slope b_i by least squares weighted by a_i (PHE's
      ``lm(sqrt(a) y ~ 0 + sqrt(a) + b sqrt(a))``): y_i the value itself, or with ``transform``
      (rates and proportions only) log(value_i) / logit(value_i);
    - the fitted values at both ends, Y0 (rank 0, most deprived) and Y1 (rank 1, least
      deprived), on the natural scale -- with ``transform`` the line's ends back-transformed, so
      the fit is a curve on the natural scale: SII = Y1 - Y0 (> 0 when the value is higher in
      less deprived areas) and RII = Y1 / Y0. A transformed fit is positive at both ends, so its
      RII is always a positive ratio; an untransformed line can cross zero and give a negative
      or infinite RII (the caller decides whether to publish it);
    - limits by simulation, ``repetitions`` draws y_i* ~ N(y_i, se_i) on the scale the SE is on,
      refit. Untransformed: draws back-transformed to the natural scale, refit, percentiles of
      the simulated SII and RII. Transformed: percentiles s_L, s_U of the simulated slopes on
      the transformed scale, each placed about the fitted midpoint m = intercept + slope/2 and
      back-transformed (SII_L = g(m + s_L/2) - g(m - s_L/2), RII_L = g(m + s_L/2) /
      g(m - s_L/2)), exactly as phe_sii. Percentiles are (1-confidence)/2 and
      1-(1-confidence)/2 with linear interpolation (R's default type 7; phe_sii takes the order
      statistic at round(repetitions p), a difference far inside the simulation error).

    SII, its limits and the intercept are multiplied by ``multiplier`` (its absolute value for
    the intercept); a negative multiplier inverts the RII (1/RII, limits swapped) as PHE does
    for polarity. (phe_sii's rate branch swaps the limits when ``multiplier < 1`` rather than
    ``< 0``: the same for 1 and for negative multipliers, but a rate multiplier strictly between
    0 and 1 would have its limits swapped in R and not here; the catalogue uses none.)
    Quantiles with a missing value/limit or no population are left out (midpoints
    are over the quantiles present, as when PHE is given only the populated rows); groups with
    fewer than ``min_quantiles`` (5, docs/CONVENTIONS.md) give NaN, as do groups where a
    transform is undefined (a rate of 0, a proportion of 0 or 1).

    ``seed``: an int (or SeedSequence) gives reproducible limits; every group then uses the
    same normal draws (common random numbers), so a group's limits do not depend on which other
    groups are in the call. A sequence of ints gives one seed per group (e.g. derived from
    indicator, area and period). None draws fresh entropy. The simulation is vectorised over
    repetitions (one (repetitions x k) matrix product per group).
    """
    if value_type not in _VALUE_TYPES:
        raise ValueError(f"value_type must be one of {_VALUE_TYPES}, got {value_type!r}")
    if transform and value_type == "normal":
        raise ValueError("transform needs value_type 'rate' or 'proportion' (as phe_sii)")
    if repetitions < 1:
        raise ValueError("repetitions must be positive")
    v, lo, up, pop = np.broadcast_arrays(_f(value), _f(lower), _f(upper), _f(population))
    if v.ndim == 0:
        raise ValueError("sii needs the quantiles on the last axis")
    lead, k = v.shape[:-1], v.shape[-1]
    v, lo, up, pop = (a.reshape(-1, k) for a in (v, lo, up, pop))

    present = np.isfinite(v) & np.isfinite(lo) & np.isfinite(up) & np.isfinite(pop) & (pop > 0)
    vt, lot, upt = (_transform(a, value_type) for a in (v, lo, up))
    undefined = (present & ~(np.isfinite(vt) & np.isfinite(lot) & np.isfinite(upt))).any(-1)
    ok = (present.sum(axis=-1) >= min_quantiles) & ~undefined

    weights = np.where(present, pop, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = weights / weights.sum(axis=-1, keepdims=True)
    hat = _sii_hat_matrix(np.where(ok[:, None], share, 0.0))  # (G, 2, k)
    hat = np.where(present[:, None, :], hat, 0.0)
    fitted_y = np.where(present, vt if transform else v, 0.0)
    draw_mean = np.where(present, vt, 0.0)
    se = np.where(present, (upt - lot) / (2.0 * z_value(0.95)), 0.0)

    coef = np.einsum("gjk,gk->gj", hat, fitted_y)
    intercept, slope = coef[:, 0], coef[:, 1]
    y0, y1 = _ends(intercept, slope, value_type, transform)
    with np.errstate(divide="ignore", invalid="ignore"):
        rii = y1 / y0

    groups = v.shape[0]
    rngs = _group_rngs(seed, groups)
    shared = None if isinstance(rngs, list) else rngs.standard_normal((repetitions, k))
    q = [(1.0 - confidence) / 2.0, 1.0 - (1.0 - confidence) / 2.0]
    limits = np.full((groups, 4), np.nan)
    for g in np.flatnonzero(ok):
        source = shared if shared is not None else rngs[g]
        y = _simulated(source, draw_mean[g], se[g], (repetitions, k))
        if transform:
            slopes = np.quantile(y @ hat[g, 1], q)
            midpoint = intercept[g] + slope[g] / 2.0
            limits[g, :2], limits[g, 2:] = _transformed_limits(midpoint, slopes, value_type)
            continue
        sims = _back_transform(y, value_type) @ hat[g].T  # (repetitions, 2): intercept, slope
        with np.errstate(divide="ignore", invalid="ignore"):
            rii_sims = (sims[:, 0] + sims[:, 1]) / sims[:, 0]
        limits[g, :2] = np.quantile(sims[:, 1], q)
        limits[g, 2:] = np.quantile(rii_sims, q)

    nan_unless_ok = np.where(ok, 1.0, np.nan)
    sii_v = (y1 - y0) * multiplier * nan_unless_ok
    sii_l, sii_u = (limits[:, i] * multiplier for i in (0, 1))
    if multiplier < 0:
        sii_l, sii_u = sii_u, sii_l
        with np.errstate(divide="ignore", invalid="ignore"):
            rii_v, rii_l, rii_u = 1.0 / rii, 1.0 / limits[:, 3], 1.0 / limits[:, 2]
    else:
        rii_v, rii_l, rii_u = rii, limits[:, 2], limits[:, 3]
    rii_v = rii_v * nan_unless_ok
    intercept_out = y0 * abs(multiplier) * nan_unless_ok
    out = (sii_v, sii_l, sii_u, rii_v, rii_l, rii_u, intercept_out)
    return SIIResult(*_arrays(*(a.reshape(lead) for a in out)))


# --------------------------------------------------------------------------------------------
# Funnel plots and benchmark comparison
# --------------------------------------------------------------------------------------------
def _proportion_funnel(
    n: FloatArray, p: FloatArray, z: float, multiplier: float
) -> tuple[FloatArray, FloatArray]:
    """Wilson-based proportion funnel around p, as PHStatsMethods ``sigma_adjustment``
    (PHEindicatormethods::phe_funnels, after the Eastern Region PHO funnel-plot tool).

    With a = n/z^2 + 1, c = 1/z^2 + 1/n:
    limit = (p a -/+ sqrt((8 p a)^2 - 64 c p (n (p (n/z^2 + 2) - 1) + z^2 (p - 1))) / 8) / c / n,
    clipped to [0, 1], times ``multiplier``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = z * z
        first = p * (n / z2 + 1.0)
        disc = (8.0 * first) ** 2 - 64.0 * (1.0 / z2 + 1.0 / n) * p * (
            n * (p * (n / z2 + 2.0) - 1.0) + z2 * (p - 1.0)
        )
        adj = np.sqrt(disc) / 8.0
        last = 1.0 / z2 + 1.0 / n
        lower = np.clip((first - adj) / last / n, 0.0, 1.0)
        upper = np.clip((first + adj) / last / n, 0.0, 1.0)
    return lower * multiplier, upper * multiplier


def _solve_increasing(
    f: Callable[[FloatArray], FloatArray],
    target: float,
    lo: FloatArray,
    hi: FloatArray,
    iterations: int = 80,
) -> FloatArray:
    """Vectorised bisection for f(x) = target, f increasing on [lo, hi]; clips to the ends."""
    lo, hi = lo.copy(), hi.copy()
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        below = f(mid) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return (lo + hi) / 2.0


def _poisson_funnel_counts(expected: FloatArray, alpha: float) -> tuple[FloatArray, FloatArray]:
    """Event counts at the funnel limits for an expected count E (continuous in the count).

    Lower: x_L with P(X <= x_L | E) = alpha/2, i.e. Q(x_L + 1, E) = alpha/2; upper: x_U with
    P(X >= x_U | E) = alpha/2, i.e. P(x_U, E) = alpha/2 (P, Q the regularised incomplete gamma
    functions, exact Poisson tails extended to real counts). This is the curve that
    PHStatsMethods ``poisson_funnel`` / PHEindicatormethods::phe_funnels trace at whole counts
    (they find the expected count whose exact Poisson limit is the observed count). x_L is
    floored at 0.
    """
    p = alpha / 2.0
    e = np.where(np.isfinite(expected) & (expected >= 0), expected, np.nan)
    hi = e + 10.0 * np.sqrt(e) + 50.0
    zero = np.zeros_like(e)
    with np.errstate(invalid="ignore"):
        x_lower = _solve_increasing(lambda x: special.gammaincc(x + 1.0, e), p, zero, hi)
        x_upper = _solve_increasing(lambda x: -special.gammainc(x, e), -p, zero, hi)
    x_lower = np.where(np.exp(-e) >= p, 0.0, x_lower)  # P(X <= 0 | E) >= alpha/2: floor at 0
    return np.where(np.isnan(e), np.nan, x_lower), np.where(np.isnan(e), np.nan, x_upper)


def funnel_limits(
    denominators: ArrayLike,
    benchmark: ArrayLike,
    kind: Kind = "proportion",
    confidence: Sequence[float] = (0.95, 0.998),
    multiplier: float | None = None,
) -> FunnelLimits:
    """Funnel-plot control limits around a benchmark, as the Fingertips funnel methods
    (PHEindicatormethods::phe_funnels / PHStatsMethods ``calculate_funnel_limits``).

    ``benchmark`` is on the published scale (times ``multiplier``; default 1 for proportions,
    100,000 for rates), usually the pooled value sum(x)/sum(n) * multiplier over the areas.

    - proportion: Wilson-based limits around the benchmark proportion (:func:`_proportion_funnel`,
      PHE ``sigma_adjustment`` with z for each confidence level);
    - rate: exact Poisson limits around the expected count E = benchmark / multiplier * n:
      limit = x_{L,U}(E) / n * multiplier (:func:`_poisson_funnel_counts`).

    Returns :class:`FunnelLimits` with ``lower``/``upper`` of shape
    ``(len(confidence), *broadcast(denominators, benchmark).shape)``.
    """
    kind = _check_kind(kind)
    if multiplier is None:
        multiplier = 1 if kind == "proportion" else 100_000
    levels = np.atleast_1d(_f(confidence))
    n, bench = np.broadcast_arrays(_f(denominators), _f(benchmark))
    n = np.where(n > 0, n, np.nan)
    lowers, uppers = [], []
    for c in levels:
        if kind == "proportion":
            lo, up = _proportion_funnel(n, bench / multiplier, z_value(c), multiplier)
        else:
            x_lo, x_up = _poisson_funnel_counts(bench / multiplier * n, 1.0 - _check_confidence(c))
            lo, up = x_lo / n * multiplier, x_up / n * multiplier
        lowers.append(lo)
        uppers.append(up)
    return FunnelLimits(*_arrays(levels, bench, np.stack(lowers), np.stack(uppers)))


def compare_to_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike
) -> NDArray[np.str_]:
    """Fingertips benchmark comparison: "higher" when the lower limit is above the benchmark,
    "lower" when the upper limit is below it, "similar" otherwise, "not compared" when the
    limits or the benchmark are missing (docs/CONVENTIONS.md; Fingertips technical guidance).
    """
    lo, up, b = np.broadcast_arrays(_f(lower), _f(upper), _f(benchmark))
    missing = np.isnan(lo) | np.isnan(up) | np.isnan(b)
    higher, similar, lower_, not_compared = COMPARISON_LABELS
    label = np.select([missing, lo > b, up < b], [not_compared, higher, lower_], default=similar)
    return np.asarray(label, dtype=f"<U{max(map(len, COMPARISON_LABELS))}")


# --------------------------------------------------------------------------------------------
# Changes and trends
# --------------------------------------------------------------------------------------------
def _proportion_change(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, confidence: float
) -> tuple[FloatArray, ...]:
    """p2 - p1 with Newcombe's hybrid score limits and the pooled two-proportion z-test.

    Limits (Newcombe 1998, method 10; Newcombe & Altman 2000): with Wilson limits (l_i, u_i),
    d - sqrt((p2 - l2)^2 + (u1 - p1)^2) and d + sqrt((u2 - p2)^2 + (p1 - l1)^2).
    Test: z = d / sqrt(pbar (1 - pbar) (1/n1 + 1/n2)), pbar = (x1 + x2) / (n1 + n2), the pooled
    SE (equivalently Pearson's chi-square on the 2x2 table, no continuity correction);
    p = 1 when both proportions are 0 or both 1.
    """
    z = z_value(confidence)
    l1, u1 = _wilson_limits(x1, n1, z)
    l2, u2 = _wilson_limits(x2, n2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        d = p2 - p1
        lower = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
        upper = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
        pbar = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pbar * (1.0 - pbar) * (1.0 / n1 + 1.0 / n2))
    p = _normal_test(d, se, confidence)[2]
    p = np.where(np.isnan(l1) | np.isnan(l2), np.nan, p)
    return d, lower, upper, p


def _rate_change(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, confidence: float
) -> tuple[FloatArray, ...]:
    """r2 - r1 with Wald limits and the exact conditional (binomial) test.

    Limits: d -/+ z sqrt(x1/n1^2 + x2/n2^2) (normal approximation, Poisson variances).
    Test: given x1 + x2 = N, under equal rates x2 ~ Binomial(N, n2 / (n1 + n2)) (Armitage,
    Berry & Matthews 2002, comparison of two counts); two-sided p = min(1, 2 min(P(X <= x2),
    P(X >= x2))), exact for every count, p = 1 when N = 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        bad = ~((n1 > 0) & (n2 > 0) & (x1 >= 0) & (x2 >= 0))
        d = x2 / n2 - x1 / n1
        se = np.sqrt(x1 / n1**2 + x2 / n2**2)
        total = x1 + x2
        share = n2 / (n1 + n2)
        tails = np.minimum(binom.cdf(x2, total, share), binom.sf(x2 - 1.0, total, share))
    p = np.where(total == 0, 1.0, np.minimum(1.0, 2.0 * tails))
    lower, upper = _normal_test(d, se, confidence)[:2]
    return (*(np.where(bad, np.nan, a) for a in (d, lower, upper, p)),)


def change_test(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    kind: Kind = "proportion",
    confidence: float = 0.95,
    multiplier: float | None = None,
) -> ChangeTest:
    """Test of the change between two periods (period 2 minus period 1), as docs/CONVENTIONS.md asks
    ("judged by a test of the difference, not by overlapping limits").

    - proportion: Newcombe hybrid-score limits for p2 - p1 and the pooled two-proportion z-test
      (:func:`_proportion_change`);
    - rate: Wald limits for r2 - r1 and the exact conditional binomial test
      (:func:`_rate_change`).

    ``difference``/limits are times ``multiplier`` (default 1 for proportions, 100,000 for
    rates). ``significant`` is p_value < 1 - confidence; the limits and the test are separate
    methods, so at the margin a limit may touch 0 while the test is (just) significant.
    """
    kind = _check_kind(kind)
    _check_confidence(confidence)
    if multiplier is None:
        multiplier = 1 if kind == "proportion" else 100_000
    args = np.broadcast_arrays(_f(x1), _f(n1), _f(x2), _f(n2))
    compute = _proportion_change if kind == "proportion" else _rate_change
    d, lower, upper, p = compute(*args, confidence)
    with np.errstate(invalid="ignore"):
        significant = p < 1.0 - confidence
    return ChangeTest(
        *_arrays(d * multiplier, lower * multiplier, upper * multiplier, p, significant)
    )


def trend_test(
    x: ArrayLike,
    n: ArrayLike,
    kind: Kind = "proportion",
    scores: ArrayLike | None = None,
    confidence: float = 0.95,
    multiplier: float | None = None,
) -> TrendTest:
    """Chi-square test for linear trend over five or more periods (periods on the last axis,
    leading axes are groups).

    With scores s_i (default 0, 1, ..., T-1), N = sum n_i, X = sum x_i,
    sbar = sum n_i s_i / N and U = sum x_i (s_i - sbar) = sum (x_i - X n_i / N) s_i:

    - proportion (Cochran 1954; Armitage 1955):
      chi2 = U^2 / (pbar (1 - pbar) sum n_i (s_i - sbar)^2), pbar = X / N;
    - rate (score test for b in the Poisson log-linear model log E[x_i] = log n_i + a + b s_i;
      Breslow & Day 1987, test for trend): chi2 = U^2 / (X sum (n_i / N) (s_i - sbar)^2).

    chi2 has 1 degree of freedom; p_value = P(chi2_1 > chi2). ``slope`` is the weighted least
    squares slope of the value on the score, U / sum n_i (s_i - sbar)^2, times ``multiplier``
    (default 1 for proportions, 100,000 for rates); ``direction`` is "increasing" or
    "decreasing" when significant (p < 1 - confidence), else "no significant change". A group
    with no variation to test (all zero events, or all proportions 1) has chi2 0 and p 1.
    Fewer than five periods raise ValueError.
    """
    kind = _check_kind(kind)
    _check_confidence(confidence)
    if multiplier is None:
        multiplier = 1 if kind == "proportion" else 100_000
    xa, na = np.broadcast_arrays(_f(x), _f(n))
    if xa.ndim == 0 or xa.shape[-1] < TREND_MIN_PERIODS:
        raise ValueError(f"a trend test needs at least {TREND_MIN_PERIODS} periods")
    t = xa.shape[-1]
    s = np.arange(t, dtype=np.float64) if scores is None else _f(scores)
    with np.errstate(divide="ignore", invalid="ignore"):
        big_n = na.sum(axis=-1, keepdims=True)
        big_x = xa.sum(axis=-1)
        dev = s - (na * s).sum(axis=-1, keepdims=True) / big_n
        u = (xa * dev).sum(axis=-1)
        ss = (na * dev**2).sum(axis=-1)
        if kind == "proportion":
            pbar = big_x / big_n[..., 0]
            var = pbar * (1.0 - pbar) * ss
        else:
            var = big_x * ss / big_n[..., 0]
        stat = np.where((var == 0) & (u == 0), 0.0, u**2 / var)
        slope = u / ss * multiplier
    p = chi2_dist.sf(stat, 1)
    with np.errstate(invalid="ignore"):
        significant = p < 1.0 - confidence
    direction = np.where(
        significant, np.where(slope > 0, "increasing", "decreasing"), "no significant change"
    )
    return TrendTest(*_arrays(slope, direction, stat, p, significant))


def difference_of_changes(
    most_baseline: tuple[ArrayLike, ArrayLike, ArrayLike],
    most_latest: tuple[ArrayLike, ArrayLike, ArrayLike],
    least_baseline: tuple[ArrayLike, ArrayLike, ArrayLike],
    least_latest: tuple[ArrayLike, ArrayLike, ArrayLike],
    confidence: float = 0.95,
    input_confidence: float = 0.95,
) -> DifferenceOfChanges:
    """Difference of changes, to "improve the health of the poorest fastest" (docs/CONVENTIONS.md):
    the change since the baseline in the most deprived quintile minus that in the least.

    Each argument is a ``(value, lower, upper)`` triple -- e.g. an :class:`Estimate` from
    :func:`proportion_ci`, :func:`rate_ci` or :func:`dsr` -- whose limits are at
    ``input_confidence``; se = (upper - lower) / (2 z) (:func:`se_from_limits`; an
    approximation when the limits are asymmetric, as Wilson and Poisson limits are).

    difference = (most_latest - most_baseline) - (least_latest - least_baseline);
    var = sum of the four variances (independent estimates); limits difference -/+ z sqrt(var)
    at ``confidence`` and a two-sided z-test of difference = 0 (normal approximation).
    """
    parts = []
    for est in (most_baseline, most_latest, least_baseline, least_latest):
        value, lower, upper = est
        parts.append((_f(value), se_from_limits(lower, upper, input_confidence)))
    (mb, smb), (ml, sml), (lb, slb), (ll, sll) = parts
    change_most, change_least = ml - mb, ll - lb
    difference = change_most - change_least
    se = np.sqrt(smb**2 + sml**2 + slb**2 + sll**2)
    lower, upper, p, significant = _normal_test(difference, se, confidence)
    return DifferenceOfChanges(
        *_arrays(change_most, change_least, difference, lower, upper, p, significant)
    )


# --------------------------------------------------------------------------------------------
# Fingertips' recent trend
# --------------------------------------------------------------------------------------------
#: Fingertips tests the trend over the most recent five points of a series (OHID, *Fingertips
#: trend markers*, public health technical guidance: "Process for testing for 'recent'
#: statistical trend")
RECENT_TREND_POINTS = 5
#: Fingertips' recent trend is significant at the 99.8% level: chi-square (1 degree of freedom)
#: above 3.0902^2 = 9.5495 (``ChiSquareConfidence = 9.54953570608324`` in Fingertips'
#: ``TrendMarkerCalculator``; 9.5495 in PHEindicatormethods ``assign_trend_markers``)
RECENT_TREND_CONFIDENCE = 0.998
#: the standard error Fingertips reads from 95% limits: their width / 3.92 (``TrendMarkerCalculator
#: .IsSignificant``), i.e. z = 1.96 rounded, not z_value(0.95)
FINGERTIPS_Z95 = 1.96
RECENT_TREND_LABELS = ("increasing", "decreasing", "no significant change", "cannot be calculated")


class RecentTrend(NamedTuple):
    """Fingertips' recent trend over the last five points (periods on the last axis).

    ``slope`` is the trend's gradient beta (per period: on the logit scale for a proportion, in
    the value's units for the weighted method); ``chi2`` its test statistic (1 degree of
    freedom) and ``p_value`` = P(chi2_1 > chi2); ``outlier`` is True when leaving one of the
    five points out gives a slope of the other sign; ``direction`` is one of
    ``RECENT_TREND_LABELS``: "increasing" or "decreasing" when chi2 exceeds the 99.8% critical
    value and there is no outlier, "no significant change" otherwise, "cannot be calculated"
    where the input cannot be tested (then slope, chi2 and p_value are NaN).
    """

    slope: FloatArray
    chi2: FloatArray
    p_value: FloatArray
    outlier: NDArray[np.bool_]
    direction: NDArray[np.str_]


def _last_points(*xs: ArrayLike) -> tuple[FloatArray, ...]:
    """The last ``RECENT_TREND_POINTS`` periods (last axis) of each input, broadcast together."""
    arrays = np.broadcast_arrays(*(_f(x) for x in xs))
    if arrays[0].ndim == 0 or arrays[0].shape[-1] < RECENT_TREND_POINTS:
        raise ValueError(f"a recent trend needs at least {RECENT_TREND_POINTS} periods")
    return tuple(a[..., -RECENT_TREND_POINTS:] for a in arrays)


def _leave_one_out(weights: FloatArray, y: FloatArray) -> FloatArray:
    """Weighted least-squares slopes of y on t = 1..k with each point left out in turn.

    Returns shape ``(..., k)``: entry j is the slope without point j (Fingertips' outlier
    check, ``NoOutliersCheck``: the slope must keep its sign whichever point is left out).
    """
    k = y.shape[-1]
    keep = ~np.eye(k, dtype=bool)  # row j: every point but j
    w = weights[..., None, :] * keep
    return _wls_slope(w, y[..., None, :])


def _wls_slope(w: FloatArray, y: FloatArray) -> FloatArray:
    """Weighted least-squares slope of y on t = 1..k (last axis), weights w:
    beta = (S1 Syt - St Sy) / (S1 Stt - St^2), S1 = sum w, St = sum w t, Sy = sum w y, ..."""
    t = np.arange(1, y.shape[-1] + 1, dtype=np.float64)
    s1 = w.sum(axis=-1)
    st = (w * t).sum(axis=-1)
    sy = (w * y).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (s1 * (w * y * t).sum(axis=-1) - st * sy) / (s1 * (w * t * t).sum(axis=-1) - st**2)


def _recent_trend(
    slope: FloatArray, loo: FloatArray, chi2: FloatArray, valid: NDArray[np.bool_]
) -> RecentTrend:
    """The marker from the slope, the leave-one-out slopes and chi2 (Fingertips' rule: a
    negative slope counts as decreasing, any other as increasing, in the outlier check)."""
    negative = slope < 0
    outlier = valid & ((loo < 0) != negative[..., None]).any(axis=-1)
    critical = z_value(RECENT_TREND_CONFIDENCE) ** 2
    with np.errstate(invalid="ignore"):
        significant = valid & (chi2 > critical) & ~outlier
    increasing, decreasing, no_change, cannot = RECENT_TREND_LABELS
    direction = np.select(
        [~valid, significant & negative, significant],
        [cannot, decreasing, increasing],
        default=no_change,
    )
    nan = np.where(valid, 1.0, np.nan)
    return RecentTrend(
        *_arrays(
            slope * nan,
            chi2 * nan,
            chi2_dist.sf(chi2, 1) * nan,
            outlier,
            np.asarray(direction, dtype=f"<U{max(map(len, RECENT_TREND_LABELS))}"),
        )
    )


def recent_trend_proportion(x: ArrayLike, n: ArrayLike) -> RecentTrend:
    """Fingertips' recent trend of a proportion: the chi-squared test for trend over its most
    recent five points (OHID, *Fingertips trend markers*, public health technical guidance,
    fingertips.phe.org.uk/static-reports/public-health-technical-guidance/Presentation/
    Trend_markers.html: one method "for proportions", which needs a numerator and denominator,
    and one for every other indicator type; as Fingertips' ``TrendMarkerCalculator.
    IsSignificantForProportions`` (fingertips-open) and PHEindicatormethods
    ``calculate_trend_logistic_regression``).

    With counts r_i of n_i at times t_i = 1..5, N = sum n_i, R = sum r_i:

    - chi2 = N (N sum r_i t_i - R sum n_i t_i)^2 / (R (N - R) (N sum n_i t_i^2 - (sum n_i t_i)^2)),
      the Cochran-Armitage chi-square for trend (Cochran 1954; Armitage 1955), 1 d.f.;
    - slope: the least-squares gradient of logit(r_i / n_i) = log(r_i / (n_i - r_i)) on t_i
      (unweighted, as Fingertips), which gives the direction, and the same gradient with each
      point left out, which must keep its sign (no outlier);
    - significant when chi2 > 9.5495 (the 99.8% level) with no outlier.

    Periods are on the last axis (the most recent five are used, oldest first); leading axes
    are series. A series with a count of 0 or equal to its denominator in the window cannot be
    calculated (the logit is undefined: Fingertips refuses count = denominator, "possible
    divide by zero"), nor one with a missing, negative or impossible count or denominator.
    """
    r, n_ = _last_points(x, n)
    with np.errstate(invalid="ignore"):
        valid = ((r > 0) & (r < n_)).all(axis=-1)
    r = np.where(valid[..., None], r, 0.5)  # placeholders keep invalid series finite
    n_ = np.where(valid[..., None], n_, 1.0)
    t = np.arange(1, RECENT_TREND_POINTS + 1, dtype=np.float64)
    big_n, big_r = n_.sum(axis=-1), r.sum(axis=-1)
    snt = (n_ * t).sum(axis=-1)
    chi2 = (
        big_n
        * (big_n * (r * t).sum(axis=-1) - big_r * snt) ** 2
        / (big_r * (big_n - big_r) * (big_n * (n_ * t * t).sum(axis=-1) - snt**2))
    )
    logit = np.log(r / (n_ - r))
    ones = np.ones_like(logit)
    return _recent_trend(_wls_slope(ones, logit), _leave_one_out(ones, logit), chi2, valid)


def recent_trend_weighted(
    value: ArrayLike, lower: ArrayLike, upper: ArrayLike, z: float = FINGERTIPS_Z95
) -> RecentTrend:
    """Fingertips' recent trend of any other value type with confidence limits (rates among
    them): weighted least-squares regression of the value on time over its most recent five
    points (OHID, *Fingertips trend markers*, public health technical guidance, the method for
    "every other indicator type", whose values "must have confidence intervals"; as
    Fingertips' ``TrendMarkerCalculator.IsSignificant`` (fingertips-open) and
    PHEindicatormethods ``calculate_trend_weighted_regression``).

    With values x_i at t_i = 1..5 and sigma_i = (upper_i - lower_i) / (2 z) from the 95% limits
    (Fingertips divides their width by 3.92: z = 1.96, ``FINGERTIPS_Z95``), weights
    w_i = 1 / sigma_i^2:

    - slope beta = (S1 Sxt - St Sx) / (S1 Stt - St^2), S1 = sum w_i, St = sum w_i t_i,
      Sx = sum w_i x_i, Sxt = sum w_i x_i t_i, Stt = sum w_i t_i^2;
    - var(beta) = S1 / (S1 Stt - St^2); chi2 = beta^2 / var(beta), 1 d.f.;
    - the slope with each point left out must keep its sign (no outlier);
    - significant when chi2 > 9.5495 (the 99.8% level) with no outlier.

    chi2 does not depend on the scale the value is shown on (a multiplier scales beta and its
    standard error alike). Periods on the last axis (the most recent five, oldest first). A
    series with a missing value or limit, or limits of no width, cannot be calculated.
    """
    v, lo, up = _last_points(value, lower, upper)
    with np.errstate(invalid="ignore"):
        valid = (np.isfinite(v) & np.isfinite(lo) & np.isfinite(up) & (up > lo)).all(axis=-1)
    sigma = np.where(valid[..., None], (up - lo) / (2.0 * z), 1.0)
    v = np.where(valid[..., None], v, 0.0)
    w = 1.0 / sigma**2
    t = np.arange(1, RECENT_TREND_POINTS + 1, dtype=np.float64)
    s1, st, stt = w.sum(axis=-1), (w * t).sum(axis=-1), (w * t * t).sum(axis=-1)
    slope = _wls_slope(w, v)
    chi2 = slope**2 * (s1 * stt - st**2) / s1
    return _recent_trend(slope, _leave_one_out(w, v), chi2, valid)


# --------------------------------------------------------------------------------------------
# Survival: Kaplan-Meier cumulative incidence
# --------------------------------------------------------------------------------------------
def kaplan_meier_incidence(
    time: ArrayLike,
    event: ArrayLike,
    at: ArrayLike,
    confidence: float = 0.95,
    closed: bool = True,
) -> Estimate:
    """Kaplan-Meier cumulative incidence F(t) = 1 - S(t) at each time of ``at``, with
    Greenwood's variance and log-log limits.

    ``time``: each person's time to the event or to censoring (one per person, >= 0);
    ``event``: True where the time is an event, False where it is censored. At a time where
    events and censorings are tied the events come first (the censored are still at risk),
    Kaplan & Meier's convention.

    - S(t) = prod over event times u <= t of (1 - d_u / n_u), with d_u events at u and n_u
      people whose time is u or later (Kaplan & Meier 1958, *J Am Stat Assoc* 53:457-481);
    - Greenwood's variance: Var S(t) = S(t)^2 * sum_{u <= t} d_u / (n_u (n_u - d_u))
      (Greenwood 1926, *The natural duration of cancer*, Reports on Public Health and Medical
      Subjects 33, HMSO); Var F(t) = Var S(t);
    - log-log limits, which stay inside (0, 1): with v = sum d_u / (n_u (n_u - d_u)) /
      (log S)^2, S(t)^exp(+z sqrt v) and S(t)^exp(-z sqrt v) bound S(t), and one minus them
      F(t) (Kalbfleisch & Prentice 2002, *The Statistical Analysis of Failure Time Data*, 2nd
      ed., section 1.4; Collett 2015, *Modelling Survival Data in Medical Research*, 3rd ed.,
      section 2.2; R survival's ``survfit(conf.type = "log-log")``).

    ``closed=False`` gives F(t-) = P(T < t): the events at exactly ``t`` are left out (the
    cohorts' "within 12 months" is before the day 12 calendar months after entry).

    F is 0 with NaN limits before any event, and 1 with NaN limits once everyone at risk has
    had the event (the log-log transform is undefined where S is 0 or 1; R gives NA too). No
    one at all (or NaN in ``time``) gives NaN throughout. Returns an ``Estimate`` of F at each
    point of ``at``.
    """
    z = z_value(confidence)
    t = _f(time).ravel()
    e = np.asarray(event, dtype=bool).ravel()
    points = _f(at)
    if t.shape != e.shape:
        raise ValueError("time and event must have one value per person")
    nan = np.full(points.shape, np.nan)
    if t.size == 0 or np.isnan(t).any():
        return Estimate(nan, nan.copy(), nan.copy())
    order = np.sort(t)
    times, counts = np.unique(t[e], return_counts=True)
    deaths = counts.astype(np.float64)
    at_risk = (t.size - np.searchsorted(order, times, side="left")).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = 1.0 - deaths / at_risk
        terms = deaths / (at_risk * (at_risk - deaths))
    side = "right" if closed else "left"
    upto = np.searchsorted(times, points.ravel(), side=side)
    survival = np.concatenate(([1.0], np.cumprod(factors)))[upto]
    greenwood = np.concatenate(([0.0], np.cumsum(terms)))[upto]
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(greenwood) / np.abs(np.log(survival))
        inside = (survival > 0.0) & (survival < 1.0) & np.isfinite(greenwood)
        lower_s = np.where(inside, survival ** np.exp(spread), np.nan)
        upper_s = np.where(inside, survival ** np.exp(-spread), np.nan)
    shape = points.shape
    value = (1.0 - survival).reshape(shape)
    return Estimate(*_arrays(value, (1.0 - upper_s).reshape(shape), (1.0 - lower_s).reshape(shape)))


def kaplan_meier_incidence_by_group(
    group: ArrayLike,
    time: ArrayLike,
    event: ArrayLike,
    at: ArrayLike,
    groups: int,
    confidence: float = 0.95,
    closed: bool = True,
) -> Estimate:
    """``kaplan_meier_incidence`` of each of ``groups`` groups at once: row g of each array of
    the result (groups x len(at)) is the estimate of the people whose ``group`` is g (0 to
    groups - 1), equal to ``kaplan_meier_incidence`` of them alone, float for float.

    Why: the cohorts estimate thousands of small groups (local authority x outcome x IMD
    quintile) a year, and a call per group costs more than the arithmetic. The people are
    sorted once by group and time; each group's event times make a row of a table, padded
    after its last event time with a factor of 1 and a Greenwood term of 0 (which leave a
    product and a sum as they are), so that numpy's running product and sum along a row take
    the same steps, in the same order, as ``kaplan_meier_incidence`` takes for that group.

    A group with no one, or with NaN in ``time``, gives NaN throughout, as one call would.
    """
    z = z_value(confidence)
    g = np.asarray(group, dtype=np.int64).ravel()
    t = _f(time).ravel()
    e = np.asarray(event, dtype=bool).ravel()
    points = _f(at).ravel()
    if not (g.shape == t.shape == e.shape):
        raise ValueError("group, time and event must have one value per person")
    if g.size and (g.min() < 0 or g.max() >= groups):
        raise ValueError("group must be a number from 0 to groups - 1")
    people = np.bincount(g, minlength=groups)
    unusable = (people == 0) | (np.bincount(g, weights=np.isnan(t), minlength=groups) > 0)
    keep = ~unusable[g]
    g, t, e = g[keep], t[keep], e[keep]
    # (group, time) as one integer key, ordered by group then time: exact, unlike a float key
    # each time's place among the distinct times, as unique's inverse (no second search)
    values, place = np.unique(t, return_inverse=True)
    width = values.size + 1
    key = g * width + place.reshape(-1)
    ordered = np.sort(key)
    event_keys, counts = np.unique(key[e], return_counts=True)
    event_group, event_time = event_keys // width, values[event_keys % width]
    deaths = counts.astype(np.float64)
    group_end = np.searchsorted(ordered, (event_group + 1) * width, side="left")
    at_risk = (group_end - np.searchsorted(ordered, event_keys, side="left")).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = 1.0 - deaths / at_risk
        terms = deaths / (at_risk * (at_risk - deaths))
    # each group's event times in a row of the table, in order
    first = np.searchsorted(event_group, np.arange(groups), side="left")
    column = np.arange(event_group.size) - first[event_group]
    length = int(column.max()) + 1 if column.size else 0
    factor_rows = np.ones((groups, length))
    term_rows = np.zeros((groups, length))
    time_rows = np.full((groups, length), np.inf)
    factor_rows[event_group, column] = factors
    term_rows[event_group, column] = terms
    time_rows[event_group, column] = event_time
    survival_rows = np.concatenate((np.ones((groups, 1)), np.cumprod(factor_rows, axis=1)), axis=1)
    greenwood_rows = np.concatenate((np.zeros((groups, 1)), np.cumsum(term_rows, axis=1)), axis=1)
    # how many of a group's event times come before (or at, when closed) each point
    reached = time_rows[:, :, None] <= points if closed else time_rows[:, :, None] < points
    upto = reached.sum(axis=1)
    rows = np.arange(groups)[:, None]
    survival = survival_rows[rows, upto]
    greenwood = greenwood_rows[rows, upto]
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(greenwood) / np.abs(np.log(survival))
        inside = (survival > 0.0) & (survival < 1.0) & np.isfinite(greenwood)
        lower_s = np.where(inside, survival ** np.exp(spread), np.nan)
        upper_s = np.where(inside, survival ** np.exp(-spread), np.nan)
    value, lower, upper = 1.0 - survival, 1.0 - upper_s, 1.0 - lower_s
    for figure in (value, lower, upper):
        figure[unusable] = np.nan
    return Estimate(*_arrays(value, lower, upper))
