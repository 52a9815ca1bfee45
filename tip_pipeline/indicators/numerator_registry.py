"""Numerators, registered by name (the catalogue names them; ``numerators/*`` defines them).

A numerator takes a year's inputs and returns its *units*: one row per counted child (or
household, or event for a rate), with the columns of ``UNITS``:

- ``unit_id``: the pseudonymised child id (or case id, or event id);
- ``lsoa``: the home LSOA (2021) of the unit -- never the placement (docs/CONVENTIONS.md);
  ``home_area.UNKNOWN`` where the record has none (an unknown home area, counted in the
  delivering LA: ``data.area_lookup`` places it);
- ``sex``: harmonised M/F/U; ``ethnic_group``: five groups or "Not recorded";
- ``age``: whole years at the reference date (31 March for snapshots, the event date for
  events), from the month-truncated date of birth; missing where not a person.

Age ranges, areas and breakdowns are applied by ``values``, not by the numerators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd

from tip_pipeline.home_area import UNKNOWN, is_unknown
from tip_pipeline.indicators.data import YearData, member_of

UNITS = ("unit_id", "lsoa", "sex", "ethnic_group", "age")

Numerator = Callable[[YearData], pd.DataFrame]
_NUMERATORS: dict[str, Numerator] = {}


def register(name: str) -> Callable[[Numerator], Numerator]:
    """Register ``fn`` as the numerator ``name`` (a name may be registered once)."""

    def decorate(fn: Numerator) -> Numerator:
        if name in _NUMERATORS and _NUMERATORS[name] is not fn:
            raise ValueError(f"numerator {name!r} is registered twice")
        _NUMERATORS[name] = fn
        return fn

    return decorate


def numerator(name: str) -> Numerator:
    """The registered numerator ``name``."""
    _load()
    try:
        return _NUMERATORS[name]
    except KeyError:
        raise KeyError(f"no numerator {name!r}; known: {sorted(_NUMERATORS)}") from None


def numerator_names() -> list[str]:
    """The names of every registered numerator, sorted."""
    _load()
    return sorted(_NUMERATORS)


def units_of(name: str, data: YearData) -> pd.DataFrame:
    """The units of numerator ``name`` for ``data``, checked to have the ``UNITS`` columns;
    computed once per year's data (``data.cache``), so callers must not modify the frame."""
    key = ("units", name)
    if key not in data.cache:
        frame = numerator(name)(data)
        missing = [c for c in UNITS if c not in frame.columns]
        if missing:
            raise ValueError(f"numerator {name!r} returned no column(s) {missing}")
        data.cache[key] = frame[list(UNITS)].reset_index(drop=True)
    return data.cache[key]


def make_units(
    frame: pd.DataFrame,
    unit_id: str,
    lsoa: str,
    sex: pd.Series | str = "U",
    ethnic_group: pd.Series | str = "Not recorded",
    age: pd.Series | None = None,
    distinct: bool = True,
) -> pd.DataFrame:
    """Units from ``frame``: its ``unit_id`` and ``lsoa`` columns and the given attributes.
    An empty LSOA becomes ``home_area.UNKNOWN``, so that the unit is placed in the delivering
    LA's unknown home area rather than lost by a merge on the LSOA.

    ``distinct`` keeps the first row of each unit (callers sort first, e.g. by event date, so
    that "the first qualifying event in the year" gives the unit's age and area).
    """
    out = pd.DataFrame(
        {
            "unit_id": frame[unit_id].to_numpy(),
            "lsoa": frame[lsoa].mask(is_unknown(frame[lsoa]), UNKNOWN).to_numpy(object),
            "sex": sex.to_numpy() if isinstance(sex, pd.Series) else sex,
            "ethnic_group": (
                ethnic_group.to_numpy() if isinstance(ethnic_group, pd.Series) else ethnic_group
            ),
            "age": (age.to_numpy() if age is not None else pd.NA),
        },
        index=frame.index,
    )
    out["age"] = pd.to_numeric(out["age"], errors="coerce").astype("Int64")
    if distinct:
        out = out.drop_duplicates("unit_id", keep="first")
    return out.reset_index(drop=True)


def _load() -> None:
    """Import the numerator modules (registration happens on import)."""
    import tip_pipeline.indicators.numerators  # noqa: F401


def subset_units(base: pd.DataFrame, ids: Iterable[object]) -> pd.DataFrame:
    """The units of ``base`` whose unit id is among ``ids``: a numerator that is a subset of
    another's units (those of its denominator), so every breakdown of it is a share of the
    same units.

    Matched with Arrow's ``is_in`` (``data.member_of``): pandas 3's ``isin`` on its string
    dtype compares value by value in Python (about 4 s against 0.26 s for a million ids; at
    england scale this was 4.6% of a year's figures, issue #21)."""
    return base[member_of(base["unit_id"], ids).to_numpy()].reset_index(drop=True)
