"""DfE SSDA903 rule 567: a missing episode must not end before it started.

Cases after DfE's validator's own test: an end the day before the start fails; an end after
the start, on the same day, and no end yet pass; a row failing it is quarantined with the
rule's id while the child's other episodes are kept."""

import pandas as pd

from tip_pipeline.validate.engine import validate_delivery
from tip_pipeline.validate.rules import dfe_567
from tip_pipeline_tests.validate.helpers import delivery, table

RULE = dfe_567.RULE


def _missing(*episodes: tuple[str, str | None]) -> pd.DataFrame:
    return table(
        "ssda903_missing",
        *({"MIS_START": start, "MIS_END": end} for start, end in episodes),
    )


def _quarantined(missing: pd.DataFrame) -> dict[int, str]:
    d = delivery(ssda903_header=table("ssda903_header", {}), ssda903_missing=missing)
    result = validate_delivery(d)["ssda903_missing"]
    return {int(r.line_number): r.rule_id for r in result.quarantined.itertuples()}


def test_an_end_before_the_start_is_quarantined_and_only_that_episode():
    missing = _missing(
        ("2023-06-01", "2023-06-03"),
        ("2023-07-10", "2023-07-09"),
        ("2023-08-01", "2023-08-01"),
        ("2024-03-30", None),
    )
    assert _quarantined(missing) == {3: RULE.id}


def test_dfe_number_and_message():
    assert RULE.dfe_rule == "567"
    assert RULE.dfe_message == (
        "The date that the missing episode or episode that the child was away from placement "
        "without authorisation ended is before the date that it started."
    )


def test_the_declared_fault_ends_an_episode_the_day_before_it_started():
    clean = {"CHILD": "c1", "MIS_START": "2023-07-10", "MIS_END": "2023-07-12"}
    changed = RULE.fault.broken(clean)
    assert changed == {"MIS_END": "2023-07-09"}
    faulty = {**clean, **changed}
    rows = _missing((faulty["MIS_START"], faulty["MIS_END"]))
    assert _quarantined(rows) == {2: RULE.id}


def test_the_declared_fault_leaves_an_episode_still_open_alone():
    assert RULE.fault.broken({"CHILD": "c1", "MIS_START": "2023-07-10", "MIS_END": ""}) is None
