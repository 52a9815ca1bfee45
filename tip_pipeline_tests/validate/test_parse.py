"""The vectorised parsers agree with the plain Python/pandas reading they replace."""

import pandas as pd
import pytest

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.parse import as_integers, codes_outside, split_codes

FACTORS = next(c for c in EXTRACTS["cin_assessments"].columns if c.name == "AssessmentFactors")


def python_split(values: pd.Series) -> list[tuple[int, str]]:
    """What ``str.split(",")`` then ``str.strip()`` give, row by row."""
    return [
        (row, code.strip())
        for row, value in values.items()
        if not pd.isna(value)
        for code in value.split(",")
    ]


def test_split_codes_matches_python_split_and_strip():
    values = pd.Series(
        ["3A,4B", " 21 ", None, "", "1A,,2B,", "\x1c5C\u3000, 6D\t"],
        index=[10, 11, 12, 13, 14, 15],
        dtype="string",
    )
    codes = split_codes(values)
    assert list(zip(codes.index, codes, strict=True)) == python_split(values)


def test_codes_outside_flags_any_code_outside_the_list():
    values = pd.Series(["1A,2B", "1A, 9Z", None, "", "2B,2B"], dtype="string")
    bad = codes_outside(FACTORS, values, {"1A", "2B"})
    assert bad.tolist() == [False, True, False, True, False]


@pytest.mark.parametrize(
    "text",
    [
        [" 12", "-0", "007", None, "1.5", "abc", "", "9223372036854775807"],
        ["99999999999999999999", "1"],  # beyond 64 bits: pandas' conversion decides
    ],
)
def test_as_integers_reads_as_pandas_does(text):
    values = pd.Series(text, index=range(5, 5 + len(text)), dtype="string")
    stripped = values.str.strip()
    readable = stripped.where(stripped.str.match(r"^-?\d+$").fillna(False).astype(bool))
    expected = pd.to_numeric(readable, errors="coerce").astype("Int64")
    pd.testing.assert_series_equal(as_integers(values), expected)
