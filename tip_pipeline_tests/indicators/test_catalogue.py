"""The catalogue: every declaration complete, every numerator registered, methods as CONVENTIONS."""

from dataclasses import replace

import pytest

from tip_pipeline.indicators.catalogue import (
    CATALOGUE,
    ETHNIC_DENOMINATOR_NOTE,
    children,
    dim_indicator_frame,
    indicator,
)
from tip_pipeline.indicators.numerator_registry import numerator_names
from tip_pipeline.sources.codes import BENCHMARK_MEASURES
from tip_pipeline.warehouse.schema import dim_indicator


def test_every_indicator_has_a_registered_numerator_and_a_known_benchmark():
    registered = set(numerator_names())
    for ind in CATALOGUE:
        assert ind.numerator_name in registered
        assert (
            ind.denominator.numerator_name is None or ind.denominator.numerator_name in registered
        )
        assert ind.benchmark_measure is None or ind.benchmark_measure in BENCHMARK_MEASURES
    mapped = {i.benchmark_measure for i in CATALOGUE if i.benchmark_measure}
    assert mapped == set(BENCHMARK_MEASURES)  # every published measure has its indicator


def test_distinct_children_are_proportions_events_are_rates():
    kinds = {i.id: i.kind for i in CATALOGUE}
    events = ("cin_referrals", "s47_enquiries", "icpcs_after_s47")
    assert all(kinds[i] == "rate" for i in events)
    assert all(k == "proportion" for i, k in kinds.items() if i not in events)


def test_dim_indicator_rows_fill_the_table():
    frame = dim_indicator_frame()
    assert len(frame) == len(CATALOGUE)
    required = {c.name for c in dim_indicator.columns if not c.nullable} - {"run_id", "loaded_at"}
    assert required <= set(frame.columns)
    assert frame[list(required)].notna().all().all()
    row = frame.set_index("indicator_id").loc["yj_first_time_entrants"]
    assert row["unit"] == "per 100,000 children aged 10-17" and row["age_min"] == 10


def test_ethnic_group_denominator_is_census_2021_and_said_so():
    """Population indicators broken down by ethnic group take their group denominators from
    Census 2021 and say so in the published notes; the others do not."""
    frame = dim_indicator_frame().set_index("indicator_id")
    for ind in CATALOGUE:
        census = "ethnic_group" in ind.breakdowns and ind.denominator.ages is not None
        assert ind.census_denominator == census, ind.id
        assert (ETHNIC_DENOMINATOR_NOTE in (frame.loc[ind.id, "notes"] or "")) == census
    assert indicator("cla_31mar").census_denominator
    assert not indicator("homeless_domestic_abuse_share").census_denominator
    assert "Census 2021" in ETHNIC_DENOMINATOR_NOTE


def test_an_ethnic_breakdown_needs_whole_census_age_bands():
    with pytest.raises(ValueError, match="whole DfE age bands"):
        replace(indicator("yj_outcome"), denominator=children(11, 17))
    no_ethnicity = tuple(b for b in indicator("yj_outcome").breakdowns if b != "ethnic_group")
    replace(indicator("yj_outcome"), denominator=children(11, 17), breakdowns=no_ethnicity)
