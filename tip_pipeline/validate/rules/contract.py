"""Rules that follow from the contracts alone: required values, readable values, code lists,
birth months, dates within the return's year. One declaration per column, generated from
tip_pipeline.sources.contracts, so a new column gets its rules by being declared there."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from tip_pipeline.sources.contracts import EXTRACTS, Column, ColumnKind, Extract
from tip_pipeline.validate.parse import (
    GSS_CODE,
    ISO_DATE,
    PARTIAL_DATE,
    codes_outside,
    unreadable,
)
from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

_FORMAT_TEXT = {
    ColumnKind.DATE: "a date written yyyy-mm-dd that exists in the calendar",
    ColumnKind.BIRTH_MONTH: "a date written yyyy-mm-dd that exists in the calendar",
    ColumnKind.INT: "a whole number",
    ColumnKind.FLOAT: "a number",
    ColumnKind.AREA: "an ONS GSS area code (a letter and eight digits)",
    ColumnKind.PARTIAL_DATE: "a date written yyyy-mm-dd, yyyy-mm or yyyy (as precisely as it "
    "is known) that exists in the calendar",
}
_FORMAT_REGEX = {
    ColumnKind.DATE: ISO_DATE,
    ColumnKind.BIRTH_MONTH: ISO_DATE,
    ColumnKind.AREA: GSS_CODE,
    ColumnKind.PARTIAL_DATE: PARTIAL_DATE,
}


def _gx():
    import great_expectations.expectations as gxe  # lazy: seconds to import

    return gxe


def _required(extract: Extract, columns: tuple[Column, ...], label: str) -> Rule:
    """Every column of ``columns`` must hold a value (one rule for a group of columns)."""
    names = [c.name for c in columns]

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        return d.raw_columns(extract.table, rows, names).isna().any(axis=1)

    # GX costs tens of ms per expectation whatever the rows: the mask checks every required
    # column; GX re-checks a single column that identifies or classifies a row, not a group of
    # counts (the population file's 182).
    column = columns[0]
    in_gx = len(columns) == 1 and (
        column.name in extract.key or column.kind not in (ColumnKind.INT, ColumnKind.FLOAT)
    )
    return Rule(
        id=f"{extract.table}.{label}.required",
        table=extract.table,
        text=f"{label} must be present",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="required",
        columns=tuple(names),
        expectation=(
            (lambda _p: _gx().ExpectColumnValuesToNotBeNull(column=column.name)) if in_gx else None
        ),
    )


def _format(extract: Extract, columns: tuple[Column, ...], label: str) -> Rule:
    """Every value present in ``columns`` must be readable as the columns' kind."""
    column = columns[0]

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        raw = d.raw_columns(extract.table, rows, [c.name for c in columns])
        broken = [unreadable(c, raw[c.name], rows[c.name]) for c in columns]
        return pd.concat(broken, axis=1).any(axis=1)

    regex = _FORMAT_REGEX.get(column.kind) if len(columns) == 1 else None
    return Rule(
        id=f"{extract.table}.{label}.format",
        table=extract.table,
        text=f"{label} must be {_FORMAT_TEXT[column.kind]}",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="format",
        columns=tuple(c.name for c in columns),
        expectation=(
            (lambda _p: _gx().ExpectColumnValuesToMatchRegex(column=column.name, regex=regex))
            if regex
            else None
        ),
    )


def _not_negative(extract: Extract, columns: tuple[Column, ...], label: str) -> Rule:
    """Counts (whole-number columns: numbers of children, populations, ranks) are never
    negative: a minus sign is an error of entry or a hostile value."""

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        negative = [(rows[c.name] < 0).fillna(False).astype(bool) for c in columns]
        return pd.concat(negative, axis=1).any(axis=1)

    single = columns[0].name if len(columns) == 1 else None
    return Rule(
        id=f"{extract.table}.{label}.not_negative",
        table=extract.table,
        text=f"{label} must not be negative (a count)",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="not_negative",
        columns=tuple(c.name for c in columns),
        expectation=(
            (lambda _p: _gx().ExpectColumnValuesToNotMatchRegex(column=single, regex=r"^\s*-"))
            if single
            else None
        ),
    )


def _code_list(extract: Extract, column: Column) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        allowed = set(column.allowed(d.period) or ())
        raw = d.raw_columns(extract.table, rows, [column.name])[column.name]
        return codes_outside(column, raw, allowed)

    def expectation(period):
        if column.kind is not ColumnKind.CODE:
            return None
        allowed = list(column.allowed(period) or ())
        return _gx().ExpectColumnValuesToBeInSet(column=column.name, value_set=allowed)

    return Rule(
        id=f"{extract.table}.{column.name}.code_list",
        table=extract.table,
        text=f"{column.name} must use the code list of the year's return",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="code_list",
        columns=(column.name,),
        expectation=expectation,
    )


def _birth_month(extract: Extract, column: Column) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        dates = rows[column.name]
        return dates.notna() & (dates.dt.day != 1)

    return Rule(
        id=f"{extract.table}.{column.name}.birth_month",
        table=extract.table,
        text=f"{column.name} must be cut to the first of the month (anonymisation)",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="birth_month",
        columns=(column.name,),
        expectation=lambda _p: _gx().ExpectColumnValuesToMatchRegex(
            column=column.name, regex=r"^\d{4}-\d{2}-01$"
        ),
    )


def _within_year(extract: Extract, column: Column) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        return rows[column.name] > pd.Timestamp(d.period.end)

    return Rule(
        id=f"{extract.table}.{column.name}.not_future",
        table=extract.table,
        text=f"{column.name} must not be after 31 March of the return's year: the return "
        "is made at the year end, so a later date is in the future",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="not_future",
        columns=(column.name,),
    )


def _birth_range(extract: Extract, column: Column) -> Rule:
    """A date of birth outside the return's plausible range (``Column.birth_range``): a wrong
    century, a parent's date, a typing slip. Replaces "not after 31 March" for the column,
    since a CIN census may hold an unborn child's expected date."""
    declared = column.birth_range
    assert declared is not None

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        dates = rows[column.name]
        earliest = pd.Timestamp(declared.earliest_birth(d.period))
        latest = pd.Timestamp(declared.latest_birth(d.period))
        return dates.notna() & ((dates < earliest) | (dates > latest))

    return Rule(
        id=f"{extract.table}.{column.name}.birth_range",
        table=extract.table,
        text=f"{column.name} must be a plausible date of birth for the return's year "
        f"({declared.why}): aged at most {declared.oldest} on 1 April, born no later than "
        f"{declared.latest_months:+d} months from 31 March",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="birth_range",
        columns=(column.name,),
    )


def _groups(extract: Extract) -> Iterator[tuple[str, tuple[Column, ...]]]:
    """Columns one at a time, except those sharing a ``group`` (the population file's counts),
    which are judged together by one rule per family."""
    grouped: dict[str, list[Column]] = {}
    for column in extract.columns:
        if column.group:
            grouped.setdefault(column.group, []).append(column)
        else:
            yield column.name, (column,)
    for label, columns in grouped.items():
        yield label, tuple(columns)


def column_rules(extract: Extract) -> Iterator[Rule]:
    for label, columns in _groups(extract):
        first = columns[0]
        if first.required:
            yield _required(extract, columns, label)
        if first.kind in _FORMAT_TEXT:
            yield _format(extract, columns, label)
        if first.kind is ColumnKind.INT:
            yield _not_negative(extract, columns, label)
        if len(columns) > 1:
            continue
        if first.codes is not None:
            yield _code_list(extract, first)
        if first.kind is ColumnKind.BIRTH_MONTH:
            yield _birth_month(extract, first)
        if first.birth_range is not None and extract.per_period:
            yield _birth_range(extract, first)
        elif (
            first.kind in (ColumnKind.DATE, ColumnKind.BIRTH_MONTH)
            and extract.per_period
            and not first.planned
        ):
            yield _within_year(extract, first)


RULES: list[Rule] = [rule for e in EXTRACTS.values() for rule in column_rules(e)]
