"""DfE SSDA903 rule 635: an authority or date of a previous permanence order only with the
order: with Z1 or no order they are quarantined; a partly known date with an order passes."""

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import dfe_635
from tip_pipeline_tests.validate.helpers import delivery, table


def _quarantined(name: str, *rows: dict) -> dict[int, str]:
    """Line -> the first rule each row of ``name`` breaks, with its children's header."""
    children = dict.fromkeys(row.get("CHILD", "c1") for row in rows)
    header = table("ssda903_header", *({"CHILD": child} for child in children))
    d = delivery(ssda903_header=header, **{name: table(name, *rows)})
    result = validate_delivery(d)[name]
    return {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}


RULE = dfe_635.RULE


def test_details_without_an_order_are_quarantined():
    rows = [
        {"CHILD": "c1", "PREV_PERM": "P2", "LA_PERM": "383", "DATE_PERM": "2019-05"},
        {"CHILD": "c2", "PREV_PERM": "Z1", "LA_PERM": None, "DATE_PERM": "2019"},
        {"CHILD": "c3", "PREV_PERM": None, "LA_PERM": "SCO", "DATE_PERM": None},
        {"CHILD": "c4", "PREV_PERM": "Z1", "LA_PERM": None, "DATE_PERM": None},
        {"CHILD": "c5", "PREV_PERM": "P1", "LA_PERM": None, "DATE_PERM": None},
    ]
    assert _quarantined("ssda903_prev_perm", *rows) == {3: RULE.id, 4: RULE.id}


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "635" and RULE.family == "dfe_635"
    assert RULE.dfe_message == (
        "There are entries for date of order and local authority code where previous "
        "permanence option was arranged but previous permanence code is Z1"
    )
