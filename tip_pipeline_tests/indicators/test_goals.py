"""Goals and Fingertips' "Compared to goal": the value alone against a single value or a range,
by the goal's own polarity, in Fingertips' words; a goal needs its source."""

import dataclasses
import math

import pytest

from tip_pipeline.indicators.catalogue import CATALOGUE, INDICATORS, dim_indicator_frame
from tip_pipeline.indicators.goals import (
    BETTER,
    NOT_COMPARED,
    RAG,
    SIMILAR,
    WORSE,
    Goal,
    GoalPolarity,
    compare_to_goal,
)

LOW, HIGH = GoalPolarity.LOW_IS_GOOD, GoalPolarity.HIGH_IS_GOOD
SOURCE = "Hand-made case"


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (19.9, LOW, BETTER),
        (20.0, LOW, BETTER),  # at the goal is meeting it (SingleValueTargetComparer: <=)
        (20.1, LOW, WORSE),
        (20.1, HIGH, BETTER),
        (20.0, HIGH, BETTER),  # >= for high is good
        (19.9, HIGH, WORSE),
    ],
)
def test_a_single_value_goal(value, polarity, expected):
    assert compare_to_goal(value, Goal(20.0, polarity, SOURCE)) == expected


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (9.9, LOW, BETTER),  # below the lower end
        (10.0, LOW, SIMILAR),  # the lower end is in the range (RangeTargetComparer: <)
        (14.9, LOW, SIMILAR),
        (15.0, LOW, WORSE),  # the upper end is not (>=)
        (9.9, HIGH, WORSE),
        (10.0, HIGH, SIMILAR),
        (15.0, HIGH, BETTER),
    ],
)
def test_a_range_goal(value, polarity, expected):
    assert compare_to_goal(value, Goal(10.0, polarity, SOURCE, upper=15.0)) == expected


@pytest.mark.parametrize("value", [None, math.nan, math.inf])
def test_no_value_is_not_compared(value):
    assert compare_to_goal(value, Goal(20.0, LOW, SOURCE)) == NOT_COMPARED


def test_fingertips_words_and_colours():
    assert (BETTER, SIMILAR, WORSE, NOT_COMPARED) == ("Better", "Similar", "Worse", "Not compared")
    assert RAG == {"Better": "Green", "Similar": "Amber", "Worse": "Red"}


def test_the_rule_in_plain_english():
    assert Goal(20.0, LOW, SOURCE).rule == (
        "Better at or below 20, otherwise worse (Fingertips, single value)"
    )
    assert Goal(10.0, HIGH, SOURCE, upper=15.0).rule == (
        "Better at or above 15, worse below 10, similar between (Fingertips, range)"
    )
    assert Goal(10.0, LOW, SOURCE, upper=15.0).rule == (
        "Better below 10, worse at or above 15, similar between (Fingertips, range)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((20.0, LOW, " "), "source"),
        ((20.0, LOW, SOURCE, 10.0), "upper value"),
        ((math.nan, LOW, SOURCE), "finite"),
    ],
)
def test_a_goal_without_its_source_or_with_impossible_values_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        Goal(*args)


def test_every_declared_goal_is_published_with_its_source_and_rule():
    frame = dim_indicator_frame().set_index("indicator_id")
    for ind in CATALOGUE:
        row = frame.loc[ind.id]
        if ind.goal is None:
            assert row[["goal_value", "goal_polarity", "goal_source"]].isna().all()
        else:
            assert row["goal_source"] == ind.goal.source and row["goal_rule"] == ind.goal.rule


def test_declaring_a_goal_is_one_field_of_the_indicator():
    goal = Goal(45.0, LOW, "Children's partnership board, hand-made case")
    declared = dataclasses.replace(INDICATORS["cpp_31mar"], goal=goal)
    assert declared.goal == goal
    assert compare_to_goal(44.0, declared.goal) == BETTER
