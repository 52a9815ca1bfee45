"""SSDA903: overlapping episodes (the later one goes) and REC exactly with DEC."""

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline_tests.validate.helpers import delivery, table


def episodes_outcome(*rows):
    d = delivery(
        ssda903_header=table("ssda903_header", {"CHILD": "c1"}, {"CHILD": "c2"}),
        ssda903_episodes=table("ssda903_episodes", *rows),
    )
    out = validate_delivery(d)["ssda903_episodes"]
    return dict(zip(out.quarantined["line_number"], out.quarantined["rule_id"], strict=True))


def test_contiguous_episodes_are_fine():
    # a new episode starting on the day the previous ended is the normal chain
    assert (
        episodes_outcome(
            {"DECOM": "2023-05-01", "DEC": "2023-07-01", "REC": "X1"},
            {"DECOM": "2023-07-01", "RNE": "P"},
        )
        == {}
    )


def test_the_later_of_two_overlapping_episodes_is_quarantined():
    assert episodes_outcome(
        {"DECOM": "2023-05-01", "DEC": "2023-09-01", "REC": "X1"},
        {"DECOM": "2023-07-01", "RNE": "P"},
        {"CHILD": "c2", "DECOM": "2023-07-01"},
    ) == {3: "ssda903_episodes.overlapping_episodes"}


def test_an_episode_starting_while_the_previous_is_open_overlaps():
    assert episodes_outcome({"DECOM": "2023-05-01"}, {"DECOM": "2023-08-01", "RNE": "P"}) == {
        3: "ssda903_episodes.overlapping_episodes"
    }


def test_reason_ceased_without_date_ceased_and_the_reverse():
    assert episodes_outcome(
        {"DECOM": "2023-05-01", "REC": "E11"},
        {"CHILD": "c2", "DECOM": "2023-05-01", "DEC": "2023-06-01"},
    ) == {2: "ssda903_episodes.rec_with_dec", 3: "ssda903_episodes.rec_with_dec"}
