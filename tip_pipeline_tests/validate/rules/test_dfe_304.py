"""DfE SSDA903 rule 304: UASC status ceases by the 18th birthday. DOB is kept to the month, so
the rule quarantines a DUC after the month of the 18th birthday and lets the rest of that
month through (it may be before the birthday)."""

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import dfe_304
from tip_pipeline_tests.validate.helpers import delivery, table


def _quarantined(name: str, *rows: dict) -> dict[int, str]:
    """Line -> the first rule each row of ``name`` breaks, with its children's header."""
    children = dict.fromkeys(row.get("CHILD", "c1") for row in rows)
    header = table("ssda903_header", *({"CHILD": child} for child in children))
    d = delivery(ssda903_header=header, **{name: table(name, *rows)})
    result = validate_delivery(d)[name]
    return {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}


RULE = dfe_304.RULE


def test_a_duc_after_the_month_of_the_18th_birthday_is_quarantined_and_only_it():
    born = "2005-06-01"
    rows = [
        {"CHILD": "c1", "DOB": born, "DUC": "2023-06-01"},  # the first day it can be
        {"CHILD": "c2", "DOB": born, "DUC": "2023-06-30"},  # later in the month: not known
        {"CHILD": "c3", "DOB": born, "DUC": "2023-07-01"},  # after any day of June 2005
        {"CHILD": "c4", "DOB": born, "DUC": None},  # still UASC
        {"CHILD": "c5", "DOB": born, "DUC": "2023-05-01"},  # before 18
    ]
    quarantined = _quarantined("ssda903_uasc", *rows)
    assert quarantined.get(4) == RULE.id
    assert {line for line, rule in quarantined.items() if rule == RULE.id} == {4}


def test_the_last_possible_birthday_is_the_end_of_the_month():
    import pandas as pd

    births = pd.Series(pd.to_datetime(["2006-02-01", "2005-12-01"]))
    assert dfe_304.last_possible_18th_birthday(births).dt.strftime("%Y-%m-%d").tolist() == [
        "2024-02-29",
        "2023-12-31",
    ]


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "304" and RULE.family == "dfe_304"
    assert RULE.dfe_message == (
        "Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before the "
        "18th birthday of a child."
    )
