"""Rules that follow from the contracts alone: required values, readable values, code lists,
birth months, dates within the return's year. One declaration per column, generated from
tip_pipeline.sources.contracts, so a new column gets its rules by being declared there."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from tip_pipeline.sources.contracts import EXTRACTS, Column, Extract, Kind
from tip_pipeline.validate.parse import GSS_CODE, ISO_DATE, codes_outside, unreadable
from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

_FORMAT_TEXT = {
    Kind.DATE: "a date written yyyy-mm-dd that exists in the calendar",
    Kind.BIRTH_MONTH: "a date written yyyy-mm-dd that exists in the calendar",
    Kind.INT: "a whole number",
    Kind.FLOAT: "a number",
    Kind.AREA: "an ONS GSS area code (a letter and eight digits)",
}
_FORMAT_REGEX = {Kind.DATE: ISO_DATE, Kind.BIRTH_MONTH: ISO_DATE, Kind.AREA: GSS_CODE}


def _raw(delivery: Delivery, table: str, rows: pd.DataFrame, column: str) -> pd.Series:
    raw = delivery.raw[table]
    return raw[column] if raw.index.equals(rows.index) else raw.loc[rows.index, column]


def _gx():
    import great_expectations.expectations as gxe  # lazy: seconds to import

    return gxe


def _required(extract: Extract, column: Column) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        return _raw(d, extract.table, rows, column.name).isna()

    # GX costs ~45 ms per expectation whatever the rows: the mask checks every required
    # column, GX re-checks those that identify or classify a row (not the 182 counts of the
    # population file).
    in_gx = column.name in extract.key or column.kind not in (Kind.INT, Kind.FLOAT)

    return Rule(
        id=f"{extract.table}.{column.name}.required",
        table=extract.table,
        text=f"{column.name} must be present",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="required",
        columns=(column.name,),
        expectation=(
            (lambda _p: _gx().ExpectColumnValuesToNotBeNull(column=column.name)) if in_gx else None
        ),
    )


def _format(extract: Extract, column: Column) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        return unreadable(column, _raw(d, extract.table, rows, column.name))

    regex = _FORMAT_REGEX.get(column.kind)
    return Rule(
        id=f"{extract.table}.{column.name}.format",
        table=extract.table,
        text=f"{column.name} must be {_FORMAT_TEXT[column.kind]}",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="format",
        columns=(column.name,),
        expectation=(
            (lambda _p: _gx().ExpectColumnValuesToMatchRegex(column=column.name, regex=regex))
            if regex
            else None
        ),
    )


def _code_list(extract: Extract, column: Column) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        allowed = set(column.allowed(d.period) or ())
        return codes_outside(column, _raw(d, extract.table, rows, column.name), allowed)

    def expectation(period):
        if column.kind is not Kind.CODE:
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


def column_rules(extract: Extract) -> Iterator[Rule]:
    for column in extract.columns:
        if column.required:
            yield _required(extract, column)
        if column.kind in _FORMAT_TEXT:
            yield _format(extract, column)
        if column.codes is not None:
            yield _code_list(extract, column)
        if column.kind is Kind.BIRTH_MONTH:
            yield _birth_month(extract, column)
        if column.kind in (Kind.DATE, Kind.BIRTH_MONTH) and extract.per_period:
            yield _within_year(extract, column)


RULES: list[Rule] = [rule for e in EXTRACTS.values() for rule in column_rules(e)]
