"""The sample lines of a rule's metadata (they reach the Dagster event log): line numbers and
ids in the pseudonym form only."""

from types import SimpleNamespace

import pandas as pd

from tip_pipeline.validate.store import _samples

PSEUDONYM = "0123456789abcdef"


def test_samples_show_lines_and_only_ids_in_the_pseudonym_form():
    quarantined = pd.DataFrame(
        {
            "rule_id": ["r1", "r1", "r1", "r2"],
            "line_number": [4, 9, 12, 7],
            "child_id": [PSEUDONYM, "Abigail Hollins", "943 476 5919", None],
        }
    )
    samples = _samples(SimpleNamespace(quarantined=quarantined))
    assert samples == {"r1": [(4, PSEUDONYM), (9, None), (12, None)], "r2": [(7, None)]}


def test_samples_keep_at_most_five_a_rule():
    quarantined = pd.DataFrame(
        {"rule_id": ["r"] * 8, "line_number": range(2, 10), "child_id": [PSEUDONYM] * 8}
    )
    assert [line for line, _ in _samples(SimpleNamespace(quarantined=quarantined))["r"]] == [
        2,
        3,
        4,
        5,
        6,
    ]
