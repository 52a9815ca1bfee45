"""Reproducible random streams (``generator/randomness.py``), in the unit tier: the narrow
twin of the integration test that the same seed gives byte-identical deliveries and another
seed different ones (``test_clean.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tip_pipeline.sources.generator import geography
from tip_pipeline.sources.generator.config import SCALE_SPECS
from tip_pipeline.sources.generator.randomness import stream


def test_a_stream_depends_on_its_seed_and_names_only():
    drawn = stream(5, "faults", "cin_children_2023-24.csv").random(8)
    assert np.array_equal(drawn, stream(5, "faults", "cin_children_2023-24.csv").random(8))
    assert not np.array_equal(drawn, stream(6, "faults", "cin_children_2023-24.csv").random(8))
    assert not np.array_equal(drawn, stream(5, "faults", "cin_children_2024-25.csv").random(8))


def test_a_stream_is_pinned_by_sha256_of_its_names():
    """SHA-256 of the seed and names, never Python's ``hash`` (salted per process by
    PYTHONHASHSEED): these draws were taken in processes with different hash seeds, and any
    change to how a stream is derived changes them (and every generated file)."""
    assert stream(5, "geography").integers(0, 10**9, 4).tolist() == [
        82704232,
        96139873,
        476723605,
        768465431,
    ]


def test_the_small_geography_is_the_same_for_the_same_seed_and_differs_for_another():
    spec = SCALE_SPECS["small"]
    first, again, other = (geography.build(spec, stream(s, "geography")) for s in (5, 5, 6))
    pd.testing.assert_frame_equal(first.las, again.las)
    pd.testing.assert_frame_equal(first.wards, again.wards)
    for name in ("lsoa_code", "lsoa_ward", "score", "rank", "decile", "child_mean"):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    assert not np.array_equal(first.score, other.score)
