"""Tests for tip_pipeline.stats.kaplan_meier_incidence (Kaplan-Meier cumulative incidence with
Greenwood's variance and log-log limits).

In a file of their own: test_stats.py is skipped whole where the test-only PHStatsMethods is
missing, and these need nothing but numpy.

The textbook case is the 6-MP arm of Freireich et al.'s leukaemia trial (remission in weeks,
+ censored: 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+; Gehan 1965,
used by Kalbfleisch & Prentice 2002 and Collett 2015, and as ``gehan`` in R's MASS). The
survival and 95% log-log limits are those R's ``survfit(Surv(time, cens) ~ 1,
conf.type = "log-log")`` prints for it, to its three decimals.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tip_pipeline.stats import kaplan_meier_incidence

SIX_MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
#: time: survival, lower and upper 95% log-log limits of S (R survival)
SIX_MP_R = {
    6: (0.857, 0.620, 0.952),
    7: (0.807, 0.563, 0.923),
    10: (0.753, 0.503, 0.889),
    13: (0.690, 0.432, 0.849),
    16: (0.627, 0.368, 0.805),
    22: (0.538, 0.268, 0.747),
    23: (0.448, 0.188, 0.680),
}


def _six_mp(at, **kwargs):
    return kaplan_meier_incidence(SIX_MP_TIMES, np.array(SIX_MP_EVENT, bool), at, **kwargs)


def test_textbook_six_mp_matches_r_survfit_log_log():
    times = list(SIX_MP_R)
    got = _six_mp(times)
    for i, t in enumerate(times):
        survival, lower, upper = SIX_MP_R[t]
        assert 1 - got.value[i] == pytest.approx(survival, abs=5e-4)
        # the incidence's limits are one minus the survival's, swapped
        assert 1 - got.upper[i] == pytest.approx(lower, abs=5e-4)
        assert 1 - got.lower[i] == pytest.approx(upper, abs=5e-4)


def test_hand_computed_small_cohort():
    """Times 1, 2+, 3, 3, 4+: n 5 at 1 (1 event), 3 at 3 (2 events).
    S(1) = 4/5; S(3) = 4/5 * 1/3 = 4/15. Greenwood sum at 3: 1/(5*4) + 2/(3*1) = 0.05 + 2/3.
    Log-log: v = sum / (log S)^2, limits S^exp(+-z sqrt v)."""
    got = kaplan_meier_incidence([1, 2, 3, 3, 4], np.array([1, 0, 1, 1, 0], bool), [0.5, 1, 3, 9])
    s3 = 4 / 15
    assert got.value.tolist() == pytest.approx([0.0, 0.2, 1 - s3, 1 - s3])
    z = 1.959963984540054
    for i, (s, g) in enumerate([(0.8, 0.05), (s3, 0.05 + 2 / 3)]):
        spread = z * math.sqrt(g) / abs(math.log(s))
        assert got.upper[i + 1] == pytest.approx(1 - s ** math.exp(spread))
        assert got.lower[i + 1] == pytest.approx(1 - s ** math.exp(-spread))


def test_before_any_event_incidence_is_zero_with_no_limits():
    got = kaplan_meier_incidence([5, 6], np.array([0, 1], bool), [1, 5])
    assert got.value.tolist() == [0.0, 0.0]
    assert np.isnan(got.lower).all() and np.isnan(got.upper).all()


def test_everyone_has_the_event_incidence_is_one_with_no_limits():
    got = kaplan_meier_incidence([1, 2], np.array([1, 1], bool), [2])
    assert got.value.tolist() == [1.0]
    assert np.isnan(got.lower[0]) and np.isnan(got.upper[0])


def test_ties_events_come_before_censorings():
    """A censoring tied with an event is still at risk at it: S(2) = 1 - 1/2, not 1 - 1/1."""
    got = kaplan_meier_incidence([2, 2], np.array([1, 0], bool), [2])
    assert got.value.tolist() == [0.5]


def test_open_interval_leaves_out_events_at_the_point():
    """closed=False is P(T < t): an event at exactly 12 is not within 12."""
    time, event = [12, 20, 30], np.array([1, 1, 0], bool)
    assert kaplan_meier_incidence(time, event, [12]).value.tolist() == pytest.approx([1 / 3])
    assert kaplan_meier_incidence(time, event, [12], closed=False).value.tolist() == [0.0]
    assert kaplan_meier_incidence(time, event, [24], closed=False).value.tolist() == (
        pytest.approx([2 / 3])
    )


def test_limits_contain_the_estimate():
    rng = np.random.default_rng(7)
    time = rng.exponential(10, 300)
    event = rng.random(300) < 0.7
    got = kaplan_meier_incidence(time, event, [2, 5, 10, 20])
    assert np.all(got.lower <= got.value) and np.all(got.value <= got.upper)
    assert np.all(np.diff(got.value) >= 0)


def test_no_one_gives_nan():
    got = kaplan_meier_incidence([], np.array([], bool), [12, 24])
    assert np.isnan(got.value).all()


def test_time_and_event_must_match():
    with pytest.raises(ValueError, match="one value per person"):
        kaplan_meier_incidence([1, 2], np.array([True]), [1])
