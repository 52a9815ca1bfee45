"""Views of the published layer for the questions analysts ask most, declared once as data.

Each view is plain SQL that runs unchanged on PostgreSQL and SQLite. Its table names are
written unqualified: on SQLite a view stored in a database file may only name tables of that
same file (the analysts' file, attached as ``published``), and on PostgreSQL the migration runs
it with ``search_path`` set to ``published``, which PostgreSQL resolves once, when the view is
created. Alembic revisions hold their own copy of each view's SQL, as they do of table DDL, so
an old revision keeps meaning what it meant: a changed view is a new revision that drops and
recreates it, and ``test_migrations`` checks that the migrated views have the columns declared
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from tip_pipeline.warehouse.schema import published_indicator_values


@dataclass(frozen=True)
class View:
    name: str
    comment: str
    #: column -> what it holds, for the data dictionary
    columns: Mapping[str, str]
    select: str


LATEST_INDICATOR_VALUES: Final = View(
    name="latest_indicator_values",
    comment="Every indicator's rows (all areas, breakdowns and categories) for the latest year "
    "it has been published for.",
    columns={c.name: c.comment or "" for c in published_indicator_values.columns},
    select="""
SELECT v.*
FROM indicator_values AS v
JOIN (
    SELECT indicator_id, MAX(period) AS period
    FROM indicator_values
    GROUP BY indicator_id
) AS latest
  ON latest.indicator_id = v.indicator_id AND latest.period = v.period
""",
)

WARD_PROFILE: Final = View(
    name="ward_profile",
    comment="One row per indicator, year and ward: the ward's headline value and limits beside "
    "its local authority's value, and how the ward compares with it.",
    columns={
        "indicator_id": "Indicator id",
        "indicator_name": "Short name",
        "period": "Financial year",
        "la_code": "Local authority of the ward",
        "la_name": "Local authority name",
        "ward_code": "Ward (2024) code",
        "ward_name": "Ward name",
        "numerator": "Count in the ward; NULL where suppressed",
        "denominator": "Population (or households) of the ward",
        "value": "The ward's value",
        "lower_ci_95": "Lower 95% limit",
        "upper_ci_95": "Upper 95% limit",
        "lower_ci_99_8": "Lower 99.8% limit",
        "upper_ci_99_8": "Upper 99.8% limit",
        "la_value": "The local authority's value",
        "compared_to_la": "higher / similar / lower / not compared: the ward's 95% limits "
        "against the LA value",
        "unit": "Unit of the values",
        "suppressed": "True when the ward's count is withheld",
    },
    select="""
SELECT w.indicator_id, w.indicator_name, w.period,
       la.area_code AS la_code, la.area_name AS la_name,
       w.area_code AS ward_code, w.area_name AS ward_name,
       w.numerator, w.denominator, w.value,
       w.lower_ci_95, w.upper_ci_95, w.lower_ci_99_8, w.upper_ci_99_8,
       la.value AS la_value, w.compared_to_benchmark AS compared_to_la,
       w.unit, w.suppressed
FROM indicator_values AS w
JOIN dim_area AS a ON a.area_code = w.area_code
JOIN indicator_values AS la
  ON la.indicator_id = w.indicator_id AND la.period = w.period
 AND la.area_code = a.parent_code AND la.breakdown = 'total' AND la.category = 'all'
WHERE w.area_type = 'ward' AND w.breakdown = 'total' AND w.category = 'all'
""",
)

VIEWS: Final[Mapping[str, View]] = {v.name: v for v in (LATEST_INDICATOR_VALUES, WARD_PROFILE)}
