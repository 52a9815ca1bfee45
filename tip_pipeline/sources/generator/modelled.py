"""The modelled toxic-trio table (``ref_modelled_rates``) and each child's latent household
state drawn from it.

For each age band and national IMD quintile the table gives the share of children living with
each of the 8 combinations of domestic abuse, parental mental ill-health and parental substance
misuse (docs/CONVENTIONS.md, "Modelled and recorded prevalence"). The combinations come from one
joint model, not from independence: each factor is a logistic function of deprivation, age
band and a shared latent household-adversity score z ~ N(0, 1) (integrated out by
Gauss-Hermite quadrature), so the factors are positively correlated and "all three" is far
commoner than the product of the three marginals. Slopes are fixed; the three intercepts and
three loadings on z are fitted (Levenberg-Marquardt) so that, applied to the deployment's own
child population, the table reproduces the seed slide: any 19.8%, all three 1.2%, domestic
abuse 7.3%, substance misuse 5%, mental health 15%.

The source estimates are published as a central figure with a lower and an upper estimate; the
synthetic file carries both ends too, each its own joint table fitted the same way to the
central targets scaled by ``RANGE_FACTORS``. These factors are this generator's assumption
about the published width (a synthetic stand-in, like the rest of the file), not a sourced
figure: replace them with the source's own lower and upper rates when the real table is used.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from tip_pipeline.sources.generator.config import TARGETS

AGE_BAND_EDGES = (0, 5, 10, 16, 18)  # 0-4, 5-9, 10-15, 16-17
#: combination index c: bit 4 domestic abuse, bit 2 parental mental health, bit 1 substance
#: misuse (the contract's column order).
COMBOS = np.array([[(c >> 2) & 1, (c >> 1) & 1, c & 1] for c in range(8)])
#: logit change per quintile step towards the most deprived (quintile 1)
_BETA = np.array([0.45, 0.26, 0.42])
#: logit change by age band (rows: domestic abuse, mental health, substance misuse)
_GAMMA = np.array(
    [[0.15, 0.05, -0.05, -0.15], [-0.10, 0.00, 0.05, 0.10], [0.10, 0.05, -0.05, -0.10]]
)
#: lower and upper estimates as multiples of the central one (assumed width; see above)
RANGE_FACTORS = (0.75, 1.30)
_Z, _W = hermegauss(24)
_W = _W / _W.sum()


def age_band(age: np.ndarray) -> np.ndarray:
    """Band index 0-3 of ages 0-17 (older ages fall in the last band)."""
    return np.clip(np.searchsorted(AGE_BAND_EDGES, age, side="right") - 1, 0, 3)


def joint_shares(theta: np.ndarray) -> np.ndarray:
    """Shares, shape (4 bands, 5 quintiles, 8 combinations), for parameters ``theta``
    (3 intercepts, 3 log-loadings)."""
    alpha, lam = theta[:3], np.exp(theta[3:])
    q = np.arange(1, 6)
    logit = (
        alpha[:, None, None, None]
        + _BETA[:, None, None, None] * (3 - q)[None, None, :, None]
        + _GAMMA[:, :, None, None]
        + lam[:, None, None, None] * _Z[None, None, None, :]
    )  # (factor, band, quintile, node)
    p = 1 / (1 + np.exp(-logit))
    out = np.empty((4, 5, 8))
    for c, bits in enumerate(COMBOS):
        prob = np.ones(p.shape[1:])
        for f in range(3):
            prob = prob * (p[f] if bits[f] else 1 - p[f])
        out[:, :, c] = prob @ _W
    return out


def summary(shares: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(domestic abuse, mental health, substance misuse, any, all three) for a population
    with ``weights`` (4 bands x 5 quintiles, children counts)."""
    w = weights / weights.sum()
    combo = np.einsum("bq,bqc->c", w, shares)
    marg = combo @ COMBOS
    return np.array([marg[0], marg[1], marg[2], 1 - combo[0], combo[7]])


def _target_vector() -> np.ndarray:
    t = TARGETS
    return np.array(
        [
            t.domestic_abuse,
            t.parental_mental_health,
            t.parental_substance_misuse,
            t.trio_any,
            t.trio_all,
        ]
    )


def fit(weights: np.ndarray, iterations: int = 60, scale: float = 1.0) -> np.ndarray:
    """Fitted shares (4, 5, 8) for a population with ``weights`` (4 bands x 5 quintiles),
    reproducing the seed slide's figures times ``scale``."""
    target = _target_vector() * scale
    logit = np.log(target[:3] / (1 - target[:3]))
    theta = np.concatenate([logit - 0.5, np.log([1.6, 1.3, 1.6])])
    damping = 1e-3
    for _ in range(iterations):
        resid = summary(joint_shares(theta), weights) - target
        if np.abs(resid).max() < 1e-7:
            break
        jac = np.empty((5, 6))
        for j in range(6):
            step = np.zeros(6)
            step[j] = 1e-6
            jac[:, j] = (summary(joint_shares(theta + step), weights) - target - resid) / 1e-6
        # Levenberg-Marquardt step on a scaled problem (relative errors).
        scale = 1 / target
        a = (jac * scale[:, None]).T @ (jac * scale[:, None])
        g = (jac * scale[:, None]).T @ (resid * scale)
        theta = theta - np.linalg.solve(a + damping * np.diag(np.diag(a) + 1e-9), g)
    return joint_shares(theta)


def fit_range(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper estimates' joint tables (each (4, 5, 8), summing to 1)."""
    low, high = RANGE_FACTORS
    return fit(weights, scale=low), fit(weights, scale=high)


def draw_combos(
    rng: np.random.Generator, shares: np.ndarray, band: np.ndarray, quintile: np.ndarray
) -> np.ndarray:
    """Each child's combination index (0-7) drawn from its band and quintile's shares."""
    cum = np.cumsum(shares, axis=2)[band, quintile - 1]  # (n, 8)
    u = rng.random(band.size)
    return np.minimum((u[:, None] >= cum[:, :7]).sum(axis=1), 7).astype("int8")
