"""Placements in temporary accommodation: within their case's duty, never for a case owed no
duty, keyed by case and start; a quarter's rows are the placements open in it, each with a case
reported in that quarter."""

import numpy as np
import pandas as pd

from tip_pipeline.sources.generator import timeline
from tip_pipeline.sources.generator.deliveries import _placements
from tip_pipeline.sources.generator.homelessness import Hclic, placements

N = 400


def cases() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    app = timeline.day(pd.Timestamp(2023, 4, 1).date()) + rng.integers(0, 365, N)
    duty = np.array(["RELIEF", "PREV", "NODUTY", "RELIEF"] * (N // 4), dtype=object)
    end = np.where(duty == "NODUTY", timeline.OPEN, app + rng.integers(7, 200, N))
    end[::10] = timeline.OPEN  # some duties still open
    return pd.DataFrame(
        {
            "case_id": [f"HC{i + 1:08d}" for i in range(N)],
            "app": app,
            "duty": duty,
            "htype": np.where(np.arange(N) % 2 == 0, "SPF", "SINGM").astype(object),
            "end": end,
        }
    )


def test_placements_lie_within_their_cases_duty():
    c = cases()
    ta = placements(Hclic(c, pd.DataFrame(), pd.DataFrame()), seed=3)
    assert len(ta) > 0
    merged = ta.merge(c, on="case_id", suffixes=("", "_case"))
    assert (merged["duty"] != "NODUTY").all()
    assert (merged["start"] >= merged["app"]).all()
    assert (merged["end"] >= merged["start"]).all()
    assert (merged["end"] <= merged["end_case"]).all()
    # families are placed far more often than households without children
    family = merged["htype"] == "SPF"
    assert family.sum() > 2 * (~family).sum()
    assert not ta.duplicated(["case_id", "start"]).any()
    assert set(ta["ta_type"]) <= {"BB", "NIGHTLY", "HOSTEL", "PSL", "LAHA", "OTHER"}


def test_a_quarters_rows_are_its_open_placements_with_unknown_ends_blank():
    c = cases()
    h = Hclic(c, pd.DataFrame(), pd.DataFrame())
    h.ta = placements(h, seed=3)
    q0 = timeline.day(pd.Timestamp(2023, 10, 1).date())
    q1 = timeline.day(pd.Timestamp(2023, 12, 31).date())
    rows = _placements(h, q0, q1)
    expected = h.ta[(h.ta["start"] <= q1) & (h.ta["end"] >= q0)]
    assert len(rows) == len(expected) > 0
    ends = pd.to_datetime(rows["TA_END_DATE"].replace("", None))
    assert (ends.dropna() <= pd.Timestamp(2023, 12, 31)).all()
    assert (rows["TA_END_DATE"] == "").sum() == (expected["end"] > q1).sum()
    # every placement's case is reported that quarter: its duty is open in it
    open_cases = c[(c["app"] <= q1) & (c["end"] >= q0) & (c["duty"] != "NODUTY")]
    assert set(rows["CASE_ID"]) <= set(open_cases["case_id"])
