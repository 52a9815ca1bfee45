"""Independent, reproducible random streams: one per named part of the generator.

Each stream is derived from the seed and a name by SHA-256 (never Python's salted ``hash``),
so that adding a draw in one part does not shift the numbers of another part and the same
arguments always give the same files.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stream(seed: int, *names: object) -> np.random.Generator:
    digest = hashlib.sha256("|".join([str(seed), *map(str, names)]).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def choice_codes(
    rng: np.random.Generator, codes: tuple[str, ...] | list[str], probs: list[float], n: int
) -> np.ndarray:
    """``n`` codes drawn with the given (renormalised) probabilities."""
    p = np.asarray(probs, dtype=float)
    return np.asarray(codes, dtype=object)[rng.choice(len(codes), size=n, p=p / p.sum())]


def weighted_sample(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct indices drawn with probability proportional to ``weights``, without
    replacement (Efraimidis-Spirakis keys: O(n), fine for millions of children)."""
    w = np.asarray(weights, dtype=float)
    positive = np.flatnonzero(w > 0)
    k = min(k, positive.size)
    if k <= 0:
        return np.empty(0, dtype="int64")
    keys = np.log(rng.random(positive.size)) / w[positive]
    top = np.argpartition(-keys, k - 1)[:k]
    return np.sort(positive[top])
