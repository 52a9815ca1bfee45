"""From simulated histories to each year's files, as known at the end of that year.

Return semantics (shared with validation and indicators):
- a year's CIN files hold every episode open at any point in the year (referral <= 31 March
  and closure blank or >= 1 April); a closure, plan end or assessment authorisation after
  31 March is not yet known (blank), nor are the factors of an assessment not yet authorised;
  the section 47 enquiries started in the year or whose initial child protection conference
  was held in it (DfE rules 8740 and 8715), a conference after 31 March not yet known (blank);
- SSDA903 holds episodes open at any point in the year; a DEC after 31 March is blank, and so
  is its REC; missing episodes likewise (a MIS_END after 31 March is blank); the reviews held
  in the year; the year's OC2 and OC3 cohorts; the UASC, PlacedAdoption and social worker
  episodes of the periods of care open in the year (a DUC, decision reversed or SW_DEC after
  31 March blank); AD1 of the adoptions in the year; PrevPerm of the periods begun in it; the
  SW episodes table only from 2023/24 (earlier years' files have no rows);
- youth-justice files hold the offences whose outcome is dated in the year;
- homelessness quarter files hold each case whose duty is open in the quarter (NODUTY cases:
  the quarter of application), with the duty end blank until it has happened, and each
  placement in temporary accommodation open in the quarter, its end blank until it has happened.
Child and header tables list exactly the children with a row in that year's episodes (the
SSDA903 header also the care leavers of the year's OC3 cohort).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import timeline
from tip_pipeline.sources.generator.care import Care
from tip_pipeline.sources.generator.cin import Cin
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.homelessness import Hclic
from tip_pipeline.sources.generator.population import Universe

_ETHNIC = np.asarray(codes.ETHNICITY, dtype=object)


class ChildIds(Protocol):
    """The id each child is written with: the contracts' pseudonym (``pseudonyms.Pseudonyms``),
    or, for the raw returns, the authority's own id (``identities``)."""

    def of(self, children: np.ndarray) -> np.ndarray: ...


@dataclass
class People:
    """Per-child attributes rendered for a period (sex codes change in 2024/25). ``staff``:
    the id each social worker of the pool is written with (SSDA903's SW_ID), the contracts'
    staff pseudonym or the authority's own id."""

    uni: Universe
    geo: Geography
    ids: ChildIds
    staff: ChildIds

    def sex(self, child: np.ndarray, period: FinancialYear) -> np.ndarray:
        letter = period >= codes.SEX_LETTER_FROM
        male = self.uni.male[child]
        unknown = self.uni.sex_unknown[child]
        if letter:
            out = np.where(male, "M", "F")
            return np.where(unknown, "U", out).astype(object)
        out = np.where(male, "1", "2")
        return np.where(unknown, np.where(child % 10 == 0, "9", "0"), out).astype(object)

    def dob(self, child: np.ndarray) -> np.ndarray:
        return timeline.iso(timeline.month_start_day(self.uni.dob_month[child]))

    def ethnicity(self, child: np.ndarray) -> np.ndarray:
        return _ETHNIC[self.uni.ethnicity[child]]

    def lsoa(self, child: np.ndarray) -> np.ndarray:
        return self.geo.lsoa_code[self.uni.lsoa[child]]


def _known(days: np.ndarray, cutoff: int) -> np.ndarray:
    """Dates after ``cutoff`` are not yet known: blank."""
    days = np.asarray(days, dtype="int64")
    return timeline.iso(np.where(days > cutoff, timeline.OPEN, days))


def _month_of(iso: np.ndarray) -> np.ndarray:
    """ISO dates cut to the first of their month (blank stays blank)."""
    text = pd.Series(iso, dtype=object)
    return np.where(text.str.len() == 10, text.str[:8] + "01", text).astype(object)


def _open_in(start: pd.Series, end: pd.Series, y0: int, y1: int) -> pd.Series:
    return (start <= y1) & (end >= y0)


def cin_tables(cin: Cin, people: People, fy: FinancialYear) -> dict[str, pd.DataFrame]:
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    e = cin.episodes[_open_in(cin.episodes["ref"], cin.episodes["close"], y0, y1)]
    child = e["child"].to_numpy()
    closed = e["close"].to_numpy() <= y1
    episodes = pd.DataFrame(
        {
            "LAchildID": people.ids.of(child),
            "CINreferralDate": timeline.iso(e["ref"]),
            "ReferralSource": e["source"].to_numpy(),
            "PrimaryNeedCode": e["need"].to_numpy(),
            "ReferralNFA": e["nfa"].to_numpy(),
            "CINclosureDate": _known(e["close"], y1),
            "ReasonForClosure": np.where(closed, e["rc"], "").astype(object),
        }
    )
    keys = e[["child", "ref"]]
    a = cin.assessments.merge(keys, on=["child", "ref"])
    a = a[a["start"] <= y1]
    done = a["auth"].to_numpy() <= y1
    assessments = pd.DataFrame(
        {
            "LAchildID": people.ids.of(a["child"].to_numpy()),
            "CINreferralDate": timeline.iso(a["ref"]),
            "AssessmentActualStartDate": timeline.iso(a["start"]),
            "AssessmentAuthorisationDate": _known(a["auth"], y1),
            "AssessmentFactors": np.where(done, a["factors"], "").astype(object),
        }
    )
    p = cin.plans.merge(keys, on=["child", "ref"])
    p = p[_open_in(p["start"], p["end"], y0, y1)]
    plans = pd.DataFrame(
        {
            "LAchildID": people.ids.of(p["child"].to_numpy()),
            "CINreferralDate": timeline.iso(p["ref"]),
            "CPPstartDate": timeline.iso(p["start"]),
            "CPPendDate": _known(p["end"], y1),
            "InitialCategoryOfAbuse": p["initial"].to_numpy(),
            "LatestCategoryOfAbuse": p["latest"].to_numpy(),
            "NumberOfPreviousCPP": p["previous"].astype(str).to_numpy(),
        }
    )
    s47 = cin.enquiries.merge(keys, on=["child", "ref"])
    s47 = s47[
        _open_in(s47["start"], s47["start"], y0, y1) | _open_in(s47["icpc"], s47["icpc"], y0, y1)
    ]
    enquiries = pd.DataFrame(
        {
            "LAchildID": people.ids.of(s47["child"].to_numpy()),
            "CINreferralDate": timeline.iso(s47["ref"]),
            "S47ActualStartDate": timeline.iso(s47["start"]),
            "InitialCPCtarget": timeline.iso(s47["target"]),
            "DateOfInitialCPC": _known(s47["icpc"], y1),
            "ICPCnotRequired": np.where(s47["not_required"], "1", "0").astype(object),
        }
    )
    kids = np.unique(child)
    children = pd.DataFrame(
        {
            "LAchildID": people.ids.of(kids),
            "PersonBirthDate": people.dob(kids),
            "Sex": people.sex(kids, fy),
            "Ethnicity": people.ethnicity(kids),
            "HomeLSOA": people.lsoa(kids),
            "PersonDeathDate": "",
        }
    )
    return {
        "cin_children": _sorted(children, ["LAchildID"]),
        "cin_episodes": _sorted(episodes, ["LAchildID", "CINreferralDate"]),
        "cin_assessments": _sorted(
            assessments, ["LAchildID", "CINreferralDate", "AssessmentActualStartDate"]
        ),
        "cin_cp_plans": _sorted(plans, ["LAchildID", "CPPstartDate"]),
        "cin_section47": _sorted(enquiries, ["LAchildID", "CINreferralDate", "S47ActualStartDate"]),
    }


def ssda903_tables(care: Care, people: People, fy: FinancialYear) -> dict[str, pd.DataFrame]:
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    e = care.episodes[_open_in(care.episodes["decom"], care.episodes["dec"], y0, y1)]
    child = e["child"].to_numpy()
    ended = e["dec"].to_numpy() <= y1
    episodes = pd.DataFrame(
        {
            "CHILD": people.ids.of(child),
            "DECOM": timeline.iso(e["decom"]),
            "RNE": e["rne"].to_numpy(),
            "LS": e["ls"].to_numpy(),
            "CIN": e["cin"].to_numpy(),
            "PLACE": e["place"].to_numpy(),
            "PLACE_PROVIDER": e["provider"].to_numpy(),
            "DEC": _known(e["dec"], y1),
            "REC": np.where(ended, e["rec"], "").astype(object),
            "REASON_PLACE_CHANGE": e["rpc"].to_numpy(),
            "HOME_POST": people.lsoa(child),
            "PL_LA": e["pl_la"].to_numpy(),
        }
    )
    outcomes = _ssda903_outcomes(care, people, fy)
    leavers = care.outcomes.oc3.loc[care.outcomes.oc3["end_year"] == fy.end_year, "child"]
    kids = np.union1d(child, leavers.to_numpy())
    header = pd.DataFrame(
        {
            "CHILD": people.ids.of(kids),
            "SEX": people.sex(kids, fy),
            "DOB": people.dob(kids),
            "ETHNIC": people.ethnicity(kids),
        }
    )
    return {
        "ssda903_header": _sorted(header, ["CHILD"]),
        "ssda903_episodes": _sorted(episodes, ["CHILD", "DECOM"]),
        **outcomes,
        **_ssda903_records(care, people, fy),
    }


def _child_dob(people: People, child: np.ndarray) -> dict[str, np.ndarray]:
    return {"CHILD": people.ids.of(child), "DOB": people.dob(child)}


def _ssda903_records(care: Care, people: People, fy: FinancialYear) -> dict[str, pd.DataFrame]:
    """The year's UASC, AD1, PlacedAdoption, PrevPerm and SW episodes tables
    (``care_records``): UASC children, decisions to place for adoption and social worker
    episodes of the periods of care open in the year, the adoptions of the year and the
    previous permanence of the periods begun in it; SW episodes from 2023/24."""
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    r = care.records
    u = r.uasc[_open_in(r.uasc["start"], r.uasc["end"], y0, y1) & (r.uasc["duc"] >= y0)]
    u = u.drop_duplicates("child")
    u_child = u["child"].to_numpy()
    uasc = pd.DataFrame(
        {
            "CHILD": people.ids.of(u_child),
            "SEX": people.sex(u_child, fy),
            "DOB": people.dob(u_child),
            # cut to its month as DOB is: it is usually the 18th birthday
            "DUC": _month_of(_known(u["duc"], y1)),
        }
    )
    p = r.placed[
        _open_in(r.placed["start"], r.placed["end"], y0, y1)
        & (r.placed["placed"] <= y1)
        & (r.placed["ceased"] >= y0)
    ]
    p_child = p["child"].to_numpy()
    ceased = p["ceased"].to_numpy() <= y1
    placed = pd.DataFrame(
        {
            **_child_dob(people, p_child),
            "DATE_PLACED": timeline.iso(p["placed"]),
            "DATE_PLACED_CEASED": _known(p["ceased"], y1),
            "REASON_PLACED_CEASED": np.where(ceased, p["reason"], "").astype(object),
        }
    )
    a = r.ad1[r.ad1["adopted"].between(y0, y1)]
    a_child = a["child"].to_numpy()
    ad1 = pd.DataFrame(
        {
            **_child_dob(people, a_child),
            "DATE_INT": timeline.iso(a["DATE_INT"]),
            "DATE_MATCH": timeline.iso(a["DATE_MATCH"]),
            **{c: a[c].to_numpy() for c in ("FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")},
        }
    )
    v = r.prev_perm[r.prev_perm["start"].between(y0, y1)].drop_duplicates("child")
    v_child = v["child"].to_numpy()
    prev = pd.DataFrame(
        {
            **_child_dob(people, v_child),
            **{c: v[c].to_numpy() for c in ("PREV_PERM", "LA_PERM", "DATE_PERM")},
        }
    )
    return {
        "ssda903_uasc": _sorted(uasc, ["CHILD"]),
        "ssda903_ad1": _sorted(ad1, ["CHILD", "DATE_INT"]),
        "ssda903_placed_adoption": _sorted(placed, ["CHILD", "DATE_PLACED"]),
        "ssda903_prev_perm": _sorted(prev, ["CHILD"]),
        "ssda903_sw_episodes": _sw_episodes(r.sw, people, fy),
    }


def _sw_episodes(sw: pd.DataFrame, people: People, fy: FinancialYear) -> pd.DataFrame:
    """The year's social worker episodes: those open in it, from 2023/24 (DfE's first year of
    the table); no rows before."""
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    if fy < codes.SW_EPISODES_FROM:
        sw = sw.iloc[:0]
    s = sw[_open_in(sw["start"], sw["end"], y0, y1)]
    s_child = s["child"].to_numpy()
    frame = pd.DataFrame(
        {
            **_child_dob(people, s_child),
            "SW_ID": people.staff.of(s["worker"].to_numpy()),
            "SW_DECOM": timeline.iso(s["start"]),
            "SW_DEC": _known(s["end"], y1),
            "SW_REASON": s["reason"].to_numpy(),
        }
    )
    return _sorted(frame, ["CHILD", "SW_DECOM"])


def _ssda903_outcomes(care: Care, people: People, fy: FinancialYear) -> dict[str, pd.DataFrame]:
    """The year's Missing, Reviews, OC2 and OC3 tables: missing episodes open in the year (a
    return after 31 March not yet known), reviews held in it, and the year's OC2 and OC3
    cohorts (``care_outcomes``)."""
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    o = care.outcomes
    m = o.missing[_open_in(o.missing["start"], o.missing["end"], y0, y1)]
    m_child = m["child"].to_numpy()
    missing = pd.DataFrame(
        {
            "CHILD": people.ids.of(m_child),
            "DOB": people.dob(m_child),
            "MISSING": m["kind"].to_numpy(),
            "MIS_START": timeline.iso(m["start"]),
            "MIS_END": _known(m["end"], y1),
        }
    )
    r = o.reviews[o.reviews["day"].between(y0, y1)]
    r_child = r["child"].to_numpy()
    reviews = pd.DataFrame(
        {
            "CHILD": people.ids.of(r_child),
            "DOB": people.dob(r_child),
            "REVIEW": timeline.iso(r["day"]),
            "REVIEW_CODE": r["code"].to_numpy(),
        }
    )
    tables = {}
    for table, rows in (("ssda903_oc2", o.oc2), ("ssda903_oc3", o.oc3)):
        year = rows[rows["end_year"] == fy.end_year]
        child = year["child"].to_numpy()
        columns = [c for c in year.columns if c not in ("end_year", "child")]
        frame = pd.DataFrame({"CHILD": people.ids.of(child), "DOB": people.dob(child)})
        for column in columns:
            frame[column] = year[column].to_numpy()
        tables[table] = _sorted(frame, ["CHILD"])
    return {
        "ssda903_missing": _sorted(missing, ["CHILD", "MIS_START"]),
        "ssda903_reviews": _sorted(reviews, ["CHILD", "REVIEW"]),
        **tables,
    }


def yjs_tables(off: pd.DataFrame, people: People, fy: FinancialYear) -> dict[str, pd.DataFrame]:
    y0, y1 = timeline.day(fy.start), timeline.day(fy.end)
    o = off[(off["outcome_day"] >= y0) & (off["outcome_day"] <= y1)]
    child = o["child"].to_numpy()
    ids = people.ids.of(child)
    offences = pd.DataFrame(
        {
            "YJ_ID": ids,
            "OFFENCE_ID": o["offence_id"].to_numpy(),
            "OFFENCE_DATE": timeline.iso(o["offence_day"]),
            "OFFENCE_TYPE": o["type"].to_numpy(),
            "GRAVITY": o["gravity"].to_numpy(),
            "DOB": people.dob(child),
            "SEX": people.sex(child, fy),
            "ETHNICITY": people.ethnicity(child),
            "HOME_LSOA": people.lsoa(child),
        }
    )
    outcomes = pd.DataFrame(
        {
            "YJ_ID": ids,
            "OFFENCE_ID": o["offence_id"].to_numpy(),
            "OUTCOME_DATE": timeline.iso(o["outcome_day"]),
            "OUTCOME_TYPE": o["outcome"].to_numpy(),
        }
    )
    return {
        "yjs_offences": _sorted(offences, ["OFFENCE_ID"]),
        "yjs_outcomes": _sorted(outcomes, ["OFFENCE_ID"]),
    }


def hclic_tables(
    h: Hclic, people: People, fy: FinancialYear, q0: int, q1: int
) -> dict[str, pd.DataFrame]:
    c = h.cases
    duty = c["duty"] != "NODUTY"
    appears = np.where(duty, _open_in(c["app"], c["end"], q0, q1), c["app"].between(q0, q1))
    c = c[appears]
    kids = h.children[h.children["case_id"].isin(c["case_id"])]
    n_kids = kids.groupby("case_id").size().reindex(c["case_id"], fill_value=0)
    ended = c["end"].to_numpy() <= q1
    main = pd.DataFrame(
        {
            "CASE_ID": c["case_id"].to_numpy(),
            "APPLICATION_DATE": timeline.iso(c["app"]),
            "ASSESSMENT_DATE": timeline.iso(c["assess"]),
            "INITIAL_DUTY": c["duty"].to_numpy(),
            "REASON_LOSS": c["reason"].to_numpy(),
            "HOUSEHOLD_TYPE": c["htype"].to_numpy(),
            "NUM_DEP_CHILDREN": n_kids.astype(str).to_numpy(),
            "HOME_LSOA": people.geo.lsoa_code[c["lsoa"].to_numpy()],
            "DUTY_END_DATE": _known(c["end"], q1),
            "DUTY_END_REASON": np.where(ended, c["end_reason"], "").astype(object),
        }
    )
    child = kids["child"].to_numpy()
    children = pd.DataFrame(
        {
            "CASE_ID": kids["case_id"].to_numpy(),
            "CHILD_ID": people.ids.of(child),
            "CHILD_DOB": people.dob(child),
            "CHILD_SEX": people.sex(child, fy),
        }
    )
    s = h.support[h.support["case_id"].isin(c["case_id"])]
    support = pd.DataFrame({"CASE_ID": s["case_id"].to_numpy(), "SUPPORT_NEED": s["need"]})
    return {
        "hclic_main": _sorted(main, ["CASE_ID"]),
        "hclic_children": _sorted(children, ["CASE_ID", "CHILD_ID"]),
        "hclic_support": _sorted(support.reset_index(drop=True), ["CASE_ID", "SUPPORT_NEED"]),
        "hclic_temp_accommodation": _sorted(_placements(h, q0, q1), ["CASE_ID", "TA_START_DATE"]),
    }


def _placements(h: Hclic, q0: int, q1: int) -> pd.DataFrame:
    """The quarter's Temporary accommodation rows: every placement open at some time in the
    quarter (its case is then reported too: a placement lies within its case's duty), its end
    blank where it was still open at the quarter's end."""
    ta = h.ta[_open_in(h.ta["start"], h.ta["end"], q0, q1)]
    return pd.DataFrame(
        {
            "CASE_ID": ta["case_id"].to_numpy(),
            "TA_START_DATE": timeline.iso(ta["start"]),
            "TA_END_DATE": _known(ta["end"], q1),
            "TA_TYPE": ta["ta_type"].to_numpy(),
        }
    )


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable", ignore_index=True)
