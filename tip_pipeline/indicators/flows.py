"""Involvement flows ("left shift"): each child's highest level of involvement with children's
services in a year, and the children moving between levels from one year to the next.

The levels, lowest to highest (docs/DOMAIN.md, "Involvement flows"), each read from the year's
validated tables and the child linked across the CIN census and SSDA903 by the shared
pseudonym (as linked adversity links them, ``indicators/adversity.py``):

- ``referral``: a CIN episode open at some time in the year (referred in it, or open on
  1 April) that did not make the child in need: the referral led to no further action
  (ReferralNFA 1), or the case was closed after assessment as not in need (RC8, no further
  action; RC9, referred to early help). DfE, *Characteristics of children in need*,
  methodology, "Calculating referrals resulting in no further action" and "Calculating
  children assessed not to be in need at assessment";
- ``in_need``: any other CIN episode open at some time in the year;
- ``child_protection``: a child protection plan open at some time in the year;
- ``looked_after``: an SSDA903 episode open at some time in the year, series of short breaks
  (V3, V4) left out as in DfE's headline looked-after figures (docs/CONVENTIONS.md, "Periods");
- ``none``: not known in the year (the level of a child known only in the other year).

"Open at some time in the year" is docs/CONVENTIONS.md's "in the year": started on or before
31 March and not ended before 1 April (``people.overlaps``), so a plan ended on 31 March of
the previous year is not open in the year. A child's level is the highest reached.

The flows of year Y are the children known in Y-1 or Y (``none -> none`` is nobody's flow and
is not counted), by their level in Y-1 and in Y, per local authority, with the margins: the
children at each level in Y-1 (``to_level`` ``ALL``) and in Y (``from_level`` ``ALL``). A child
is placed by their home LSOA in Y where known in Y, else in Y-1 (the SSDA903 episode's
HOME_POST, else the CIN child's HomeLSOA; an unknown home area counts in the delivering LA,
``tip_pipeline.home_area``).

Regions and England have flows of their own where the delivery holds every one of their
authorities, by the rule by which ``indicator_values`` computes a region or England from the
delivery rather than take it from the benchmark file (``values.complete_levels``: a region
when the LSOA lookup covers several LAs and every LA the ONS LA-to-region lookup places in it;
England when it covers every LA of that lookup). Each child is counted in the region and
country of the LA they are counted in, so a region's flows are the sum of its authorities'
and England's the sum of its regions' (``publish/cells.py`` declares both, so disclosure
control and the audit cover them). A region missing one of its authorities has no flows,
never flows of part of it (``wider_area_reasons`` says why).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tip_pipeline.home_area import UNKNOWN, is_unknown
from tip_pipeline.indicators.data import YearData, lookup, places_in
from tip_pipeline.indicators.look_back import FLOWS, not_available
from tip_pipeline.indicators.people import overlaps
from tip_pipeline.indicators.values import complete_levels
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.codes import SHORT_BREAK_LEGAL_STATUS

NONE, REFERRAL, IN_NEED = "none", "referral", "in_need"
CHILD_PROTECTION, LOOKED_AFTER = "child_protection", "looked_after"
#: the levels, lowest to highest
LEVELS: tuple[str, ...] = (NONE, REFERRAL, IN_NEED, CHILD_PROTECTION, LOOKED_AFTER)
#: the margin's other side: ``(level, ALL)`` is the children at ``level`` in the previous year,
#: ``(ALL, level)`` those at ``level`` in the year
ALL = "all"
LABELS = {
    NONE: "Not known",
    REFERRAL: "Referral",
    IN_NEED: "In need",
    CHILD_PROTECTION: "Child protection",
    LOOKED_AFTER: "Looked after",
    ALL: "All",
}
#: reasons for closure after an assessment that found the child not in need (CIN census)
NOT_IN_NEED_CLOSURES = ("RC8", "RC9")
#: a referral that led to no further action (ReferralNFA)
REFERRAL_NFA = "1"
#: the cells of a year's matrix: every pair of levels but ``none -> none``
TRANSITIONS: tuple[tuple[str, str], ...] = tuple(
    (a, b) for a in LEVELS for b in LEVELS if (a, b) != (NONE, NONE)
)
COLUMNS = [
    "period",
    "previous_period",
    "area_code",
    "area_name",
    "from_level",
    "to_level",
    "children",
]

_RANK = {level: rank for rank, level in enumerate(LEVELS)}


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().fillna("").astype(object)


def child_levels(
    episodes: pd.DataFrame,
    plans: pd.DataFrame,
    care: pd.DataFrame,
    children: pd.DataFrame,
    period: FinancialYear,
) -> pd.DataFrame:
    """One row per child known in ``period``: ``child``, ``level`` (the highest reached in the
    year, never ``none``) and ``lsoa`` (the home LSOA, ``home_area.UNKNOWN`` where none is
    known). ``episodes``, ``plans``, ``care`` and ``children``: the year's validated
    cin_episodes, cin_cp_plans, ssda903_episodes and cin_children."""
    first, last = period.start, period.end
    eps = episodes[
        overlaps(episodes["cin_referral_date"], episodes["cin_closure_date"], first, last)
    ]
    not_in_need = (_text(eps["referral_nfa"]) == REFERRAL_NFA) | _text(
        eps["reason_for_closure"]
    ).isin(NOT_IN_NEED_CLOSURES)
    open_plans = plans[overlaps(plans["cpp_start_date"], plans["cpp_end_date"], first, last)]
    in_care = care[~_text(care["ls"]).isin(SHORT_BREAK_LEGAL_STATUS)]
    in_care = in_care[overlaps(in_care["decom"], in_care["dec"], first, last)]
    parts = [
        (eps.loc[not_in_need, "la_child_id"], REFERRAL),
        (eps.loc[~not_in_need, "la_child_id"], IN_NEED),
        (open_plans["la_child_id"], CHILD_PROTECTION),
        (in_care["child"], LOOKED_AFTER),
    ]
    rows = pd.concat(
        [pd.DataFrame({"child": ids.to_numpy(object), "rank": _RANK[lv]}) for ids, lv in parts],
        ignore_index=True,
    )
    best = rows.groupby("child", as_index=False)["rank"].max()
    best["level"] = best["rank"].map(dict(enumerate(LEVELS)))
    # each child's home LSOA found by place (Arrow), not by ``Series.map`` on the ids: a fifth
    # of the flows at england scale; a child with none takes the last, UNKNOWN (place -1)
    homes = _home_lsoas(in_care, children)
    place = places_in(best["child"], lookup(pd.DataFrame({"child": homes.index}), "child"))
    known = np.append(homes.to_numpy(object), UNKNOWN)
    best["lsoa"] = pd.Series(known[place], index=best.index, dtype=object)
    return best[["child", "level", "lsoa"]]


def _home_lsoas(care: pd.DataFrame, children: pd.DataFrame) -> pd.Series:
    """Child -> a known home LSOA of the year: the latest looked-after episode's HOME_POST,
    else the CIN child's HomeLSOA."""
    latest = care[~is_unknown(care["home_post"])].sort_values("decom")
    from_care = latest.drop_duplicates("child", keep="last").set_index("child")["home_post"]
    known = children[~is_unknown(children["home_lsoa"])]
    from_cin = known.drop_duplicates("la_child_id").set_index("la_child_id")["home_lsoa"]
    return pd.concat([from_care, from_cin[~from_cin.index.isin(from_care.index)]])


def year_levels(data: YearData) -> pd.DataFrame:
    """``child_levels`` of ``data``'s year."""
    return child_levels(
        data.table("cin_episodes"),
        data.table("cin_cp_plans"),
        data.table("ssda903_episodes"),
        data.table("cin_children"),
        data.period,
    )


def previous_levels(data: YearData) -> pd.DataFrame:
    """``child_levels`` of the year before ``data``'s, from the look-back rows read for it
    (``YearData.earlier``)."""
    before = data.period.shifted(-1)

    def rows(name: str) -> pd.DataFrame:
        frame = data.earlier_table(name)
        return frame[frame["period"] == before.label]

    return child_levels(
        rows("cin_episodes"),
        rows("cin_cp_plans"),
        rows("ssda903_episodes"),
        rows("cin_children"),
        before,
    )


def transitions(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """One row per child known in either year (``child_levels`` of each): ``child``,
    ``from_level``, ``to_level`` (``none`` where not known in that year) and ``lsoa`` (this
    year's where the child is known in it, else last year's)."""
    both = before.merge(now, on="child", how="outer", suffixes=("_before", "_now"))
    return pd.DataFrame(
        {
            "child": both["child"].to_numpy(object),
            "from_level": both["level_before"].fillna(NONE).to_numpy(object),
            "to_level": both["level_now"].fillna(NONE).to_numpy(object),
            "lsoa": both["lsoa_now"].fillna(both["lsoa_before"]).to_numpy(object),
        }
    )


#: the area levels with flows: the LA, and its region and England where complete
AREA_LEVELS: tuple[str, ...] = ("la", "region", "country")
#: why a region or England has no flows (``wider_area_reasons``)
INCOMPLETE_AREA = (
    "no flows: the delivery does not hold every local authority of the {what} ({missing} of "
    "{total} not in the LSOA lookup), and a {what}'s flows are the sum of all its authorities' "
    "(as its indicator values, which come from the benchmark file instead)"
)


def flow_counts(
    moves: pd.DataFrame,
    areas: pd.DataFrame,
    level: str = "la",
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Children per area of ``level`` (``la``, ``region`` or ``country``: the ``areas``
    column) and pair of levels (every ``TRANSITIONS`` pair, zeros included), with the margins:
    ``(level, ALL)`` the children at each level in the previous year and ``(ALL, level)`` in
    the year, ``none`` among them. Areas: ``codes``, or where ``None`` every area of
    ``level`` in ``areas`` (``data.areas``). Columns ``area_code``, ``area_name``,
    ``from_level``, ``to_level``, ``children``."""
    placed = moves.merge(areas[["lsoa", level]], on="lsoa", how="inner")
    counts = placed.groupby([level, "from_level", "to_level"]).size()
    names = areas.drop_duplicates(level).set_index(level)[f"{level}_name"]
    chosen = sorted(areas[level].dropna().unique() if codes is None else codes)
    rows = []
    for code in chosen:
        cell = {pair: int(counts.get((code, *pair), 0)) for pair in TRANSITIONS}
        for a, b in TRANSITIONS:
            rows.append((code, a, b, cell[(a, b)]))
        for lv in LEVELS:
            rows.append((code, lv, ALL, sum(n for (a, _), n in cell.items() if a == lv)))
            rows.append((code, ALL, lv, sum(n for (_, b), n in cell.items() if b == lv)))
    out = pd.DataFrame(rows, columns=["area_code", "from_level", "to_level", "children"])
    out["area_name"] = out["area_code"].map(names)
    out["children"] = out["children"].astype("int64")
    return out


def wider_area_reasons(data: YearData) -> dict[str, str]:
    """Region or England code -> why it has no flows for the year: some of its local
    authorities (the ONS LA-to-region lookup's) are not in the delivery's LSOA lookup, so
    ``values.complete_levels`` leaves it out. A single authority's delivery has a reason for
    its region and for England; a complete region, or England, has none."""
    complete = complete_levels(data)
    present = set(data.areas["la"].dropna())
    lookup = data.table("ref_lad_region")
    wider = [("region", code, set(rows["lad24cd"])) for code, rows in lookup.groupby("rgn24cd")]
    wider += [("country", code, set(lookup["lad24cd"])) for code in set(data.areas["country"])]
    return {
        code: INCOMPLETE_AREA.format(what=level, missing=len(las - present), total=len(las))
        for level, code, las in sorted(wider, key=lambda w: w[1])
        if code not in complete[level]
    }


def flows(data: YearData) -> pd.DataFrame:
    """The year's rows of ``restricted.involvement_flows``, for each LA and for each region
    and England whose every LA the delivery holds: none when the previous year's tables were
    not delivered (``look_back.not_available``: the year is then named in
    ``published.indicator_not_available`` with why)."""
    if not_available(FLOWS, data.period, data.delivered_earlier()):
        return pd.DataFrame(columns=COLUMNS)
    moves = transitions(previous_levels(data), year_levels(data))
    complete = complete_levels(data)
    out = pd.concat(
        [flow_counts(moves, data.areas, level, complete[level]) for level in AREA_LEVELS],
        ignore_index=True,
    )
    out["period"] = data.period.label
    out["previous_period"] = data.period.shifted(-1).label
    return out[COLUMNS]
