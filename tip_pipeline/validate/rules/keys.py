"""Keys and links: unique keys, parents present, home LSOAs in the lookup, and the LA of a row
whose home LSOA is empty (an unknown home area, ``tip_pipeline.home_area``).

A parent row that is missing from the delivery (an orphan) and a parent row that was itself
quarantined (a cascade) are different problems, so they are different rules.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from tip_pipeline.home_area import is_unknown
from tip_pipeline.sources.contracts import EXTRACTS, Extract
from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

SOURCE_FILE = "source_file"


def _linked(rows: pd.DataFrame, parents: pd.DataFrame, link: tuple[str, ...]) -> pd.Series:
    """True where the row's link columns match a row of ``parents`` (a missing value matches
    a missing or empty one). Each row's link is coded as one integer, column by column, so
    the look-up compares integers rather than tuples of strings."""
    row_keys, parent_keys = _link_codes(rows, parents, link)
    return pd.Series(np.isin(row_keys, parent_keys), index=rows.index)


def _link_codes(
    rows: pd.DataFrame, parents: pd.DataFrame, link: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the link values of ``rows`` and of ``parents``, equal exactly when
    every link column's text is equal (missing taken as empty)."""
    codes = np.zeros(len(rows) + len(parents), dtype=np.int64)
    for column in link:
        values = pd.concat([rows[column], parents[column]], ignore_index=True)
        column_codes, uniques = pd.factorize(values.astype("string").fillna(""))
        codes, _ = pd.factorize(codes * len(uniques) + column_codes)  # dense again
    return codes[: len(rows)], codes[len(rows) :]


def _gx_unique(key: tuple[str, ...]):
    import great_expectations.expectations as gxe

    return gxe.ExpectCompoundColumnsToBeUnique(column_list=[SOURCE_FILE, *key])


def unique_key(extract: Extract) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        keyed = d.raw_columns(extract.table, rows, [SOURCE_FILE, *extract.key])
        return keyed.duplicated(keep="first")

    return Rule(
        id=f"{extract.table}.unique_key",
        table=extract.table,
        text=f"({', '.join(extract.key)}) must be unique in each file",
        stage=Stage.TABLE,
        scope=Scope.TABLE,
        quarantines="every row after the first with the same key",
        check=check,
        family="unique_key",
        columns=extract.key,
        expectation=lambda _p: _gx_unique(extract.key),
    )


def parent_present(extract: Extract) -> Rule:
    parent, link = extract.parent

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        return ~_linked(d.raw_columns(extract.table, rows, list(link)), d.raw[parent], link)

    return Rule(
        id=f"{extract.table}.parent_present",
        table=extract.table,
        text=f"each row must belong to a row of {parent} delivered in the same year "
        f"(by {', '.join(link)})",
        stage=Stage.CROSS_TABLE,
        scope=Scope.CROSS_TABLE,
        quarantines="the row without a parent",
        check=check,
        family="parent_present",
        columns=link,
    )


def parent_accepted(extract: Extract) -> Rule:
    parent, link = extract.parent

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        linked = _linked(d.raw_columns(extract.table, rows, list(link)), d.accepted[parent], link)
        return ~linked

    return Rule(
        id=f"{extract.table}.parent_quarantined",
        table=extract.table,
        text=f"the row's parent in {parent} was quarantined, so the row cannot be used",
        stage=Stage.CASCADE,
        scope=Scope.CROSS_TABLE,
        quarantines="every row of a quarantined parent",
        check=check,
        family="parent_quarantined",
        columns=link,
    )


def lsoa_known(extract: Extract) -> Rule:
    column = extract.home_lsoa

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        values = rows[column]
        return values.notna() & ~values.isin(d.lsoas)

    return Rule(
        id=f"{extract.table}.{column}.lsoa_known",
        table=extract.table,
        text=f"{column} must be an LSOA (2021) of the lookup",
        stage=Stage.CROSS_TABLE,
        scope=Scope.CROSS_TABLE,
        quarantines="the row",
        check=check,
        family="lsoa_known",
        columns=(column,),
    )


def home_la_known(extract: Extract) -> Rule:
    """An empty home LSOA is an unknown home area, counted in the delivering LA; where the LA
    cannot be told (a lookup of several LAs and no ``TIP_HOME_LA``) the row is quarantined,
    never counted nowhere."""
    column = extract.home_lsoa

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        if d.home_la is not None:
            return pd.Series(False, index=rows.index)
        return is_unknown(d.raw_columns(extract.table, rows, [column])[column])

    return Rule(
        id=f"{extract.table}.{column}.home_la_known",
        table=extract.table,
        text=f"{column} is empty and the delivering local authority cannot be told: the LSOA "
        "lookup covers several LAs and TIP_HOME_LA names none of them",
        stage=Stage.CROSS_TABLE,
        scope=Scope.CROSS_TABLE,
        quarantines="the row",
        check=check,
        family="home_la_known",
        columns=(column,),
    )


def key_rules(extract: Extract) -> Iterator[Rule]:
    if extract.key:
        yield unique_key(extract)
    if extract.parent:
        yield parent_present(extract)
        yield parent_accepted(extract)
    if extract.home_lsoa:
        yield lsoa_known(extract)
        yield home_la_known(extract)


RULES: list[Rule] = [rule for e in EXTRACTS.values() for rule in key_rules(e)]
