"""The indicator assets on the small generated delivery, materialised with Dagster as `tip run`
does (reference assets, then one reporting year), checked against an independent recount of
the delivered files."""

import pandas as pd
import pytest

from tip_pipeline.indicators import look_back
from tip_pipeline.indicators import store as indicator_store
from tip_pipeline.indicators.catalogue import CATALOGUE
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.codes import TOXIC_TRIO_RECORDED
from tip_pipeline.warehouse import bulk, schema
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline_tests.graph import keys, materialise
from tip_pipeline_tests.sources.generator import measures

pytestmark = pytest.mark.integration

YEAR = "2023-24"
#: the year's one step (defs/year.py) materialises both groups together
YEAR_STEP = [*keys(True, "indicators"), *keys(True, "published")]
FY = FinancialYear.parse(YEAR)
INDICATOR_TABLES = (
    "indicator_values",
    "indicator_comparisons",
    "inequality_summary",
    "adversity_distribution",
    "adversity_overlap",
    "modelled_prevalence",
    "prevalence_summary",
)


def _read(url, sql) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sql, conn)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def year_run(small_delivery, tmp_path_factory):
    data, _ = small_delivery
    url = f"sqlite:///{tmp_path_factory.mktemp('indicators') / 'tip.db'}"
    return data, url, materialise(data, url, [YEAR]).last


def test_every_indicator_asset_materialises_and_its_checks_pass(year_run):
    _, url, result = year_run
    assert result.success
    done = {e.asset_key for e in result.get_asset_materialization_events()}
    assert set(keys(True, "indicators")) <= done
    evaluations = [
        e for e in result.get_asset_check_evaluations() if e.asset_key.path[0] == "indicators"
    ]
    assert len(evaluations) == 5 and all(e.passed for e in evaluations)
    for table in INDICATOR_TABLES:
        counts = _read(url, f"SELECT period, count(*) AS n FROM restricted.{table} GROUP BY 1")
        assert counts["period"].tolist() == ["2023/24"] and counts["n"].item() > 0, table
    dim = _read(url, "SELECT indicator_id FROM published.dim_indicator")
    assert sorted(dim["indicator_id"]) == sorted(i.id for i in CATALOGUE)


def aged_0_17(data, ids: pd.Series, table: str, id_col: str, dob_col: str) -> set[str]:
    """The ids whose month-truncated birth date makes them 0-17 on 31 March."""
    people = measures.read(data, f"{table}_{FY.tag}.csv").drop_duplicates(id_col)
    born = people.set_index(id_col)[dob_col]
    return {i for i in ids if "2006-04-01" <= born[i] <= "2024-03-31"}


def test_headline_numerators_match_a_recount_of_the_files(year_run):
    data, url, _ = year_run
    la = _read(
        url,
        "SELECT indicator_id, numerator, denominator FROM restricted.indicator_values "
        "WHERE area_type = 'la' AND breakdown = 'total'",
    ).set_index("indicator_id")
    population = measures.population(data, FY)
    assert la.loc["cla_31mar", "denominator"] == population["children"].sum()
    assert la.loc["yj_outcome", "denominator"] == population["youths"].sum()
    lac = measures.lac_31mar(data, FY).index.to_series()
    assert la.loc["cla_31mar", "numerator"] == len(
        aged_0_17(data, lac, "ssda903_header", "CHILD", "DOB")
    )
    for ind, ids in (("cin_31mar", measures.cin_31mar), ("cpp_31mar", measures.cpp_31mar)):
        kids = aged_0_17(data, ids(data, FY), "cin_children", "LAchildID", "PersonBirthDate")
        assert la.loc[ind, "numerator"] == len(kids), ind
    assert la.loc["yj_outcome", "numerator"] == len(measures.yj_children(data, FY))
    assert la.loc["homeless_children", "numerator"] <= len(measures.homeless_children(data, FY))
    for factor, codes in TOXIC_TRIO_RECORDED.items():
        assert la.loc[f"factor_{factor}", "numerator"] == factor_recount(data, codes), factor


def factor_recount(data, codes: tuple[str, ...]) -> int:
    """Children aged 0-17 at an assessment authorised in the year that identified ``codes``."""
    a = measures.read(data, f"cin_assessments_{FY.tag}.csv")
    a = a[a["AssessmentAuthorisationDate"].between(FY.start.isoformat(), FY.end.isoformat())]
    a = a[a["AssessmentFactors"].str.split(",").apply(lambda f: bool(set(f) & set(codes)))]
    kids = measures.read(data, f"cin_children_{FY.tag}.csv").set_index("LAchildID")
    born = pd.to_datetime(a["LAchildID"].map(kids["PersonBirthDate"]))
    done = pd.to_datetime(a["AssessmentAuthorisationDate"])
    adult = done >= born + pd.DateOffset(years=18)
    return a.loc[~adult.to_numpy(), "LAchildID"].nunique()


def test_prevalence_slide_and_inequality_summary(year_run):
    _, url, _ = year_run
    slide = _read(url, "SELECT * FROM restricted.prevalence_summary ORDER BY slide_order, basis")
    assert len(slide) == 13 and set(slide["basis"]) == {"modelled", "recorded"}
    assert slide["share_pct"].between(0, 100).all()
    modelled_any = slide[(slide["measure"] == "toxic_trio_any") & (slide["basis"] == "modelled")]
    assert modelled_any["share_pct"].item() == pytest.approx(19.8, abs=1.0)  # the seed's 19.8%
    summary = _read(url, "SELECT * FROM restricted.inequality_summary")
    # one year materialised: every indicator that looks back to earlier years is not available
    # (the reoffending proxy too: it reads the two years before, which are reporting years of
    # this delivery, not its youth-justice history, and are not materialised), published as such
    # with the reason, as are the flows and the cohorts; every other indicator with deprivation
    # deciles is summarised (care leavers have no home area, so no deciles)
    looking_back = {i.id for i in CATALOGUE if i.look_back}
    by_decile = {i.id for i in CATALOGUE if "imd_decile" in i.breakdowns}
    assert set(summary["indicator_id"]) == by_decile - looking_back
    missing = _read(url, "SELECT * FROM published.indicator_not_available")
    across_years = {look_back.FLOWS.id} | {m.id for m in look_back.COHORTS}
    assert set(missing["indicator_id"]) == looking_back | across_years
    assert set(missing["period"]) == {"2023/24"}
    assert missing["reason"].str.contains("were not delivered").all()
    assert summary["statement"].str.len().gt(0).all()


def test_rerunning_a_year_replaces_its_rows(year_run):
    data, url, _ = year_run
    sql = "SELECT count(*) AS n, min(run_id) AS run FROM restricted.{}"
    before = {t: _read(url, sql.format(t)).iloc[0] for t in INDICATOR_TABLES}
    materialise(data, url, [YEAR], reference=False, selection=YEAR_STEP)
    for table in INDICATOR_TABLES:
        after = _read(url, sql.format(table)).iloc[0]
        assert after["n"] == before[table]["n"] and after["run"] != before[table]["run"], table


def test_a_failed_write_leaves_every_indicator_table_of_the_year_as_it_was(year_run, monkeypatch):
    """The year's seven tables are replaced in one transaction with its published twins: a
    failure while writing the last indicator table leaves the first six, and the published
    year, as of the last completed run too."""
    data, url, _ = year_run
    runs = "SELECT DISTINCT run_id FROM {}"
    tables = [f"restricted.{t}" for t in INDICATOR_TABLES]
    tables += [t.fullname for t in schema.PUBLISHED_TWINS.values()]
    before = {t: set(_read(url, runs.format(t))["run_id"]) for t in tables}
    real = bulk.replace_rows

    def fail_on_the_last_table(conn, table, rows, where):
        if table.name == INDICATOR_TABLES[-1]:
            raise RuntimeError("the disk filled up")
        return real(conn, table, rows, where=where)

    monkeypatch.setattr(indicator_store, "replace_rows", fail_on_the_last_table)
    result = materialise(
        data, url, [YEAR], reference=False, selection=YEAR_STEP, raise_on_error=False
    ).last
    assert not result.success
    assert {t: set(_read(url, runs.format(t))["run_id"]) for t in tables} == before


@pytest.mark.postgres
def test_indicators_on_postgresql(small_delivery, postgres_url):
    data, _ = small_delivery
    result = materialise(data, postgres_url, [YEAR]).last
    assert result.success
    slide = _read(postgres_url, "SELECT * FROM restricted.prevalence_summary")
    assert len(slide) == 13
    values = _read(postgres_url, "SELECT count(*) AS n FROM restricted.indicator_values")
    assert values["n"].item() > 1000
