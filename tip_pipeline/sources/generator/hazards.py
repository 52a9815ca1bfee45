"""Shared risk model: how deprivation, the latent toxic trio, age and sex shift each child's
chance of contact with a service. One function per idea, used by every service module, so that
the services overlap for the same reasons (frailty and the trio are shared)."""

from __future__ import annotations

import numpy as np

from tip_pipeline.sources.generator.population import Universe


def deprivation(decile: np.ndarray, slope: float = 0.16) -> np.ndarray:
    """Relative risk by national IMD decile (1 = most deprived): about 4x between decile 1
    and decile 10 for slope 0.16, before the trio and frailty add their own gradient."""
    return np.exp(slope * (5.5 - np.asarray(decile, dtype=float)))


def trio(uni: Universe, da: float, mh: float, sm: float) -> np.ndarray:
    return 1 + da * uni.has(0) + mh * uni.has(1) + sm * uni.has(2)


def child_weight(
    uni: Universe, decile: np.ndarray, da: float, mh: float, sm: float, slope: float = 0.16
) -> np.ndarray:
    """Frailty x deprivation x trio: the part of a child's risk that does not change with age."""
    return (uni.frailty * deprivation(decile[uni.lsoa], slope) * trio(uni, da, mh, sm)).astype(
        "float64"
    )
