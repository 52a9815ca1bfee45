"""Example analyst queries of the published layer, declared once.

Each example is a question analysts ask, and the SQL that answers it. The SQL names the
published tables and views unqualified (``indicator_values``), as analysts see them in their own
clients: on SQLite, ``warehouse/tip.db`` opened alone (the ``sqlite3`` shell, DBeaver, Python's
``sqlite3``, ``create_engine("sqlite:///warehouse/tip.db")``) holds the published layer as its
``main`` database; on PostgreSQL the analyst role's ``search_path`` is ``published``
(``roles.analyst_sql``). Through the project's engine the same names resolve too (SQLite's
``main`` is the published file; reads only).

The SQL takes bind parameters (``:period``, ``:area_code``, ``:indicator_id``) so that Python
can ask it of any area or year (``pd.read_sql(text(sql), engine, params=...)``);
``EXAMPLE_PARAMS`` holds the example values. The data dictionary (``dictionary``) shows each
query with those values written in (``Example.literal_sql``), so that it runs pasted as written
in any client, none of which binds ``:name`` the same way. ``tip_pipeline_tests/warehouse/
test_examples.py`` runs every one on both backends through plain connections against a
hand-made published layer and checks the rows it returns.

Portable SQL only: no ``ILIKE``, no ``::`` casts, no ``FILTER``; ``NULLS LAST`` where NULLs
are ordered (SQLite and PostgreSQL order them differently by default); booleans tested as
``CASE WHEN suppressed THEN ...`` (SQLite stores them as 0/1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import Connection, TextClause, text

#: a bind parameter (``:name``), not a ``::`` cast
_PARAMETER: Final = re.compile(r"(?<!:):(\w+)")


def _sql_literal(value: str) -> str:
    """``value`` as a SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    #: the question it answers, in plain English
    question: str
    sql: str
    #: the bind parameters it takes, with the example values shown in the dictionary
    params: Mapping[str, str] = field(default_factory=dict)

    def statement(self) -> TextClause:
        return text(self.sql)

    def literal_sql(self) -> str:
        """The SQL with the example values written in as SQL string literals, ended by ``;``
        (the ``sqlite3`` shell and ``psql`` wait for it): what the dictionary shows, pasteable
        into any client as it stands."""
        written = _PARAMETER.sub(lambda m: _sql_literal(self.params[m.group(1)]), self.sql)
        return written.strip() + ";"

    def run(self, conn: Connection, **params: object) -> list[tuple]:
        """The rows, with ``params`` overriding the example values."""
        return [tuple(row) for row in conn.execute(self.statement(), {**self.params, **params})]


#: example values of the bind parameters (a Leeds-shaped warehouse)
EXAMPLE_PARAMS: Final = {
    "area_code": "E08000035",
    "period": "2023/24",
    "indicator_id": "cla_31mar",
}


def _params(*names: str) -> dict[str, str]:
    return {name: EXAMPLE_PARAMS[name] for name in names}


LATEST_FOR_LA: Final = Example(
    key="latest_for_la",
    title="Latest value of every indicator for a local authority",
    question="For each indicator, the LA's most recent headline value with its 95% limits, "
    "England's value, and whether the LA is significantly higher, similar or lower.",
    sql="""
SELECT v.indicator_id, v.indicator_name, v.period,
       v.numerator, v.denominator, v.value, v.lower_ci_95, v.upper_ci_95, v.unit,
       e.comparator_value AS england_value,
       v.compared_to_benchmark AS compared_to_england,
       v.suppressed
FROM latest_indicator_values AS v
LEFT JOIN indicator_comparisons AS e
  ON e.indicator_id = v.indicator_id AND e.period = v.period
 AND e.area_code = v.area_code AND e.comparator_type = 'england'
WHERE v.area_code = :area_code AND v.breakdown = 'total' AND v.category = 'all'
ORDER BY v.indicator_id
""",
    params=_params("area_code"),
)

WARD_PROFILE: Final = Example(
    key="ward_profile",
    title="One indicator's ward profile",
    question="Every ward of the LA for one indicator and year, highest value first, beside "
    "the LA's value and how each ward compares with it.",
    sql="""
SELECT ward_code, ward_name, numerator, denominator, value,
       lower_ci_95, upper_ci_95, la_value, compared_to_la, suppressed
FROM ward_profile
WHERE indicator_id = :indicator_id AND period = :period AND la_code = :area_code
ORDER BY value DESC NULLS LAST, ward_code
""",
    params=_params("indicator_id", "period", "area_code"),
)

INEQUALITY: Final = Example(
    key="inequality",
    title="The inequality table: every indicator in a year",
    question="For each indicator, the gap between the most and least deprived quintiles, "
    "the slope and relative indices of inequality, and whether the poorest are improving "
    "fastest.",
    sql="""
SELECT s.indicator_id, i.indicator_name, i.polarity,
       s.most_deprived_value, s.least_deprived_value, s.gap, s.ratio,
       s.sii, s.rii, s.statement, s.poorest_fastest_statement, s.suppressed
FROM inequality_summary AS s
JOIN dim_indicator AS i ON i.indicator_id = s.indicator_id
WHERE s.period = :period AND s.area_code = :area_code
ORDER BY s.indicator_id
""",
    params=_params("period", "area_code"),
)

TREND: Final = Example(
    key="trend",
    title="The trend of one indicator",
    question="One indicator's headline value for the LA, year by year, with its limits and "
    "its comparison with England.",
    sql="""
SELECT period, numerator, denominator, value, lower_ci_95, upper_ci_95,
       compared_to_benchmark, suppressed
FROM indicator_values
WHERE indicator_id = :indicator_id AND area_code = :area_code
  AND breakdown = 'total' AND category = 'all'
ORDER BY period
""",
    params=_params("indicator_id", "area_code"),
)

NEIGHBOURS: Final = Example(
    key="neighbours",
    title="The LA among its statistical neighbours and England, year by year",
    question="One indicator's published value for the LA each year, its rank among itself and "
    "its ten statistical neighbours and among England's authorities (1 = best by polarity, or "
    "the highest without one: rank_order), LAIT's quartile band, Fingertips' England quintile, "
    "and its neighbours' lowest, highest and mean published values that year "
    "(la_benchmarking; each neighbour's own row has its value and ranks too).",
    sql="""
SELECT b.period, b.value, b.neighbour_group_rank, b.neighbour_group_ranked,
       b.england_rank, b.england_ranked, b.quartile_band, b.compared_to_percentiles,
       MIN(n.value) AS neighbours_lowest, MAX(n.value) AS neighbours_highest,
       AVG(n.value) AS neighbours_mean
FROM la_benchmarking AS b
JOIN la_benchmarking AS n
  ON n.indicator_id = b.indicator_id AND n.period = b.period AND n.la_code = b.la_code
 AND n.neighbour_rank IS NOT NULL
WHERE b.indicator_id = :indicator_id AND b.la_code = :area_code AND b.area_code = :area_code
GROUP BY b.period, b.value, b.neighbour_group_rank, b.neighbour_group_ranked,
         b.england_rank, b.england_ranked, b.quartile_band, b.compared_to_percentiles
ORDER BY b.period
""",
    params=_params("indicator_id", "area_code"),
)

ADVERSITY: Final = Example(
    key="adversity",
    title="The adversity distribution",
    question="How many of the LA's children met 0, 1, 2, 3 or 4+ adversity domains in the "
    "year (and 2 or more), as a share of all children aged 0-17.",
    sql="""
SELECT domains, children, denominator, share_pct, lower_pct, upper_pct, suppressed
FROM adversity_distribution
WHERE period = :period AND area_code = :area_code
ORDER BY CASE domains WHEN '0' THEN 0 WHEN '1' THEN 1 WHEN '2' THEN 2 WHEN '3' THEN 3
                      WHEN '4+' THEN 4 ELSE 5 END
""",
    params=_params("period", "area_code"),
)

PREVALENCE: Final = Example(
    key="prevalence",
    title="The prevalence slide: modelled against recorded",
    question="The strategy's Prevalence slide for the LA and year: for each row, the modelled "
    "share of children beside the share recorded by services (matched definitions).",
    sql="""
SELECT slide_order, measure, measure_label,
       MAX(CASE WHEN basis = 'modelled' THEN share_pct END) AS modelled_pct,
       MAX(CASE WHEN basis = 'modelled' THEN children END) AS modelled_children,
       MAX(CASE WHEN basis = 'recorded' THEN share_pct END) AS recorded_pct,
       MAX(CASE WHEN basis = 'recorded' THEN children END) AS recorded_children,
       MAX(CASE WHEN basis = 'recorded' AND suppressed THEN 1 ELSE 0 END) AS recorded_suppressed
FROM prevalence_summary
WHERE period = :period AND area_code = :area_code
GROUP BY slide_order, measure, measure_label
ORDER BY slide_order
""",
    params=_params("period", "area_code"),
)

DATA_QUALITY: Final = Example(
    key="data_quality",
    title="Data-quality summary",
    question="For each source and extract of the year: records read, records set aside by "
    "validation, and the percentage set aside.",
    sql="""
SELECT source, table_name, rows_read, rows_quarantined,
       ROUND(100.0 * rows_quarantined / NULLIF(rows_read, 0), 2) AS quarantined_pct
FROM data_quality
WHERE period = :period AND rule_id = 'all'
ORDER BY source, table_name
""",
    params=_params("period"),
)

#: every example, in the order the dictionary shows them
EXAMPLES: Final[Mapping[str, Example]] = {
    e.key: e
    for e in (
        LATEST_FOR_LA,
        WARD_PROFILE,
        INEQUALITY,
        TREND,
        NEIGHBOURS,
        ADVERSITY,
        PREVALENCE,
        DATA_QUALITY,
    )
}
