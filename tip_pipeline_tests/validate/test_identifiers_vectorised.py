"""The identifier guard's column scan, done by Arrow over a column's distinct values, decides
exactly as a straightforward scan of one value at a time does: the same kinds, the same counts
of lines certain and likely, the same values checked and the same values hit.

The reference below is the guard's algorithm before it was vectorised, written plainly: strip
each value in Python, skip the innocent ones, ask every kind's function about every value left.
"""

from __future__ import annotations

import string
import sys
from collections import Counter

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tip_pipeline.ingest.reader import SPACE_CHARACTERS
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, PSEUDONYM_KINDS, Column, ColumnKind
from tip_pipeline.validate import identifiers
from tip_pipeline.validate.identifiers import (
    DETECTORS,
    ColumnScan,
    Match,
    forenames,
    scan_column,
    surnames,
)

PERIOD = FinancialYear(2023)


def reference_scan(
    values: list[str | None], column: Column, period: FinancialYear | None
) -> list[ColumnScan]:
    """Every kind's count in one column, one value at a time in Python."""
    counts = Counter(v.strip() for v in values if v is not None and v.strip())
    total = sum(counts.values())
    innocent = identifiers._innocent(column, period)
    suspects = {v: n for v, n in counts.items() if not innocent(v)}
    scans = {}
    if column.kind in PSEUDONYM_KINDS:
        scans["not_a_pseudonym"] = ColumnScan(
            "not_a_pseudonym", sum(suspects.values()), 0, total, frozenset(suspects)
        )
    for detector in DETECTORS:
        if not detector.applies(column):
            continue
        verdicts = {v: detector.match(v) for v in suspects}
        certain = sum(n for v, n in suspects.items() if verdicts[v] is Match.CERTAIN)
        likely = sum(n for v, n in suspects.items() if verdicts[v] is Match.LIKELY)
        hits = frozenset(v for v in suspects if verdicts[v] is not Match.NO)
        scans[detector.kind] = ColumnScan(detector.kind, certain, likely, total, hits)
    return list(scans.values())


def _column(table: str, name: str) -> Column:
    return next(c for c in EXTRACTS[table].columns if c.name == name)


#: a column of each kind, with and without a code list (one whose list depends on the year)
COLUMNS = [
    _column("cin_children", "LAchildID"),  # pseudonym
    _column("ssda903_sw_episodes", "SW_ID"),  # staff pseudonym
    _column("cin_children", "HomeLSOA"),  # area
    _column("cin_children", "Sex"),  # code, a list that depends on the year
    _column("cin_children", "Ethnicity"),  # code
    _column("cin_assessments", "AssessmentFactors"),  # a list of codes
    _column("cin_children", "PersonBirthDate"),  # birth month
    _column("cin_children", "PersonDeathDate"),  # date
    _column("ssda903_prev_perm", "DATE_PERM"),  # partial date
    _column("yjs_offences", "OFFENCE_ID"),  # id
    _column("cin_cp_plans", "NumberOfPreviousCPP"),  # int
    _column("ref_population", "LAD 2021 Name"),  # an area's name
]
assert {c.kind for c in COLUMNS} >= set(ColumnKind) - {ColumnKind.FLOAT}


@pytest.fixture(params=["prefilters always", "prefilters from some values"], autouse=True)
def prefilter_from(request, monkeypatch):
    """The scan asks the prefilters only from some suspect values on (fewer are asked about
    directly): each test runs with them asked always too, so that they are tested in a scan."""
    if request.param == "prefilters always":
        monkeypatch.setattr(identifiers, "_PREFILTER_FROM", 0)


def _as_sets(scans: list[ColumnScan]) -> dict[str, ColumnScan]:
    return {s.kind: s for s in scans}


def assert_same_scan(values: list[str | None], column: Column, period=PERIOD) -> None:
    series = pd.Series(values, dtype="string")
    assert _as_sets(scan_column(series, column, period)) == _as_sets(
        reference_scan(values, column, period)
    )


# -- values of every kind, near misses, and the characters where RE2 and Python differ -------

IDENTIFIERS = [
    "jane.smith@example.org",
    "see j.smith@example.org",
    "a@b",
    "LS9 8AB",
    "ls98ab",
    "sw1a 2aa",
    "ZZ9 9ZZ",
    "AB12CD",
    "N1",
    "Ls9\u00a08ab",
    "ſw1a 2aa",  # long s: upper case S
    "943 476 5919",
    "401-023-2137",
    "9434765919",
    "9434765918",
    "٩٤٣٤٧٦٥٩١٩",  # Arabic-Indic digits: Python's \d
    "٩٤٣ ٤٧٦ ٥٩١٩",
    "0113 496 0000",
    "07700 900123",
    "+44 7700 900456",
    "(0113) 4960999",
    "- 0113 496 0000",
    "+44 (0)113 496 0000",
    "٠١١٣٤٩٦٠٠٠٠",
    "2010-05-17",
    "17/05/2010",
    "05/17/2010",
    "17.05.10",
    "17-05-2010 10:30",
    "2010-05-17T10:30:00.5",
    "3 March 2011",
    "3rd March, 2011",
    "May 17, 2010",
    "Sept. 3 2011",
    "١٧/٠٥/٢٠١٠",
    "2010-05-01",
    "1/1/01",
    "Olivia Smith",
    "Smith, Jane",
    "Chloe O'Neill",
    "Chloe O\u2019Neill",
    "KHAN",
    "Jack",
    "Jack\u3000Jones",
    "Jack\tJones",
    "Mary-Jane Smith-Jones",
    "Jameſ Smith",  # long s: casefolded, s
    "\u212aate",  # Kelvin sign: casefolded, k
    "Elizabeth",  # E and eight characters, as an ONS area code
    "Wilkinson",
    "Jack 2",
    "Jack_Jones",
    "Leeds",
    "Leeds 001A",
    "lives with nan and dad near the park",
    "a b c d e",
    "a b c d",
    "a\u00a0b\u2003c\x1cd\u3000e",
    "a,b,c,d,e",
    "E01011264",
    "E0101126٤",
    "e01011264",
    "E08000035",
    "0123456789abcdef",
    "0123456789ABCDEF",
    "0123456789abcdef" * 4,
    "0123456789abcdef0",  # a pseudonym's digits and more
    "id 0123456789abcdef",
    "WBRI",
    "WBRI,MWBC",
    "1A, 2B",
    "1",
    "M",
    "F",
    "0",
    "9",
    "OFF0000123",
    "",
    " ",
    "\u00a0",
]
PADDING = ["", " ", "  ", "\t", "\u00a0", "\u3000", "\n", "\x1c"]


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: f"{c.name}:{c.kind.value}")
def test_hand_made_columns_scan_as_the_reference_does(column):
    codes = list(identifiers._declared(column, PERIOD))
    values = [*IDENTIFIERS, *codes[:20], None, None]
    padded = [f"{pad}{v}{pad[::-1]}" for v in values if v is not None for pad in PADDING[:4]]
    assert_same_scan(values, column)
    assert_same_scan(values + padded, column)
    assert_same_scan([v for v in values if v is not None] * 3 + [None] * 5, column)
    assert_same_scan([None, None], column)
    assert_same_scan([], column)


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: f"{c.name}:{c.kind.value}")
def test_a_column_in_several_arrow_chunks_scans_as_the_reference_does(column):
    """A frame concatenated from several files holds a column as several Arrow chunks."""
    values = [*IDENTIFIERS, None, " 9434765919 "]
    parts = [pd.Series(values[i::3], dtype="string") for i in range(3)]
    series = pd.concat(parts, ignore_index=True)
    assert isinstance(pa.array(series.array), pa.ChunkedArray)
    assert _as_sets(scan_column(series, column, PERIOD)) == _as_sets(
        reference_scan(
            [v for part in parts for v in part.tolist() if v is not pd.NA], column, PERIOD
        )
    )


@pytest.mark.parametrize("column", COLUMNS[:6], ids=lambda c: c.name)
def test_without_a_year_a_code_list_of_the_year_is_not_read(column):
    assert_same_scan([*IDENTIFIERS, "1", "2", None], column, period=None)


# -- generated columns -------------------------------------------------------------------------

_NAMES = sorted(forenames() | surnames())
_ALPHABET = (
    string.ascii_letters
    + string.digits
    + " ,.-/:()+@'_"
    + "٠١٢٣٤٥٦٧٨٩"
    + "\u00a0\u3000\u2019\x1c\t"
    + "ßſıéÉ"
)


def _word(draw: st.DrawFn) -> str:
    return draw(
        st.one_of(
            st.sampled_from(_NAMES),
            st.sampled_from(IDENTIFIERS),
            st.text(_ALPHABET, max_size=12),
            st.text(max_size=8),
        )
    )


@st.composite
def cell(draw: st.DrawFn) -> str | None:
    """A value: a name, an identifier, a code, random text or words, missing, padded."""
    if draw(st.integers(0, 9)) == 0:
        return None
    words = [_word(draw) for _ in range(draw(st.integers(1, 6)))]
    separator = draw(st.sampled_from([" ", ", ", ",", "  ", "\u00a0", "-"]))
    value = separator.join(words) if draw(st.booleans()) else words[0]
    pad = draw(st.sampled_from(PADDING))
    return f"{pad}{value}{draw(st.sampled_from(PADDING))}"


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    column=st.sampled_from(COLUMNS),
    values=st.lists(cell(), max_size=40),
    repeat=st.integers(1, 3),
)
def test_generated_columns_scan_as_the_reference_does(column, values, repeat):
    codes = sorted(identifiers._declared(column, PERIOD))
    assert_same_scan(values * repeat + codes[:5], column)


# -- each prefilter lets through every value its kind's function could match -----------------


def assert_let_through(values: list[str]) -> None:
    """Every value a kind's function matches passes that kind's prefilter."""
    arrow = pa.array(values, pa.large_string())
    for detector in DETECTORS:
        let_through = detector.may_match(arrow).to_pylist()
        for value, through in zip(values, let_through, strict=True):
            assert through or detector.match(value) is Match.NO, detector.kind


def test_no_prefilter_turns_away_a_hand_made_value_its_kind_matches():
    assert_let_through([v.strip() for v in IDENTIFIERS])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(cell().filter(lambda v: v is not None), st.text()))
@example(value="٩٤٣ ٤٧٦ ٥٩١٩")
@example(value="ſw1a 2aa")
@example(value="a\u00a0b\u2003c\x1cd\u3000e")
def test_no_prefilter_turns_away_a_generated_value_its_kind_matches(value):
    assert_let_through([value.strip()])


def test_the_free_text_prefilter_is_the_free_text_rule():
    (detector,) = (d for d in DETECTORS if d.kind == "free_text")
    values = [v.strip() for v in IDENTIFIERS] + ["a b c d e f", " a  b c d e ", "a\u2028b c d e"]
    arrow = detector.may_match(pa.array(values, pa.large_string())).to_pylist()
    assert arrow == [detector.match(v) is Match.LIKELY for v in values]


def test_space_characters_are_python_s():
    python = "".join(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace())
    assert python == SPACE_CHARACTERS


def test_upper_case_makes_no_digit_and_no_shorter_value():
    """What the postcode prefilter relies on: ``str.upper`` maps each character on its own,
    to one character or more, and never to an ASCII digit unless it is one."""
    for i in range(sys.maxunicode + 1):
        c = chr(i)
        upper = c.upper()
        assert len(upper) >= 1
        assert c in string.digits or not any(d in upper for d in string.digits), hex(i)
