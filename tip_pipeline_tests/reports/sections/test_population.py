"""The population section: the pyramid's table shows the warehouse's child population by sex
and single year of age, its sentence sums them, and a year without one says so."""

import pandas as pd
import pytest
from sqlalchemy import text

from tip_pipeline.reports.build import build
from tip_pipeline.reports.sections.population import population_statement
from tip_pipeline_tests.published import CHILD_POPULATION, EARLIER, LA, LATEST, POPULATION
from tip_pipeline_tests.reports.tables import tables


def _warehouse(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(
            text(
                "SELECT sex, age, population, mid_year FROM published.child_population "
                "WHERE area_code = :area AND period = :period"
            ),
            conn,
            params={"area": LA, "period": LATEST},
        )


def _number(cell: str) -> int:
    return int(cell.replace(",", ""))


def test_the_table_shows_the_warehouse_s_children_by_age_and_sex(built, published):
    stored = _warehouse(published).set_index(["sex", "age"])["population"]
    rows = tables(built.html)["population"]
    assert [r[0] for r in rows] == [str(a) for a in range(18)] + ["0-17"]
    for row in rows[:-1]:
        age = int(row[0])
        females, males, both = (_number(c) for c in row[1:])
        assert (females, males) == (stored[("F", age)], stored[("M", age)])
        assert both == females + males
    total = rows[-1]
    assert _number(total[1]) == stored.loc["F"].sum() and _number(total[2]) == stored.loc["M"].sum()
    assert _number(total[3]) == stored.sum() == POPULATION  # the rates' denominator


def test_the_pyramid_is_drawn_with_its_alt_text_and_comes_first(built):
    html = built.html
    assert 'id="chart-population"' in html
    assert "Population pyramid of the 170,000 children aged 0-17 in Leeds" in html
    assert html.index('id="population"') < html.index('id="prevalence"')  # start with populations
    assert html.index('id="summary"') < html.index('id="population"')


def test_the_sentence_sums_the_published_figures(built, published):
    stored = _warehouse(published)
    table = stored.pivot(index="age", columns="sex", values="population")
    mid_year = int(stored["mid_year"].iloc[0])
    sentence = population_statement("Leeds", LATEST, mid_year, table)
    assert sentence == (
        "170,000 children aged 0-17 lived in Leeds in mid-2024 (ONS mid-year estimate, the "
        "denominator of 2024/25's rates): 83,070 females and 86,930 males; 46,480 (27.3%) "
        "were under five."
    )
    assert sum(CHILD_POPULATION["F"][:5]) + sum(CHILD_POPULATION["M"][:5]) == 46_480
    assert sentence.replace("'", "&#x27;") in built.html


@pytest.fixture(scope="module")
def built_earlier(published):
    return build(published, None, EARLIER)


def test_a_year_with_no_population_published_says_so(built_earlier):
    assert "No child population is published for Leeds in 2023/24." in built_earlier.html
    assert 'id="chart-population"' not in built_earlier.html
