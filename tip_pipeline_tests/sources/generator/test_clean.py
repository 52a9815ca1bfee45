"""Clean small-scale data: determinism, contracts, manifest and every validation rule, checked
with independent pandas code (not the generator's own helpers).

Every test reading a generated delivery (the session's ``small``, or two more generated for
determinism) is ``integration``: it runs the whole generator. The unit tier keeps the checks
without one here and the narrow determinism twins in ``test_randomness.py``."""

from __future__ import annotations

import hashlib
import itertools
import re
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes, contracts
from tip_pipeline.sources.contracts import ColumnKind
from tip_pipeline.sources.generator import SCALES, generate
from tip_pipeline.validate.dry_run import quarantine_by_rule
from tip_pipeline_tests.sources.generator.measures import read

LAST_END = "2026-03-31"


def _frames(out: Path, manifest: dict, table: str) -> list[tuple[dict, pd.DataFrame]]:
    return [(f, read(out, f["path"])) for f in manifest["files"] if f["table"] == table]


def test_scales_are_the_documented_three() -> None:
    assert SCALES == ("small", "leeds", "england")


@pytest.mark.integration
def test_same_seed_gives_identical_bytes_and_other_seed_differs(small, tmp_path) -> None:
    out, manifest = small
    seed = manifest["generator"]["seed"]
    again = generate(tmp_path / "again", scale="small", seed=seed)
    assert again == manifest
    for f in manifest["files"] + [{"path": "manifest.json"}]:
        assert (out / f["path"]).read_bytes() == (tmp_path / "again" / f["path"]).read_bytes()
    other = generate(tmp_path / "other", scale="small", seed=seed + 1)
    assert other["files"] != manifest["files"]
    changed = [
        f["path"]
        for f, g in zip(manifest["files"], other["files"], strict=True)
        if f["sha256"] != g["sha256"]
    ]
    assert "cin_episodes_2023-24.csv" in changed


@pytest.mark.integration
def test_every_file_matches_its_contract(small) -> None:
    out, manifest = small
    names = {p.name for p in out.iterdir()} - {"manifest.json"}
    assert names == {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        parsed = contracts.parse_file_name(f["path"])
        assert parsed is not None, f["path"]
        assert parsed.extract.table == f["table"]
        assert parsed.quarter == f["quarter"]
        header = (out / f["path"]).read_text(encoding="utf-8").split("\n", 1)[0]
        assert tuple(header.split(",")) == parsed.extract.column_names, f["path"]


@pytest.mark.integration
def test_expected_file_set(small) -> None:
    _, manifest = small
    by_table: dict[str, int] = {}
    for f in manifest["files"]:
        by_table[f["table"]] = by_table.get(f["table"], 0) + 1
    assert by_table["cin_episodes"] == 6 and by_table["ref_population"] == 6
    assert by_table["yjs_offences"] == 13  # 7 history years + 6 reporting years
    assert by_table["hclic_main"] == 24 and by_table["ref_benchmarks"] == 6
    assert by_table["ref_imd"] == 1 and by_table["ref_modelled_rates"] == 1
    assert by_table["ref_census_ethnicity"] == 1
    pops = sorted(f["path"] for f in manifest["files"] if f["table"] == "ref_population")
    assert pops[0] == "ref_population_mid2020.csv" and pops[-1] == "ref_population_mid2025.csv"


@pytest.mark.integration
def test_manifest_rows_and_hashes_match_files(small) -> None:
    out, manifest = small
    assert set(manifest) == {"generator", "files", "faults", "identifiers"}
    assert manifest["generator"]["scale"] == "small" and manifest["faults"] == []
    for f in manifest["files"]:
        data = (out / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
        assert data.count(b"\n") - 1 == f["rows"]
        assert b"\r" not in data
    text = (out / "manifest.json").read_text()
    assert text.index('"faults"') < text.index('"files"')  # keys sorted


@pytest.mark.integration
def test_codes_valid_for_the_period(small) -> None:
    out, manifest = small
    for f in manifest["files"]:
        extract = contracts.EXTRACTS[f["table"]]
        period = FinancialYear.parse(f["period"]) if f["period"] else None
        df = read(out, f["path"])
        for col in extract.columns:
            if col.kind not in (ColumnKind.CODE, ColumnKind.CODES) or col.codes is None:
                continue
            values = df[col.name]
            if col.kind is ColumnKind.CODES:
                values = values.str.split(",").explode()
            values = values[values != ""]
            bad = set(values) - set(col.allowed(period))
            assert not bad, (f["path"], col.name, bad)
            if col.required:
                assert (df[col.name] != "").all(), (f["path"], col.name)


@pytest.mark.integration
def test_sex_codes_change_in_2024_25(small) -> None:
    out, manifest = small
    for table, column in (
        ("cin_children", "Sex"),
        ("ssda903_header", "SEX"),
        ("yjs_offences", "SEX"),
        ("hclic_children", "CHILD_SEX"),
    ):
        seen: dict[bool, set[str]] = {False: set(), True: set()}
        for f, df in _frames(out, manifest, table):
            letters = FinancialYear.parse(f["period"]) >= FinancialYear(2024)
            expected = {"M", "F", "U"} if letters else {"1", "2", "0", "9"}
            assert set(df[column]) <= expected, f["path"]
            seen[letters] |= set(df[column])
        # each coding in use: boys under the codes of their years (one small quarter's file
        # may by chance hold girls only, so the table's files of an era are taken together)
        assert "1" in seen[False] and "M" in seen[True], table


@pytest.mark.integration
def test_dates_iso_plausible_and_dob_first_of_month(small) -> None:
    out, manifest = small
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for f in manifest["files"]:
        extract = contracts.EXTRACTS[f["table"]]
        df = read(out, f["path"])
        for col in extract.columns:
            if col.kind not in (ColumnKind.DATE, ColumnKind.BIRTH_MONTH):
                continue
            values = df.loc[df[col.name] != "", col.name]
            assert values.str.match(iso).all(), (f["path"], col.name)
            pd.to_datetime(values, format="%Y-%m-%d")  # raises on 2023-02-30
            if not col.planned:  # a target date may lie after the year's end
                assert (values <= LAST_END).all(), (f["path"], col.name)
            if col.kind is ColumnKind.BIRTH_MONTH:
                assert values.str.endswith("-01").all(), (f["path"], col.name)


def _before(a: pd.Series, b: pd.Series) -> bool:
    both = (a != "") & (b != "")
    return bool((a[both] <= b[both]).all())


@pytest.mark.integration
def test_end_not_before_start_and_dob_before_events(small) -> None:
    out, manifest = small
    pairs = {
        "cin_episodes": [("CINreferralDate", "CINclosureDate")],
        "cin_assessments": [
            ("CINreferralDate", "AssessmentActualStartDate"),
            ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
        ],
        "cin_cp_plans": [("CINreferralDate", "CPPstartDate"), ("CPPstartDate", "CPPendDate")],
        "ssda903_episodes": [("DECOM", "DEC")],
        "ssda903_missing": [("DOB", "MIS_START"), ("MIS_START", "MIS_END")],
        "ssda903_reviews": [("DOB", "REVIEW")],
        "yjs_offences": [("DOB", "OFFENCE_DATE")],
        "hclic_main": [
            ("APPLICATION_DATE", "ASSESSMENT_DATE"),
            ("APPLICATION_DATE", "DUTY_END_DATE"),
        ],
    }
    for table, cols in pairs.items():
        for f, df in _frames(out, manifest, table):
            for a, b in cols:
                assert _before(df[a], df[b]), (f["path"], a, b)
    for f, kids in _frames(out, manifest, "cin_children"):
        eps = read(out, f["path"].replace("cin_children", "cin_episodes"))
        first = eps.groupby("LAchildID")["CINreferralDate"].min()
        assert (
            kids.set_index("LAchildID")["PersonBirthDate"]
            < first.reindex(kids["LAchildID"]).to_numpy()
        ).all()
    for f, head in _frames(out, manifest, "ssda903_header"):
        eps = read(out, f["path"].replace("ssda903_header", "ssda903_episodes"))
        head = head[head["CHILD"].isin(eps["CHILD"])]  # not the care leavers of OC3
        first = eps.groupby("CHILD")["DECOM"].min().reindex(head["CHILD"]).to_numpy()
        assert (head["DOB"].to_numpy() < first).all()
    for f, kids in _frames(out, manifest, "hclic_children"):
        main = read(out, f["path"].replace("hclic_children", "hclic_main"))
        app = main.set_index("CASE_ID")["APPLICATION_DATE"].reindex(kids["CASE_ID"]).to_numpy()
        assert (kids["CHILD_DOB"].to_numpy() < app).all(), f["path"]


@pytest.mark.integration
def test_youth_justice_ages_10_to_17_at_offence(small) -> None:
    out, manifest = small
    for f, df in _frames(out, manifest, "yjs_offences"):
        dob, off = pd.to_datetime(df["DOB"]), pd.to_datetime(df["OFFENCE_DATE"])
        age = off.dt.year - dob.dt.year - (off.dt.month < dob.dt.month)
        assert age.between(10, 17).all(), f["path"]
        outcomes = read(out, f["path"].replace("offences", "outcomes"))
        fy = FinancialYear.parse(f["period"])
        assert outcomes["OUTCOME_DATE"].between(fy.start.isoformat(), fy.end.isoformat()).all()
        merged = df.merge(outcomes, on=["YJ_ID", "OFFENCE_ID"], validate="1:1")
        assert (merged["OFFENCE_DATE"] <= merged["OUTCOME_DATE"]).all()


@pytest.mark.integration
def test_unique_keys_and_parents_present(small) -> None:
    out, manifest = small
    for f in manifest["files"]:
        extract = contracts.EXTRACTS[f["table"]]
        df = read(out, f["path"])
        assert not df.duplicated(list(extract.key)).any(), f["path"]
        if extract.parent:
            parent_table, cols = extract.parent
            parent = read(out, f["path"].replace(f["table"], parent_table))
            keys = df[list(cols)].merge(
                parent[list(cols)].drop_duplicates(), how="left", indicator=True
            )
            assert (keys["_merge"] == "both").all(), f["path"]


@pytest.mark.integration
def test_child_tables_list_exactly_the_children_with_episodes_and_care_leavers(small) -> None:
    out, manifest = small
    for f, kids in _frames(out, manifest, "cin_children"):
        eps = read(out, f["path"].replace("cin_children", "cin_episodes"))
        assert set(kids["LAchildID"]) == set(eps["LAchildID"])
    for f, head in _frames(out, manifest, "ssda903_header"):
        eps = read(out, f["path"].replace("ssda903_header", "ssda903_episodes"))
        # the SSDA903 header lists the care leavers of the year's OC3 cohort too
        oc3 = read(out, f["path"].replace("ssda903_header", "ssda903_oc3"))
        assert set(head["CHILD"]) == set(eps["CHILD"]) | set(oc3["CHILD"])
        assert not set(eps["CHILD"]) & set(oc3["CHILD"])


@pytest.mark.integration
def test_every_lsoa_is_in_the_lookup(small) -> None:
    out, manifest = small
    lookup = set(read(out, "ref_lsoa_lookup_2024.csv")["LSOA21CD"])
    area_lsoa = {
        "cin_children": "HomeLSOA",
        "ssda903_episodes": "HOME_POST",
        "yjs_offences": "HOME_LSOA",
        "hclic_main": "HOME_LSOA",
        "ref_imd": "LSOA code (2021)",
        "ref_population": "LSOA 2021 Code",
        "ref_census_ethnicity": "LSOA code (2021)",
    }
    for table, col in area_lsoa.items():
        for f, df in _frames(out, manifest, table):
            assert set(df[col]) <= lookup, f["path"]
    assert len(lookup) == 40


@pytest.mark.integration
def test_assessment_factor_rules_8869_8898_8614(small) -> None:
    out, manifest = small
    for _f, df in _frames(out, manifest, "cin_assessments"):
        factors = df["AssessmentFactors"].str.split(",")
        done = df["AssessmentAuthorisationDate"] != ""
        assert (df.loc[~done, "AssessmentFactors"] == "").all(), "8614"
        assert (df.loc[done, "AssessmentFactors"] != "").all()
        sets = factors[done]
        assert not sets.apply(lambda s: "21" in s and len(s) > 1).any(), "8869"
        assert not sets.apply(lambda s: len(s) != len(set(s))).any(), "8898"


@pytest.mark.integration
def test_903_episodes_chain_without_overlap(small) -> None:
    out, manifest = small
    starts_seen = set()
    for _f, df in _frames(out, manifest, "ssda903_episodes"):
        df = df.sort_values(["CHILD", "DECOM"])
        same = df["CHILD"].eq(df["CHILD"].shift())
        prev_dec = df["DEC"].shift()
        assert not (same & (prev_dec == "")).any(), "only the last episode may be open"
        assert not (same & (df["DECOM"] < prev_dec)).any(), "overlap"
        assert ((df["DEC"] == "") == (df["REC"] == "")).all(), "REC iff DEC"
        assert (df.loc[~same, "RNE"] == "S").sum() > 0
        starts_seen |= set(df["RNE"])
        assert (df["PL_LA"].str.match(r"^E\d{8}$") | (df["PL_LA"] == "")).all()
    assert {"S", "P", "L"} <= starts_seen
    short = pd.concat(d for _, d in _frames(out, manifest, "ssda903_episodes"))
    assert short["LS"].isin(["V3", "V4"]).any()


@pytest.mark.integration
def test_return_semantics_nothing_after_31_march_is_known(small) -> None:
    out, manifest = small
    for f, df in _frames(out, manifest, "cin_episodes"):
        fy = FinancialYear.parse(f["period"])
        assert (df["CINreferralDate"] <= fy.end.isoformat()).all()
        closed = df["CINclosureDate"]
        assert ((closed == "") | closed.between(fy.start.isoformat(), fy.end.isoformat())).all()
    for f, df in _frames(out, manifest, "ssda903_episodes"):
        fy = FinancialYear.parse(f["period"])
        dec = df["DEC"]
        assert ((dec == "") | dec.between(fy.start.isoformat(), fy.end.isoformat())).all()
    # an episode open at the end of 2022/23 reappears in 2023/24
    a = read(out, "cin_episodes_2022-23.csv")
    b = read(out, "cin_episodes_2023-24.csv")
    still_open = a[a["CINclosureDate"] == ""][["LAchildID", "CINreferralDate"]]
    assert len(still_open.merge(b, on=["LAchildID", "CINreferralDate"])) == len(still_open)


@pytest.mark.integration
def test_homelessness_quarters_and_children(small) -> None:
    out, manifest = small
    spans, all_ids, duties, kids_per_case = 0, [], set(), set()
    for f, main in _frames(out, manifest, "hclic_main"):
        kids = read(out, f["path"].replace("hclic_main", "hclic_children"))
        counted = kids.groupby("CASE_ID").size().reindex(main["CASE_ID"], fill_value=0)
        assert (counted.to_numpy() == main["NUM_DEP_CHILDREN"].astype(int).to_numpy()).all()
        all_ids.append(set(main["CASE_ID"]))
        duties |= set(main["INITIAL_DUTY"])
        kids_per_case |= set(main["NUM_DEP_CHILDREN"])
    assert duties == {"PREV", "RELIEF", "NODUTY"}
    assert {"0", "1", "2"} <= kids_per_case, "households with and without children"
    for a, b in itertools.pairwise(all_ids):
        spans += len(a & b)
    assert spans > 0, "cases with an open duty appear in following quarters"
    q4 = read(out, "hclic_main_2022-23_Q4.csv")
    q1 = read(out, "hclic_main_2023-24_Q1.csv")
    assert set(q4["CASE_ID"]) & set(q1["CASE_ID"]), "cases span the year boundary"


@pytest.mark.integration
def test_one_pseudonym_links_services(small) -> None:
    out, _ = small
    cin = set(read(out, "cin_children_2023-24.csv")["LAchildID"])
    lac = set(read(out, "ssda903_episodes_2023-24.csv")["CHILD"])
    yj = set(read(out, "yjs_offences_2023-24.csv")["YJ_ID"])
    assert lac <= cin | set(
        read(out, "ssda903_episodes_2023-24.csv").query("LS in ['V3','V4']")["CHILD"]
    )
    assert len(yj & cin) / len(yj) > 0.2
    assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in cin)
    home = read(out, "cin_children_2023-24.csv").set_index("LAchildID")["HomeLSOA"]
    eps = read(out, "ssda903_episodes_2023-24.csv")
    both = eps[eps["CHILD"].isin(home.index)]
    assert (both["HOME_POST"].to_numpy() == home.reindex(both["CHILD"]).to_numpy()).all()


@pytest.mark.integration
def test_modelled_rates_are_a_joint_distribution(small) -> None:
    out, _ = small
    m = read(out, "ref_modelled_rates_2025.csv")
    assert len(m) == 4 * 5 * 8
    sums = m.assign(s=m["share"].astype(float)).groupby(["age_band", "imd_quintile"])["s"].sum()
    assert ((sums - 1).abs() < 1e-9).all()
    m["s"] = m["share"].astype(float)
    q = m.groupby("imd_quintile").apply(
        lambda g: g.loc[g["domestic_abuse"] == "1", "s"].sum(), include_groups=False
    )
    assert q["1"] > 1.5 * q["5"], "deprivation gradient"
    all3 = (
        m[
            (
                m[["domestic_abuse", "parental_mental_health", "parental_substance_misuse"]] == "1"
            ).all(axis=1)
        ]["s"].mean()
        / 20
        * 20
    )
    assert all3 > 0.005  # far above independence (0.073 x 0.15 x 0.05 = 0.0005)


@pytest.mark.integration
def test_modelled_rates_carry_a_range_of_joint_distributions(small) -> None:
    """The lower and upper estimates are joint distributions too, below and above the central
    one for every factor, any and all three."""
    out, _ = small
    m = read(out, "ref_modelled_rates_2025.csv")
    factors = ["domestic_abuse", "parental_mental_health", "parental_substance_misuse"]
    flags = m[factors].astype(int)
    cell = ["age_band", "imd_quintile"]
    measures = {}
    for column in ("share", "share_lower", "share_upper"):
        s = m[column].astype(float)
        assert ((s.groupby([m[c] for c in cell]).sum() - 1).abs() < 1e-9).all(), column
        measures[column] = pd.DataFrame(
            {
                **{f: (s * flags[f]).groupby([m[c] for c in cell]).sum() for f in factors},
                "any": (s * (flags.sum(axis=1) > 0)).groupby([m[c] for c in cell]).sum(),
                "all": (s * (flags.sum(axis=1) == 3)).groupby([m[c] for c in cell]).sum(),
            }
        )
    assert (measures["share_lower"] < measures["share"]).all().all()
    assert (measures["share"] < measures["share_upper"]).all().all()


@pytest.mark.integration
def test_reference_files_describe_the_la_and_neighbours(small) -> None:
    out, _ = small
    sn = read(out, "ref_stat_neighbours_2024.csv")
    assert list(sn["la_code"].unique()) == ["E08000999"]
    assert sn["neighbour_rank"].astype(int).tolist() == list(range(1, 11))
    lad = read(out, "ref_lad_region_2024.csv")
    assert len(lad) == lad["LAD24CD"].nunique() == 153  # England's since April 2023
    assert lad["RGN24CD"].nunique() == 9
    assert (lad["RGN24NM"] == "North West").sum() == 24  # Cumberland, Westmorland and Furness
    assert set(sn["neighbour_code"]) | {"E08000999"} <= set(lad["LAD24CD"])
    bench = read(out, "ref_benchmarks_2023-24.csv")
    codes = set(lad["LAD24CD"]) | set(lad["RGN24CD"]) | {"E92000001"}
    for level, count in {"National": 1, "Regional": 9, "Local authority": 153}.items():
        rows = bench[(bench["geographic_level"] == level) & (bench["measure"] == "cla_31mar")]
        assert len(rows) == count, level
    assert set(bench["area_code"]) == codes
    imd = read(out, "ref_imd_2025.csv")
    ranks = imd.iloc[:, 5].astype(int)
    assert ranks.between(1, 33_755).all() and ranks.is_unique
    deciles = imd.iloc[:, 6].astype(int)
    assert (deciles == ((ranks * 10 - 1) // 33_755 + 1)).all()


CENSUS_BANDS = {
    "Aged 4 years and under": range(5),
    "Aged 5 to 9 years": range(5, 10),
    "Aged 10 to 15 years": range(10, 16),
    "Aged 16 to 17 years": range(16, 18),
}


@pytest.mark.integration
def test_census_ethnicity_shape_and_codes(small) -> None:
    """One row per LSOA of the lookup and census group (1-5, ONS labels), whole counts."""
    out, manifest = small
    census = read(out, "ref_census_ethnicity_2021.csv")
    lookup = read(out, "ref_lsoa_lookup_2024.csv")
    rows = next(f["rows"] for f in manifest["files"] if f["table"] == "ref_census_ethnicity")
    assert len(census) == 5 * len(lookup) == rows
    assert set(census["LSOA code (2021)"]) == set(lookup["LSOA21CD"])
    names = lookup.set_index("LSOA21CD")["LSOA21NM"]
    assert (census["LSOA name (2021)"].to_numpy() == names[census["LSOA code (2021)"]]).all()
    per_lsoa = census.groupby("LSOA code (2021)")["Ethnic group (5 categories) Code"]
    assert all(groups == ["1", "2", "3", "4", "5"] for groups in per_lsoa.apply(list))
    labels = dict(zip(census.iloc[:, 2], census.iloc[:, 3], strict=True))
    assert labels == {k: label for k, (_, label) in codes.CENSUS_ETHNIC_GROUPS.items()}
    assert {g for g, _ in codes.CENSUS_ETHNIC_GROUPS.values()} == set(
        codes.ETHNICITY_GROUPS.values()
    ) - {"Not recorded"}
    counts = census[list(CENSUS_BANDS)]
    assert counts.apply(lambda c: c.str.fullmatch(r"\d+")).all().all()


@pytest.mark.integration
def test_census_children_agree_with_the_population_estimates(small) -> None:
    """Census day (21 March 2021) falls between mid-2020 and mid-2021: each LSOA's census
    children 0-17 are within 10% of the mean of the two estimates (the same children, counted
    nine months apart; about 225 per LSOA), every age band within 5% overall."""
    out, _ = small
    census = read(out, "ref_census_ethnicity_2021.csv")
    counts = census[list(CENSUS_BANDS)].astype(int)
    by_lsoa = counts.groupby(census["LSOA code (2021)"]).sum()
    pops = [
        read(out, f"ref_population_mid{y}.csv").set_index("LSOA 2021 Code") for y in (2020, 2021)
    ]
    for band, ages in CENSUS_BANDS.items():
        cols = [f"{s}{a}" for s in "FM" for a in ages]
        estimate = sum(p[cols].astype(int).sum(axis=1) for p in pops) / 2
        assert abs(by_lsoa[band].sum() / estimate.sum() - 1) < 0.05, band
    cols = [f"{s}{a}" for s in "FM" for a in range(18)]
    estimate = sum(p[cols].astype(int).sum(axis=1) for p in pops) / 2
    ratio = by_lsoa.sum(axis=1) / estimate.reindex(by_lsoa.index)
    assert ratio.between(0.9, 1.1).all(), ratio.describe()


@pytest.mark.parametrize("bad", ["tiny", "Leeds"])
def test_unknown_scale_is_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, scale=bad)


def test_sex_code_lists_are_the_contracts() -> None:
    assert set(codes.sex_codes(FinancialYear(2023))) == {"1", "2", "0", "9"}


# ------------------------------------------------------------------------------------------
# A clean delivery quarantines nothing
# ------------------------------------------------------------------------------------------
def clean_quarantine(out: Path, manifest: dict) -> dict[str, int]:
    """Rows each rule quarantines when every file of a clean delivery is validated by the
    rule registry (the rules ingestion and validation apply, in memory)."""
    return quarantine_by_rule(out, [f["path"] for f in manifest["files"]])


@pytest.mark.integration
@pytest.mark.parametrize("seed", [1, 2, 3, 4242])
def test_a_clean_small_delivery_quarantines_nothing(seed: int, tmp_path: Path) -> None:
    manifest = generate(tmp_path, scale="small", seed=seed)
    assert clean_quarantine(tmp_path, manifest) == {}


@pytest.mark.integration
@pytest.mark.parametrize(
    ("scale", "seed", "years"),
    [
        ("leeds", 4242, ("2020/21", "2025/26")),  # once authorised an assessment before its start
        ("leeds", 7, ("2022/23", "2023/24")),
    ],
)
def test_a_clean_leeds_delivery_quarantines_nothing(
    scale: str, seed: int, years: tuple[str, str], tmp_path: Path
) -> None:
    manifest = generate(tmp_path, scale=scale, seed=seed, first_year=years[0], last_year=years[1])
    assert clean_quarantine(tmp_path, manifest) == {}
