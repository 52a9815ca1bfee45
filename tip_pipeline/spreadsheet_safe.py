"""Text that a spreadsheet will not run: CSV injection (formula injection) neutralised.

A spreadsheet opening a CSV or XLSX file, or a table pasted from the report, treats a cell
beginning with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)``,
``=cmd|'/c calc'!A1``), and a leading tab or carriage return can hide one. Area names and
codes come from delivered lookup files, so a hostile one could reach an analyst's Excel.
OWASP's rule ("CSV Injection", OWASP Foundation) is applied to every text cell: one beginning
with any of those characters is prefixed with a single quote, which makes the spreadsheet show
it as text. Numbers keep their sign: a numeric column is never touched, and a text cell that
is a number as the report writes it (``-1.2``, ``+3.4%``, ``-1,234``) is left as it is, as is
a lone ``-`` (a spreadsheet takes it as text).
"""

from __future__ import annotations

import re

import pandas as pd

#: the characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?%?$")


def neutralise(text: str) -> str:
    """``text`` prefixed with ``'`` when a spreadsheet would take it for a formula."""
    if len(text) < 2 or not text.startswith(FORMULA_TRIGGERS) or _NUMBER.match(text):
        return text
    return "'" + text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised; numeric columns as they are."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        out[column] = values.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out
