"""The indicator catalogue: one declaration per indicator, as data.

Adding an indicator means adding one ``Indicator`` below (and, for a new kind of count, one
numerator registered by name in ``numerators/<family>.py``). Everything downstream --
values by area and breakdown, limits, comparisons, inequality, the ``dim_indicator`` table --
reads these declarations.

Method (docs/CONVENTIONS.md, "Methods by kind of indicator"): a count of distinct children (or
households) who are part of the denominator population is a *proportion* (Wilson score
limits), whatever its multiplier; a count of events that can exceed the population is a *rate*
(exact Poisson limits below 10 events, Byar's method from 10).

Denominators by ethnic group come from Census 2021 (the mid-year estimates have no ethnicity;
``ETHNIC_DENOMINATOR_NOTE``, added to the notes of every indicator it applies to), so an
indicator with an ethnic-group breakdown and a population denominator must count whole DfE age
bands (0-17, 10-17, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from tip_pipeline.indicators.goals import Goal
from tip_pipeline.indicators.people import census_bands
from tip_pipeline.sources.codes import BENCHMARK_MEASURES
from tip_pipeline.stats import Kind

BREAKDOWNS = ("total", "imd_decile", "imd_quintile", "sex", "age_band", "ethnic_group")
PERSON_BREAKDOWNS = BREAKDOWNS
AREA_ONLY_BREAKDOWNS = ("total", "imd_decile", "imd_quintile")
NO_ETHNICITY = ("total", "imd_decile", "imd_quintile", "sex", "age_band")
#: how the ethnic-group breakdown of a population indicator is computed (values.census_counts)
ETHNIC_DENOMINATOR_NOTE = (
    "By ethnic group the denominator is Census 2021: usual residents of the group in the same "
    "ages and area (the ONS mid-year estimates have no ethnicity). A different base from the "
    "total's, so the groups' rates do not add up to the total's rate (as in OHID Fingertips); "
    "'Not recorded' has no denominator."
)


class Polarity(StrEnum):
    HIGHER_IS_WORSE = "higher is worse"
    HIGHER_IS_BETTER = "higher is better"
    NO_JUDGEMENT = "no judgement"


class Reference(StrEnum):
    SNAPSHOT = "31 March"
    IN_YEAR = "in the year"


@dataclass(frozen=True)
class Denominator:
    """The denominator: the ONS child population in an age range, or the units of a registered
    numerator (``numerator_name``)."""

    text: str
    ages: tuple[int, int] | None = None
    numerator_name: str | None = None

    def __post_init__(self) -> None:
        if (self.ages is None) == (self.numerator_name is None):
            raise ValueError("a denominator is a population age range or a numerator, not both")


def children(low: int, high: int) -> Denominator:
    """Children aged ``low``-``high`` (ONS mid-year estimate mid-(YYYY-1), docs/CONVENTIONS.md)."""
    return Denominator(
        text=f"Children aged {low}-{high}, ONS mid-year estimate for the year before the year "
        "ending 31 March, by home LSOA",
        ages=(low, high),
    )


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    definition: str
    numerator_name: str
    numerator: str
    denominator: Denominator
    reference: Reference
    multiplier: int
    kind: Kind
    polarity: Polarity
    source: str
    breakdowns: tuple[str, ...] = PERSON_BREAKDOWNS
    #: measure id in restricted.ref_benchmarks (codes.BENCHMARK_MEASURES), if published
    benchmark_measure: str | None = None
    notes: str = ""
    #: fit the SII/RII on the log (rate) or logit (proportion) scale, as PHE recommends for
    #: the RII (PHEindicatormethods::phe_sii ``transform = TRUE``): the fitted curve is then
    #: positive at both ends and the RII a ratio of two positive values
    sii_transform: bool = True
    #: the goal its values are compared with (Fingertips' "Compared to goal"), with its
    #: source; None: no goal declared (docs/CONVENTIONS.md, "Goals": none is published for
    #: these indicators, so none is declared until the steering group sets one)
    goal: Goal | None = None
    #: how many reporting years before the year its numerator reads (``look_back_tables`` of
    #: each, validated, through ``YearData.earlier``): a year whose look-back years are not all
    #: delivered is not computed, and is published as not available with the reason
    #: (``LookBack``); a change to a year recomputes the years up to ``look_back`` after it
    look_back: int = 0
    look_back_tables: tuple[str, ...] = ()
    #: False where the returns hold no home area for the indicator's units (care leavers):
    #: they count in the delivering LA's unknown home area, so a delivery of several LAs with
    #: no delivering LA named (``TIP_HOME_LA``) cannot place them and the indicator is not
    #: available there, with the reason (``look_back.reasons``)
    home_area_recorded: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("proportion", "rate"):
            raise ValueError(f"{self.id}: kind must be proportion or rate")
        if "total" not in self.breakdowns or set(self.breakdowns) - set(BREAKDOWNS):
            raise ValueError(f"{self.id}: breakdowns must include total and be from {BREAKDOWNS}")
        if self.benchmark_measure and self.benchmark_measure not in BENCHMARK_MEASURES:
            raise ValueError(f"{self.id}: unknown benchmark measure {self.benchmark_measure}")
        if self.census_denominator:
            census_bands(self.denominator.ages)  # raises unless whole DfE age bands
        if (self.look_back > 0) != bool(self.look_back_tables) or self.look_back < 0:
            raise ValueError(f"{self.id}: a look-back names its years and its tables, or neither")

    @property
    def census_denominator(self) -> bool:
        """True when the ethnic-group breakdown's denominator is Census 2021 (a population
        indicator broken down by ethnic group)."""
        return "ethnic_group" in self.breakdowns and self.denominator.ages is not None

    @property
    def caveats(self) -> str:
        """The notes as published: the declared notes, then the ethnic-group denominator's."""
        notes = [self.notes] if self.notes else []
        if self.census_denominator:
            notes.append(ETHNIC_DENOMINATOR_NOTE)
        return " ".join(notes)

    @property
    def unit(self) -> str:
        if self.multiplier == 100:
            return f"% of {self.denominator_short}"
        return f"per {self.multiplier:,} {self.denominator_short}"

    @property
    def denominator_short(self) -> str:
        if self.denominator.ages is not None:
            low, high = self.denominator.ages
            return f"children aged {low}-{high}"
        return self.denominator.text[0].lower() + self.denominator.text[1:]

    @property
    def sii_scale(self) -> float:
        """What a value is divided by to put it on the scale ``stats.sii`` transforms: the
        multiplier for a proportion (logit needs 0-1), 1 for a rate (the log of a rate per
        10,000 differs from the log of a rate per 1 by a constant only)."""
        return float(self.multiplier) if self.kind == "proportion" else 1.0

    @property
    def method(self) -> str:
        if self.kind == "proportion":
            return "Proportion: Wilson score limits (distinct units of the denominator)"
        return "Rate: exact Poisson limits below 10 events, Byar's method from 10"


_CIN = "Children in Need census (DfE)"
_903 = "SSDA903 looked-after children return (DfE)"
_YJ = "Youth justice service case data"
_HCLIC = "H-CLIC homelessness case-level return (MHCLG)"
_POP = " Denominator: ONS mid-year population estimates."
_ASSESS = "assessments completed (authorised) in the year"

_FACTORS = {
    "domestic_abuse": ("domestic abuse", "3A, 3B or 3C"),
    "parental_mental_health": ("parental mental ill-health", "4B"),
    "parental_substance_misuse": ("parental substance misuse", "1B or 2B"),
}


def _factor(key: str, what: str, factor_codes: str) -> Indicator:
    return Indicator(
        id=f"factor_{key}",
        name=f"Children with {what} identified at assessment",
        definition=f"Children whose {_ASSESS} identified {what} (factor codes {factor_codes}), "
        "per 10,000 children aged 0-17.",
        numerator_name=f"factor_{key}",
        numerator=f"Distinct children with factor {factor_codes} at an assessment authorised "
        "between 1 April and 31 March",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_CIN + "." + _POP,
        benchmark_measure=f"factor_{key}",
        notes="Recorded definition (the child's parent or carer); the identification gap uses "
        "the any-adult definition matched to the model.",
    )


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        id="cla_31mar",
        name="Children looked after at 31 March",
        definition="Children looked after on 31 March, per 10,000 children aged 0-17. Children "
        "whose only legal status that day is a series of short breaks (V3, V4) are excluded, "
        "as in DfE's headline figures.",
        numerator_name="cla_31mar",
        numerator="Distinct children with an SSDA903 episode open on 31 March (started on or "
        "before it, not ended or ended after it) whose legal status is not V3/V4",
        denominator=children(0, 17),
        reference=Reference.SNAPSHOT,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_903 + "." + _POP,
        benchmark_measure="cla_31mar",
        notes="An episode ending on 31 March has ceased. Area is the home LSOA, not the placement.",
    ),
    Indicator(
        id="cpp_31mar",
        name="Children on a child protection plan at 31 March",
        definition="Children on a child protection plan on 31 March, per 10,000 children aged "
        "0-17.",
        numerator_name="cpp_31mar",
        numerator="Distinct children with a plan started on or before 31 March and not ended "
        "or ended after it",
        denominator=children(0, 17),
        reference=Reference.SNAPSHOT,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_CIN + "." + _POP,
        benchmark_measure="cpp_31mar",
    ),
    Indicator(
        id="cin_31mar",
        name="Children in need at 31 March",
        definition="Children with an open children-in-need episode on 31 March, per 10,000 "
        "children aged 0-17.",
        numerator_name="cin_31mar",
        numerator="Distinct children with a CIN episode referred on or before 31 March and "
        "not closed or closed after it",
        denominator=children(0, 17),
        reference=Reference.SNAPSHOT,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_CIN + "." + _POP,
        benchmark_measure="cin_31mar",
    ),
    Indicator(
        id="cin_referrals",
        name="Referrals to children's social care",
        definition="Referrals (CIN episodes) starting in the year, per 10,000 children aged "
        "0-17. A child referred twice counts twice.",
        numerator_name="cin_referrals",
        numerator="CIN referrals dated between 1 April and 31 March",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="rate",
        polarity=Polarity.NO_JUDGEMENT,
        source=_CIN + "." + _POP,
        notes="A count of events, not of children: a rate with Poisson limits.",
    ),
    *(_factor(key, what, c) for key, (what, c) in _FACTORS.items()),
    Indicator(
        id="toxic_trio_any",
        name="Children with any toxic-trio factor identified at assessment",
        definition=f"Children whose {_ASSESS} identified domestic abuse, parental mental "
        "ill-health or parental substance misuse (any of the three), per 10,000 children aged "
        "0-17.",
        numerator_name="toxic_trio_any",
        numerator="Distinct children with any of 3A-3C, 4B, 1B, 2B at an assessment authorised "
        "in the year",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_CIN + "." + _POP,
        notes="Recorded definition.",
    ),
    Indicator(
        id="toxic_trio_all",
        name="Children with all three toxic-trio factors identified at assessment",
        definition=f"Children whose {_ASSESS} identified all three of domestic abuse, parental "
        "mental ill-health and parental substance misuse, per 10,000 children aged 0-17.",
        numerator_name="toxic_trio_all",
        numerator="Distinct children with each of the three factors identified at one or more "
        "assessments authorised in the year",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_CIN + "." + _POP,
        notes="Recorded definition; the three factors may come from different assessments.",
    ),
    Indicator(
        id="yj_outcome",
        name="Children with a youth-justice outcome",
        definition="Children aged 10-17 with a youth-justice outcome (community resolution, "
        "caution or conviction) dated in the year, per 10,000 children aged 10-17.",
        numerator_name="yj_outcome",
        numerator="Distinct children with an outcome dated between 1 April and 31 March, aged "
        "10-17 at the offence",
        denominator=children(10, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=_YJ + "." + _POP,
        benchmark_measure="yj_outcome",
    ),
    Indicator(
        id="yj_first_time_entrants",
        name="First-time entrants to the youth justice system",
        definition="Children aged 10-17 receiving their first youth caution or conviction "
        "(ever) in the year, per 100,000 children aged 10-17.",
        numerator_name="yj_first_time_entrants",
        numerator="Distinct children whose first ever caution or conviction (not a community "
        "resolution) is dated in the year, judged against every earlier delivered year",
        denominator=children(10, 17),
        reference=Reference.IN_YEAR,
        multiplier=100_000,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=_YJ + " (history years included)." + _POP,
        benchmark_measure="yj_first_time_entrants",
    ),
    Indicator(
        id="homeless_children",
        name="Children in households owed a homelessness duty",
        definition="Dependent children in households owed a prevention or relief duty in the "
        "year, each counted once across the year's quarters, per 10,000 children aged 0-17.",
        numerator_name="homeless_children",
        numerator="Distinct dependent children of cases whose initial assessment owed a "
        "prevention or relief duty in force at some time in the year",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=_HCLIC + "." + _POP,
        breakdowns=NO_ETHNICITY,
        benchmark_measure="homeless_children",
        notes="H-CLIC records no ethnicity for children: no ethnic-group breakdown.",
    ),
    Indicator(
        id="homeless_children_temp_accommodation",
        name="Children in temporary accommodation at 31 March",
        definition="Dependent children in households in temporary accommodation arranged by "
        "the authority at the end of 31 March (the last day of the year's last quarter), per "
        "1,000 children aged 0-17. Children are counted, not households.",
        numerator_name="homeless_children_temp_accommodation",
        numerator="Distinct dependent children of cases with a placement in temporary "
        "accommodation open at the end of 31 March in the January-March return (placed on or "
        "before 31 March, not left or left after it)",
        denominator=children(0, 17),
        reference=Reference.SNAPSHOT,
        multiplier=1_000,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=_HCLIC + " (Temporary accommodation section)." + _POP,
        breakdowns=NO_ETHNICITY,
        notes="As MHCLG's Statutory homelessness in England, temporary accommodation tables "
        "(TA1: households in temporary accommodation and the children in them at the end of "
        "the quarter). A placement ending on 31 March has ended; a household with two "
        "placements counts once. H-CLIC records no ethnicity for children: no ethnic-group "
        "breakdown.",
    ),
    Indicator(
        id="homeless_domestic_abuse_share",
        name="Households with children owed a duty because of domestic abuse",
        definition="Of households with dependent children owed a prevention or relief duty in "
        "the year, the percentage whose reason for loss of the last settled home is domestic "
        "abuse.",
        numerator_name="households_with_children_domestic_abuse",
        numerator="Households with dependent children owed a duty in the year, reason "
        "domestic abuse",
        denominator=Denominator(
            text="Households with dependent children owed a prevention or relief duty in the year",
            numerator_name="households_with_children_owed_duty",
        ),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.NO_JUDGEMENT,
        source=_HCLIC,
        breakdowns=AREA_ONLY_BREAKDOWNS,
        notes="A proportion of households, not of the population.",
    ),
    Indicator(
        id="adversity_two_or_more",
        name="Children with two or more adversity domains",
        definition="Children aged 0-17 in two or more adversity domains in the year (each "
        "toxic-trio factor identified, a child protection plan, looked after, a youth-justice "
        "outcome, homelessness), linked across services by the shared pseudonymised id, per "
        "10,000 children aged 0-17.",
        numerator_name="adversity_two_or_more",
        numerator="Distinct children with two or more distinct domains in the year",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=f"{_CIN}; {_903}; {_YJ}; {_HCLIC}." + _POP,
        notes="Area, sex and ethnicity from the first service that records the child.",
    ),
)

#: where the outcome measures' definitions come from (docs/DOMAIN.md, "Outcome measures")
CIN_PUBLICATION = (
    "DfE, 'Characteristics of children in need' (Official Statistics, annual) and its "
    "methodology, https://explore-education-statistics.service.gov.uk/find-statistics/"
    "children-in-need"
)
CLA_PUBLICATION = (
    "DfE, 'Children looked after in England including adoptions' (Official Statistics, annual) "
    "and its methodology, https://explore-education-statistics.service.gov.uk/find-statistics/"
    "children-looked-after-in-england-including-adoptions"
)
#: care leavers hold no home area in the returns: counted in the delivering LA only
LEAVER_BREAKDOWNS = ("total", "sex", "ethnic_group")
_LEAVER_NOTE = (
    "The returns hold no home area for a care leaver: each counts in the LA (its 'Unknown home "
    "area'), not in a ward or deprivation decile."
)


def _share(text: str, numerator_name: str) -> Denominator:
    return Denominator(text=text, numerator_name=numerator_name)


OUTCOMES: tuple[Indicator, ...] = (
    Indicator(
        id="cin_re_referrals_12m",
        name="Re-referrals within 12 months of a previous referral",
        definition="Of referrals to children's social care in the year, the percentage made "
        "within 12 months of a previous referral of the same child. Definition followed: "
        f"{CIN_PUBLICATION}, 'referrals within 12 months of a previous referral' (a "
        "re-referral occurs when a child is referred within 12 months of a previous referral).",
        numerator_name="cin_re_referrals",
        numerator="Referrals dated 1 April to 31 March with a previous referral of the same "
        "child dated before it and on or after the same day 12 calendar months earlier (exactly "
        "12 months counts), from this year's and the previous year's CIN census",
        denominator=_share("Referrals dated in the year (events)", "cin_referrals"),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        benchmark_measure="cin_re_referrals_12m",
        source=_CIN + " (this year's and the previous year's census)",
        look_back=1,
        look_back_tables=("cin_episodes",),
        notes="A share of referrals (events), not of children. Not available for a year whose "
        "previous year's census was not delivered.",
    ),
    Indicator(
        id="assessments_within_45_days",
        name="Assessments completed within 45 working days",
        definition="Of assessments completed (authorised) in the year, the percentage "
        "completed within 45 working days. Definition followed: "
        f"{CIN_PUBLICATION}, 'duration of assessments' (working days from the start of the "
        "assessment to its authorisation), against the 45 working days of 'Working Together "
        "to Safeguard Children'.",
        numerator_name="assessments_within_45_days",
        numerator="Assessments authorised in the year with at most 45 working days after "
        "AssessmentActualStartDate up to and including AssessmentAuthorisationDate (0 when "
        "authorised the day they started); weekends and England and Wales bank holidays "
        "(GOV.UK) are not working days",
        denominator=_share("Assessments authorised in the year (events)", "assessments_completed"),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_BETTER,
        benchmark_measure="assessments_within_45_days",
        source=_CIN,
        notes="A share of assessments (events), not of children.",
    ),
    Indicator(
        id="cpp_ended_two_years_or_more",
        name="Child protection plans ended in the year that lasted two years or more",
        definition="Of child protection plans that ended in the year, the percentage that had "
        f"lasted two years or more. Definition followed: {CIN_PUBLICATION}, child protection "
        "plans ceasing during the year by length of time as the subject of a plan, '2 years "
        "or more'.",
        numerator_name="cpp_ended_two_years_or_more",
        numerator="Plans with CPPendDate in the year on or after the same calendar day two "
        "years after CPPstartDate (a plan of exactly two years counts)",
        denominator=_share("Plans with CPPendDate in the year (events)", "cpp_ended"),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        benchmark_measure="cpp_ended_two_years_or_more",
        source=_CIN,
        notes="A share of plans (events): a child whose two plans ended counts twice.",
    ),
    Indicator(
        id="cpp_second_or_subsequent",
        name="Children starting a child protection plan for a second or subsequent time",
        definition="Of children who became the subject of a child protection plan in the year, "
        "the percentage who had been the subject of a plan with this authority before, at any "
        f"time. Definition followed: {CIN_PUBLICATION}, 'second or subsequent plan' (children, "
        "ever).",
        numerator_name="cpp_second_or_subsequent",
        numerator="Distinct children with a plan started in the year whose NumberOfPreviousCPP "
        "(the census's count of the child's previous plans with the authority) is 1 or more, "
        "or with an earlier plan in the year's census",
        denominator=_share(
            "Distinct children with a plan started in the year", "cpp_started_children"
        ),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        benchmark_measure="cpp_second_or_subsequent",
        source=_CIN,
        notes="'Before, at any time' is the census's NumberOfPreviousCPP, which holds plans "
        "older than any delivered year; no look-back year is needed.",
    ),
    Indicator(
        id="cla_three_or_more_placements",
        name="Children looked after with three or more placements in the year",
        definition="Of children looked after on 31 March, the percentage who had three or more "
        f"placements during the year. Definition followed: {CLA_PUBLICATION}, placement "
        "stability, '3 or more placements during the year'.",
        numerator_name="cla_three_or_more_placements",
        numerator="Children looked after on 31 March with three or more placements open at "
        "some time in the year. Left out of the count: series of short breaks (V3, V4); "
        "temporary placements (T0-T4); the return to the same placement after a temporary "
        "one; a change of legal status only (RNE L); a change of placement type with the same "
        "carers (RNE T, U). A placement starts at RNE S, P or B, or at the first episode known",
        denominator=_share("Children looked after on 31 March (V3/V4 excluded)", "cla_31mar"),
        reference=Reference.SNAPSHOT,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        benchmark_measure="cla_three_or_more_placements",
        source=_903,
        notes="Placements in the year's return only: a placement begun before 1 April counts "
        "once, from its episode open on 1 April.",
    ),
    Indicator(
        id="cla_long_term_stability",
        name="Long-term placement stability of children looked after",
        definition="Of children under 16 looked after on 31 March who had been looked after "
        "continuously for at least two and a half years, the percentage in the same placement "
        "for at least two years, or placed for adoption with their adoptive placement and the "
        f"one before it together lasting two years. Definition followed: {CLA_PUBLICATION}, "
        "long-term placement stability.",
        numerator_name="cla_long_term_stable",
        numerator="Of the denominator: the placement open on 31 March began on or before the "
        "same day two years earlier, or it is a placement for adoption (A3-A6) and the "
        "placement before it in the same period of care began on or before that day. "
        "Placements as in 'three or more placements'",
        denominator=_share(
            "Children looked after on 31 March, aged under 16, whose continuous period of care "
            "began on or before the day 30 months before 31 March (episodes of this and the "
            "two years before)",
            "cla_long_term",
        ),
        reference=Reference.SNAPSHOT,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_BETTER,
        benchmark_measure="cla_long_term_stability",
        source=_903 + " (this year's and the two previous years' returns)",
        look_back=2,
        look_back_tables=("ssda903_episodes",),
        notes="Not available for a year whose two previous years' returns were not both delivered.",
    ),
    Indicator(
        id="cla_missing",
        name="Children looked after who went missing in the year",
        definition="Of children looked after at any time in the year, the percentage who went "
        f"missing from their placement in it. Definition followed: {CLA_PUBLICATION}, "
        "'children who went missing' (missing, not 'away from placement without "
        "authorisation', which DfE counts apart).",
        numerator_name="cla_missing",
        numerator="Children looked after in the year with a Missing record (MISSING M) "
        "starting between 1 April and 31 March",
        denominator=_share(
            "Children looked after at any time in the year (V3/V4 excluded)", "cla_in_year"
        ),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        benchmark_measure="cla_missing",
        source=_903,
        notes="Away from placement without authorisation (MISSING A) is not counted.",
    ),
    Indicator(
        id="care_leavers_eet",
        name="Care leavers aged 19-21 in education, employment or training",
        definition="Of care leavers whose 19th, 20th or 21st birthday fell in the year, the "
        "percentage in education, employment or training around their birthday. Definition "
        f"followed: {CLA_PUBLICATION}, care leavers aged 19 to 21 by activity.",
        numerator_name="care_leavers_eet",
        numerator="Care leavers of the year's OC3 cohort whose ACTIV is F1-F5 or P1-P5 "
        "(full or part time education, apprenticeship, training or employment)",
        denominator=_share(
            "Care leavers of the year's OC3 cohort (aged 19-21), in touch or not",
            "care_leavers_19_21",
        ),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_BETTER,
        benchmark_measure="care_leavers_eet",
        source=_903 + " (OC3)",
        breakdowns=LEAVER_BREAKDOWNS,
        home_area_recorded=False,
        notes="Care leavers the authority is not in touch with are in the denominator, not the "
        "numerator (their activity is not known). " + _LEAVER_NOTE,
    ),
    Indicator(
        id="care_leavers_suitable_accommodation",
        name="Care leavers aged 19-21 in suitable accommodation",
        definition="Of care leavers whose 19th, 20th or 21st birthday fell in the year, the "
        "percentage in suitable accommodation around their birthday. Definition followed: "
        f"{CLA_PUBLICATION}, care leavers aged 19 to 21 by accommodation suitability.",
        numerator_name="care_leavers_suitable_accommodation",
        numerator="Care leavers of the year's OC3 cohort whose ACCOM ends in 1 (suitable)",
        denominator=_share(
            "Care leavers of the year's OC3 cohort (aged 19-21), in touch or not",
            "care_leavers_19_21",
        ),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_BETTER,
        benchmark_measure="care_leavers_suitable_accommodation",
        source=_903 + " (OC3)",
        breakdowns=LEAVER_BREAKDOWNS,
        home_area_recorded=False,
        notes="Accommodation not known (0) is not suitable. " + _LEAVER_NOTE,
    ),
)

#: DfE's "Section 47s in the year" and "ICPCs in the year" (docs/DOMAIN.md, "Outcome measures")
_S47_NOTE = (
    "A count of events, not of children: a child with two enquiries counts twice (DfE publishes "
    "the children apart). A rate with Poisson limits."
)

OUTCOMES += (
    Indicator(
        id="s47_enquiries",
        name="Section 47 enquiries starting in the year",
        definition="Section 47 enquiries (Children Act 1989, s.47: the local authority's "
        "enquiries where it suspects a child is suffering, or likely to suffer, significant "
        "harm) starting in the year, per 10,000 children aged 0-17. Definition followed: "
        f"{CIN_PUBLICATION}, 'Section 47s in the year' (enquiries, not children).",
        numerator_name="s47_enquiries",
        numerator="Section 47 enquiries (the census's Section47 groups) with S47ActualStartDate "
        "between 1 April and 31 March",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="rate",
        polarity=Polarity.NO_JUDGEMENT,
        benchmark_measure="s47_enquiries",
        source=_CIN + "." + _POP,
        notes=_S47_NOTE + " An enquiry started in March whose conference is in April is in "
        "both years' census, and counted in the year it started.",
    ),
    Indicator(
        id="icpcs_after_s47",
        name="Initial child protection conferences following a section 47 enquiry",
        definition="Initial child protection conferences held in the year following a section "
        "47 enquiry, per 10,000 children aged 0-17. Definition followed: "
        f"{CIN_PUBLICATION}, 'ICPCs in the year' (conferences, not children).",
        numerator_name="icpcs_after_s47",
        numerator="Section 47 enquiries whose DateOfInitialCPC is between 1 April and 31 March, "
        "whenever the enquiry started; an enquiry with no conference date (none required, "
        "ICPCnotRequired, or not yet held) counts none",
        denominator=children(0, 17),
        reference=Reference.IN_YEAR,
        multiplier=10_000,
        kind="rate",
        polarity=Polarity.NO_JUDGEMENT,
        benchmark_measure="icpcs_after_s47",
        source=_CIN + "." + _POP,
        notes=_S47_NOTE + " A conference recorded on the CIN episode rather than in its "
        "Section47 group (DfE rule 2884 allows one or the other) is not in the extract, so not "
        "counted; DfE's count includes it.",
    ),
)

#: where the youth justice outcome measures' definitions come from (docs/DOMAIN.md, "Youth
#: justice")
YJ_PUBLICATION = (
    "Youth Justice Board and Ministry of Justice, 'Youth justice statistics' (Official "
    "Statistics, annual) and the 'Guide to youth justice statistics', "
    "https://www.gov.uk/government/collections/youth-justice-annual-statistics"
)
REOFFENDING_PUBLICATION = (
    "Ministry of Justice, 'Proven reoffending statistics' (Official Statistics, quarterly) and "
    "the 'Guide to proven reoffending statistics', "
    "https://www.gov.uk/government/collections/proven-reoffending-statistics"
)

OUTCOMES += (
    Indicator(
        id="yj_custodial_sentences",
        name="Custodial sentences given to children",
        definition="Custodial sentences given to children aged 10-17 in the year, one per "
        "sentencing occasion, per 1,000 children aged 10-17. Definition followed: the Youth "
        "Justice Board's use-of-custody measure for youth justice services (custodial "
        f"sentences per 1,000 of the 10-17 population), {YJ_PUBLICATION}.",
        numerator_name="yj_custodial_sentences",
        numerator="Sentencing occasions (a child's outcomes of one day) with a custodial "
        "sentence (CUST) dated between 1 April and 31 March, aged 10-17 at the first offence "
        "sentenced that day",
        denominator=children(10, 17),
        reference=Reference.IN_YEAR,
        multiplier=1_000,
        kind="rate",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=_YJ + "." + _POP,
        notes="A count of sentences (events), not of children: a child sentenced to custody "
        "on two days counts twice, a court sentencing several offences at once once. A rate "
        "with Poisson limits. Remands to youth detention accommodation are not sentences and "
        "are not in the tables.",
    ),
    Indicator(
        id="yj_reoffending_local_proxy",
        name="Children who reoffended within a year: local proxy for proven reoffending",
        definition="LOCAL PROXY, not the Ministry of Justice's figure. Of children aged 10-17 "
        "cautioned or given a non-custodial conviction in the 12 months ending 18 months "
        "before 31 March (1 October to 30 September), the percentage who committed an offence "
        "within 12 months of the first such outcome and were cautioned or convicted for it "
        "within 18 months of it. Definition followed: the binary proven reoffending rate (one "
        "year's follow-up, six months' waiting period) of "
        f"{REOFFENDING_PUBLICATION}, computed from the youth justice service's own records, "
        "where MoJ's is computed from the Police National Computer.",
        numerator_name="yj_reoffenders",
        numerator="Children of the cohort with an offence dated after their index date and on "
        "or before its 12-month anniversary whose caution or conviction (any outcome but a "
        "community resolution) is dated on or before the index date's 18-month anniversary",
        denominator=_share(
            "Children aged 10-17 at the offence whose first caution or non-custodial conviction "
            "from 1 October to 30 September, 18 months before the year's end, is their index "
            "event (a child sentenced to custody that same day is left out)",
            "yj_reoffending_cohort",
        ),
        reference=Reference.IN_YEAR,
        multiplier=100,
        kind="proportion",
        polarity=Polarity.HIGHER_IS_WORSE,
        source=_YJ + " (the offences of this year and the two years before, every year's outcomes)",
        look_back=2,
        look_back_tables=("yjs_offences",),
        notes="A local proxy: MoJ's proven reoffending reads the Police National Computer, "
        "which holds offences dealt with anywhere in England and Wales and after the child's "
        "18th birthday; the youth justice service's records miss those, so the proxy can be "
        "lower. Children sentenced to custody enter MoJ's cohort at their release, which the "
        "records do not hold: they are not in the cohort. The value published for 2023/24 is "
        "for the children of October 2021 to September 2022. Not available for a year whose two "
        "previous years' youth justice tables were not both delivered.",
    ),
)

CATALOGUE = (*CATALOGUE, *OUTCOMES)  # the outcome measures after the others

INDICATORS: dict[str, Indicator] = {i.id: i for i in CATALOGUE}
if len(INDICATORS) != len(CATALOGUE):
    raise ValueError("indicator ids must be unique")


def indicator(indicator_id: str) -> Indicator:
    return INDICATORS[indicator_id]


def by_benchmark_measure() -> dict[str, Indicator]:
    """ref_benchmarks measure id -> the catalogue indicator it benchmarks."""
    return {i.benchmark_measure: i for i in CATALOGUE if i.benchmark_measure}


def dim_indicator_frame() -> pd.DataFrame:
    """Every catalogue field in plain English: the rows of ``published.dim_indicator``."""
    frame = pd.DataFrame(
        [
            {
                "indicator_id": i.id,
                "indicator_name": i.name,
                "definition": i.definition,
                "numerator_rule": i.numerator_name,
                "numerator": i.numerator,
                "denominator": i.denominator.text,
                "age_min": i.denominator.ages[0] if i.denominator.ages else None,
                "age_max": i.denominator.ages[1] if i.denominator.ages else None,
                "reference_date": str(i.reference),
                "unit": i.unit,
                "multiplier": i.multiplier,
                "method": i.method,
                "polarity": str(i.polarity),
                "source": i.source,
                "breakdowns": ", ".join(i.breakdowns),
                "benchmark_measure": i.benchmark_measure,
                "notes": i.caveats or None,
                "goal_value": i.goal.value if i.goal else None,
                "goal_upper": i.goal.upper if i.goal else None,
                "goal_polarity": str(i.goal.polarity) if i.goal else None,
                "goal_rule": i.goal.rule if i.goal else None,
                "goal_source": i.goal.source if i.goal else None,
            }
            for i in CATALOGUE
        ]
    )
    return frame.astype(
        {"age_min": "Int64", "age_max": "Int64", "goal_value": "float64", "goal_upper": "float64"}
    )
