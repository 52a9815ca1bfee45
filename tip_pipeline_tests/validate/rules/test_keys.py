"""Parent links: every link column compared, a missing value matching a missing or empty one."""

import pandas as pd

from tip_pipeline.validate.rules.keys import _linked


def test_links_compare_every_column_and_missing_matches_empty():
    rows = pd.DataFrame(
        {"a": ["x", "x", "y", None, "z"], "b": ["1", "2", "1", "1", None]}, dtype="string"
    )
    parents = pd.DataFrame({"a": ["x", "y", "", "z"], "b": ["1", "2", "1", ""]}, dtype="string")
    linked = _linked(rows.set_axis([5, 6, 7, 8, 9]), parents, ("a", "b"))
    assert linked.tolist() == [True, False, False, True, True]
    assert linked.index.tolist() == [5, 6, 7, 8, 9]
