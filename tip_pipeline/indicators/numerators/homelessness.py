"""Homelessness (H-CLIC-like, quarterly): children and households owed a prevention or relief
duty in the year, and children in temporary accommodation at the year's end. A case reported in
several quarters counts once for the year (docs/CONVENTIONS.md, "Codes across years").

A duty is "owed in the year" when the case's initial assessment owed a prevention or relief
duty (DUTY_OWED) and the duty was in force at some time in the year: applied on or before 31
March and no duty end, or an end on or after 1 April.

"In temporary accommodation" is MHCLG's snapshot (*Statutory homelessness in England*,
temporary accommodation tables, TA1: households in temporary accommodation, and the children
in them, on the last day of the quarter), taken on the last day of the year's last quarter (31
March) from that quarter's Temporary accommodation section.
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.data import YearData, member_of
from tip_pipeline.indicators.numerator_registry import make_units, register
from tip_pipeline.indicators.people import age_at, harmonise_sex, open_on, overlaps
from tip_pipeline.sources.codes import DUTY_OWED, REASON_LOSS_DOMESTIC_ABUSE


def owed_cases(data: YearData) -> pd.DataFrame:
    """Cases owed a prevention or relief duty in the year, once each (the latest quarter's
    record of the case)."""
    main = data.table("hclic_main")
    main = main[main["initial_duty"].isin(DUTY_OWED)]
    main = main[
        overlaps(
            main["application_date"], main["duty_end_date"], data.period.start, data.period.end
        )
    ]
    order = ["case_id", "quarter"] if "quarter" in main.columns else ["case_id"]
    return main.sort_values(order).drop_duplicates("case_id", keep="last")


@register("homeless_children")
def children_owed_duty(data: YearData) -> pd.DataFrame:
    """Dependent children in households owed a prevention or relief duty in the year, each
    child once across the year's quarters. Age at the application (the event)."""
    cases = owed_cases(data)
    kids = data.table("hclic_children").drop_duplicates(["case_id", "child_id"])
    rows = kids.merge(cases[["case_id", "home_lsoa", "application_date"]], on="case_id")
    rows = rows.sort_values(["application_date", "case_id"])
    return make_units(
        rows,
        unit_id="child_id",
        lsoa="home_lsoa",
        sex=harmonise_sex(rows["child_sex"]),
        age=age_at(rows["child_dob"], rows["application_date"]),
    )


def _households(cases: pd.DataFrame) -> pd.DataFrame:
    with_children = cases[pd.to_numeric(cases["num_dep_children"]).fillna(0) > 0]
    return make_units(with_children, unit_id="case_id", lsoa="home_lsoa")


@register("households_with_children_owed_duty")
def households_with_children(data: YearData) -> pd.DataFrame:
    """Households with dependent children owed a prevention or relief duty in the year."""
    return _households(owed_cases(data))


@register("households_with_children_domestic_abuse")
def households_domestic_abuse(data: YearData) -> pd.DataFrame:
    """Of those households, the ones whose reason for loss of the last settled home is
    domestic abuse (REASON_LOSS_DOMESTIC_ABUSE)."""
    cases = owed_cases(data)
    return _households(cases[cases["reason_loss"] == REASON_LOSS_DOMESTIC_ABUSE])


#: the quarter whose return gives the year's end: January to March, ending on 31 March
LAST_QUARTER = 4


def cases_in_temporary_accommodation(data: YearData) -> pd.Series:
    """The cases with a placement in temporary accommodation open at the end of 31 March, once
    each, as the return for the quarter ending that day reports them.

    Open at the end of the day, as MHCLG counts households "in temporary accommodation at the
    end of the quarter": placed on or before 31 March and not left, or left after it. A
    placement ending on 31 March has ended (the household moved out that day); one starting
    on 31 March counts. A household with two placements (it moved) is one case. Only the last
    quarter's rows are read (a table with no quarter, as in a hand-made frame, is read whole):
    an earlier quarter's blank end says only that the placement was open at that quarter's end.
    """
    ta = data.table("hclic_temp_accommodation")
    if "quarter" in ta.columns:
        ta = ta[ta["quarter"] == LAST_QUARTER]
    placed = ta[open_on(ta["ta_start_date"], ta["ta_end_date"], data.period.end)]
    return placed["case_id"].drop_duplicates()


@register("homeless_children_temp_accommodation")
def children_in_temporary_accommodation(data: YearData) -> pd.DataFrame:
    """Dependent children of the households in temporary accommodation on 31 March
    (:func:`cases_in_temporary_accommodation`), each child once: children, not households
    (MHCLG's TA1 publishes both; this counts the children). A child is one of the case's
    dependent children in any of the year's People sections; area from the case's latest Main
    record (the last settled home); age on 31 March."""
    cases = cases_in_temporary_accommodation(data)
    main = data.table("hclic_main")
    order = ["case_id", "quarter"] if "quarter" in main.columns else ["case_id"]
    main = main.sort_values(order).drop_duplicates("case_id", keep="last")
    main = main[member_of(main["case_id"], cases)]
    kids = data.table("hclic_children").drop_duplicates(["case_id", "child_id"])
    rows = kids.merge(main[["case_id", "home_lsoa"]], on="case_id")
    rows = rows.sort_values(["case_id", "child_id"])
    return make_units(
        rows,
        unit_id="child_id",
        lsoa="home_lsoa",
        sex=harmonise_sex(rows["child_sex"]),
        age=age_at(rows["child_dob"], data.period.end),
    )
