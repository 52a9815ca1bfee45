"""DfE SSDA903 rule SW07STG2: a social worker episode of a year's return ended in that year,
if it has ended: before 1 April is quarantined by it; after 31 March the contract's not_future
rule comes first and SW07STG2 is listed beside it."""

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import dfe_sw07stg2
from tip_pipeline_tests.validate.helpers import delivery, table


def _quarantined(name: str, *rows: dict) -> dict[int, str]:
    """Line -> the first rule each row of ``name`` breaks, with its children's header."""
    children = dict.fromkeys(row.get("CHILD", "c1") for row in rows)
    header = table("ssda903_header", *({"CHILD": child} for child in children))
    d = delivery(ssda903_header=header, **{name: table(name, *rows)})
    result = validate_delivery(d)[name]
    return {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}


RULE = dfe_sw07stg2.RULE


def test_an_episode_that_ended_before_the_year_is_quarantined():
    rows = [
        {"SW_DECOM": "2022-09-01", "SW_DEC": "2023-04-01"},  # ended on the year's first day
        {"SW_DECOM": "2022-10-01", "SW_DEC": "2023-03-31"},  # the day before it began
        {"SW_DECOM": "2023-04-01", "SW_DEC": None},  # still open
        {"SW_DECOM": "2023-05-01", "SW_DEC": "2024-03-31"},  # the year's last day
    ]
    assert _quarantined("ssda903_sw_episodes", *rows) == {3: RULE.id}


def test_an_end_after_the_year_breaks_both_rules():
    d = delivery(
        ssda903_header=table("ssda903_header", {}),
        ssda903_sw_episodes=table("ssda903_sw_episodes", {"SW_DEC": "2024-04-02"}),
    )
    row = validate_delivery(d)["ssda903_sw_episodes"].quarantined.iloc[0]
    assert row.rule_id == "ssda903_sw_episodes.SW_DEC.not_future"
    assert RULE.id in row.other_rules


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "SW07STG2" and RULE.family == "dfe_sw07stg2"
    assert RULE.dfe_message == (
        "Social worker episode end date should be on or after the start of the social worker "
        "reporting period, and should be on or before the collection end date."
    )
