"""Publishing a leeds-scale run: the disclosure audit over the whole published layer, atomic
and idempotent loads, lineage to the input files."""

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline import config
from tip_pipeline.indicators.data import validated_runs
from tip_pipeline.indicators.store import read_period
from tip_pipeline.periods import FinancialYear
from tip_pipeline.publish import audit, store, tables
from tip_pipeline.publish.goals import declared_goals
from tip_pipeline.publish.inputs import area_parents, read_restricted
from tip_pipeline.warehouse import schema
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline_tests.conftest import LEEDS_YEARS

THRESHOLD = 5
LATEST = LEEDS_YEARS[-1]
LINEAGE = ["run_id", "loaded_at"]

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine(leeds_warehouse):
    engine = make_engine(leeds_warehouse)
    yield engine
    engine.dispose()


def _published(engine, table: sa.Table, period: str) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(sa.select(table).where(table.c.period == period), conn)
    keys = [c.name for c in table.primary_key.columns]
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("period", LEEDS_YEARS)
def test_audit_of_the_whole_published_layer_passes(engine, period):
    """For every suppressed cell, the range consistent with everything published is at least
    the threshold wide; nothing derived from it is shown; every published count is true."""
    found = audit.audit_year(engine, period, THRESHOLD)
    assert found.problems == []
    assert found.withheld > 20  # leeds has small wards and categories: the audit is not empty
    assert found.narrowest >= THRESHOLD


def test_no_count_from_one_to_four_is_published(engine):
    with engine.connect() as conn:
        small = conn.execute(
            sa.text(
                "SELECT count(*) FROM published.indicator_values "
                "WHERE numerator BETWEEN 1 AND 4 OR "
                "(indicator_id = 'homeless_domestic_abuse_share' AND denominator BETWEEN 1 AND 4)"
            )
        ).scalar_one()
        zeros = conn.execute(
            sa.text("SELECT count(*) FROM published.indicator_values WHERE numerator = 0")
        ).scalar_one()
    assert small == 0
    assert zeros > 0  # zero is published


def test_restricted_layer_keeps_the_true_figures(engine):
    with engine.connect() as conn:
        true_small = conn.execute(
            sa.text(
                "SELECT count(*) FROM restricted.indicator_values "
                "WHERE numerator BETWEEN 1 AND 4 AND period = :p"
            ),
            {"p": LATEST},
        ).scalar_one()
    assert true_small > 0


def test_suppressed_rows_show_no_value_and_are_flagged(engine):
    values = _published(engine, schema.published_indicator_values, LATEST)
    withheld = values[values["suppressed"].astype(bool)]
    assert len(withheld) > 0
    assert withheld[["value", "lower_ci_95", "upper_ci_99_8"]].isna().all().all()
    assert (withheld["compared_to_benchmark"] == "not compared").all()


def _publish_a_complement(engine, count) -> None:
    """Tamper with the latest year: its first secondary complement published as ``count(its
    true count)``."""
    restricted = read_restricted(engine, LATEST)
    year = store.year_suppression(restricted, LATEST, THRESHOLD, area_parents(engine))
    complement = next(c for c in sorted(year.suppression.secondary, key=repr) if c[0] == "iv")
    _, indicator, area, breakdown, category, _ = complement
    table = schema.published_indicator_values
    where = (
        (table.c.period == LATEST)
        & (table.c.indicator_id == indicator)
        & (table.c.area_code == area)
        & (table.c.breakdown == breakdown)
        & (table.c.category == category)
    )
    shown = count(year.cells.values[complement])
    with engine.begin() as conn:
        conn.execute(table.update().where(where).values(numerator=shown, suppressed=False))


def test_a_tampered_published_layer_fails_the_audit(engine):
    """Publishing one secondary complement's true count lets a primary cell be worked out."""
    _publish_a_complement(engine, lambda true: int(true))
    try:
        found = audit.audit_year(engine, LATEST, THRESHOLD)
        assert not found.passed
        assert any("narrowed" in p for p in found.problems)
    finally:
        store.publish_year(engine, LATEST, "repair", THRESHOLD)
    assert audit.audit_year(engine, LATEST, THRESHOLD).passed


def test_a_published_layer_contradicting_itself_fails_the_audit_without_crashing(engine):
    """A complement published far above its total: no withheld value fits the relations, so
    the linear program is infeasible; the audit reports it as a problem, with the reason."""
    _publish_a_complement(engine, lambda _true: 10**9)
    try:
        found = audit.audit_year(engine, LATEST, THRESHOLD)
        assert not found.passed
        assert any("not found" in p and "infeasible" in p for p in found.problems)
    finally:
        store.publish_year(engine, LATEST, "repair", THRESHOLD)
    assert audit.audit_year(engine, LATEST, THRESHOLD).passed


def test_publishing_twice_gives_identical_rows_apart_from_lineage(engine):
    before = {t: _published(engine, t, LATEST) for t in schema.PUBLISHED_TWINS.values()}
    store.publish_year(engine, LATEST, "again", THRESHOLD)
    for table, frame in before.items():
        after = _published(engine, table, LATEST)
        assert set(after["run_id"]) == {"again"}
        pd.testing.assert_frame_equal(frame.drop(columns=LINEAGE), after.drop(columns=LINEAGE))


def test_a_failure_part_way_leaves_the_previous_rows(engine, monkeypatch):
    before = {t: _published(engine, t, LATEST) for t in schema.PUBLISHED_TWINS.values()}
    calls = []

    def failing(conn, table, frame, where):
        calls.append(table.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(conn, table, frame, where)

    real = store.replace_rows
    monkeypatch.setattr(store, "replace_rows", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        store.publish_year(engine, LATEST, "broken", THRESHOLD)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(frame, _published(engine, table, LATEST))


def test_every_published_row_traces_to_its_run_and_the_run_to_its_input_files(engine):
    with engine.connect() as conn:
        orphans = conn.execute(
            sa.text(
                "SELECT count(*) FROM published.indicator_values v "
                "LEFT JOIN ops.runs r ON r.run_id = v.run_id WHERE r.run_id IS NULL"
            )
        ).scalar_one()
        inputs = pd.read_sql(
            sa.text(
                "SELECT i.* FROM ops.run_inputs i JOIN published.indicator_values v "
                "ON v.run_id = i.run_id AND v.period = i.period "
                "WHERE v.period = :p GROUP BY i.file_name"
            ),
            conn,
            params={"p": LATEST},
        )
        logged = pd.read_sql(sa.text("SELECT file_name, sha256 FROM ops.ingest_log"), conn)
    assert orphans == 0
    tables = set(inputs["table_name"])
    assert {"cin_children", "ssda903_episodes", "hclic_main", "ref_imd"} <= tables
    assert inputs["sha256"].str.fullmatch("[0-9a-f]{64}").all()
    assert set(zip(inputs["file_name"], inputs["sha256"], strict=True)) <= set(
        zip(logged["file_name"], logged["sha256"], strict=True)
    )
    earlier = inputs[(inputs["table_name"] == "yjs_outcomes") & (inputs["file_period"] < LATEST)]
    assert len(earlier) > 0  # first-time entrants rest on earlier years' outcomes


def test_dim_area_holds_the_hierarchy_with_deprivation_on_lsoas(engine):
    with engine.connect() as conn:
        areas = pd.read_sql(sa.text("SELECT * FROM published.dim_area"), conn)
    counts = areas["area_type"].value_counts()
    assert counts["la"] == 1 and counts["country"] == 1 and counts["ward"] > 20
    lsoas = areas[areas["area_type"] == "lsoa"]
    assert lsoas["imd_decile"].between(1, 10).all()
    assert lsoas["parent_code"].isin(areas.loc[areas["area_type"] == "ward", "area_code"]).all()
    assert areas.loc[areas["area_type"] != "lsoa", "imd_decile"].isna().all()


def test_views_answer_the_common_questions(engine):
    with engine.connect() as conn:
        latest = pd.read_sql(
            sa.text("SELECT DISTINCT period FROM published.latest_indicator_values"), conn
        )
        profile = pd.read_sql(
            sa.text(
                "SELECT * FROM published.ward_profile "
                "WHERE indicator_id = 'cla_31mar' AND period = :p"
            ),
            conn,
            params={"p": LATEST},
        )
    assert latest["period"].tolist() == [LATEST]
    assert len(profile) > 20
    assert profile["la_value"].notna().all()
    assert profile.loc[profile["suppressed"].astype(bool), "value"].isna().all()


def test_a_comparison_showing_a_withheld_value_fails_the_audit(engine):
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE published.indicator_comparisons SET value = 1 "
                "WHERE period = :p AND area_code IN ("
                "  SELECT v.area_code FROM published.indicator_values v "
                "  WHERE v.period = :p AND v.breakdown = 'total' AND v.suppressed "
                "  AND v.indicator_id = published.indicator_comparisons.indicator_id)"
            ),
            {"p": LATEST},
        )
    try:
        found = audit.audit_year(engine, LATEST, THRESHOLD)
        assert any("comparison shows a withheld value" in p for p in found.problems)
    finally:
        store.publish_year(engine, LATEST, "repair", THRESHOLD)


def _run_ids(engine, tables) -> dict[str, set[str]]:
    return {t.name: set(_published(engine, t, LATEST)["run_id"]) for t in tables}


def _computed(engine) -> dict[sa.Table, pd.DataFrame]:
    """The latest year's indicator tables as the year's step hands them over."""
    return {t: read_period(engine, t, LATEST) for t in schema.INDICATOR_TABLES}


YEAR_TABLES = (*schema.INDICATOR_TABLES, *schema.PUBLISHED_TWINS.values(), schema.data_quality)


def test_computed_indicator_tables_are_committed_with_what_is_published(engine):
    """The restricted true counts and the figures published from them come from one run."""
    before = {t: _published(engine, t, LATEST) for t in schema.PUBLISHED_TWINS.values()}
    result = store.publish_year(engine, LATEST, "together", THRESHOLD, computed=_computed(engine))
    assert result.audit.passed and result.audit.withheld > 0
    tables = (*schema.INDICATOR_TABLES, *schema.PUBLISHED_TWINS.values())
    assert all(ids == {"together"} for ids in _run_ids(engine, tables).values())
    for table, frame in before.items():
        after = _published(engine, table, LATEST)
        pd.testing.assert_frame_equal(frame.drop(columns=LINEAGE), after.drop(columns=LINEAGE))


def test_a_failed_audit_commits_nothing_of_the_year(engine, monkeypatch):
    """The audit runs inside the transaction: when it fails, the year's restricted tables, its
    published twins and its quality summary all stay as the last completed run left them."""
    before = _run_ids(engine, YEAR_TABLES)
    failing = audit.Audit(period=LATEST, cells=1, withheld=1, narrowest=0.0, problems=["leak"])
    monkeypatch.setattr(audit, "audit_year", lambda *a, **k: failing)
    with pytest.raises(store.AuditFailed, match="1 problems; nothing of the year was published"):
        store.publish_year(engine, LATEST, "refused", THRESHOLD, computed=_computed(engine))
    assert _run_ids(engine, YEAR_TABLES) == before


def test_figures_whose_inputs_were_validated_again_meanwhile_are_not_published(engine):
    """Years in parallel: the validated rows a year's figures were computed from are compared
    inside its transaction; validated again since (a new run of an earlier year it reads), the
    figures are refused before anything is written (``InputsChanged``), and published when
    they are current."""
    period = FinancialYear.parse(LATEST)
    baseline = FinancialYear.parse(config.FIRST_YEAR.value())
    with engine.connect() as conn:
        current = validated_runs(conn, period, baseline)
    episodes = dict(current)["cin_episodes"]
    assert {row[0] for row in episodes} == {LEEDS_YEARS[0]}  # the earlier year, not its own
    earlier_again = tuple((year, "another run", n) for year, _, n in episodes)
    stale = tuple(
        (name, earlier_again if name == "cin_episodes" else rows) for name, rows in current
    )
    before = _run_ids(engine, YEAR_TABLES)
    computed = _computed(engine)
    with pytest.raises(store.InputsChanged):
        store.publish_year(engine, LATEST, "stale", THRESHOLD, computed=computed, inputs=stale)
    assert _run_ids(engine, YEAR_TABLES) == before
    result = store.publish_year(
        engine, LATEST, "current", THRESHOLD, computed=computed, inputs=current
    )
    assert result.audit.passed


def test_the_audit_reads_the_rows_its_own_transaction_is_about_to_commit(engine, monkeypatch):
    """Inside the transaction the audit sees the new run's published rows, not the old ones."""
    seen = []
    real = audit.audit_year

    def watching(bind, period, threshold, truth=None):
        table = schema.published_indicator_values
        runs = sa.select(table.c.run_id).where(table.c.period == period).distinct()
        seen.append(set(bind.execute(runs).scalars()))
        return real(bind, period, threshold, truth)

    monkeypatch.setattr(audit, "audit_year", watching)
    store.publish_year(engine, LATEST, "watched", THRESHOLD)
    assert seen == [{"watched"}]


@pytest.mark.parametrize("period", LEEDS_YEARS)
def test_the_child_population_is_the_year_s_denominator_by_sex_and_age(engine, period):
    """published.child_population sums, for each authority, to the headline denominator of an
    indicator of children aged 0-17, and by sex to its sex breakdown's denominators."""
    population = _published(engine, schema.child_population, period)
    values = _published(engine, schema.published_indicator_values, period)
    la = values[(values["indicator_id"] == "cla_31mar") & (values["area_type"] == "la")]
    assert set(population["age"]) == set(range(18)) and set(population["sex"]) == {"F", "M"}
    assert set(population["run_id"]) == set(values["run_id"])
    for code, rows in population.groupby("area_code"):
        mine = la[la["area_code"] == code].set_index(["breakdown", "category"])["denominator"]
        assert rows["population"].sum() == mine[("total", "all")]
        for sex, part in rows.groupby("sex"):
            assert part["population"].sum() == mine[("sex", sex)]


def test_goals_are_compared_only_where_declared(engine):
    """Only the values of indicators with a goal in the catalogue are compared with one."""
    rows = _published(engine, schema.indicator_goals, LATEST)
    assert set(rows["indicator_id"]) == set(declared_goals())


def _recomputed_extremes(engine, period: str) -> set:
    """The year's withheld quintiles 1 and 5 by running its disclosure control again."""
    again = store.year_suppression(
        read_restricted(engine, period), period, THRESHOLD, area_parents(engine)
    )
    published = tables.published_indicator_values(
        again.frames["indicator_values"], tables.withheld_in(again.suppression.suppressed)
    )
    return tables.withheld_extremes(published)


def test_the_baseline_s_withheld_quintiles_are_read_as_it_was_published(engine):
    """A later year's change is withheld where the baseline year, as published, withheld its
    quintile 1 or 5: the same pairs its disclosure control gives when run again; and only
    where nothing of the baseline is published is it run again."""
    base, parents = LEEDS_YEARS[0], area_parents(engine)
    expected = _recomputed_extremes(engine, base)
    assert expected  # leeds withholds some LA quintiles: the comparison is not empty
    table = schema.published_indicator_values
    with engine.connect() as conn, conn.begin() as transaction:
        assert store.baseline_extremes(conn, base, THRESHOLD, parents) == expected
        pairs = conn.execute(
            sa.select(table.c.indicator_id, table.c.area_code).where(
                (table.c.period == base)
                & (table.c.breakdown == "imd_quintile")
                & (table.c.category == "5")
                & ~table.c.suppressed
            )
        )
        shown = next(tuple(pair) for pair in pairs if tuple(pair) not in expected)
        marked = (table.c.indicator_id == shown[0]) & (table.c.area_code == shown[1])
        mark = table.update().where((table.c.period == base) & marked & (table.c.category == "5"))
        conn.execute(mark.values(suppressed=True))
        flagged = store.baseline_extremes(conn, base, THRESHOLD, parents)
        assert flagged == expected | {shown}
        conn.execute(table.delete().where(table.c.period == base))
        assert store.baseline_extremes(conn, base, THRESHOLD, parents) == expected
        transaction.rollback()
