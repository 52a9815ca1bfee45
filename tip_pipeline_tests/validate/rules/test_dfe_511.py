"""DfE SSDA903 rule 511: two adopters are never recorded with a single adopter's sex (M1, F1);
one adopter may be, and a couple's codes pass."""

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import dfe_511
from tip_pipeline_tests.validate.helpers import delivery, table


def _quarantined(name: str, *rows: dict) -> dict[int, str]:
    """Line -> the first rule each row of ``name`` breaks, with its children's header."""
    children = dict.fromkeys(row.get("CHILD", "c1") for row in rows)
    header = table("ssda903_header", *({"CHILD": child} for child in children))
    d = delivery(ssda903_header=header, **{name: table(name, *rows)})
    result = validate_delivery(d)[name]
    return {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}


RULE = dfe_511.RULE


def test_two_adopters_with_a_single_adopters_sex_are_quarantined():
    rows = [
        {"DATE_INT": "2023-05-01", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF"},
        {"DATE_INT": "2023-05-02", "NB_ADOPTR": "2", "SEX_ADOPTR": "F1"},
        {"DATE_INT": "2023-05-03", "NB_ADOPTR": "1", "SEX_ADOPTR": "F1", "LS_ADOPTR": "L0"},
        {"DATE_INT": "2023-05-04", "NB_ADOPTR": "2", "SEX_ADOPTR": "M1"},
        {"DATE_INT": "2023-05-05", "NB_ADOPTR": "2", "SEX_ADOPTR": "FF", "LS_ADOPTR": "L12"},
    ]
    assert _quarantined("ssda903_ad1", *rows) == {3: RULE.id, 5: RULE.id}


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "511" and RULE.family == "dfe_511"
    assert RULE.dfe_message.startswith(
        "If reporting that the number of person(s) adopting the looked after child is two "
        "adopters then the code should only be MM, FF or MF."
    )
