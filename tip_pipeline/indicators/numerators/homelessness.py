"""Homelessness (H-CLIC-like, quarterly): children and households owed a prevention or relief
duty in the year. A case reported in several quarters counts once for the year
(docs/CONVENTIONS.md, "Codes across years").

A duty is "owed in the year" when the case's initial assessment owed a prevention or relief
duty (DUTY_OWED) and the duty was in force at some time in the year: applied on or before 31
March and no duty end, or an end on or after 1 April.
"""

from __future__ import annotations

import pandas as pd

from tip_pipeline.indicators.data import YearData
from tip_pipeline.indicators.numerator_registry import make_units, register
from tip_pipeline.indicators.people import age_at, harmonise_sex, overlaps
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
