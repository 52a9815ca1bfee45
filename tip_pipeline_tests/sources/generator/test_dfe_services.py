"""The other services' raw records and the cross-reference of ``generate(format="dfe")``, by
their parts, on hand-made frames: match rates, the cross-reference's rows, the generator's
keyed ids against intake's pseudonyms, the households' adults. The whole delivery taken in is
``tip_pipeline_tests/sources/test_generator_dfe.py`` (integration)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.cli import build_parser
from tip_pipeline.intake.pseudonyms import HOUSING, YOUTH_JUSTICE, Pseudonymiser
from tip_pipeline.intake.services import HCLIC_PEOPLE_SECTION
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.generator import dfe_services
from tip_pipeline.sources.generator.identities import Identities

KEY = b"k" * 32


def test_match_rates_default_and_given() -> None:
    assert dfe_services.match_rates(None) == dict(dfe_services.MATCH_RATES)
    rates = dfe_services.match_rates({"housing": 0.25})
    assert rates == {"social_care": 1.0, "youth_justice": 0.85, "housing": 0.25}
    with pytest.raises(dfe_services.MatchRateError, match="not one of the systems"):
        dfe_services.match_rates({"health": 0.5})
    with pytest.raises(dfe_services.MatchRateError, match="between 0 and 1"):
        dfe_services.match_rates({"housing": 1.5})
    assert dfe_services.parse_match_rate(" housing=0.5") == ("housing", 0.5)
    with pytest.raises(dfe_services.MatchRateError, match="SYSTEM=SHARE"):
        dfe_services.parse_match_rate("housing")


def test_the_command_takes_match_rates_and_its_help_says_the_defaults() -> None:
    parser = build_parser()
    args = parser.parse_args(["generate", "--out", "x", "--match-rate", "youth_justice=0.5"])
    assert dict(args.match_rate) == {"youth_justice": 0.5}
    assert parser.parse_args(["generate", "--out", "x"]).match_rate == []
    with pytest.raises(SystemExit):
        parser.parse_args(["generate", "--out", "x", "--match-rate", "health=0.5"])
    generate = next(
        a for a in parser._subparsers._group_actions[0].choices["generate"]._actions
        if "--match-rate" in a.option_strings
    )  # fmt: skip
    for system, rate in dfe_services.MATCH_RATES.items():
        assert f"{system}={rate}" in generate.help


def _identities(n: int) -> Identities:
    return Identities(
        case_id=np.array([f"{1000000 + i}" for i in range(n)], dtype=object),
        upn=np.array([""] * n, dtype=object),
        birth_day=np.zeros(n, dtype=np.int64),
        home_postcode=np.array([""] * n, dtype=object),
        mother_from=np.zeros(n, dtype=np.int64),
    )


def test_the_cross_reference_lists_the_listed_children_of_each_service() -> None:
    ids = dfe_services.build_ids(200, 3, {"social_care": 1.0, "youth_justice": 0.5, "housing": 0})
    assert ids.listed["social_care"].all() and not ids.listed["housing"].any()
    assert 0 < ids.listed["youth_justice"].sum() < 200
    identities = _identities(200)
    children = {"social_care": np.arange(0, 100), "youth_justice": np.arange(50, 150),
                "housing": np.arange(100, 200)}  # fmt: skip
    rows = dfe_services.cross_reference(ids, identities, children)
    social = rows[rows["SOURCE_SYSTEM"] == "social_care"]
    assert sorted(social["SOURCE_ID"]) == sorted(identities.case_id[:100])
    yj = rows[rows["SOURCE_SYSTEM"] == "youth_justice"]
    listed = np.arange(50, 150)[ids.listed["youth_justice"][50:150]]
    assert sorted(yj["SOURCE_ID"]) == sorted(ids.yj_id[listed])
    assert set(yj["PERSON_ID"]) == set(ids.person_id[listed])
    assert "housing" not in set(rows["SOURCE_SYSTEM"])
    # each system's ids are its own, and every person id is one child's
    assert not set(ids.yj_id) & set(ids.housing_id) and len(set(ids.person_id)) == 200
    nobody = dfe_services.build_ids(200, 3, dict.fromkeys(dfe_services.SYSTEM_NAMES, 0.0))
    assert dfe_services.cross_reference(nobody, identities, children) is None


@pytest.mark.parametrize("system", [YOUTH_JUSTICE, HOUSING])
def test_the_generators_keyed_ids_are_intakes_pseudonyms(system) -> None:
    """The generator's own account (its namespaces written out again) equals intake's, for a
    listed and an unlisted child, so the end-to-end comparison is not circular."""
    ids = dfe_services.build_ids(50, 1, {"social_care": 1.0, "youth_justice": 0.5, "housing": 0.5})
    identities = _identities(50)
    raw = ids.raw(system.name, identities)
    links = {
        (system.name, raw[i].casefold()): ids.person_id[i].casefold()
        for i in np.flatnonzero(ids.listed[system.name])
    }
    intake = Pseudonymiser(KEY, links)
    generated = dfe_services.LinkedKeyedIds(KEY, system.name, ids, identities)
    listed = int(np.flatnonzero(ids.listed[system.name])[0])
    unlisted = int(np.flatnonzero(~ids.listed[system.name])[0])
    for child in (listed, unlisted):
        want = intake.pseudonym(raw[child], namespace=system.people)
        assert generated.one(child) == want
    records = dfe_services.keyed(KEY, dfe_services.RECORD_NAMESPACES[system.name], ["HC00000001"])
    assert records[0] == intake.pseudonym("HC00000001", namespace=system.records)


def test_every_household_has_its_applicant_and_a_partner_or_other_adult_by_its_type() -> None:
    main = pd.DataFrame(
        {
            "CASE_ID": ["HC00000001", "HC00000002", "HC00000003"],
            "HOUSEHOLD_TYPE": ["SPF", "CPLCH", "OTHNOCH"],
            "APPLICATION_DATE": ["2024-05-01", "2024-06-10", "2024-07-20"],
        }
    )
    adults = dfe_services._adults(main, FinancialYear(2024), seed=2)
    assert adults.groupby("CASE_REF").size().tolist() == [1, 2, 2]
    assert (adults["DEPENDENT_CHILD"] == "N").all()
    relationships = adults.groupby("CASE_REF")["RELATIONSHIP"].apply(sorted).to_dict()
    assert relationships == {
        "HC00000001": ["APPLICANT"],
        "HC00000002": ["APPLICANT", "PARTNER"],
        "HC00000003": ["APPLICANT", "OTHER"],
    }
    assert adults.loc[adults["CASE_REF"] == "HC00000001", "SEX"].tolist() == ["F"]
    couple = adults[adults["CASE_REF"] == "HC00000002"].set_index("RELATIONSHIP")["SEX"]
    assert couple["APPLICANT"] != couple["PARTNER"]
    born = pd.to_datetime(adults["DOB"], format="%d/%m/%Y")
    applied = pd.to_datetime(adults["CASE_REF"].map(main.set_index("CASE_ID")["APPLICATION_DATE"]))
    age = (applied - born).dt.days / 365.25
    assert age.between(18, 60).all()
    assert adults["PERSON_REF"].str.fullmatch(r"HP[5-9]\d{7}").all()  # never a child's
    again = dfe_services._adults(main, FinancialYear(2024), seed=2)
    pd.testing.assert_frame_equal(adults, again)  # the same in every quarter
    assert set(HCLIC_PEOPLE_SECTION.dfe_columns) == set(adults.columns)
    earlier = dfe_services._adults(main, FinancialYear(2023), seed=2)
    assert set(earlier["SEX"]) <= {"1", "2"}  # the numeric codes before 2024/25
