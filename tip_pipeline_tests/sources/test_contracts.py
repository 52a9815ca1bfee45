import re

import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
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
