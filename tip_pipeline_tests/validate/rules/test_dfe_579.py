"""DfE SSDA903 rule 579: a child's decisions to place for adoption do not overlap; the later of
two overlapping decisions is quarantined, other children's decisions are not compared."""

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import dfe_579
from tip_pipeline_tests.validate.helpers import delivery, table


def _quarantined(name: str, *rows: dict) -> dict[int, str]:
    """Line -> the first rule each row of ``name`` breaks, with its children's header."""
    children = dict.fromkeys(row.get("CHILD", "c1") for row in rows)
    header = table("ssda903_header", *({"CHILD": child} for child in children))
    d = delivery(ssda903_header=header, **{name: table(name, *rows)})
    result = validate_delivery(d)[name]
    return {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}


RULE = dfe_579.RULE


def _decision(child: str, placed: str, ceased: str | None = None, reason: str | None = None):
    return {
        "CHILD": child,
        "DATE_PLACED": placed,
        "DATE_PLACED_CEASED": ceased,
        "REASON_PLACED_CEASED": reason,
    }


def test_overlapping_decisions_are_quarantined_the_later_one():
    header = table("ssda903_header", {"CHILD": "c1"}, {"CHILD": "c2"}, {"CHILD": "c3"})
    rows = table(
        "ssda903_placed_adoption",
        _decision("c1", "2022-06-01", "2022-12-01", "RD2"),
        _decision("c1", "2023-01-10"),  # after the first ceased: fine
        _decision("c2", "2023-04-20"),
        _decision("c2", "2023-05-01"),  # while the first is still open
        _decision("c3", "2023-04-01", "2023-09-01", "RD1"),
        _decision("c3", "2023-08-01"),  # before the first ceased
        _decision("c1", "2021-01-01", "2021-03-01", "RD4"),  # c1's earliest, out of order
    )
    d = delivery(ssda903_header=header, ssda903_placed_adoption=rows)
    result = validate_delivery(d)["ssda903_placed_adoption"]
    quarantined = {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}
    assert quarantined == {5: RULE.id, 7: RULE.id}


def test_one_decision_of_each_child_passes():
    assert _quarantined("ssda903_placed_adoption", _decision("c1", "2023-05-01")) == {}


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "579" and RULE.family == "dfe_579"
    assert RULE.dfe_message.startswith(
        "A new decision that the child should be placed for adoption this year cannot start "
        "when the previous decision is still open."
    )
