"""The identifier guard: what anonymisation should have removed refuses the delivery."""

import pandas as pd
import pytest

from tip_pipeline.sources.contracts import EXTRACTS
from tip_pipeline.validate.identifiers import DeliveryRefused, nhs_number_valid, scan_frame

CHILDREN = EXTRACTS["cin_children"]


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
    assert scan_frame(frame(), CHILDREN, "f.csv") == []


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
    findings = scan_frame(frame(**{column: values}), CHILDREN, "cin_children_2023-24.csv")
    assert kind in {f.kind for f in findings}
    finding = next(f for f in findings if f.kind == kind)
    assert finding.column == column and finding.file == "cin_children_2023-24.csv"
    message = str(DeliveryRefused(findings))
    assert "cin_children_2023-24.csv" in message and column in message
    for value in values:
        assert value not in message


def test_a_pseudonym_that_passes_a_check_digit_by_chance_does_not_refuse():
    ids = [f"{i:016x}" for i in range(99)] + ["9434765919"]
    assert scan_frame(frame(LAchildID=ids), CHILDREN, "f.csv") == []


def test_threshold_is_configurable():
    dates = ["2010-05-17"] + ["2010-05-01"] * 9  # one in ten
    assert scan_frame(frame(PersonBirthDate=dates), CHILDREN, "f.csv") == []
    assert scan_frame(frame(PersonBirthDate=dates), CHILDREN, "f.csv", threshold=0.1)


def test_area_names_in_reference_data_are_not_mistaken_for_people():
    lookup = EXTRACTS["ref_lsoa_lookup"]
    ref = pd.DataFrame(
        {
            "LSOA21CD": ["E01011264"] * 3,
            "LSOA21NM": ["Leeds 001A"] * 3,
            "WD24CD": ["E05011111"] * 3,
            "WD24NM": ["Adel Wharfedale", "Kirkstall", "Chapel Allerton"],
            "LAD24CD": ["E08000035"] * 3,
            "LAD24NM": ["Leeds"] * 3,
        },
        dtype="string",
    )
    assert scan_frame(ref, lookup, "ref_lsoa_lookup_2024.csv") == []
