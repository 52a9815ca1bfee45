"""Typed views of text columns, vectorised: what each value means, and whether it can be read.

A value that cannot be read becomes missing in the typed view, and the rule that says so
(``format``) quarantines its row: typing never fails a whole file and never guesses.
"""

from __future__ import annotations

import sys
from functools import cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from tip_pipeline.sources.contracts import Column, ColumnKind

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
INTEGER = r"^-?\d+$"
GSS_CODE = r"^[EWSNK]\d{8}$"
#: a date at the precision it is known (``ColumnKind.PARTIAL_DATE``): yyyy-mm-dd, yyyy-mm or yyyy
PARTIAL_DATE = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"


def as_dates(values: pd.Series) -> pd.Series:
    """ISO dates (yyyy-mm-dd) only: 31/02/2023 or 2023-02-30 become missing."""
    text = values.astype("string")
    iso = text.str.match(ISO_DATE).fillna(False).astype(bool)
    return pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")


def as_integers(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    readable = text.where(text.str.match(INTEGER).fillna(False).astype(bool))
    try:  # Arrow parses the (ASCII) digits in C, several times faster than to_numeric
        parsed = pc.cast(pa.array(readable.array), pa.int64())
    except pa.ArrowInvalid:  # beyond 64 bits: pandas' own conversion decides
        return pd.to_numeric(readable, errors="coerce").astype("Int64")
    integers = parsed.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    return integers.set_axis(values.index)


def as_floats(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype("Float64")


def partial_dates_readable(values: pd.Series) -> pd.Series:
    """True where a value is a date at the precision it is known (yyyy-mm-dd, yyyy-mm or
    yyyy) that exists in the calendar (month 01-12; a full date a real day); missing values
    give missing."""
    text = values.astype("string").str.strip()
    shaped = text.str.match(PARTIAL_DATE).fillna(False).astype(bool)
    given = text.where(shaped)
    # the first day of the month or year given, only to ask the calendar whether it exists
    length = given.str.len()
    filled = given.mask(length == 4, given + "-01-01").mask(length == 7, given + "-01")
    real = pd.to_datetime(filled, format="%Y-%m-%d", errors="coerce").notna()
    return (shaped & real).astype("boolean").mask(values.isna())


def typed(column: Column, values: pd.Series) -> pd.Series:
    """The typed view of one column (text columns stay text, stripped)."""
    if column.kind in (ColumnKind.DATE, ColumnKind.BIRTH_MONTH):
        return as_dates(values)
    if column.kind is ColumnKind.INT:
        return as_integers(values)
    if column.kind is ColumnKind.FLOAT:
        return as_floats(values)
    return values.astype("string").str.strip()


def unreadable(column: Column, values: pd.Series, typed_values: pd.Series) -> pd.Series:
    """True where a value is present but cannot be read as the column's kind. ``typed_values``
    is ``typed(column, values)``, passed in so that each column is parsed once per table."""
    present = values.notna()
    if column.kind in (ColumnKind.DATE, ColumnKind.BIRTH_MONTH, ColumnKind.INT, ColumnKind.FLOAT):
        return present & typed_values.isna()
    if column.kind is ColumnKind.AREA:
        return present & ~typed_values.str.match(GSS_CODE).fillna(False)
    if column.kind is ColumnKind.PARTIAL_DATE:
        return present & ~partial_dates_readable(values).fillna(False).astype(bool)
    return pd.Series(False, index=values.index)


@cache
def _whitespace() -> str:
    """What ``str.strip()`` removes (Arrow's own whitespace class differs on a few codes)."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def split_codes(values: pd.Series) -> pd.Series:
    """One entry per (row, comma-separated code), each stripped, indexed by its row; missing
    values give no entry, an empty value one empty code. Split by Arrow in C: a Python
    ``str.split`` per row costs seconds on a million assessments."""
    text = pa.array(values.astype("string").array)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    parts = pc.split_pattern(text, ",")
    codes = pc.utf8_trim(pc.list_flatten(parts), characters=_whitespace())
    rows = pc.list_parent_indices(parts).to_numpy()
    return pd.Series(pd.arrays.ArrowStringArray(codes), index=values.index.take(rows))


def codes_outside(column: Column, values: pd.Series, allowed: set[str]) -> pd.Series:
    """True where a present value (or, for a CODES column, any of its codes) is not in
    ``allowed``. Vectorised: one ``isin`` over the split codes."""
    if column.kind is not ColumnKind.CODES:
        text = values.astype("string").str.strip()
        return (text.notna() & ~text.isin(allowed)).astype(bool)
    codes = split_codes(values.astype("string").str.strip())
    bad = ~codes.isin(allowed)
    return bad.groupby(level=0).any().reindex(values.index, fill_value=False).astype(bool)
