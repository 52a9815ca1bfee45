"""A small hand-made published layer, for the example queries and the export.

One LA (Leeds, E08000035) in its region and England, two wards, two indicators over two years,
and one year of inequality, adversity, prevalence and data quality. Figures are invented but
consistent (value = numerator / denominator x multiplier); ward B and some breakdown rows are
suppressed as the publishing step would leave them: count, value and limits NULL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine

from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.bulk import replace_rows

RUN = "sample-run"
LOADED = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
LEEDS, REGION, ENGLAND = "E08000035", "E12000003", "E92000001"
WARD_A, WARD_B = "E05011111", "E05011112"

AREAS = [
    # code, name, type, parent, la
    (ENGLAND, "England", "country", None, None),
    (REGION, "Yorkshire and The Humber", "region", ENGLAND, None),
    (LEEDS, "Leeds", "la", REGION, LEEDS),
    (WARD_A, "Armley", "ward", LEEDS, LEEDS),
    (WARD_B, "Beeston", "ward", LEEDS, LEEDS),
]

INDICATORS = [
    # id, name, age_min, age_max, unit, multiplier, polarity
    ("cla_31mar", "Children looked after", 0, 17, "per 10,000 children aged 0-17", 10_000,
     "no judgement"),
    ("yj_first_time_entrants", "First-time entrants to youth justice", 10, 17,
     "per 100,000 children aged 10-17", 100_000, "higher is worse"),
]  # fmt: skip

CLA_UNIT = "per 10,000 children aged 0-17"
FTE_UNIT = "per 100,000 children aged 10-17"

#: indicator_values: (indicator, period, area_type, area_code, area_name, breakdown, category,
#:  numerator, denominator, value, l95, u95, l998, u998, compared, benchmark, suppressed)
VALUES = [
    ("cla_31mar", "2022/23", "la", LEEDS, "Leeds", "total", "all",
     1400, 170_000, 82.35, 78.1, 86.8, 76.0, 89.1, "higher", ENGLAND, False),
    ("cla_31mar", "2023/24", "la", LEEDS, "Leeds", "total", "all",
     1360, 170_000, 80.0, 75.8, 84.4, 73.7, 86.6, "higher", ENGLAND, False),
    ("cla_31mar", "2023/24", "la", LEEDS, "Leeds", "sex", "M",
     720, 87_000, 82.76, 76.8, 89.0, 74.0, 92.3, "similar", LEEDS, False),
    ("cla_31mar", "2023/24", "la", LEEDS, "Leeds", "sex", "F",
     640, 83_000, 77.11, 71.3, 83.3, 68.6, 86.5, "similar", LEEDS, False),
    ("cla_31mar", "2023/24", "la", LEEDS, "Leeds", "age_band", "0-4",
     300, 45_000, 66.67, 59.3, 74.6, 55.9, 78.8, "lower", LEEDS, False),
    ("cla_31mar", "2023/24", "la", LEEDS, "Leeds", "imd_decile", "1",
     None, 30_000, None, None, None, None, None, None, LEEDS, True),
    ("cla_31mar", "2023/24", "ward", WARD_A, "Armley", "total", "all",
     60, 5_000, 120.0, 91.6, 154.5, 80.1, 172.5, "higher", LEEDS, False),
    ("cla_31mar", "2023/24", "ward", WARD_B, "Beeston", "total", "all",
     None, 4_000, None, None, None, None, None, "not compared", LEEDS, True),
    ("yj_first_time_entrants", "2023/24", "la", LEEDS, "Leeds", "total", "all",
     150, 60_000, 250.0, 211.6, 293.3, 195.0, 315.8, "higher", ENGLAND, False),
    ("yj_first_time_entrants", "2023/24", "la", LEEDS, "Leeds", "ethnic_group", "White",
     110, None, None, None, None, None, None, None, LEEDS, False),
]  # fmt: skip

VALUE_COLUMNS = [
    "indicator_id", "period", "area_type", "area_code", "area_name", "breakdown", "category",
    "numerator", "denominator", "value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8",
    "upper_ci_99_8", "compared_to_benchmark", "benchmark_area_code", "suppressed",
]  # fmt: skip

#: indicator_comparisons rows (indicator, period, area, comparator type, code, name, value)
COMPARISONS = [
    ("cla_31mar", "2023/24", LEEDS, "england", ENGLAND, "England", 71.0, "higher"),
    ("cla_31mar", "2023/24", LEEDS, "region", REGION, "Yorkshire and The Humber", 79.5,
     "similar"),
    ("yj_first_time_entrants", "2023/24", LEEDS, "england", ENGLAND, "England", 160.0, "higher"),
]  # fmt: skip


def _lineage(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(run_id=RUN, loaded_at=LOADED)


def _names() -> dict[str, str]:
    return {i[0]: i[1] for i in INDICATORS}


def _units() -> dict[str, str]:
    return {i[0]: i[4] for i in INDICATORS}


def frames() -> dict[str, pd.DataFrame]:
    """Published table name -> its rows."""
    areas = pd.DataFrame(
        AREAS, columns=["area_code", "area_name", "area_type", "parent_code", "la_code"]
    )
    indicators = pd.DataFrame(
        [
            {
                "indicator_id": i,
                "indicator_name": name,
                "definition": f"{name} (definition)",
                "numerator_rule": i,
                "numerator": "children counted",
                "denominator": "children in the age range",
                "age_min": low,
                "age_max": high,
                "reference_date": "31 March",
                "unit": unit,
                "multiplier": mult,
                "method": "Byar",
                "polarity": polarity,
                "source": "ssda903",
                "breakdowns": "total,sex,age_band,imd_decile,ethnic_group",
            }
            for i, name, low, high, unit, mult, polarity in INDICATORS
        ]
    )
    values = pd.DataFrame(VALUES, columns=VALUE_COLUMNS)
    values["denominator"] = values["denominator"].astype("Int64")
    values["numerator"] = values["numerator"].astype("Int64")
    values = values.assign(
        indicator_name=values["indicator_id"].map(_names()),
        unit=values["indicator_id"].map(_units()),
    )
    comparisons = pd.DataFrame(
        [
            {
                "indicator_id": ind,
                "period": period,
                "area_type": "la",
                "area_code": area,
                "comparator_type": kind,
                "comparator_code": code,
                "comparator_name": name,
                "comparator_value": value,
                "comparator_source": "ref_benchmarks",
                "result": result,
                "suppressed": False,
            }
            for ind, period, area, kind, code, name, value, result in COMPARISONS
        ]
    )
    inequality = pd.DataFrame(
        [
            {
                "indicator_id": "cla_31mar",
                "period": "2023/24",
                "area_code": LEEDS,
                "area_name": "Leeds",
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
            },
            {
                "indicator_id": "yj_first_time_entrants",
                "period": "2023/24",
                "area_code": LEEDS,
                "area_name": "Leeds",
                "deciles_used": 6,
                "statement": "Not published: a quintile is suppressed.",
                "unit": FTE_UNIT,
                "suppressed": True,
            },
        ]
    )
    adversity = pd.DataFrame(
        [
            ("0", 150_000, 88.24, False),
            ("1", 15_000, 8.82, False),
            ("2", 4_000, 2.35, False),
            ("3", None, None, True),
            ("4+", None, None, True),
            ("2+", 5_000, 2.94, False),
        ],
        columns=["domains", "children", "share_pct", "suppressed"],
    ).assign(period="2023/24", area_code=LEEDS, area_name="Leeds", denominator=170_000)
    adversity["children"] = adversity["children"].astype("Int64")
    prevalence = pd.DataFrame(
        [
            ("toxic_trio_any", "modelled", 33_660.0, 19.8, False, 1),
            ("toxic_trio_any", "recorded", 5_100.0, 3.0, False, 1),
            ("looked_after", "recorded", 1_360.0, 0.8, False, 6),
            ("homelessness", "recorded", None, None, True, 8),
        ],
        columns=["measure", "basis", "children", "share_pct", "suppressed", "slide_order"],
    ).assign(period="2023/24", area_code=LEEDS, area_name="Leeds", denominator=170_000)
    prevalence["measure_label"] = prevalence["measure"].map(
        {
            "toxic_trio_any": "live in households with any of the 'toxic trio'",
            "looked_after": "are looked after (in care)",
            "homelessness": "are at risk of homelessness",
        }
    )
    quality = pd.DataFrame(
        [
            ("cin", "cin_children", "all", "All rules", 2000, 30),
            ("cin", "cin_children", "required_sex", "Sex is required", 2000, 20),
            ("ssda903", "ssda903_episodes", "all", "All rules", 4000, 8),
            ("yjs", "yjs_outcomes", "all", "All rules", 0, 0),
        ],
        columns=["source", "table_name", "rule_id", "rule_text", "rows_read", "rows_quarantined"],
    ).assign(period="2023/24")
    return {
        "dim_area": areas,
        "dim_indicator": indicators,
        "indicator_values": values,
        "indicator_comparisons": comparisons,
        "inequality_summary": inequality,
        "adversity_distribution": adversity,
        "prevalence_summary": prevalence,
        "data_quality": quality,
    }


def load(engine: Engine) -> None:
    """Write the sample into the published tables of a migrated warehouse."""
    with engine.begin() as conn:
        for name, frame in frames().items():
            table = schema.metadata.tables[f"published.{name}"]
            replace_rows(conn, table, _lineage(frame), {})
