import re

import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes, contracts
from tip_pipeline.sources.contracts import EXTRACTS, Cadence, parse_file_name


@pytest.mark.parametrize("extract", EXTRACTS.values(), ids=lambda e: e.table)
def test_every_file_name_an_extract_writes_is_recognised_as_that_extract(extract):
    for period in (FinancialYear(2020), FinancialYear(2025)):
        for name in extract.file_names(period):
            parsed = parse_file_name(name)
            assert parsed is not None, name
            assert parsed.extract is extract
            if extract.per_period:
                assert parsed.period == period


@pytest.mark.parametrize("extract", EXTRACTS.values(), ids=lambda e: e.table)
def test_contract_is_coherent(extract):
    names = extract.column_names
    assert len(set(names)) == len(names), "duplicated column"
    assert set(extract.key) <= set(names)
    if extract.parent:
        parent, link = extract.parent
        assert parent in EXTRACTS
        assert set(link) <= set(names) and set(link) <= set(EXTRACTS[parent].column_names)
    if not extract.per_period:
        assert re.fullmatch(r"\d{4}", extract.vintage)


@pytest.mark.parametrize(
    "name",
    [
        "hclic_main_2023-24.csv",  # quarterly extract without its quarter
        "cin_children_2023-24_Q1.csv",  # annual extract with a quarter
        "ref_imd_2019.csv",  # wrong vintage
        "cin_children_2023-24.CSV",
        "notes.csv",
        "cin_children.csv",
    ],
)
def test_names_that_are_not_extracts_are_not_recognised(name):
    assert parse_file_name(name) is None


def test_not_consecutive_years_is_an_error_not_a_silent_match():
    with pytest.raises(ValueError):
        parse_file_name("cin_children_2023-25.csv")


def test_population_file_serves_the_year_ending_the_next_march():
    parsed = parse_file_name("ref_population_mid2023.csv")
    assert parsed.period == FinancialYear.parse("2023/24")
    assert EXTRACTS["ref_population"].cadence is Cadence.MID_YEAR


def test_sex_code_list_changes_in_2024_25():
    sex = EXTRACTS["cin_children"].column("Sex")
    assert sex.allowed(FinancialYear.parse("2023/24")) == ("1", "2", "0", "9")
    assert sex.allowed(FinancialYear.parse("2024/25")) == ("M", "F", "U")
    with pytest.raises(ValueError):
        sex.allowed(None)


def test_toxic_trio_code_sets_are_assessment_factors():
    for mapping in (codes.TOXIC_TRIO_RECORDED, codes.TOXIC_TRIO_ANY_ADULT):
        for factor_codes in mapping.values():
            assert set(factor_codes) <= set(codes.ASSESSMENT_FACTORS)
    # the matched definition (any adult) includes the recorded one (parent or carer)
    for factor, recorded in codes.TOXIC_TRIO_RECORDED.items():
        assert set(recorded) <= set(codes.TOXIC_TRIO_ANY_ADULT[factor])


def test_ethnicity_groups_cover_the_twenty_dfe_codes():
    assert len(codes.ETHNICITY) == 20
    assert set(codes.ETHNICITY_GROUPS.values()) == {
        "White",
        "Mixed",
        "Asian",
        "Black",
        "Other",
        "Not recorded",
    }


# -- the groupings every stage's list of tables is derived from -----------------------------


def test_each_table_is_in_exactly_one_validation_unit():
    """The per-period reference files, each service's year, the reference files of their own
    vintage: together every extract, none twice."""
    units = [
        contracts.tables(service=False, per_period=True),
        *(contracts.tables(source=s, per_period=True) for s in contracts.service_sources()),
        contracts.tables(per_period=False),
    ]
    flat = [t for unit in units for t in unit]
    assert sorted(flat) == sorted(EXTRACTS) and len(flat) == len(set(flat))
    assert all(units)


def test_the_groupings_of_the_extracts():
    assert contracts.service_sources() == ("cin", "ssda903", "yjs", "hclic")
    assert set(contracts.SOURCES) == {*contracts.service_sources(), contracts.REFERENCE_SOURCE}
    assert contracts.tables(service=False, per_period=True) == ("ref_population", "ref_benchmarks")
    assert set(contracts.tables(per_period=False)) == {
        "ref_census_ethnicity",
        "ref_imd",
        "ref_lsoa_lookup",
        "ref_lad_region",
        "ref_stat_neighbours",
        "ref_modelled_rates",
    }
    assert contracts.tables(history=True) == ("yjs_offences", "yjs_outcomes")
    assert contracts.tables(read_across_years=True) == ("yjs_outcomes",)
    # Missing and OC3 are read by the outcome measures (missing from care, care leavers); the
    # other SSDA903 outcome tables wait for measures of their own
    assert contracts.tables(read_by_indicators=False) == (
        "ssda903_reviews",
        "ssda903_oc2",
        "ssda903_uasc",
        "ssda903_ad1",
        "ssda903_placed_adoption",
        "ssda903_prev_perm",
        "ssda903_sw_episodes",
        "hclic_support",
    )
    assert set(contracts.tables(published_areas=True)) == {
        "ref_lsoa_lookup",
        "ref_lad_region",
        "ref_imd",
    }


def test_the_flags_are_coherent():
    # history years are a service's years before the first reporting year
    assert set(contracts.tables(history=True)) <= set(
        contracts.tables(service=True, per_period=True)
    )
    # what is read across years is read from the history too
    assert set(contracts.tables(read_across_years=True)) <= set(contracts.tables(history=True))
    assert set(contracts.tables(read_across_years=True)) <= set(
        contracts.tables(read_by_indicators=True)
    )
    # the published areas are reference files of their own vintage
    assert set(contracts.tables(published_areas=True)) <= set(contracts.tables(per_period=False))
    for table in contracts.tables(service=True):
        assert EXTRACTS[table].per_period, table


def test_every_stage_lists_the_tables_of_the_contracts():
    """The lists of the stages are the contracts' groupings, not copies of them."""
    from tip_pipeline.indicators import data
    from tip_pipeline.publish import store as publish_store
    from tip_pipeline.validate import store as validate_store

    assert contracts.service_sources() == validate_store.SERVICE_SOURCES
    indicator_groups = (data.SERVICE_TABLES, data.STATIC_TABLES, data.YEAR_REFERENCE_TABLES)
    flat = [t for group in indicator_groups for t in group]
    assert sorted(flat) == sorted(data.ALL_TABLES) and len(flat) == len(set(flat))
    assert set(data.ALL_TABLES) == set(EXTRACTS) - set(contracts.tables(read_by_indicators=False))
    assert set(data.SERVICE_TABLES) == set(contracts.tables(service=True, read_by_indicators=True))
    assert set(data.STATIC_TABLES) == set(contracts.tables(per_period=False))
    assert (data.HISTORY_TABLE,) == publish_store.HISTORY_TABLES
    assert set(publish_store.HISTORY_TABLES) <= set(contracts.tables(history=True))
    assert contracts.tables(published_areas=True) == publish_store.REFERENCE_TABLES


def test_the_wiring_stages_and_validates_every_extract_once():
    from tip_pipeline.defs.validate import validation_assets

    validated = [
        key.path[1]
        for assets in validation_assets
        for key in assets.keys
        if key.path[0] == "validated"
    ]
    assert sorted(validated) == sorted(EXTRACTS)
