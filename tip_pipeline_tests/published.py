"""The hand-made published layer of the tests: the report's, the example queries' and the
export's (one layer, so they all read the same rows).

One LA (Leeds, E08000035) in its region and England, six wards, two indicators (a
proportion and a rate) over six years with their limits computed by ``tip_pipeline.stats``,
IMD deciles, comparisons, inequality, linked adversity, the prevalence slide and data quality
of the latest year; with suppressed cells (a ward, a decile, the SII of an indicator, an
adversity row, a recorded prevalence row) whose figures are NULL, as the publishing step
leaves them.

The year before (``EARLIER``, 2023/24) has figures written out by hand, as an analyst would
check them: children looked after by sex, age band and decile, two wards (one suppressed), a
third indicator (first-time entrants to youth justice, "higher is worse", with an ethnic-group
count that has no denominator), and that year's inequality, adversity, prevalence and data
quality. Figures are invented but consistent (value = numerator / denominator x multiplier).
Every year's recent trends (``published.indicator_trends``) are computed from these values as
publishing computes them, and so is every year's benchmarking (``published.la_benchmarking``),
against a hand-made England of 152 other authorities (``OTHER_LAS``: values spread evenly from
half to one and a half times England's, the first ten Leeds' statistical neighbours).
So are the comparisons with a goal (``published.indicator_goals``) of the one indicator given a
goal here (``TEST_GOALS``: a hand-made case for the tests, not a real target; the catalogue
declares none). The latest year's child population
(``published.child_population``) is written out by hand, by sex and single year of age,
summing to the LA's population denominator.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tip_pipeline import stats
from tip_pipeline.indicators.catalogue import dim_indicator_frame
from tip_pipeline.indicators.goals import Goal, GoalPolarity
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import benchmarking, goals, trends
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows

LA, LA_NAME = "E08000035", "Leeds"
REGION, REGION_NAME = "E12000003", "Yorkshire and The Humber"
ENGLAND = "E92000001"
PERIODS = ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25")
LATEST = PERIODS[-1]
WARDS = {
    "E05000001": ("Armley", 5_000),
    "E05000002": ("Headingley", 4_000),
    "E05000003": ("Gipton & Harehills", 6_000),
    "E05000004": ("Wetherby", 3_000),
    "E05000005": ("Burmantofts & Richmond Hill", 6_200),
    "E05000006": ("Chapel Allerton", 5_800),
}
#: Gipton & Harehills, Burmantofts & Richmond Hill and Chapel Allerton lie outside both
#: indicators' funnels, close together: the report's labels of them must not collide
SUPPRESSED_WARD = "E05000004"
POPULATION = 170_000
#: indicator -> (kind, LA counts by year, ward counts in the latest year, decile counts)
INDICATORS = {
    "cla_31mar": (
        "proportion",
        [1288, 1270, 1251, 1240, 1225, 1210],
        {
            "E05000001": 40,
            "E05000002": 9,
            "E05000003": 95,
            "E05000004": 3,
            "E05000005": 96,
            "E05000006": 93,
        },
        [260, 200, 170, 140, 120, 100, 80, 60, 50, 30],
    ),
    "cin_referrals": (
        "rate",
        [9000, 9300, 9650, 9900, 10200, 10400],
        {
            "E05000001": 320,
            "E05000002": 150,
            "E05000003": 610,
            "E05000004": 2,
            "E05000005": 620,
            "E05000006": 600,
        },
        [1900, 1500, 1300, 1200, 1100, 900, 800, 700, 600, 400],
    ),
}
SUPPRESSED_DECILE = ("cla_31mar", "10")
ENGLAND_VALUE = {"cla_31mar": 70.0, "cin_referrals": 550.0}
NOW = datetime(2025, 6, 1, tzinfo=UTC)
RUN = "test-run"

#: a goal for the tests only (no real target: the catalogue declares none), which the LA's
#: referrals meet up to 2023/24 (at most 600 per 10,000) and miss in 2024/25 (611.8)
TEST_GOALS = {
    "cin_referrals": Goal(
        600.0, GoalPolarity.LOW_IS_GOOD, "Hand-made goal of the tests' published layer"
    )
}
#: the LA's children in the latest year by single year of age 0-17 (ONS mid-year estimate, by
#: hand): females and males, 83,070 + 86,930 = POPULATION
CHILD_POPULATION = {
    "F": [4460, 4480, 4540, 4590, 4630, 4660, 4690, 4720, 4730,
          4710, 4690, 4670, 4650, 4620, 4590, 4560, 4520, 4560],
    "M": [4670, 4690, 4760, 4810, 4850, 4880, 4910, 4940, 4950,
          4930, 4910, 4890, 4870, 4840, 4810, 4780, 4740, 4700],
}  # fmt: skip

# -- the year before, written out by hand ---------------------------------------------------

EARLIER = "2023/24"
FTE = "yj_first_time_entrants"
WARD_A, WARD_B = "E05000001", "E05000002"  # in EARLIER: Armley published, Headingley suppressed
CLA_UNIT = "per 10,000 children aged 0-17"
FTE_UNIT = "per 100,000 children aged 10-17"
UNITS = {"cla_31mar": CLA_UNIT, FTE: FTE_UNIT}

#: indicator_values by hand: (indicator, period, area_type, area_code, area_name, breakdown,
#:  category, numerator, denominator, value, l95, u95, l998, u998, compared, benchmark,
#:  suppressed); the first two replace the computed LA totals of those years
HAND_VALUES = [
    ("cla_31mar", "2022/23", "la", LA, LA_NAME, "total", "all",
     1400, POPULATION, 82.35, 78.1, 86.8, 76.0, 89.1, "higher", ENGLAND, False),
    ("cla_31mar", EARLIER, "la", LA, LA_NAME, "total", "all",
     1360, POPULATION, 80.0, 75.8, 84.4, 73.7, 86.6, "higher", ENGLAND, False),
    ("cla_31mar", EARLIER, "la", LA, LA_NAME, "sex", "M",
     720, 87_000, 82.76, 76.8, 89.0, 74.0, 92.3, "similar", LA, False),
    ("cla_31mar", EARLIER, "la", LA, LA_NAME, "sex", "F",
     640, 83_000, 77.11, 71.3, 83.3, 68.6, 86.5, "similar", LA, False),
    ("cla_31mar", EARLIER, "la", LA, LA_NAME, "age_band", "0-4",
     300, 45_000, 66.67, 59.3, 74.6, 55.9, 78.8, "lower", LA, False),
    ("cla_31mar", EARLIER, "la", LA, LA_NAME, "imd_decile", "1",
     None, 30_000, None, None, None, None, None, None, LA, True),
    ("cla_31mar", EARLIER, "ward", WARD_A, "Armley", "total", "all",
     60, 5_000, 120.0, 91.6, 154.5, 80.1, 172.5, "higher", LA, False),
    ("cla_31mar", EARLIER, "ward", WARD_B, "Headingley", "total", "all",
     None, 4_000, None, None, None, None, None, "not compared", LA, True),
    (FTE, EARLIER, "la", LA, LA_NAME, "total", "all",
     150, 60_000, 250.0, 211.6, 293.3, 195.0, 315.8, "higher", ENGLAND, False),
    (FTE, EARLIER, "la", LA, LA_NAME, "ethnic_group", "White",
     110, None, None, None, None, None, None, None, LA, False),
]  # fmt: skip

VALUE_COLUMNS = [
    "indicator_id", "period", "area_type", "area_code", "area_name", "breakdown", "category",
    "numerator", "denominator", "value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8",
    "upper_ci_99_8", "compared_to_benchmark", "benchmark_area_code", "suppressed",
]  # fmt: skip

#: indicator_comparisons by hand (indicator, period, comparator type, code, name, value,
#: result); they replace the computed ones of the same key
HAND_COMPARISONS = [
    ("cla_31mar", EARLIER, "england", ENGLAND, "England", 71.0, "higher"),
    ("cla_31mar", EARLIER, "region", REGION, REGION_NAME, 79.5, "similar"),
    (FTE, EARLIER, "england", ENGLAND, "England", 160.0, "higher"),
]
VALUE_KEY = ["indicator_id", "period", "area_code", "breakdown", "category"]
COMPARISON_KEY = ["indicator_id", "period", "area_code", "comparator_type"]


def _catalogue() -> pd.DataFrame:
    frame = dim_indicator_frame()
    frame = frame[frame["indicator_id"].isin([*INDICATORS, FTE])].reset_index(drop=True)
    for ind, goal in TEST_GOALS.items():
        row = frame["indicator_id"] == ind
        frame.loc[row, "goal_value"] = goal.value
        frame.loc[row, "goal_upper"] = goal.upper
        frame.loc[row, "goal_polarity"] = str(goal.polarity)
        frame.loc[row, "goal_rule"] = goal.rule
        frame.loc[row, "goal_source"] = goal.source
    return frame


def _names() -> pd.Series:
    return _catalogue().set_index("indicator_id")["indicator_name"]


def _replace(computed: pd.DataFrame, hand: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """``computed`` with the rows ``hand`` gives for the same key replaced by ``hand``'s."""
    taken = computed.set_index(key).index.isin(hand.set_index(key).index)
    return pd.concat([computed[~taken], hand], ignore_index=True)


def _estimate(kind: str, x: np.ndarray, n: np.ndarray, confidence: float) -> stats.Estimate:
    if kind == "proportion":
        return stats.proportion_ci(x, n, confidence, 10_000)
    return stats.rate_ci(x, n, confidence, 10_000)


def _values(
    ind: str, kind: str, period: str, area_type: str, codes, names, breakdown, cats, x, n, bench
) -> pd.DataFrame:
    x, n = np.asarray(x, float), np.asarray(n, float)
    e95, e998 = _estimate(kind, x, n, 0.95), _estimate(kind, x, n, 0.998)
    frame = pd.DataFrame(
        {
            "indicator_id": ind,
            "indicator_name": _catalogue().set_index("indicator_id").loc[ind, "indicator_name"],
            "period": period,
            "area_type": area_type,
            "area_code": codes,
            "area_name": names,
            "breakdown": breakdown,
            "category": cats,
            "numerator": x,
            "denominator": n,
            "value": e95.value,
            "lower_ci_95": e95.lower,
            "upper_ci_95": e95.upper,
            "lower_ci_99_8": e998.lower,
            "upper_ci_99_8": e998.upper,
            "unit": "per 10,000 children aged 0-17",
            "compared_to_benchmark": "similar",
            "benchmark_area_code": bench,
            "suppressed": False,
        }
    )
    return frame


def _suppress(frame: pd.DataFrame, mask: pd.Series, figures: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[mask, "suppressed"] = True
    for column in figures:
        frame[column] = frame[column].astype(float)
        frame.loc[mask, column] = np.nan
    return frame


VALUE_FIGURES = [
    "numerator",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
]


def _hand_values() -> pd.DataFrame:
    frame = pd.DataFrame(HAND_VALUES, columns=VALUE_COLUMNS)
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].astype("float64")
    return frame.assign(
        indicator_name=frame["indicator_id"].map(_names()),
        unit=frame["indicator_id"].map(UNITS),
    )


def indicator_values() -> pd.DataFrame:
    """Every published value: the computed years, with the hand-written rows in place."""
    return _replace(_computed_values(), _hand_values(), VALUE_KEY)


def _computed_values() -> pd.DataFrame:
    parts = []
    for ind, (kind, la_counts, ward_counts, decile_counts) in INDICATORS.items():
        for period, x in zip(PERIODS, la_counts, strict=True):
            parts.append(
                _values(ind, kind, period, "la", [LA], [LA_NAME], "total", ["all"], [x],
                        [POPULATION], ENGLAND)
            )  # fmt: skip
        codes = list(WARDS)
        parts.append(
            _values(
                ind, kind, LATEST, "ward", codes, [WARDS[c][0] for c in codes], "total",
                ["all"] * len(codes), [ward_counts[c] for c in codes],
                [WARDS[c][1] for c in codes], LA,
            )
        )  # fmt: skip
        parts.append(
            _values(
                ind, kind, LATEST, "la", [LA] * 10, [LA_NAME] * 10, "imd_decile",
                [str(d) for d in range(1, 11)], decile_counts, [17_000] * 10, LA,
            )
        )  # fmt: skip
    frame = pd.concat(parts, ignore_index=True)
    ward = (frame["area_code"] == SUPPRESSED_WARD) & (frame["indicator_id"] == "cin_referrals")
    ward |= (frame["area_code"] == SUPPRESSED_WARD) & (frame["indicator_id"] == "cla_31mar")
    decile = (frame["indicator_id"] == SUPPRESSED_DECILE[0]) & (
        frame["category"] == SUPPRESSED_DECILE[1]
    )
    return _suppress(frame, ward | decile, VALUE_FIGURES)


def indicator_comparisons(values: pd.DataFrame) -> pd.DataFrame:
    """The LA against England, region and neighbours, computed from its values, with the
    hand-written comparisons in place."""
    return _replace(_computed_comparisons(values), _hand_comparisons(values), COMPARISON_KEY)


def _hand_comparisons(values: pd.DataFrame) -> pd.DataFrame:
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    la = la.set_index(["indicator_id", "period"])
    rows = []
    for ind, period, kind, code, name, comparator, result in HAND_COMPARISONS:
        shown = la.loc[(ind, period)]
        rows.append(
            {
                "indicator_id": ind,
                "period": period,
                "area_type": "la",
                "area_code": LA,
                "comparator_type": kind,
                "comparator_code": code,
                "comparator_name": name,
                "comparator_value": comparator,
                "comparator_source": "ref_benchmarks",
                "value": shown["value"],
                "lower_ci_95": shown["lower_ci_95"],
                "upper_ci_95": shown["upper_ci_95"],
                "result": result,
                "suppressed": False,
            }
        )
    return pd.DataFrame(rows)


def _computed_comparisons(values: pd.DataFrame) -> pd.DataFrame:
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    la = la[la["indicator_id"].isin(INDICATORS)]
    rows = []
    for _, r in la.iterrows():
        for kind, code, name, factor in (
            ("england", ENGLAND, "England", 1.0),
            ("region", REGION, REGION_NAME, 1.1),
            ("stat_neighbours", "E08000001,E08000002", "Mean of 2 statistical neighbours", 0.9),
        ):
            comparator = ENGLAND_VALUE[r["indicator_id"]] * factor
            result = str(stats.compare_to_benchmark(r["lower_ci_95"], r["upper_ci_95"], comparator))
            rows.append(
                {
                    "indicator_id": r["indicator_id"],
                    "period": r["period"],
                    "area_type": "la",
                    "area_code": LA,
                    "comparator_type": kind,
                    "comparator_code": code,
                    "comparator_name": name,
                    "comparator_value": comparator,
                    "comparator_source": "ref_benchmarks",
                    "value": r["value"],
                    "lower_ci_95": r["lower_ci_95"],
                    "upper_ci_95": r["upper_ci_95"],
                    "result": result,
                    "suppressed": False,
                }
            )
    return pd.DataFrame(rows)


def inequality_summary() -> pd.DataFrame:
    base = {
        "period": LATEST,
        "area_code": LA,
        "area_name": LA_NAME,
        "unit": "per 10,000 children aged 0-17",
        "baseline_period": PERIODS[0],
    }
    rate = {
        **base,
        "indicator_id": "cin_referrals",
        "deciles_used": 10,
        "sii": -900.0,
        "lower_sii_95": -950.0,
        "upper_sii_95": -850.0,
        "rii": 0.2,
        "lower_rii_95": 0.15,
        "upper_rii_95": 0.25,
        "sii_intercept": 1125.0,  # Y0; Y1 = Y0 + SII = 225, RII = 0.2
        "sii_transform": "log",
        "rii_note": None,
        "gradient": "higher in more deprived areas",
        "statement": "Referrals to children's social care: higher in more deprived areas.",
        "most_deprived_value": 1000.0,
        "least_deprived_value": 294.0,
        "gap": 706.0,
        "lower_gap_95": 680.0,
        "upper_gap_95": 730.0,
        "ratio": 3.4,
        "change_most_deprived": 40.0,
        "change_least_deprived": 5.0,
        "poorest_fastest": 35.0,
        "lower_poorest_fastest_95": 10.0,
        "upper_poorest_fastest_95": 60.0,
        "poorest_fastest_p": 0.006,
        "poorest_fastest_statement": "The most deprived rose significantly faster.",
        "suppressed": False,
    }
    suppressed = {**base, "indicator_id": "cla_31mar", "deciles_used": 9, "suppressed": True}
    return pd.DataFrame([rate, suppressed, *_hand_inequality()])


def _hand_inequality() -> list[dict]:
    base = {"period": EARLIER, "area_code": LA, "area_name": LA_NAME}
    cla = {
        **base,
        "indicator_id": "cla_31mar",
        "deciles_used": 10,
        "sii": -95.5,
        "rii": 0.31,
        "gradient": "higher in more deprived areas",
        "statement": "Higher in more deprived areas.",
        "most_deprived_value": 130.0,
        "least_deprived_value": 35.0,
        "gap": 95.0,
        "ratio": 3.714,
        "poorest_fastest_statement": "No significant difference in change.",
        "unit": CLA_UNIT,
        "suppressed": False,
    }
    fte = {
        **base,
        "indicator_id": FTE,
        "deciles_used": 6,
        "statement": "Not published: a quintile is suppressed.",
        "unit": FTE_UNIT,
        "suppressed": True,
    }
    return [cla, fte]


def adversity_distribution() -> pd.DataFrame:
    counts = {"1": 5400, "2": 1870, "3": 600, "4+": None, "0": None, "2+": None}
    rows = []
    for domains, x in counts.items():
        est = stats.proportion_ci(x or 0, POPULATION, 0.95, 100)
        rows.append(
            {
                "period": LATEST,
                "area_code": LA,
                "area_name": LA_NAME,
                "domains": domains,
                "children": x,
                "denominator": POPULATION,
                "share_pct": float(est.value) if x else None,
                "lower_pct": float(est.lower) if x else None,
                "upper_pct": float(est.upper) if x else None,
                "suppressed": x is None,
            }
        )
    return pd.concat([pd.DataFrame(rows), _hand_adversity()], ignore_index=True)


def _hand_adversity() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            ("0", 150_000, 88.24, False),
            ("1", 15_000, 8.82, False),
            ("2", 4_000, 2.35, False),
            ("3", None, None, True),
            ("4+", None, None, True),
            ("2+", 5_000, 2.94, False),
        ],
        columns=["domains", "children", "share_pct", "suppressed"],
    )
    return frame.assign(period=EARLIER, area_code=LA, area_name=LA_NAME, denominator=POPULATION)


#: the seed's Prevalence slide (tip_pipeline.indicators.prevalence.SLIDE), some of its rows:
#: measure, wording, place on the slide, modelled children, recorded children
SLIDE = (
    ("toxic_trio_any", "live in households with any of the 'toxic trio'", 1, 33_600, 5_300),
    ("domestic_abuse", "live in a household with domestic violence", 2, 12_400, 2_800),
    ("toxic_trio_all", "live in households with all three of the toxic trio", 5, 2_040, 390),
    ("looked_after", "are looked after (in care)", 6, None, 1_210),
    ("homelessness", "are at risk of homelessness", 8, None, None),
)


def _hand_prevalence() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            ("toxic_trio_any", "modelled", 33_660.0, 19.8, False, 1),
            ("toxic_trio_any", "recorded", 5_100.0, 3.0, False, 1),
            ("looked_after", "recorded", 1_360.0, 0.8, False, 6),
            ("homelessness", "recorded", None, None, True, 8),
        ],
        columns=["measure", "basis", "children", "share_pct", "suppressed", "slide_order"],
    )
    labels = {measure: label for measure, label, *_ in SLIDE}
    return frame.assign(
        period=EARLIER,
        area_code=LA,
        area_name=LA_NAME,
        denominator=POPULATION,
        measure_label=frame["measure"].map(labels),
    )


def prevalence_summary() -> pd.DataFrame:
    rows = []
    for measure, label, order, modelled, recorded in SLIDE:
        common = {
            "period": LATEST,
            "area_code": LA,
            "area_name": LA_NAME,
            "measure": measure,
            "measure_label": label,
            "slide_order": order,
            "denominator": POPULATION,
        }
        if modelled is not None:
            low, high = 0.75 * modelled, 1.3 * modelled  # the modelled range
            rows.append(
                {**common, "basis": "modelled", "children": modelled,
                 "share_pct": modelled / POPULATION * 100, "suppressed": False,
                 "range_low_children": low, "range_high_children": high,
                 "range_low_pct": low / POPULATION * 100,
                 "range_high_pct": high / POPULATION * 100, "range_kind": "modelled range"}
            )  # fmt: skip
        est = stats.proportion_ci(recorded or 0, POPULATION, 0.95, 100)
        rows.append(
            {
                **common,
                "basis": "recorded",
                "children": recorded,
                "share_pct": float(est.value) if recorded else None,
                "lower_pct": float(est.lower) if recorded else None,
                "upper_pct": float(est.upper) if recorded else None,
                "suppressed": recorded is None,
            }
        )
    return pd.concat([pd.DataFrame(rows), _hand_prevalence()], ignore_index=True)


def data_quality() -> pd.DataFrame:
    rows = [
        (LATEST, "cin", "cin_children", "all", "All rules", 13_000, 12),
        (
            LATEST,
            "cin",
            "cin_children",
            "dfe_8869",
            "Factor 21 used with other factors",
            13_000,
            12,
        ),
        (LATEST, "ssda903", "ssda903_episodes", "all", "All rules", 3_400, 0),
        ("2024", "ref", "ref_lsoa_lookup", "all", "All rules", 488, 0),
        ("2023", "ref", "ref_lsoa_lookup", "all", "All rules", 482, 3),
        (PERIODS[0], "cin", "cin_children", "all", "All rules", 12_500, 40),
        (EARLIER, "cin", "cin_children", "all", "All rules", 2000, 30),
        (EARLIER, "cin", "cin_children", "required_sex", "Sex is required", 2000, 20),
        (EARLIER, "ssda903", "ssda903_episodes", "all", "All rules", 4000, 8),
        (EARLIER, "yjs", "yjs_outcomes", "all", "All rules", 0, 0),
    ]
    columns = ["period", "source", "table_name", "rule_id", "rule_text", "rows_read",
               "rows_quarantined"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def indicator_trends(values: pd.DataFrame) -> pd.DataFrame:
    """Every year's recent trends, computed from the published values as publishing does
    (``tip_pipeline.publish.trends``), the first year the baseline."""
    frames = [trends.indicator_trends(values, p, PERIODS[0]) for p in sorted(set(values["period"]))]
    return pd.concat(frames, ignore_index=True)


#: England's other authorities of the hand-made benchmark file, Leeds' neighbours first
OTHER_LAS = tuple(f"E06{k:06d}" for k in range(201, 353))
NEIGHBOURS = OTHER_LAS[:10]
#: England's value of the benchmark measures of the hand-made file
BENCHMARK_ENGLAND = {"cla_31mar": ENGLAND_VALUE["cla_31mar"], FTE: 160.0}


def _benchmark_file() -> pd.DataFrame:
    """The hand-made benchmark file: every other authority, every year, both measures."""
    rows = []
    for period in PERIODS:
        start = int(period[:4])
        for measure, england in BENCHMARK_ENGLAND.items():
            spread = np.linspace(0.5 * england, 1.5 * england, len(OTHER_LAS))
            for code, value in zip(OTHER_LAS, spread, strict=True):
                rows.append(
                    {"time_period": start * 100 + (start + 1) % 100,
                     "geographic_level": "Local authority", "area_code": code,
                     "area_name": f"Authority {code[-3:]}", "measure": measure,
                     "value": round(float(value), 2)}
                )  # fmt: skip
    return pd.DataFrame(rows)


def la_benchmarking(values: pd.DataFrame) -> pd.DataFrame:
    """Every year's benchmarking, computed from the published values and the hand-made
    benchmark file as publishing computes it (``tip_pipeline.publish.benchmarking``)."""
    heads = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
    regions = pd.DataFrame(
        {"lad24cd": [LA, *OTHER_LAS], "lad24nm": [LA_NAME, *OTHER_LAS],
         "rgn24cd": REGION, "rgn24nm": REGION_NAME}
    )  # fmt: skip
    neighbours = pd.DataFrame(
        {"la_code": LA, "neighbour_rank": range(1, 11), "neighbour_code": NEIGHBOURS}
    )
    bench = _benchmark_file()
    frames = [
        benchmarking.la_benchmarking(heads[heads["period"] == p], bench, regions, neighbours, p)
        for p in PERIODS
    ]
    return pd.concat(frames, ignore_index=True)


def indicator_goals(values: pd.DataFrame) -> pd.DataFrame:
    """Every published value of an indicator in ``TEST_GOALS`` compared with its goal, as
    publishing compares them (``tip_pipeline.publish.goals``)."""
    return goals.indicator_goals(values, TEST_GOALS)


def child_population() -> pd.DataFrame:
    """The latest year's child population of the LA by sex and single year of age."""
    rows = [
        (
            LATEST,
            FinancialYear.parse(LATEST).population_mid_year,
            "la",
            LA,
            LA_NAME,
            sex,
            age,
            count,
        )
        for sex, counts in CHILD_POPULATION.items()
        for age, count in enumerate(counts)
    ]
    columns = ["period", "mid_year", "area_type", "area_code", "area_name", "sex", "age",
               "population"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


#: the latest year's involvement flows (from 2023/24 to 2024/25), written out by hand: the
#: children moving between levels (none, referral, in need, child protection, looked after),
#: four of them suppressed (a 3 and the rectangle of complements that protects it in its row
#: and its column, as disclosure control leaves them); the
#: margins are each row's and column's sum, as published. Pairs not listed are 0.
FLOW_LEVELS = ("none", "referral", "in_need", "child_protection", "looked_after")
FLOWS = {
    ("none", "referral"): 4_100,
    ("none", "in_need"): 2_900,
    ("none", "child_protection"): 210,
    ("none", "looked_after"): 95,
    ("referral", "none"): 3_000,
    ("referral", "referral"): 700,
    ("referral", "in_need"): 450,
    ("referral", "child_protection"): 40,
    ("referral", "looked_after"): 3,
    ("in_need", "none"): 2_600,
    ("in_need", "referral"): 300,
    ("in_need", "in_need"): 3_200,
    ("in_need", "child_protection"): 420,
    ("in_need", "looked_after"): 60,
    ("child_protection", "none"): 150,
    ("child_protection", "referral"): 20,
    ("child_protection", "in_need"): 380,
    ("child_protection", "child_protection"): 300,
    ("child_protection", "looked_after"): 75,
    ("looked_after", "none"): 140,
    ("looked_after", "referral"): 6,
    ("looked_after", "in_need"): 35,
    ("looked_after", "child_protection"): 8,
    ("looked_after", "looked_after"): 1_030,
}
#: the withheld cells: a 3, and its complements in its row, its column and theirs
FLOWS_SUPPRESSED = {
    ("referral", "looked_after"),
    ("referral", "child_protection"),
    ("in_need", "looked_after"),
    ("in_need", "child_protection"),
}


#: England's flows (every cell published); the region has none (the warehouse does not hold
#: all its authorities)
ENGLAND_FLOWS = {pair: 40 * n + 7 for pair, n in FLOWS.items()}


def involvement_flows() -> pd.DataFrame:
    """The LA's flows and England's."""
    return pd.concat(
        [
            _flows(FLOWS, FLOWS_SUPPRESSED).assign(area_code=LA, area_name=LA_NAME),
            _flows(ENGLAND_FLOWS, set()).assign(area_code=ENGLAND, area_name="England"),
        ],
        ignore_index=True,
    )


def _flows(flows: dict[tuple[str, str], int], withheld: set[tuple[str, str]]) -> pd.DataFrame:
    pairs = [(a, b) for a in FLOW_LEVELS for b in FLOW_LEVELS if (a, b) != ("none", "none")]
    count = {pair: flows.get(pair, 0) for pair in pairs}
    rows = [(a, b, n) for (a, b), n in count.items()]
    for level in FLOW_LEVELS:
        rows.append((level, "all", sum(n for (a, _), n in count.items() if a == level)))
        rows.append(("all", level, sum(n for (_, b), n in count.items() if b == level)))
    frame = pd.DataFrame(rows, columns=["from_level", "to_level", "children"])
    pairs_shown = zip(frame["from_level"], frame["to_level"], strict=True)
    frame["suppressed"] = [pair in withheld for pair in pairs_shown]
    frame["children"] = frame["children"].astype(object).where(~frame["suppressed"], None)
    return frame.assign(period=LATEST, previous_period=EARLIER)


def indicator_not_available() -> pd.DataFrame:
    """The year before has no flows: its previous year was not delivered (as publishing says)."""
    return pd.DataFrame(
        {
            "indicator_id": ["involvement_flows"],
            "period": [EARLIER],
            "reason": [
                "Not available for 2023/24: the measure looks back 1 year(s) and these were not "
                "delivered: 2022/23 (cin_children, cin_episodes, cin_cp_plans, "
                "ssda903_episodes). Published when they are."
            ],
        }
    )


def dim_area() -> pd.DataFrame:
    rows = [
        (ENGLAND, "England", "country", None, None),
        (REGION, REGION_NAME, "region", ENGLAND, None),
        (LA, LA_NAME, "la", REGION, LA),
    ] + [(code, name, "ward", LA, LA) for code, (name, _) in WARDS.items()]
    return pd.DataFrame(
        rows, columns=["area_code", "area_name", "area_type", "parent_code", "la_code"]
    )


def fill_published(engine: Engine) -> None:
    """Write the whole hand-made published layer (replacing what is there)."""
    values = indicator_values()
    tables = {
        schema.published_indicator_values: values,
        schema.published_indicator_comparisons: indicator_comparisons(values),
        schema.published_inequality_summary: inequality_summary(),
        schema.published_adversity_distribution: adversity_distribution(),
        schema.published_prevalence_summary: prevalence_summary(),
        schema.data_quality: data_quality(),
        schema.indicator_trends: indicator_trends(values),
        schema.la_benchmarking: la_benchmarking(values),
        schema.indicator_goals: indicator_goals(values),
        schema.child_population: child_population(),
        schema.published_involvement_flows: involvement_flows(),
        schema.indicator_not_available: indicator_not_available(),
        schema.dim_indicator: _catalogue(),
        schema.dim_area: dim_area(),
    }
    with engine.begin() as conn:
        for table, frame in tables.items():
            replace_rows(conn, table, frame.assign(run_id=RUN, loaded_at=NOW), {})
