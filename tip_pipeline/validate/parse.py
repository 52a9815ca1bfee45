"""Typed views of text columns, vectorised: what each value means, and whether it can be read.

A value that cannot be read becomes missing in the typed view, and the rule that says so
(``format``) quarantines its row: typing never fails a whole file and never guesses.
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.sources.contracts import Column, Kind

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
INTEGER = r"^-?\d+$"
GSS_CODE = r"^[EWSNK]\d{8}$"


def as_dates(values: pd.Series) -> pd.Series:
    """ISO dates (yyyy-mm-dd) only: 31/02/2023 or 2023-02-30 become missing."""
    text = values.astype("string")
    iso = text.str.match(ISO_DATE).fillna(False).astype(bool)
    return pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")


def as_integers(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    ok = text.str.match(INTEGER).fillna(False).astype(bool)
    return pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")


def as_floats(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype("Float64")


def typed(column: Column, values: pd.Series) -> pd.Series:
    """The typed view of one column (text columns stay text, stripped)."""
    if column.kind in (Kind.DATE, Kind.BIRTH_MONTH):
        return as_dates(values)
    if column.kind is Kind.INT:
        return as_integers(values)
    if column.kind is Kind.FLOAT:
        return as_floats(values)
    return values.astype("string").str.strip()


def unreadable(column: Column, values: pd.Series) -> pd.Series:
    """True where a value is present but cannot be read as the column's kind."""
    present = values.notna()
    if column.kind in (Kind.DATE, Kind.BIRTH_MONTH, Kind.INT, Kind.FLOAT):
        return present & typed(column, values).isna()
    if column.kind is Kind.AREA:
        return present & ~values.astype("string").str.strip().str.match(GSS_CODE).fillna(False)
    return pd.Series(False, index=values.index)


def codes_outside(column: Column, values: pd.Series, allowed: set[str]) -> pd.Series:
    """True where a present value (or, for a CODES column, any of its codes) is not in
    ``allowed``. Vectorised: one ``isin`` over the exploded codes."""
    text = values.astype("string").str.strip()
    if column.kind is not Kind.CODES:
        return (text.notna() & ~text.isin(allowed)).astype(bool)
    exploded = text.str.split(",").explode().str.strip()
    bad = exploded.notna() & ~exploded.isin(allowed)
    return bad.groupby(level=0).any().reindex(values.index, fill_value=False).astype(bool)
