"""A reporting year's inputs: the validated (restricted) tables the indicators read.

Only validated tables are read (``restricted.<table>``, typed; docs/CONVENTIONS.md), never staging.
Service tables are the year's delivery; youth-justice outcomes are read for every delivered
year up to this one (the history years included) so that a first-time entrant's "first ever"
can be judged; the tables an indicator looks back to (``look_back.tables_to_read``: CIN
episodes for re-referrals, SSDA903 episodes for long-term stability) are read for the years
it looks back too (``YearData.earlier``, with their ``period``); reference tables are their
own vintage, the population is the mid-(YYYY-1) estimate of the year
(``FinancialYear.population_mid_year``). The denominator of the ethnic-group breakdown is
Census 2021 (``ref_census_ethnicity``, a fixed vintage read whatever the year): the mid-year
estimates have no ethnicity.

``YearData`` can also be built by hand from small frames (tests): a table not given is empty,
with its validated columns.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from tip_pipeline.home_area import UNKNOWN, UNKNOWN_WARD, UNKNOWN_WARD_NAME, delivering_la
from tip_pipeline.indicators import look_back
from tip_pipeline.indicators.linked_services import latest_linkage, unlinked_services
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes, contracts
from tip_pipeline.sources.contracts import (
    CENSUS_AGE_COLUMNS,
    CENSUS_ETHNIC_CODE,
    EXTRACTS,
    Cadence,
)
from tip_pipeline.warehouse.readback import read_frame
from tip_pipeline.warehouse.schema import db_column_name, staging_columns, validated_table

#: service tables of the year
SERVICE_TABLES = contracts.tables(service=True, read_by_indicators=True)
#: reference tables of their own vintage (every row, whatever its period)
STATIC_TABLES = contracts.tables(per_period=False, read_by_indicators=True)
#: reference tables delivered per reporting year
YEAR_REFERENCE_TABLES = contracts.tables(service=False, per_period=True, read_by_indicators=True)
#: the table read across years (history included)
(HISTORY_TABLE,) = contracts.tables(read_across_years=True)
HISTORY_KEY = f"{HISTORY_TABLE}_all"

ALL_TABLES = contracts.tables(read_by_indicators=True)

CHILD_AGES = range(18)
ENGLAND = ("E92000001", "England")
_IMD_DECILE = "index_of_multiple_deprivation_imd_decile"
_CENSUS_LSOA = db_column_name("LSOA code (2021)")
_CENSUS_GROUP = db_column_name(CENSUS_ETHNIC_CODE)
#: validated census count column -> DfE age band
_CENSUS_BANDS = {db_column_name(col): band for band, col in CENSUS_AGE_COLUMNS.items()}


def columns_of(table: str) -> list[str]:
    """Validated column names of a contract table (snake_case)."""
    return list(staging_columns(table).values())


def empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns_of(table)})


def release_freed_memory() -> None:
    """Hand the memory the allocators hold freed back to the operating system: Arrow's pool
    (``MemoryPool.release_unused``) and, where the C library is glibc, its heap
    (``malloc_trim``). Why: both keep what they free, so a phase that passed millions of rows
    through them leaves the phases after it carrying that in their peaks (issue #21 point 6:
    Arrow's pool kept 0.85 GB after the england year's values; in ``tip run`` the year's steps
    run in one process after ingestion's). At a phase's boundary only: Arrow advises against
    calling it often."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


@dataclass
class YearData:
    """The inputs of one reporting year, by validated table name."""

    period: FinancialYear
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: results computed from the tables (numerator units, population counts), reused in the year
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    #: earlier reporting years' rows of the tables indicators look back to
    #: (``look_back.tables_to_read``), each with its year in the column ``period``
    earlier: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: the services whose people the year's intake did not link to social care's
    #: (``linked_services.unlinked_services``): the measures across them are not computed
    unlinked: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.tables = {name: as_objects(frame) for name, frame in self.tables.items()}
        self.earlier = {name: as_objects(frame) for name, frame in self.earlier.items()}

    def forget_results(self) -> None:
        """Let go of the results kept for reuse (``cache``: the numerators' units, the
        denominators' counts...) and hand the memory Arrow's allocator then holds freed back
        to the operating system. Anything needed again is computed again.

        Why: once the values, adversity and prevalence are made, the flows and cohorts read
        none of them; the england year's cohorts, computed with them held (0.6 GB), were the
        year's peak (4.04 GB, above issue #21's 4 GB, point 6)."""
        self.cache.clear()
        release_freed_memory()

    def earlier_table(self, name: str) -> pd.DataFrame:
        """The earlier years' rows of ``name`` read for the look-back (its contract columns and
        ``period``); empty when none were read."""
        if name in self.earlier:
            return self.earlier[name]
        return empty(name).assign(period=pd.Series(dtype=object))

    def delivered_earlier(self) -> dict[str, frozenset[str]]:
        """Table -> the earlier years (labels) it holds rows for: the look-back years
        delivered (``look_back.not_available``)."""
        if "delivered_earlier" not in self.cache:  # read by the values, flows and cohorts
            self.cache["delivered_earlier"] = {
                name: frozenset(frame["period"].dropna().unique())
                for name, frame in self.earlier.items()
            }
        return self.cache["delivered_earlier"]

    def table(self, name: str) -> pd.DataFrame:
        """A validated table of the year (its contract columns); empty when not given."""
        if name in self.tables:
            return self.tables[name]
        if name == HISTORY_KEY:
            return self.table(HISTORY_TABLE)
        return empty(name)

    @cached_property
    def areas(self) -> pd.DataFrame:
        """One row per LSOA: ward, LA, region and national IMD decile/quintile (lookups), and
        the delivering LA's unknown home area (``area_lookup``)."""
        return area_lookup(
            self.table("ref_lsoa_lookup"), self.table("ref_lad_region"), self.table("ref_imd")
        )

    @cached_property
    def population(self) -> pd.DataFrame:
        """Children aged 0-17 by LSOA, sex (F/M) and single year of age (long)."""
        return population_long(self.table("ref_population"))

    @cached_property
    def census(self) -> pd.DataFrame:
        """Census 2021 children by LSOA, ethnic group (the five major groups) and DfE age band
        (long): the ethnic-group denominator."""
        return census_long(self.table("ref_census_ethnicity"))


def area_lookup(
    lookup: pd.DataFrame,
    region: pd.DataFrame,
    imd: pd.DataFrame,
    home_la_setting: str | None = None,
) -> pd.DataFrame:
    """LSOA -> ward -> LA -> region -> country, with the LSOA's national IMD decile and
    quintile = ceil(decile / 2) (docs/CONVENTIONS.md: 1 = most deprived).

    Where the delivering LA can be told (``home_area.delivering_la`` of the lookup and
    ``home_la_setting``, ``TIP_HOME_LA`` when None), one more row places the units of unknown
    home area (LSOA key ``home_area.UNKNOWN``): in the ward ``UNKNOWN_WARD`` of that LA, its
    region and England, with no IMD decile. Every reader of the lookup (the indicators, the
    published areas, disclosure control's hierarchy) then sees the same unknown ward."""
    out = pd.DataFrame(
        {
            "lsoa": lookup["lsoa21cd"],
            "lsoa_name": lookup["lsoa21nm"],
            "ward": lookup["wd24cd"],
            "ward_name": lookup["wd24nm"],
            "la": lookup["lad24cd"],
            "la_name": lookup["lad24nm"],
        }
    )
    reg = region.rename(columns={"lad24cd": "la", "rgn24cd": "region", "rgn24nm": "region_name"})
    out = out.merge(reg[["la", "region", "region_name"]], on="la", how="left")
    out["country"], out["country_name"] = ENGLAND
    dec = pd.to_numeric(imd.set_index("lsoa_code_2021")[_IMD_DECILE], errors="coerce")
    out["imd_decile"] = out["lsoa"].map(dec).astype("Int64")
    out["imd_quintile"] = (np.ceil(out["imd_decile"].astype(float) / 2)).astype("Int64")
    out = out.drop_duplicates("lsoa").reset_index(drop=True)
    la = delivering_la(out["la"], home_la_setting)
    return out if la is None else pd.concat([out, unknown_area(out, la)], ignore_index=True)


def unknown_area(areas: pd.DataFrame, la: str) -> pd.DataFrame:
    """The lookup's row for the units of unknown home area of ``la`` (a row of ``areas``):
    the LA's names, region and country, the unknown ward, no LSOA of its own, no decile."""
    row = areas[areas["la"] == la].iloc[[0]].copy()
    row["lsoa"], row["lsoa_name"] = UNKNOWN, UNKNOWN_WARD_NAME
    row["ward"], row["ward_name"] = UNKNOWN_WARD, UNKNOWN_WARD_NAME
    row["imd_decile"] = row["imd_quintile"] = pd.NA
    return row.astype({"imd_decile": "Int64", "imd_quintile": "Int64"})


def population_long(pop: pd.DataFrame) -> pd.DataFrame:
    """ONS wide layout (F0..F90, M0..M90 per LSOA) to long rows of children aged 0-17:
    ``lsoa, sex, age, population`` (ONS mid-year estimates, docs/CONVENTIONS.md)."""
    cols = [f"{s}{a}" for s in ("f", "m") for a in CHILD_AGES]
    present = [c for c in cols if c in pop.columns]
    long = pop[["lsoa_2021_code", *present]].melt(
        id_vars="lsoa_2021_code", var_name="column", value_name="population"
    )
    return pd.DataFrame(
        {
            "lsoa": long["lsoa_2021_code"].to_numpy(),
            "sex": long["column"].str[0].str.upper().to_numpy(),
            "age": long["column"].str[1:].astype(int).to_numpy(),
            "population": pd.to_numeric(long["population"]).fillna(0).astype(np.int64).to_numpy(),
        }
    )


def census_long(census: pd.DataFrame) -> pd.DataFrame:
    """The census file's rows (LSOA x group, a count per age band) to long rows
    ``lsoa, ethnic_group, age_band, population``, the group named as ``codes.ETHNICITY_GROUPS``
    names it (White, Mixed, Asian, Black, Other)."""
    present = [c for c in _CENSUS_BANDS if c in census.columns]
    long = census[[_CENSUS_LSOA, _CENSUS_GROUP, *present]].melt(
        id_vars=[_CENSUS_LSOA, _CENSUS_GROUP], var_name="column", value_name="population"
    )
    groups = {code: group for code, (group, _) in codes.CENSUS_ETHNIC_GROUPS.items()}
    return pd.DataFrame(
        {
            "lsoa": long[_CENSUS_LSOA].to_numpy(object),
            "ethnic_group": long[_CENSUS_GROUP].astype(str).map(groups).to_numpy(object),
            "age_band": long["column"].map(_CENSUS_BANDS).to_numpy(object),
            "population": pd.to_numeric(long["population"]).fillna(0).astype(np.int64).to_numpy(),
        }
    )


def load_year(engine: sa.Engine, period: FinancialYear) -> YearData:
    """Read every table the indicators need for ``period`` from the validated layer (what the
    steps before left freed handed back first: ``release_freed_memory``)."""
    release_freed_memory()
    frames: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for name in ALL_TABLES:
            table = validated_table(name)
            cols = [table.c[c] for c in columns_of(name)]
            if EXTRACTS[name].cadence is Cadence.QUARTERLY:
                cols.append(table.c.quarter)
            query = sa.select(*cols)
            if EXTRACTS[name].per_period:
                query = query.where(table.c.period == period.label)
            frames[name] = _read(conn, query, name)
        history = validated_table(HISTORY_TABLE)
        query = sa.select(*(history.c[c] for c in columns_of(HISTORY_TABLE))).where(
            history.c.period <= period.label
        )
        frames[HISTORY_KEY] = _read(conn, query, HISTORY_TABLE)
        earlier = {
            name: _read_earlier(conn, name, look_back.window(period, years))
            for name, years in look_back.tables_to_read().items()
        }
        unlinked = unlinked_services(latest_linkage(conn, period.label))
    return YearData(period=period, tables=frames, earlier=earlier, unlinked=unlinked)


def validated_versions(conn: sa.Connection, period: FinancialYear) -> tuple:
    """Per table the indicators read: its validated rows of ``period`` and the years before
    it (every row of a reference table of its own vintage) counted, with the first and last
    validation run among them, and the year's linkage of people: what changes whenever any
    row the year's values are computed from is validated again (``baseline.inputs_key``)."""
    out = []
    for name in ALL_TABLES:
        table = validated_table(name)
        query = sa.select(sa.func.count(), sa.func.min(table.c.run_id), sa.func.max(table.c.run_id))
        if EXTRACTS[name].per_period:
            query = query.where(table.c.period <= period.label)
        out.append((name, *conn.execute(query).one()))
    linkage = latest_linkage(conn, period.label)
    return (*out, tuple(map(tuple, linkage.itertuples(index=False))))


def years_read(period: FinancialYear, baseline: FinancialYear) -> list[str]:
    """The labels of the years whose validated rows a year's figures are computed from: the
    year, the years any measure looks back to (``look_back.LONGEST``) and the baseline year
    the inequality changes are measured from (``baseline``), oldest first."""
    years = {period, baseline, *look_back.window(period, look_back.LONGEST)}
    return [y.label for y in sorted(y for y in years if y <= period)]


def validated_runs(conn: sa.Connection, period: FinancialYear, baseline: FinancialYear) -> tuple:
    """Which validation run wrote how many of the *earlier years'* rows a year's figures are
    computed from: per table the indicators read by year, its rows of the years before
    ``period`` in ``years_read`` (of every earlier year for the table read across years)
    counted by period and run.

    Why: years run in parallel (issue #21), a year's figures may be computed while an earlier
    year it reads is validated again by that year's run; publishing compares this before and
    inside its transaction and computes the figures again when it changed
    (``publish.store.InputsChanged``). Unlike ``validated_versions`` (the lowest and highest
    run id), a run replacing a year's rows always changes it: its run id is new. Not the
    year's own rows nor the reference data: two runs of the same year (a rerun beside the
    nightly run) each validate and then publish it, taking turns on the year's lock, and the
    run that validated last publishes last (``tip_pipeline_tests/test_concurrent_runs.py``)."""
    earlier = [label for label in years_read(period, baseline) if label != period.label]
    out = []
    for name in ALL_TABLES:
        if not EXTRACTS[name].per_period:
            continue
        table = validated_table(name)
        query = sa.select(table.c.period, table.c.run_id, sa.func.count()).group_by(
            table.c.period, table.c.run_id
        )
        if name == HISTORY_TABLE:
            query = query.where(table.c.period < period.label)
        else:
            query = query.where(table.c.period.in_(earlier))
        out.append((name, tuple(sorted(tuple(row) for row in conn.execute(query)))))
    return tuple(out)


def delivered_earlier(conn: sa.Connection, period: FinancialYear) -> dict[str, set[str]]:
    """Table -> the look-back years of ``period`` (labels) its validated table holds rows for
    (``look_back.not_available``), read from the warehouse as publishing sees it."""
    out = {}
    for name, years in look_back.tables_to_read().items():
        table = validated_table(name)
        labels = [y.label for y in look_back.window(period, years)]
        query = sa.select(table.c.period).where(table.c.period.in_(labels)).distinct()
        out[name] = set(conn.execute(query).scalars())
    return out


def _read_earlier(conn: sa.Connection, name: str, years: list[FinancialYear]) -> pd.DataFrame:
    """The validated rows of ``name`` for ``years``, with their ``period``."""
    table = validated_table(name)
    query = sa.select(*(table.c[c] for c in columns_of(name)), table.c.period).where(
        table.c.period.in_([y.label for y in years])
    )
    frame = read_frame(conn, query, text_as_objects=True)
    if len(frame.columns):
        return frame
    return empty(name).assign(period=pd.Series(dtype=object))


def _read(conn: sa.Connection, query: sa.Select, name: str) -> pd.DataFrame:
    """The query's rows as ``pd.read_sql`` reads them, text already as ``as_objects`` makes
    it (``readback.read_frame``: through Arrow, the same frame, some twice as fast)."""
    frame = read_frame(conn, query, text_as_objects=True)
    return frame if len(frame.columns) else empty(name)


def member_of(column: pd.Series, allowed: Iterable[object]) -> pd.Series:
    """``column.isin(allowed)``, through Arrow's ``is_in`` where both are text.

    Why: pandas' Arrow-backed strings (the default text of pandas 3, which a unit id built
    by string operations is) test membership by making a Python object of every allowed
    value first; with tens of thousands of ids that was the largest cost of linked
    adversity's overlap and of a share's units (issue #21's profile of 2026-12-03). Arrow's
    kernel hashes the allowed values once, 10-15 times as fast, with the same answer (a
    missing value is a member only when ``allowed`` holds one, as in pandas)."""
    values = allowed if isinstance(allowed, pd.Series) else list(allowed)
    if pd.api.types.is_string_dtype(column.dtype):
        found, among = _text_array(column), _text_array(values)
        if found is not None and among is not None:
            member = pc.is_in(found, value_set=among).fill_null(False)
            return pd.Series(member.to_numpy(zero_copy_only=False), column.index, name=column.name)
    return column.isin(values)


@dataclass(frozen=True)
class Lookup:
    """A table with one row per key, made once and joined to many times (``merge_one``): the
    frame, its key column, and the keys as Arrow text where a match may be found by place
    (every key text, none missing, none repeated), else None."""

    frame: pd.DataFrame
    on: str
    keys: pa.Array | None


def lookup(frame: pd.DataFrame, on: str) -> Lookup:
    """``frame`` ready to be joined to on ``on`` (``merge_one``)."""
    keys = frame[on]
    usable = pd.api.types.is_string_dtype(keys.dtype) and not keys.hasnans and keys.is_unique
    return Lookup(frame, on, _text_array(keys) if usable else None)


def merge_one(left: pd.DataFrame, right: pd.DataFrame | Lookup, on: str) -> pd.DataFrame:
    """``left.merge(right, on=on, how="inner")`` where ``right`` has one row per ``on``: the
    same rows, columns and order (left's rows that have a match, right's columns after).
    ``right`` may be given as a ``lookup`` made once for many joins.

    Why: pandas' merge of millions of rows on a text key (a child's pseudonym, an LSOA code)
    was a fifth of the outcome measures' time at england scale (issue #18's benchmark); here
    each left row's match is found by place (Arrow's ``index_in``) and right's rows are taken
    by it. Where the shortcut could differ from a merge (a key of ``right`` repeated or
    missing, a key that is not text, a column name in both), this is the merge itself."""
    right = right if isinstance(right, Lookup) else lookup(right, on)
    shared = (set(left.columns) & set(right.frame.columns)) - {on}
    found = None
    if right.keys is not None and not shared and pd.api.types.is_string_dtype(left[on].dtype):
        found = _text_array(left[on])
    if found is None:
        return left.merge(right.frame, on=on, how="inner")
    place = _places(found, right.keys)
    matched = right.frame.drop(columns=on).iloc[place[place >= 0]].reset_index(drop=True)
    return pd.concat([left[place >= 0].reset_index(drop=True), matched], axis=1)


def places_in(column: pd.Series, table: Lookup) -> np.ndarray:
    """Each value's row in ``table`` (whose keys are unique), -1 where it has none or is
    missing: through Arrow's ``index_in`` where both are text (hashing ``table``'s keys once
    made, not Python objects one by one: issue #21), else pandas' ``get_indexer``."""
    found = _text_array(column) if pd.api.types.is_string_dtype(column.dtype) else None
    if table.keys is not None and found is not None:
        return _places(found, table.keys)
    return pd.Index(table.frame[table.on]).get_indexer(column).astype(np.int64)


def _places(found: pa.Array, keys: pa.Array) -> np.ndarray:
    place = pc.index_in(found, value_set=keys).fill_null(-1)
    return place.to_numpy(zero_copy_only=False).astype(np.int64)


def positions_in(column: pd.Series, values: pd.Series | list) -> np.ndarray:
    """Each of ``column``'s position among ``values`` (distinct), -1 where it is not one of
    them: ``pd.Index(values).get_indexer(column)``, through Arrow's ``index_in`` where both
    are text (``places_in``). Why: as in ``member_of``, pandas looks text up by making a
    Python object of every value; placing 1.7 million units in their LSOAs' LAs that way was
    most of linked adversity's distribution at England's scale (docs/PERFORMANCE.md,
    "Reading the validated tables; linked adversity and prevalence over arrays")."""
    values = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    return places_in(column, lookup(pd.DataFrame({"value": values}), "value"))


def _text_array(values: pd.Series | list) -> pa.Array | None:
    """``values`` as Arrow text; None when one of them is not text."""
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects: pandas' Arrow-backed strings cannot merge two
    empty columns (a year may lack a source), and object keys merge alike everywhere."""
    text = [
        c
        for c in frame.columns
        if pd.api.types.is_string_dtype(frame[c].dtype) and frame[c].dtype != object
    ]
    return frame.astype(dict.fromkeys(text, object)) if text else frame
