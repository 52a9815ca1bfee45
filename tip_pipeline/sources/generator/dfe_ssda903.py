"""A year's SSDA903 tables (Header, Episodes, Missing, Reviews, OC2, OC3, UASC, AD1,
PlacedAdoption, PrevPerm and, from 2023/24, SW episodes) as the authority's CSV export lays
them out, for ``generate(format="dfe")``: the raw tables intake converts into the ``ssda903_*``
extracts.

The layout is DfE's (*Children looked after return (SSDA903): guide to the return*), with the
CSV column names of the sector's validator (data-to-insight/csc-validator-be-903,
``validator903/config.py``), as intake reads them (``intake/ssda903.py``):

- Header: CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB;
- Episodes: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
  REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN;
- the other tables: the contract's columns, which are DfE's (``RawLayout``).

The rows are the contract files' rows for the same year (``deliveries.ssda903_tables``, run
with the children as the authority holds them, ``identities.RawPeople``), so the same episodes
and the same codes; what differs is what the contracts never carry:

- CHILD is the case-system id; UPN a UPN-like value; DOB the full date of birth;
- MOTHER is ``1`` for a girl who has become a mother by 31 March, ``0`` for any other girl,
  empty for boys and children whose sex is not recorded; MC_DOB is her child's date of birth
  (the day she became a mother) when MOTHER is ``1``;
- HOME_POST is the full home postcode; PL_POST a postcode in the placement's authority
  (PL_LA): the home postcode for a child placed with parents (P1) at home, empty when the
  placement's authority is not known. DfE's table has no PL_LA (DfE derives it from PL_POST),
  so it is not written: intake derives it from PL_POST through the lookup;
- URN is an Ofsted-like unique reference number (``SC`` and six digits) of the provider, one
  of a few per authority and provider type, or ``XXXXXXX`` for the placement types that have
  none (DfE's rule 222: H5, P1, P2, P3, R1, R2, R5, T0 to T4, Z1);
- DOB, in every table, is the full date of birth;
- SW_ID is the social worker's id in the authority's system (``SW`` and six digits);
- DATE_PERM, known to the day, the month or the year only, or not at all, is written as DfE
  lets it be: ``dd/mm/yyyy``, ``ZZ/mm/yyyy``, ``ZZ/ZZ/yyyy``, ``ZZ/ZZ/ZZZZ`` (a child with no
  previous order, Z1, has none);
- dates are written ``dd/mm/yyyy``, as the returns' CSV files write them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.intake.ssda903 import (
    AD1,
    EPISODES,
    HEADER,
    MISSING,
    OC2,
    OC3,
    PLACED_ADOPTION,
    PREV_PERM,
    REVIEWS,
    SW_EPISODES,
    UASC,
    Conversion,
    RawLayout,
)
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import deliveries, timeline
from tip_pipeline.sources.generator.care import Care
from tip_pipeline.sources.generator.identities import RawPeople, mix, salt
from tip_pipeline.sources.generator.postcodes import Postcodes

#: placement types without an Ofsted URN (DfE's rule 222), and what is written for them
NO_URN = ("H5", "P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1")
NO_URN_VALUE = "XXXXXXX"
#: Ofsted URNs of providers per authority and provider type
URNS_PER_PROVIDER = 25


@dataclass(frozen=True)
class Tables:
    """A year's raw tables, and the LSOAs of the placement postcodes they name (for the
    postcode lookup). ``outcomes``: DfE's other tables of the year's return by DfE's name."""

    header: pd.DataFrame
    episodes: pd.DataFrame
    placement_lsoas: np.ndarray
    outcomes: dict[str, pd.DataFrame]


def day_first(iso: pd.Series | np.ndarray) -> np.ndarray:
    """``yyyy-mm-dd`` as ``dd/mm/yyyy``; empty stays empty."""
    text = pd.Series(np.asarray(iso, dtype=object), dtype=object).fillna("")
    out = text.str[8:10] + "/" + text.str[5:7] + "/" + text.str[0:4]
    return out.where(text != "", "").to_numpy(dtype=object)


def _header(frame: pd.DataFrame, people: RawPeople, fy: FinancialYear) -> pd.DataFrame:
    identities = people.identities
    child = identities.child_of(frame["CHILD"])
    girl = ~people.uni.male[child] & ~people.uni.sex_unknown[child]
    became = identities.mother_from[child]
    mother = girl & (became <= timeline.day(fy.end))
    return pd.DataFrame(
        {
            "CHILD": frame["CHILD"],
            "SEX": frame["SEX"],
            "DOB": day_first(frame["DOB"]),
            "ETHNIC": frame["ETHNIC"],
            "UPN": identities.upn[child],
            "MOTHER": np.where(girl, np.where(mother, "1", "0"), "").astype(object),
            "MC_DOB": day_first(np.where(mother, timeline.iso(became), "")),
        },
        columns=list(HEADER.dfe_columns),
    )


def _urns(place: np.ndarray, provider: np.ndarray, la: np.ndarray, draw: np.ndarray) -> np.ndarray:
    kind = pd.Series(provider, dtype=object).str[2:].astype(int).to_numpy()
    pick = (draw >> np.uint64(32)) % np.uint64(URNS_PER_PROVIDER)
    number = 100_000 + (la * 8 + kind) * URNS_PER_PROVIDER + pick.astype(np.int64)
    urn = np.char.add("SC", number.astype(str)).astype(object)
    return np.where(np.isin(place, NO_URN), NO_URN_VALUE, urn).astype(object)


def _episodes(
    frame: pd.DataFrame, people: RawPeople, postcodes: Postcodes, seed: int
) -> tuple[pd.DataFrame, np.ndarray]:
    identities = people.identities
    geo = people.geo
    child = identities.child_of(frame["CHILD"])
    start = pd.to_datetime(frame["DECOM"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    draw = mix(child, start, salt=salt(seed, "placement"))
    la = pd.Index(geo.las["code"]).get_indexer(frame["PL_LA"].to_numpy())
    known = la >= 0
    lsoa, k = postcodes.in_la(np.where(known, la, geo.target), draw)
    home_la = geo.lsoa_la[people.uni.lsoa[child]]
    place = frame["PLACE"].to_numpy()
    at_home = (place == "P1") & (la == home_la)
    placed = np.where(at_home, frame["HOME_POST"].to_numpy(), postcodes.of(lsoa, k))
    episodes = pd.DataFrame(
        {
            "CHILD": frame["CHILD"],
            "DECOM": day_first(frame["DECOM"]),
            "RNE": frame["RNE"],
            "LS": frame["LS"],
            "CIN": frame["CIN"],
            "PLACE": frame["PLACE"],
            "PLACE_PROVIDER": frame["PLACE_PROVIDER"],
            "DEC": day_first(frame["DEC"]),
            "REC": frame["REC"],
            "REASON_PLACE_CHANGE": frame["REASON_PLACE_CHANGE"],
            "HOME_POST": frame["HOME_POST"],
            "PL_POST": np.where(known, placed, "").astype(object),
            "URN": _urns(
                place, frame["PLACE_PROVIDER"].to_numpy(), np.where(known, la, home_la), draw
            ),
        },
        columns=list(EPISODES.dfe_columns),
    )
    return episodes, np.unique(lsoa[known & ~at_home])


#: DfE's other tables, from their contract extracts
OUTCOME_LAYOUTS = (MISSING, REVIEWS, OC2, OC3, UASC, AD1, PLACED_ADOPTION, PREV_PERM, SW_EPISODES)


def partly_unknown(dates: pd.Series, previous: pd.Series) -> np.ndarray:
    """DATE_PERM as DfE writes it: ``yyyy-mm-dd`` as ``dd/mm/yyyy``, ``yyyy-mm`` as
    ``ZZ/mm/yyyy``, ``yyyy`` as ``ZZ/ZZ/yyyy``, and an empty date of a previous order
    (``previous`` other than Z1) as ``ZZ/ZZ/ZZZZ``; no order, no date."""
    text = dates.fillna("").astype(str)
    unknown = codes.UNKNOWN_DATE_PART * 2
    out = np.select(
        [text.str.len() == 10, text.str.len() == 7, text.str.len() == 4],
        [
            day_first(text),
            (unknown + "/" + text.str[5:7] + "/" + text.str[0:4]).to_numpy(dtype=object),
            (f"{unknown}/{unknown}/" + text).to_numpy(dtype=object),
        ],
        "",
    ).astype(object)
    order = (previous.fillna("") != "") & (previous != codes.NO_PREVIOUS_PERMANENCE)
    return np.where(order & (text == ""), f"{unknown}/{unknown}/{unknown * 2}", out).astype(object)


def _outcome(frame: pd.DataFrame, people: RawPeople, layout: RawLayout) -> pd.DataFrame:
    """One of the other tables: the contract rows with the full date of birth, every date
    written ``dd/mm/yyyy`` (DATE_PERM as DfE writes a partly unknown date) and the social
    worker's own id; the other columns are DfE's as they are."""
    identities = people.identities
    child = identities.child_of(frame["CHILD"])
    out = frame.copy()
    out["DOB"] = day_first(timeline.iso(identities.birth_day[child]))
    for column in layout.kept:
        if column.conversion is Conversion.DATE:
            out[column.raw] = day_first(frame[column.contract])
        elif column.conversion is Conversion.PARTIAL_DATE:
            out[column.raw] = partly_unknown(frame[column.contract], frame["PREV_PERM"])
    return out[list(layout.dfe_columns)]


def tables(
    care: Care, people: RawPeople, postcodes: Postcodes, fy: FinancialYear, seed: int
) -> Tables:
    """The year's raw tables (the contract files' rows and order)."""
    frames = deliveries.ssda903_tables(care, people, fy)
    episodes, lsoas = _episodes(frames["ssda903_episodes"], people, postcodes, seed)
    outcomes = {
        layout.name: _outcome(frames[layout.extract.table], people, layout)
        for layout in OUTCOME_LAYOUTS
        if layout.in_return(fy)
    }
    return Tables(_header(frames["ssda903_header"], people, fy), episodes, lsoas, outcomes)
