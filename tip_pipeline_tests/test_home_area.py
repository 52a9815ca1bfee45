"""The delivering LA of a record with no home LSOA, and what counts as an empty LSOA."""

import pandas as pd
import pytest

from tip_pipeline.home_area import delivering_la, is_unknown

LEEDS, BRADFORD = "E08000035", "E08000032"


@pytest.mark.parametrize(
    ("las", "setting", "expected"),
    [
        ([LEEDS, LEEDS, None], "", LEEDS),  # a single-LA lookup says it
        ([LEEDS, BRADFORD], "", None),  # several LAs, nothing named: cannot be told
        ([LEEDS, BRADFORD], BRADFORD, BRADFORD),  # the setting picks one of them
        ([LEEDS], f" {LEEDS} ", LEEDS),  # trimmed
        ([LEEDS], BRADFORD, None),  # an LA the lookup lacks tells nothing
        ([], "", None),  # no lookup
    ],
)
def test_the_delivering_la(las, setting, expected):
    assert delivering_la(las, setting) == expected


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TIP_HOME_LA", BRADFORD)
    assert delivering_la([LEEDS, BRADFORD]) == BRADFORD
    monkeypatch.delenv("TIP_HOME_LA")
    assert delivering_la([LEEDS, BRADFORD]) is None


def test_missing_and_blank_lsoas_are_unknown():
    lsoa = pd.Series(["E01011264", None, "", "  ", pd.NA], dtype=object)
    assert is_unknown(lsoa).tolist() == [False, True, True, True, True]
