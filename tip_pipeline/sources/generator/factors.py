"""Factors identified at the end of assessment (CIN census), as comma-separated code lists.

Recorded toxic-trio factors are drawn from the child's *latent* household state with an
identification probability well below one, so recorded prevalence sits far below the modelled
prevalence: the hidden need that docs/DOMAIN.md describes. Other factors are age-patterned. An
assessment with no factor gets "21" alone (DfE rule 8869), and no factor appears twice (8898).
"""

from __future__ import annotations

import numpy as np

from tip_pipeline.sources import codes

_INDEX = {c: i for i, c in enumerate(codes.ASSESSMENT_FACTORS)}
#: (code, probability for ages 0-9, probability for ages 10-17)
_OTHER = (
    ("16A", 0.20, 0.12),
    ("17A", 0.16, 0.16),
    ("4A", 0.02, 0.16),
    ("14A", 0.00, 0.06),
    ("10A", 0.00, 0.05),
    ("11A", 0.00, 0.03),
    ("24A", 0.00, 0.03),
    ("13A", 0.00, 0.01),
    ("5A", 0.04, 0.04),
    ("6A", 0.04, 0.03),
    ("18C", 0.05, 0.04),
    ("18B", 0.01, 0.02),
    ("19C", 0.02, 0.02),
    ("19B", 0.00, 0.01),
    ("7A", 0.00, 0.01),
    ("15A", 0.00, 0.04),
    ("20", 0.06, 0.06),
    ("5B", 0.02, 0.02),
    ("6B", 0.03, 0.03),
    ("9A", 0.00, 0.004),
    ("12A", 0.00, 0.002),
    ("22A", 0.001, 0.001),
    ("23A", 0.002, 0.002),
    ("8B", 0.00, 0.002),
)


def draw(
    rng: np.random.Generator,
    latent: np.ndarray,  # (n, 3) bool: domestic abuse, mental health, substance misuse
    age: np.ndarray,
    identify: float = 1.0,
) -> np.ndarray:
    """One factor string per assessment."""
    n = age.size
    on = np.zeros((n, len(codes.ASSESSMENT_FACTORS)), dtype=bool)
    u = rng.random((n, 8))

    def set_(code: str, mask: np.ndarray) -> None:
        on[:, _INDEX[code]] |= mask

    da = np.where(latent[:, 0], u[:, 0] < 0.85 * identify, u[:, 0] < 0.06)
    split = u[:, 1]
    set_("3B", da & (split < 0.6))
    set_("3A", da & (split >= 0.6) & (split < 0.75))
    set_("3C", da & (split >= 0.75))
    mh = np.where(latent[:, 1], u[:, 2] < 0.75 * identify, u[:, 2] < 0.07)
    set_("4B", mh & (u[:, 3] < 0.85))
    set_("4C", mh & (u[:, 3] >= 0.85))
    sm = np.where(latent[:, 2], u[:, 4] < 0.75 * identify, u[:, 4] < 0.04)
    other_adult = u[:, 6] < 0.15
    set_("1B", sm & ~other_adult & (u[:, 5] < 0.55))
    set_("2B", sm & ~other_adult & (u[:, 5] >= 0.4))
    set_("1C", sm & other_adult & (u[:, 5] < 0.5))
    set_("2C", sm & other_adult & (u[:, 5] >= 0.5))
    teen = age >= 10
    probs = np.array([[p_young, p_teen] for _, p_young, p_teen in _OTHER])
    draws = rng.random((n, len(_OTHER))) < probs[:, teen.astype(int)].T
    for j, (code, _, _) in enumerate(_OTHER):
        set_(code, draws[:, j])
    none = ~on.any(axis=1)
    on[none, _INDEX[codes.FACTOR_NONE]] = True
    return to_strings(on)


def to_strings(on: np.ndarray) -> np.ndarray:
    """Boolean matrix (n, codes) -> "3B,4B" strings in code-list order (via unique patterns,
    so that millions of assessments cost only as many joins as there are distinct sets)."""
    key = np.zeros(on.shape[0], dtype=np.int64)
    for j in range(on.shape[1]):  # 42 codes fit in one int64 bit pattern
        key |= on[:, j].astype(np.int64) << j
    patterns, inverse = np.unique(key, return_inverse=True)
    names = np.asarray(codes.ASSESSMENT_FACTORS)
    labels = np.array(
        [",".join(names[(int(p) >> np.arange(names.size)) & 1 == 1]) for p in patterns],
        dtype=object,
    )
    return labels[inverse.ravel()]
