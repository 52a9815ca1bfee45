"""A small, hand-made but realistic published layer for the report's tests.

One LA (Leeds, E08000035) in its region and England, four wards, two indicators (a
proportion and a rate) over six years, IMD deciles, comparisons, inequality, linked adversity,
the prevalence slide and data quality; with suppressed cells (a ward, a decile, the SII of an
indicator, an adversity row, a recorded prevalence row) whose figures are NULL, as the
publishing step leaves them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tip_pipeline import stats
from tip_pipeline.indicators.catalogue import dim_indicator_frame
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
}
SUPPRESSED_WARD = "E05000004"
POPULATION = 170_000
#: indicator -> (kind, LA counts by year, ward counts in the latest year, decile counts)
INDICATORS = {
    "cla_31mar": (
        "proportion",
        [1288, 1270, 1251, 1240, 1225, 1210],
        {"E05000001": 40, "E05000002": 9, "E05000003": 95, "E05000004": 3},
        [260, 200, 170, 140, 120, 100, 80, 60, 50, 30],
    ),
    "cin_referrals": (
        "rate",
        [9000, 9300, 9650, 9900, 10200, 10400],
        {"E05000001": 320, "E05000002": 150, "E05000003": 610, "E05000004": 2},
        [1900, 1500, 1300, 1200, 1100, 900, 800, 700, 600, 400],
    ),
}
SUPPRESSED_DECILE = ("cla_31mar", "10")
ENGLAND_VALUE = {"cla_31mar": 70.0, "cin_referrals": 550.0}
NOW = datetime(2025, 6, 1, tzinfo=UTC)
RUN = "test-run"


def _catalogue() -> pd.DataFrame:
    frame = dim_indicator_frame()
    return frame[frame["indicator_id"].isin(INDICATORS)].reset_index(drop=True)


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


def indicator_values() -> pd.DataFrame:
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
                ["all"] * 4, [ward_counts[c] for c in codes], [WARDS[c][1] for c in codes], LA,
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
    la = values[(values["area_type"] == "la") & (values["breakdown"] == "total")]
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
    return pd.DataFrame([rate, suppressed])


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
    return pd.DataFrame(rows)


SLIDE = (
    ("toxic_trio_any", "live in households with any of the 'toxic trio'", 33_600, 5_300),
    ("domestic_abuse", "live in a household with domestic violence", 12_400, 2_800),
    ("toxic_trio_all", "live in households with all three of the toxic trio", 2_040, 390),
    ("looked_after", "are looked after (in care)", None, 1_210),
    ("homelessness", "are at risk of homelessness", None, None),
)


def prevalence_summary() -> pd.DataFrame:
    rows = []
    for order, (measure, label, modelled, recorded) in enumerate(SLIDE, start=1):
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
    return pd.DataFrame(rows)


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
    ]
    columns = ["period", "source", "table_name", "rule_id", "rule_text", "rows_read",
               "rows_quarantined"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


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
        schema.dim_indicator: _catalogue(),
        schema.dim_area: dim_area(),
    }
    with engine.begin() as conn:
        for table, frame in tables.items():
            replace_rows(conn, table, frame.assign(run_id=RUN, loaded_at=NOW), {})
