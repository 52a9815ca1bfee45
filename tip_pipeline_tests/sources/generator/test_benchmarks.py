"""The benchmark file: the outcome measures drawn each from a stream of its own, leaving the
rates per child population bit for bit as they were, and England's figures near DfE's."""

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import benchmarks, geography, outcome_benchmarks
from tip_pipeline.sources.generator.config import SCALE_SPECS, window
from tip_pipeline.sources.generator.measures import MEASURES
from tip_pipeline.sources.generator.randomness import stream

SEED = 5
WIN = window("2022/23", "2023/24")


@pytest.fixture(scope="module")
def inputs():
    """The national model at small scale, its children per LSOA and made-up numerators of the
    rates per child population (their values do not matter here, only that they are fixed)."""
    geo = geography.build(SCALE_SPECS["small"], stream(SEED, "geography"))
    children = np.outer(np.ones(len(WIN.years)), geo.child_mean)
    youths = children * 8 / 18
    made_up = np.random.default_rng(0)
    numerators = {m: made_up.poisson(children * 0.01) for m in MEASURES}
    return geo, children, youths, numerators


def _files(inputs, outcomes) -> dict[str, pd.DataFrame]:
    geo, children, youths, numerators = inputs
    rng = stream(SEED, "benchmarks")
    return benchmarks.build(geo, WIN, numerators, children, youths, rng, SEED, outcomes)


def _rows(files: dict[str, pd.DataFrame], measures) -> dict[str, pd.DataFrame]:
    return {
        year: frame[frame["measure"].isin(measures)].reset_index(drop=True)
        for year, frame in files.items()
    }


def test_outcome_measures_leave_the_population_rates_bitwise_identical(inputs):
    """The rates per child population are those of a file without any outcome measure: the
    same strings, in the same order (the file as it was before the outcome measures)."""
    without = _files(inputs, {})
    with_all = _files(inputs, outcome_benchmarks.MODELS)
    assert set(without["2023/24"]["measure"]) == set(MEASURES)
    for year, frame in _rows(with_all, MEASURES).items():
        pd.testing.assert_frame_equal(frame, without[year])
    assert set(with_all["2023/24"]["measure"]) == set(codes.BENCHMARK_MEASURES)


def test_each_outcome_measure_draws_from_its_own_stream(inputs):
    """A measure's figures do not depend on which other outcome measures are drawn."""
    alone = {"cla_missing": outcome_benchmarks.MODELS["cla_missing"]}
    with_all = _rows(_files(inputs, outcome_benchmarks.MODELS), ["cla_missing"])
    for year, frame in _rows(_files(inputs, alone), ["cla_missing"]).items():
        pd.testing.assert_frame_equal(frame, with_all[year])


def test_england_figures_are_near_dfes_and_regions_sum_their_authorities(inputs):
    files = _files(inputs, outcome_benchmarks.MODELS)
    frame = files["2023/24"]
    for measure, model in outcome_benchmarks.MODELS.items():
        rows = frame[frame["measure"] == measure]
        england = rows[rows["geographic_level"] == "National"].iloc[0]
        value = float(england["value"])
        if model.units is None:  # a rate per 10,000: within 10%
            assert abs(value / model.value - 1) < 0.1, measure
        else:  # a percentage: within 3 points
            assert abs(value - model.value) < 3, measure
            # and England's denominator is about its count of units
            assert abs(int(england["denominator"]) / model.units - 1) < 0.1, measure
        las = rows[rows["geographic_level"] == "Local authority"]
        assert int(england["numerator"]) == las["numerator"].astype(int).sum()
        if model.units is not None:  # a share's numerator is part of its denominator
            assert (las["numerator"].astype(int) <= las["denominator"].astype(int)).all()


def test_authorities_differ_but_stay_plausible(inputs):
    frame = _files(inputs, outcome_benchmarks.MODELS)["2023/24"]
    las = frame[frame["geographic_level"] == "Local authority"]
    shares = las[las["measure"] == "assessments_within_45_days"]["value"].astype(float)
    assert shares.std() > 1  # authorities differ ...
    assert shares.between(50, 100).all()  # ... within what a share of assessments can be
    assert las[las["measure"] == "s47_enquiries"]["value"].astype(float).between(20, 600).all()


def test_every_outcome_measure_has_its_england_model():
    assert set(outcome_benchmarks.MODELS) == set(codes.OUTCOME_BENCHMARK_MEASURES)
    assert not set(codes.OUTCOME_BENCHMARK_MEASURES) & set(codes.POPULATION_BENCHMARK_MEASURES)
