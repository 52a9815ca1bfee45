"""The identifier guard: what anonymisation should have removed refuses the delivery."""

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.ingest.reader import read_extract
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import EXTRACTS, is_pseudonym, parse_file_name
from tip_pipeline.sources.generator.pseudonyms import Pseudonyms
from tip_pipeline.validate.guard import guard_delivery
from tip_pipeline.validate.identifiers import (
    DEFAULT_SHARE,
    KIND_LABELS,
    DeliveryRefused,
    Match,
    full_date,
    full_postcode,
    nhs_number_valid,
    person_name,
    phone_number,
    scan_frame,
    shares,
)

CHILDREN = EXTRACTS["cin_children"]
PERIOD = FinancialYear(2023)
FILE = "cin_children_2023-24.csv"


def frame(**columns) -> pd.DataFrame:
    n = max((len(v) for v in columns.values()), default=50)
    base = {
        "LAchildID": [f"{i:016x}" for i in range(n)],
        "PersonBirthDate": ["2010-05-01"] * n,
        "Sex": ["1"] * n,
        "Ethnicity": ["WBRI"] * n,
        "HomeLSOA": ["E01011264"] * n,
        "PersonDeathDate": [None] * n,
    }
    base.update(columns)
    return pd.DataFrame(base, dtype="string")


def one_in(value: str, n: int = 100, clean: str = "WBRI") -> list[str]:
    return [value] + [clean] * (n - 1)


def assert_refused_without_values(findings, kind, column, values, file=FILE):
    assert kind in {f.kind for f in findings if f.column == column}, findings
    message = str(DeliveryRefused(findings))
    assert file in message and f"column {column}" in message and KIND_LABELS[kind] in message
    for value in values:
        assert value not in message


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("4010232137", True),
        ("9434765918", False),
        ("943476591", False),
        ("94347659AB", False),
    ],
)
def test_nhs_number_check_digit(digits, valid):
    assert nhs_number_valid(digits) is valid


def test_clean_extract_has_no_findings():
    assert scan_frame(frame(), CHILDREN, FILE, period=PERIOD) == []


@pytest.mark.parametrize(
    ("column", "values", "kind"),
    [
        ("HomeLSOA", ["LS9 8AB", "LS6 2QT", "BD1 1AA", "E01011264"], "full_postcode"),
        ("LAchildID", ["943 476 5919", "4010232137", "9434765919", "4010232137"], "nhs_number"),
        (
            "PersonBirthDate",
            ["2010-05-17", "2011-03-09", "2010-01-01", "2012-12-30"],
            "full_date_of_birth",
        ),
        ("LAchildID", ["Jane Smith", "Mohammed Khan", "Chloe O'Neill", "Aa12"], "person_name"),
        ("HomeLSOA", ["lives with nan and dad near the park"] * 4, "free_text"),
    ],
)
def test_each_kind_is_found_and_named_without_values(column, values, kind):
    findings = scan_frame(frame(**{column: values}), CHILDREN, FILE, period=PERIOD)
    finding = next(f for f in findings if f.kind == kind)
    assert finding.column == column and finding.file == FILE
    assert_refused_without_values(findings, kind, column, values)


# -- kinds that are never innocent: one value refuses, in any column ---------------------------


@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("Ethnicity", "jane.smith@example.org", "email"),
        ("PersonDeathDate", "see j.smith@example.org", "email"),
        ("HomeLSOA", "LS9 8AB", "full_postcode"),
        ("HomeLSOA", "ls98ab", "full_postcode"),
        ("Sex", "sw1a 2aa", "full_postcode"),
        ("PersonDeathDate", "943 476 5919", "nhs_number"),
        ("Ethnicity", "401-023-2137", "nhs_number"),
    ],
)
def test_a_single_value_of_a_kind_never_innocent_refuses(column, value, kind):
    findings = scan_frame(frame(**{column: one_in(value)}), CHILDREN, FILE, period=PERIOD)
    assert_refused_without_values(findings, kind, column, [value])
    finding = next(f for f in findings if f.kind == kind)
    assert finding.lines == 1 and finding.values_checked == 100


def test_a_single_postcode_in_an_area_name_column_refuses():
    lookup = EXTRACTS["ref_lsoa_lookup"]
    ref = pd.DataFrame(
        {
            "LSOA21CD": ["E01011264"] * 3,
            "LSOA21NM": ["Leeds 001A"] * 3,
            "WD24CD": ["E05011111"] * 3,
            "WD24NM": ["Kirkstall", "LS5 3AB", "Armley"],
            "LAD24CD": ["E08000035"] * 3,
            "LAD24NM": ["Leeds"] * 3,
        },
        dtype="string",
    )
    findings = scan_frame(ref, lookup, "ref_lsoa_lookup_2024.csv")
    assert_refused_without_values(
        findings, "full_postcode", "WD24NM", ["LS5 3AB"], "ref_lsoa_lookup_2024.csv"
    )


@pytest.mark.parametrize(
    "value", ["N1", "LS9", "AB12CD", "E01011264", "ZZ9 9ZZ", "RC1", "WBRI", "2010-05-01"]
)
def test_codes_and_districts_are_not_postcodes(value):
    assert full_postcode(value) is Match.NO


# -- kinds judged by share, in every column whatever its kind ---------------------------------


PHONES = ["0113 496 0000", "07700 900123", "+44 7700 900456", "(0113) 4960999"]


@pytest.mark.parametrize(
    ("table", "column", "values", "kind"),
    [
        ("yjs_offences", "YJ_ID", PHONES, "phone_number"),
        ("yjs_offences", "OFFENCE_ID", PHONES, "phone_number"),
        ("hclic_main", "CASE_ID", ["9434765919", "4010232137"] * 2, "nhs_number"),
        ("cin_children", "PersonBirthDate", ["17/05/2010", "09/03/2011"] * 2, "full_date_of_birth"),
        (
            "cin_children",
            "PersonBirthDate",
            ["17-05-2010", "3 March 2011"] * 2,
            "full_date_of_birth",
        ),
        ("cin_children", "Ethnicity", ["May 17, 2010", "17.05.2010"] * 2, "full_date_of_birth"),
        ("yjs_offences", "OFFENCE_ID", ["2010-05-17", "2011-03-09"] * 2, "full_date_of_birth"),
        ("cin_episodes", "PrimaryNeedCode", ["Olivia Smith", "Jack", "KHAN"] * 2, "person_name"),
        ("cin_assessments", "AssessmentFactors", ["Smith, Jane", "Amelia Jones"], "person_name"),
        ("hclic_main", "CASE_ID", ["Harry Taylor", "Isla Brown"], "person_name"),
    ],
)
def test_a_column_of_a_share_kind_is_found_in_any_column(table, column, values, kind):
    extract = EXTRACTS[table]
    file = extract.file_names(PERIOD)[0]
    data = pd.DataFrame({c: [None] * len(values) for c in extract.column_names}, dtype="string")
    data[column] = pd.array(values, dtype="string")
    findings = scan_frame(data, extract, file, period=PERIOD)
    assert_refused_without_values(findings, kind, column, values, file)


def test_a_share_kind_below_the_threshold_does_not_refuse():
    # one phone-like record key in ten: a share kind needs a fifth of the column
    ids = ["0113 496 0000"] + [f"YO9{i:07d}" for i in range(9)]
    outcomes = EXTRACTS["yjs_outcomes"]
    data = pd.DataFrame(
        {
            "YJ_ID": [f"{i:016x}" for i in range(10)],
            "OFFENCE_ID": ids,
            "OUTCOME_DATE": ["2023-06-17"] * 10,
            "OUTCOME_TYPE": ["CAUTION"] * 10,
        },
        dtype="string",
    )
    assert scan_frame(data, outcomes, "yjs_outcomes_2023-24.csv", period=PERIOD) == []
    assert scan_frame(data, outcomes, "yjs_outcomes_2023-24.csv", threshold=0.1, period=PERIOD)


def test_a_record_key_that_passes_a_check_digit_by_chance_does_not_refuse():
    outcomes = EXTRACTS["yjs_outcomes"]
    keys = [f"YO9{i:07d}" for i in range(99)] + ["9434765919"]
    data = pd.DataFrame({c: [None] * 100 for c in outcomes.column_names}, dtype="string")
    data["YJ_ID"] = [f"{i:016x}" for i in range(100)]
    data["OFFENCE_ID"] = keys
    assert scan_frame(data, outcomes, "yjs_outcomes_2023-24.csv", period=PERIOD) == []


def test_threshold_is_configurable():
    dates = ["2010-05-17"] + ["2010-05-01"] * 9  # one in ten
    assert scan_frame(frame(PersonBirthDate=dates), CHILDREN, FILE, period=PERIOD) == []
    assert scan_frame(frame(PersonBirthDate=dates), CHILDREN, FILE, threshold=0.1, period=PERIOD)


@pytest.mark.parametrize(
    ("value", "full"),
    [
        ("17/05/2010", True),
        ("17-05-2010", True),
        ("17.05.10", True),
        ("2010-05-17", True),
        ("2010/05/17", True),
        ("17 May 2010", True),
        ("17th Sept 2010", True),
        ("May 17, 2010", True),
        ("05/17/2010", True),
        ("17/05/2010 00:00", True),
        ("2010-05-17T00:00:00", True),
        ("01/05/2010", False),
        ("2010-05-01", False),
        ("1 May 2010", False),
        ("2010-13-17", False),
        ("17/05/1850", False),
        ("N1", False),
    ],
)
def test_full_dates_in_common_forms(value, full):
    assert (full_date(value) is Match.LIKELY) is full


@pytest.mark.parametrize(
    ("value", "phone"),
    [
        ("0113 496 0000", True),
        ("07700900123", True),
        ("+44 (0)113 496 0000", True),
        ("+44 113 496 0000", True),
        ("0044 7700 900123", True),
        ("0.1234567890", False),
        ("1234567890", False),
        ("YO90000001", False),
    ],
)
def test_uk_phone_numbers(value, phone):
    assert (phone_number(value) is Match.LIKELY) is phone


# -- false positives --------------------------------------------------------------------------


def test_event_dates_in_date_columns_are_not_dates_of_birth():
    episodes = EXTRACTS["cin_episodes"]
    days = [f"2023-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(2, 29)]
    data = pd.DataFrame({c: [None] * len(days) for c in episodes.column_names}, dtype="string")
    data["LAchildID"] = [f"{i:016x}" for i in range(len(days))]
    data["CINreferralDate"] = days
    data["CINclosureDate"] = days
    assert scan_frame(data, episodes, "cin_episodes_2023-24.csv", period=PERIOD) == []


def test_area_names_in_reference_data_are_not_mistaken_for_people():
    lookup = EXTRACTS["ref_lsoa_lookup"]
    # place names that are also surnames (Hart, Bradford), or forename-like (Chapel Allerton)
    wards = ["Adel Wharfedale", "Kirkstall", "Chapel Allerton", "Hart", "Bradford", "Rose Hill"]
    n = len(wards)
    ref = pd.DataFrame(
        {
            "LSOA21CD": ["E01011264"] * n,
            "LSOA21NM": ["Leeds 001A"] * n,
            "WD24CD": ["E05011111"] * n,
            "WD24NM": wards,
            "LAD24CD": ["E08000035"] * n,
            "LAD24NM": ["Leeds"] * n,
        },
        dtype="string",
    )
    assert scan_frame(ref, lookup, "ref_lsoa_lookup_2024.csv") == []


def test_a_column_of_full_names_in_a_name_column_is_found():
    assert person_name("Olivia Smith", full_only=True) is Match.LIKELY
    assert person_name("Kirkstall", full_only=True) is Match.NO


# -- the declared pseudonym form --------------------------------------------------------------


def test_the_generator_s_and_an_hmac_intake_s_ids_are_pseudonyms():
    ids = Pseudonyms(seed=3)
    assert all(is_pseudonym(ids.one(child)) for child in range(1000))
    digest = hmac.new(b"secret", b"LA-child-123", hashlib.sha256).hexdigest()
    assert is_pseudonym(digest)


@pytest.mark.parametrize(
    "value",
    [
        "A123456789012",  # a unique pupil number
        "12345",  # a local case number
        "0123456789ABCDEF",  # upper case: not the declared form
        "0123456789abcde",  # 15 digits
        "0123456789abcdef0",  # 17 digits
        "c1",
    ],
)
def test_an_id_that_is_not_a_pseudonym_refuses_with_its_line_count(value):
    ids = one_in(value, clean="0123456789abcdef")
    data = frame(LAchildID=ids)
    data["_line"] = range(2, len(ids) + 2)
    findings = scan_frame(data, CHILDREN, FILE, period=PERIOD)
    finding = next(f for f in findings if f.kind == "not_a_pseudonym")
    assert finding.lines == 1 and finding.first_line == 2
    assert "line 2" in finding.message() and "1 of 100" in finding.message()
    assert_refused_without_values(findings, "not_a_pseudonym", "LAchildID", [value])


# -- the guard over files ---------------------------------------------------------------------

HEADER = "LAchildID,PersonBirthDate,Sex,Ethnicity,HomeLSOA,PersonDeathDate"


def test_a_malformed_line_carrying_an_identifier_refuses(tmp_path: Path):
    good = [f"{i:016x},2015-06-01,1,WBRI,E01011264," for i in range(5)]
    bad = "0123456789abcdef,2015-06-01,1,WBRI,E01011264,,mum@example.org"
    (tmp_path / FILE).write_text("\n".join([HEADER, *good, bad]) + "\n")
    assert len(read_extract(tmp_path / FILE, CHILDREN).malformed) == 1
    with pytest.raises(DeliveryRefused) as refused:
        guard_delivery(tmp_path, ("cin_children",), PERIOD)
    message = str(refused.value)
    assert f"{FILE}, a malformed line: e-mail address" in message and "line 7" in message
    assert "example.org" not in message


@pytest.mark.integration  # scans every file of a generated delivery
def test_a_clean_small_delivery_passes_with_a_margin(small_delivery):
    """Every file of every year and the reference files: no finding, and no column reaches a
    quarter of the threshold for any share kind (the false-positive measure)."""
    data, _ = small_delivery
    for path in sorted(data.glob("*.csv")):
        name = parse_file_name(path.name)
        raw = read_extract(path, name.extract)
        for column, kind, share, certain in shares(raw.frame, name.extract, name.period):
            assert certain == 0, (path.name, column, kind)
            assert not share >= DEFAULT_SHARE / 4, (path.name, column, kind, share)
