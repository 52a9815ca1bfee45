"""Plausible dates: an end never before its start, a birth before every event, youth-justice
ages 10-17 at the offence (ages from the month-truncated date of birth, docs/CONVENTIONS.md)."""

from __future__ import annotations

import pandas as pd

from tip_pipeline.validate.rules.base import Delivery, Rule, Scope, Stage

#: table -> (start column, end column)
START_END = {
    "cin_episodes": ("CINreferralDate", "CINclosureDate"),
    "cin_assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
    "cin_cp_plans": ("CPPstartDate", "CPPendDate"),
    "ssda903_episodes": ("DECOM", "DEC"),
    "hclic_main": ("APPLICATION_DATE", "DUTY_END_DATE"),
    # a household leaves a placement in temporary accommodation on or after its placing
    "hclic_temp_accommodation": ("TA_START_DATE", "TA_END_DATE"),
}

#: table -> (birth column, event table, event date column, link columns)
BIRTH_BEFORE_EVENT = {
    "cin_children": ("PersonBirthDate", "cin_episodes", "CINreferralDate", ("LAchildID",)),
    "ssda903_header": ("DOB", "ssda903_episodes", "DECOM", ("CHILD",)),
    "yjs_offences": ("DOB", "yjs_offences", "OFFENCE_DATE", ()),
    # a dependent child is born by the time the household applies
    "hclic_children": ("CHILD_DOB", "hclic_main", "APPLICATION_DATE", ("CASE_ID",)),
}

YOUTH_JUSTICE_AGES = (10, 17)


def end_before_start(table: str, start: str, end: str) -> Rule:
    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        return rows[end] < rows[start]

    return Rule(
        id=f"{table}.{end}.end_before_start",
        table=table,
        text=f"{end} must not be before {start}",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="end_before_start",
        columns=(start, end),
    )


def birth_before_event(table: str, birth: str, events: str, when: str, link: tuple) -> Rule:
    """The birth must come first. Where the events are in another table (the CIN episodes
    of a child, the SSDA903 episodes of a header) the child's row carries the wrong date of
    birth, so the child's row is quarantined and its events follow it by cascade."""

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        if not link:
            return rows[when] < rows[birth]
        if events not in d.raw:  # validated on its own, without its events
            return pd.Series(False, index=rows.index)
        first = d.typed(events).groupby(list(link))[when].min()
        first_event = rows[list(link)].merge(
            first.rename("first_event"), left_on=list(link), right_index=True, how="left"
        )["first_event"]
        return first_event < rows[birth]

    where = "the same row" if not link else f"its rows in {events}"
    return Rule(
        id=f"{table}.{birth}.born_before_events",
        table=table,
        text=f"{birth} must not be after {when} ({where})",
        stage=Stage.ROW,
        scope=Scope.ROW if not link else Scope.CROSS_TABLE,
        quarantines="the row holding the date of birth",
        check=check,
        family="born_before_events",
        columns=(birth,),
    )


def age_in_years(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Whole years between two dates (birthday not yet reached that year -> one fewer)."""
    before_birthday = (on.dt.month < birth.dt.month) | (
        (on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day)
    )
    return on.dt.year - birth.dt.year - before_birthday.astype("Int64")


def youth_justice_age() -> Rule:
    low, high = YOUTH_JUSTICE_AGES

    def check(d: Delivery, rows: pd.DataFrame) -> pd.Series:
        age = age_in_years(rows["DOB"], rows["OFFENCE_DATE"])
        return (age < low) | (age > high)

    return Rule(
        id="yjs_offences.DOB.age_at_offence",
        table="yjs_offences",
        text=f"the child must be aged {low}-{high} at the offence (age of criminal "
        "responsibility to the youth justice upper age)",
        stage=Stage.ROW,
        scope=Scope.ROW,
        quarantines="the row",
        check=check,
        family="age_in_range",
        columns=("DOB", "OFFENCE_DATE"),
    )


RULES: list[Rule] = [
    *(end_before_start(t, s, e) for t, (s, e) in START_END.items()),
    *(birth_before_event(t, *spec) for t, spec in BIRTH_BEFORE_EVENT.items()),
    youth_justice_age(),
]
