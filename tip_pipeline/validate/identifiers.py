"""Identifier guard: refuse a delivery that still carries direct identifiers.

Runs before anything of a delivery is staged (docs/CONVENTIONS.md, "Identifiers"). Columns outside
the contract are refused by the reader; this module reads every value of every column of the
contract, whatever the column's declared kind, for what anonymisation should have removed.

| kind                 | what it looks for                                   | refuses on       |
|----------------------|-----------------------------------------------------|------------------|
| `email`              | an e-mail address anywhere in a value               | one value        |
| `full_postcode`      | a UK postcode with its inward code (``LS9 8AB``,    | one value        |
|                      | ``ls98ab``): Royal Mail format and a real postcode  |                  |
|                      | area, so neither ``N1`` nor ``AB12CD`` is one       |                  |
| `nhs_number`         | written 3-3-4 (``943 476 5919``) with a valid       | one value        |
|                      | modulus-11 check digit                              |                  |
|                      | ten digits with a valid check digit                 | share of column  |
| `phone_number`       | a UK number: 0 or +44 and 9-10 more digits          | share of column  |
| `full_date_of_birth` | a date with a day other than the 1st, written       | share of column  |
|                      | dd/mm/yyyy, dd-mm-yyyy, dd.mm.yy, yyyy-mm-dd,       |                  |
|                      | d Month yyyy, Month d, yyyy (a time may follow);    |                  |
|                      | in every column but ``ColumnKind.DATE`` and         |                  |
|                      | ``PARTIAL_DATE`` (event dates)                      |                  |
| `person_name`        | a forename and a surname of the shipped lists, or,  | share of column  |
|                      | outside name columns, one of either; a value of the |                  |
|                      | column's code list is never a name                  |                  |
| `free_text`          | five words or more, outside name columns            | share of column  |
| `not_a_pseudonym`    | a value of a pseudonym column (``PSEUDONYM_KINDS``) | one value        |
|                      | without the declared form                           |                  |
|                      | (``contracts.PSEUDONYM_FORMAT``)                    |                  |

The kinds that are never innocent refuse the delivery from a single value. The others are a
share: the proportion of a column's non-missing values that look like the identifier, flagged
when it reaches the threshold (``DEFAULT_SHARE``), so that one odd code or a place name that is
also a surname does not refuse a good delivery, while a column of them does.

Names: ``names/forenames.txt`` (forenames of the top 100 of the ONS "Baby names in England
and Wales" releases, 1996-2022) and ``names/surnames.txt`` (the most frequent surnames of
England and Wales, after the ONS list from the NHS Central Register): small hand-compiled
selections (about 280 and 220 names), Crown copyright sources re-used under the Open
Government Licence v3.0; each file names its source in its header.
Area names are legitimate in reference files' ``ColumnKind.NAME`` columns: there only a
forename followed by a surname counts.

False positives, measured on clean generated deliveries (``tip generate``; every file of every
year, reference files included, every column and kind): small scale seeds 1, 2, 3 and 5 (the
last with 5% faulty rows), leeds scale seeds 11 and 12, about 20,000 and 350,000 rows each:
no finding, no value of a kind that refuses alone, and a highest share of 0% for every share
kind in every column (the threshold is 20%). The tests keep this with a margin (no column may
reach a quarter of the threshold) at small and leeds scale. England scale was not measured.
Synthetic codes and ids are tidier than a real extract's, so a real false positive is
possible; the threshold is a parameter of the guard.

The lines the reader sets aside as malformed are kept as text in the quarantine, so they are
read too, field by field, for the kinds that refuse alone. A line longer than the reader's
limit (``ingest.reader.MAX_LINE_BYTES``) has no text: it is never read, so nothing of it is
stored.

Findings name the file, column, kind and how many lines (the first line for single-value
kinds), and never carry a value. Each column is scanned by Arrow's kernels, in C, with no
Python string per line: the lines the contract declares innocent by their form are set aside
first (a pseudonym of the declared form, an ONS area code, a code of the column's list), the
rest counted as distinct values, and each kind's prefilter (a regular expression for RE2 that
lets through every value the kind could match) picks the few distinct values that the kind's
function above then decides, in Python, one value each: the decisions are the functions',
and a test holds the scan to a plain per-value one. An england year's 4.3 million rows are
scanned in 1.3-1.4 s, besides the 20-22 s of reading them (docs/PERFORMANCE.md, "The identifier
guard").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.ingest.reader import SPACE_CHARACTERS
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import (
    PSEUDONYM_KINDS,
    PSEUDONYM_PATTERN,
    Column,
    ColumnKind,
    Extract,
    is_pseudonym,
)

DEFAULT_SHARE = 0.2
#: the reader's column of physical line numbers (tip_pipeline.ingest.reader.LINE)
_LINE = "_line"

KIND_LABELS = {
    "email": "e-mail address",
    "full_postcode": "full postcode",
    "nhs_number": "NHS number",
    "phone_number": "UK phone number",
    "full_date_of_birth": "full date of birth",
    "person_name": "person name",
    "free_text": "free text",
    "not_a_pseudonym": "not a pseudonym",
}


class Match(IntEnum):
    """How a value looks: not the kind, likely (counts towards the share), certain (refuses)."""

    NO = 0
    LIKELY = 1
    CERTAIN = 2


@dataclass(frozen=True)
class Finding:
    file: str
    column: str
    kind: str
    #: lines holding the kind (rows of the column)
    lines: int
    values_checked: int
    #: the first line holding it, where the reader numbered the lines
    first_line: int | None = None

    @property
    def share(self) -> float:
        return self.lines / self.values_checked if self.values_checked else 0.0

    def message(self) -> str:
        where = f"column {self.column}" if self.column else "a malformed line"
        first = f", first at line {self.first_line}" if self.first_line is not None else ""
        return (
            f"{self.file}, {where}: {KIND_LABELS[self.kind]} in {self.lines:,} of "
            f"{self.values_checked:,} values ({self.share:.1%}){first}"
        )


# -- the kinds ------------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

#: UK postcode areas (the letters before the district number), Royal Mail's list, with the
#: Crown dependencies (GY, JE, IM)
_POSTCODE_AREA_LIST = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN "
    "DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY "
    "L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM "
    "S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN "
    "WR WS WV YO ZE"
)
_POSTCODE_AREAS = frozenset(_POSTCODE_AREA_LIST.split())
# Royal Mail format: outward code (area, district: A9, A99, AA9, AA99, A9A, AA9A) and inward
# code (sector digit, unit letters never C, I, K, M, O or V), with or without the space.
_POSTCODE = re.compile(r"(?P<area>[A-Z]{1,2})[0-9][0-9A-Z]? ?[0-9][ABD-HJLNP-UW-Z]{2}")
_GSS_CODE = re.compile(r"[EWSNK]\d{8}")
_NHS_SPACED = re.compile(r"(\d{3})[ -](\d{3})[ -](\d{4})")
_NHS_PLAIN = re.compile(r"\d{10}")
# UK numbers: national (0) or international (+44, 0044, +44 (0)) prefix, then 9 or 10 digits
# not starting with 0; spaces, hyphens and brackets as people write them.
_PHONE_SHAPE = re.compile(r"\+?[\d ()-]{10,20}")
_PHONE = re.compile(r"(?:\+440?|00440?|0)[1-9]\d{8,9}")
_PHONE_SEPARATORS = str.maketrans("", "", " ()-")

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME)
_YMD = re.compile(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})" + _TIME)
_D_MONTH_Y = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4}|\d{2})")
_MONTH_D_Y = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")

_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NAME_SEPARATORS = re.compile(r"[\s,]+")
_FREE_TEXT_MIN_WORDS = 5


def nhs_number_valid(digits: str) -> bool:
    """Modulus 11 check digit of an NHS number (NHS Data Dictionary, "NHS Number")."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def email(value: str) -> Match:
    return Match.CERTAIN if "@" in value and _EMAIL.search(value) else Match.NO


def full_postcode(value: str) -> Match:
    """A full postcode in any case, with or without the space: never innocent."""
    match = _POSTCODE.fullmatch(value.upper())
    return Match.CERTAIN if match and match["area"] in _POSTCODE_AREAS else Match.NO


def nhs_number(value: str) -> Match:
    """Certain when written 3-3-4 as the NHS writes it; likely as ten plain digits (a record
    key may pass the check digit by chance: one in eleven)."""
    spaced = _NHS_SPACED.fullmatch(value)
    if spaced and nhs_number_valid("".join(spaced.groups())):
        return Match.CERTAIN
    if _NHS_PLAIN.fullmatch(value) and nhs_number_valid(value):
        return Match.LIKELY
    return Match.NO


def phone_number(value: str) -> Match:
    """UK numbering plan (Ofcom): 0 then 9 or 10 digits, or the same after +44."""
    if not _PHONE_SHAPE.fullmatch(value):
        return Match.NO
    return Match.LIKELY if _PHONE.fullmatch(value.translate(_PHONE_SEPARATORS)) else Match.NO


def _full_day(day: int, month: int, year: str) -> bool:
    """A real day of a month other than the 1st (a birth month is cut to the 1st)."""
    if len(year) == 4 and not 1900 <= int(year) <= 2099:
        return False
    return 1 <= month <= 12 and 2 <= day <= 31


def full_date(value: str) -> Match:
    """A date with its day, in the common written forms; day-first unless the first number
    cannot be a month's day-first reading (``05/17/2010`` is read month-first)."""
    if dmy := _DMY.fullmatch(value):
        first, second, year = int(dmy[1]), int(dmy[2]), dmy[3]
        day, month = (first, second) if second <= 12 else (second, first)
        found = _full_day(day, month, year)
    elif ymd := _YMD.fullmatch(value):
        found = _full_day(int(ymd[3]), int(ymd[2]), ymd[1])
    elif text := _D_MONTH_Y.fullmatch(value):
        month = _MONTHS.get(text[2].lower(), 0)
        found = _full_day(int(text[1]), month, text[3])
    elif text := _MONTH_D_Y.fullmatch(value):
        month = _MONTHS.get(text[1].lower(), 0)
        found = _full_day(int(text[2]), month, text[3])
    else:
        found = False
    return Match.LIKELY if found else Match.NO


@cache
def _names(file: str) -> frozenset[str]:
    text = resources.files("tip_pipeline.validate").joinpath("names", file).read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


def forenames() -> frozenset[str]:
    return _names("forenames.txt")


def surnames() -> frozenset[str]:
    return _names("surnames.txt")


def person_name(value: str, full_only: bool = False) -> Match:
    """A forename then a surname (or ``Surname, Forename``), from the shipped lists; unless
    ``full_only``, a single forename or surname too."""
    tokens = [t for t in _NAME_SEPARATORS.split(value) if t]
    if not 1 <= len(tokens) <= 4 or not all(_NAME_TOKEN.fullmatch(t) for t in tokens):
        return Match.NO
    words = [t.casefold() for t in tokens]
    fore, sur = forenames(), surnames()
    if len(words) == 1:
        return Match.LIKELY if not full_only and (words[0] in fore or words[0] in sur) else Match.NO
    forename_first = words[0] in fore and words[-1] in sur
    surname_first = "," in value and words[0] in sur and words[-1] in fore
    return Match.LIKELY if forename_first or surname_first else Match.NO


def free_text(value: str) -> Match:
    return Match.LIKELY if len(value.split()) >= _FREE_TEXT_MIN_WORDS else Match.NO


# -- which values may be of a kind: Arrow's kernels over a column's distinct values ---------
#
# Each kind's function above decides, one value at a time, in Python. Over a column of a
# million distinct ids that is seconds of interpreter per kind, so each kind also has a
# prefilter run by Arrow (RE2, in C) over all the column's distinct values at once: it answers
# True for every value the kind's function could match (a superset, never fewer), and the
# function then decides on those alone. A value the prefilter turns away is one the function
# would have answered ``Match.NO`` for, so the decisions are the function's, unchanged; the
# tests check each prefilter against its function on hand-made and generated values.
#
# RE2 is not Python's ``re``: its ``\d``, ``\w`` and ``\s`` are ASCII only, while Python's
# match any Unicode digit, letter or space. The prefilters therefore spell what they need:
# ``_DIGIT`` is an ASCII digit or any character beyond ASCII (where Python finds its other
# digits), ``_SPACE`` every character Python counts as a space.

_SPACE = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in SPACE_CHARACTERS) + "]"
_NOT_SPACE = "[^" + _SPACE[1:]
_BEYOND_ASCII = r"\x{80}-\x{10FFFF}"
_DIGIT = rf"[0-9{_BEYOND_ASCII}]"


def _regex(values: pa.Array, pattern: str) -> pa.Array:
    """Where ``pattern`` (RE2) is found in each value."""
    return pc.match_substring_regex(values, pattern)


def _may_be_email(values: pa.Array) -> pa.Array:
    """An e-mail address holds an ``@``."""
    return pc.match_substring(values, "@")


def _may_be_postcode(values: pa.Array) -> pa.Array:
    """A postcode is at most 8 characters and holds an ASCII digit; upper case never makes a
    digit nor a shorter value (``ß`` becomes ``SS``), so the value as delivered is so too."""
    return pc.and_(pc.less_equal(pc.utf8_length(values), 8), _regex(values, "[0-9]"))


def _may_be_nhs_number(values: pa.Array) -> pa.Array:
    """Ten digits, plain or 3-3-4 with spaces or hyphens."""
    return _regex(values, rf"^(?:{_DIGIT}{{10}}|{_DIGIT}{{3}}[ -]{_DIGIT}{{3}}[ -]{_DIGIT}{{4}})$")


def _may_be_phone_number(values: pa.Array) -> pa.Array:
    """An optional ``+``, then 10 to 20 digits, spaces, brackets and hyphens, the first digit
    a 0 unless the ``+`` comes first (``_PHONE``, once the separators are taken out)."""
    shape = _regex(values, rf"^\+?(?:{_DIGIT}|[ ()-]){{10,20}}$")
    return pc.and_(shape, _regex(values, "^[ ()-]*[+0]"))


def _may_be_date(values: pa.Array) -> pa.Array:
    """How each written form begins: digits, a separator, digits, a separator and a digit
    (``_DMY``, ``_YMD``); a day and a word (``_D_MONTH_Y``); a word, a space and a digit
    (``_MONTH_D_Y``)."""
    d = _DIGIT
    forms = (
        rf"{d}{{1,4}}[/.-]{d}{{1,2}}[/.-]{d}",
        rf"{d}{{1,2}}(?:st|nd|rd|th)?[ -][A-Za-z]{{3}}",
        rf"[A-Za-z]{{3,9}}\.? {d}",
    )
    return _regex(values, "^(?:" + "|".join(forms) + ")")


def _may_be_name(values: pa.Array) -> pa.Array:
    """Letters, apostrophes and hyphens, separated by spaces and commas: of ASCII, nothing
    else (no digit, no ``_``, ``.``, ``/`` or ``@``); any character beyond ASCII may be one."""
    return _regex(values, rf"^(?:[A-Za-z'\-,{_BEYOND_ASCII}]|{_SPACE})+$")


def _may_be_free_text(values: pa.Array) -> pa.Array:
    """Five words or more: five runs of non-space characters separated by spaces (exact)."""
    word = f"{_NOT_SPACE}+"
    return _regex(values, word + f"(?:{_SPACE}+{word}){{4}}")


# -- which kinds read which columns ---------------------------------------------------------


@dataclass(frozen=True)
class Detector:
    """A kind: which columns it reads, the function that decides a value, and its prefilter
    over a column's distinct values (True for every value ``match`` could match)."""

    kind: str
    match: Callable[[str], Match]
    may_match: Callable[[pa.Array], pa.Array]
    applies: Callable[[Column], bool] = lambda _c: True


def _full_name(value: str) -> Match:
    return person_name(value, full_only=True)


#: the kinds of event-date columns, where a full date is legitimate
_EVENT_DATES = (ColumnKind.DATE, ColumnKind.PARTIAL_DATE)

DETECTORS: tuple[Detector, ...] = (
    Detector("email", email, _may_be_email),
    Detector("full_postcode", full_postcode, _may_be_postcode),
    Detector("nhs_number", nhs_number, _may_be_nhs_number),
    Detector("phone_number", phone_number, _may_be_phone_number),
    # event dates are legitimate in date columns; everywhere else a full date is a birth date
    Detector("full_date_of_birth", full_date, _may_be_date, lambda c: c.kind not in _EVENT_DATES),
    Detector("person_name", person_name, _may_be_name, lambda c: c.kind is not ColumnKind.NAME),
    # area and category names of reference data: only a forename and a surname count
    Detector("person_name", _full_name, _may_be_name, lambda c: c.kind is ColumnKind.NAME),
    Detector("free_text", free_text, _may_be_free_text, lambda c: c.kind is not ColumnKind.NAME),
)


def _declared(column: Column, period: FinancialYear | None) -> frozenset[str]:
    """Values declared innocent by the contract: the column's code list (for a list of codes,
    each code). A code list that depends on the year is skipped without a year."""
    if column.codes is None or (callable(column.codes) and period is None):
        return frozenset()
    return frozenset(column.allowed(period) or ())


def _innocent(column: Column, period: FinancialYear | None) -> Callable[[str], bool]:
    """Values that cannot be an identifier of any kind, skipped before the detectors: a
    pseudonym of the declared form (hexadecimal digits only), an ONS area code in an area
    column, a code of the column's list."""
    codes = _declared(column, period)
    if column.kind in PSEUDONYM_KINDS:
        return is_pseudonym
    if column.kind is ColumnKind.AREA:
        return lambda v: _GSS_CODE.fullmatch(v) is not None
    if column.kind is ColumnKind.CODES:
        return lambda v: all(c.strip() in codes for c in v.split(","))
    return codes.__contains__


#: the kinds whose innocent values are declared by their form, not by a code list
_DECLARED_FORMS = (*PSEUDONYM_KINDS, ColumnKind.AREA)
#: an ONS area code as Arrow reads it: ASCII digits only, where ``_GSS_CODE`` (Python's
#: ``\d``) also takes other digits, which ``_innocent`` then decides
_GSS_CODE_ASCII = r"^[EWSNK][0-9]{8}$"


def _surely_innocent(
    values: pa.Array, column: Column, period: FinancialYear | None
) -> pa.Array | None:
    """Arrow's quick answer, over values as delivered, for the values ``_innocent`` would
    skip: True only where it would (never more) and only for values that strip to themselves
    and are not empty, so that it may be asked before stripping and counting; Python decides
    the rest. None where there is no quick answer (a column of lists of codes)."""
    if column.kind in PSEUDONYM_KINDS:
        # the declared form is ASCII (hexadecimal digits), read alike by RE2 and Python
        return _regex(values, f"^(?:{PSEUDONYM_PATTERN})$")
    if column.kind is ColumnKind.AREA:
        return _regex(values, _GSS_CODE_ASCII)
    if column.kind is ColumnKind.CODES:
        return None
    codes = [c for c in _declared(column, period) if c and c == c.strip()]
    return pc.is_in(values, pa.array(sorted(codes), pa.string())) if codes else None


def distinct_values(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Each distinct value of a text column, stripped of what ``str.strip`` strips, with how
    many lines hold it (missing and empty values left out): counted and stripped by Arrow in
    C, no Python string made. pandas' own value_counts and string methods cost milliseconds
    per call, which a file of 188 columns multiplies; a Python string per distinct value
    costs seconds in a column of a million ids."""
    counted = pc.value_counts(text)
    text, counts = counted.field("values"), counted.field("counts")
    stripped = pc.utf8_trim(text, characters=SPACE_CHARACTERS)
    if pc.any(pc.not_equal(stripped, text)).as_py():  # two values may strip to one
        summed = (
            pa.table({"value": stripped, "n": counts})
            .group_by("value", use_threads=False)
            .aggregate([("n", "sum")])
        )
        stripped, counts = summed["value"].combine_chunks(), summed["n_sum"].combine_chunks()
    kept = pc.fill_null(pc.not_equal(stripped, ""), False)
    return stripped.filter(kept), counts.filter(kept).to_numpy(zero_copy_only=False)


@dataclass(frozen=True)
class ColumnScan:
    """One column's result for one kind: lines certain, lines likely, values checked."""

    kind: str
    certain: int
    likely: int
    values: int
    hits: frozenset[str]

    def flagged(self, threshold: float) -> bool:
        if self.certain:
            return True
        return self.values > 0 and (self.likely / self.values) >= threshold


def _suspects(
    values: pd.Series, column: Column, period: FinancialYear | None
) -> tuple[pa.Array, np.ndarray, int]:
    """The column's distinct values that are not innocent, their line counts, and how many
    lines hold a value at all. Arrow sets aside the lines surely innocent first (in a column
    of ids, nearly all of them, which then need no counting), and again among the distinct
    values of the rest once stripped; ``_innocent`` decides what is left, one value each."""
    text = pa.array(values.astype("string").array)
    innocent_lines = 0
    if (surely := _surely_innocent(text, column, period)) is not None:
        surely = pc.fill_null(surely, False)
        innocent_lines = pc.sum(surely).as_py() or 0
        text = text.filter(pc.invert(surely))
    text, counts = distinct_values(text)
    total = innocent_lines + int(counts.sum())
    if (surely := _surely_innocent(text, column, period)) is not None:
        rest = pc.invert(surely)
        text, counts = text.filter(rest), counts[rest.to_numpy(zero_copy_only=False)]
    if not _declared(column, period) and column.kind not in _DECLARED_FORMS:
        return text, counts, total  # no value of the column is declared innocent
    innocent = _innocent(column, period)
    guilty = np.array([not innocent(v) for v in text.to_pylist()], dtype=bool)
    return text.filter(pa.array(guilty, pa.bool_())), counts[guilty], total


#: from how many suspect values a column's prefilters run: below, the few calls into Arrow
#: that a prefilter costs take longer than asking the kind's function about each value
_PREFILTER_FROM = 50


def _detect(detector: Detector, text: pa.Array, counts: np.ndarray, total: int) -> ColumnScan:
    """One kind over a column's suspect values: the prefilter over all of them (unless they are
    few), then the kind's function on each value the prefilter lets through, weighted by its
    lines."""
    if len(text) >= _PREFILTER_FROM:
        may = pc.fill_null(detector.may_match(text), False).to_numpy(zero_copy_only=False)
        text, counts = text.filter(pa.array(may)), counts[may]
    certain = likely = 0
    hits = set()
    for value, n in zip(text.to_pylist(), counts, strict=True):
        verdict = detector.match(value)
        if verdict is Match.CERTAIN:
            certain += int(n)
        elif verdict is Match.LIKELY:
            likely += int(n)
        else:
            continue
        hits.add(value)
    return ColumnScan(detector.kind, certain, likely, total, frozenset(hits))


def scan_column(
    values: pd.Series, column: Column, period: FinancialYear | None = None
) -> list[ColumnScan]:
    """Every kind's count in one column (text, as read; missing values skipped), computed on
    its distinct values weighted by how many lines hold each."""
    text, counts, total = _suspects(values, column, period)
    scans: dict[str, ColumnScan] = {}
    if column.kind in PSEUDONYM_KINDS:
        scans["not_a_pseudonym"] = ColumnScan(
            "not_a_pseudonym", int(counts.sum()), 0, total, frozenset(text.to_pylist())
        )
    for detector in DETECTORS:
        if detector.applies(column):
            scans[detector.kind] = _detect(detector, text, counts, total)
    return list(scans.values())


def _first_line(frame: pd.DataFrame, column: str, hits: frozenset[str]) -> int | None:
    if _LINE not in frame or not hits:
        return None
    lines = frame.loc[frame[column].astype("string").str.strip().isin(hits), _LINE]
    return int(lines.min()) if len(lines) else None


def scan_frame(
    frame: pd.DataFrame,
    extract: Extract,
    file: str,
    threshold: float = DEFAULT_SHARE,
    period: FinancialYear | None = None,
) -> list[Finding]:
    """Findings for every column of ``frame`` (text, as read): a single value of a kind that
    is never innocent, or a share of the column reaching ``threshold`` for the others."""
    findings = []
    for column in extract.columns:
        if column.name not in frame:
            continue
        for scan in scan_column(frame[column.name], column, period):
            if not scan.flagged(threshold):
                continue
            lines = scan.certain + scan.likely
            first = _first_line(frame, column.name, scan.hits) if scan.certain else None
            findings.append(Finding(file, column.name, scan.kind, lines, scan.values, first))
    return findings


_NEVER_INNOCENT = (email, full_postcode, nhs_number)


def scan_malformed_lines(lines: list[tuple[int, str]], file: str) -> list[Finding]:
    """Findings in the lines the reader set aside as malformed (their text is kept in the
    quarantine): a field of a kind that is never innocent refuses the delivery."""
    findings = []
    for line, text in lines:
        fields = [f.strip().strip('"').strip() for f in text.split(",")]
        for detector in DETECTORS:
            if detector.match not in _NEVER_INNOCENT:
                continue
            if any(detector.match(f) is Match.CERTAIN for f in fields if f):
                findings.append(Finding(file, "", detector.kind, 1, 1, line))
    return findings


def shares(
    frame: pd.DataFrame, extract: Extract, period: FinancialYear | None = None
) -> Iterator[tuple[str, str, float, int]]:
    """Each (column, kind)'s share of likely values and count of certain ones, for measuring
    false positives on clean deliveries."""
    for column in extract.columns:
        if column.name in frame:
            for scan in scan_column(frame[column.name], column, period):
                share = scan.likely / scan.values if scan.values else np.nan
                yield column.name, scan.kind, share, scan.certain


class DeliveryRefused(ValueFreeError):
    """The delivery carries direct identifiers, or columns outside its contract, and is
    refused whole: nothing of it is stored."""

    def __init__(self, findings: list[Finding], refusals: list[str] | None = None):
        self.findings = findings
        self.refusals = refusals or []
        problems = [*self.refusals]
        if findings:
            problems.append("direct identifiers found: " + "; ".join(f.message() for f in findings))
        super().__init__(
            f"delivery refused: {' | '.join(problems)}. Nothing of this delivery was stored; "
            "ask the sender to re-extract it anonymised, with the contract's columns only, "
            "ids in the declared pseudonym form (data_sources/README.md)."
        )
