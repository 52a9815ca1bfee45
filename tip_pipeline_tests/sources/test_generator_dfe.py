"""``generate(format="dfe")``: the raw records of the synthetic children (DfE's returns, the
youth justice tables, H-CLIC's sections) and the authority's cross-reference, taken in by
intake, give back the services' contract files the generator computes for the same children
with the same key, row for row (but the column the returns do not carry); with every child in
the cross-reference, the contract files ``generate`` writes directly, one pseudonym per child
in every service; with fewer, ``ops.intake_linkage`` records the generator's shares; no raw
value reaches the contract files; every record is written or left out by design.

The end-to-end tests generate a whole (one-year) delivery and run intake over it: they are
``integration``. The unit tier keeps the parts: postcodes, identities, the key, the arguments.
"""

from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.cli import build_parser
from tip_pipeline.intake import ssda903
from tip_pipeline.intake.landing import (
    contract_file_name,
    convert_landing,
    scan_landing,
    take_cross_reference,
)
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import Pseudonymiser
from tip_pipeline.intake.run import take_in
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.generator import dfe as dfe_module
from tip_pipeline.sources.generator import (
    dfe_services,
    dfe_ssda903,
    dfe_ssda903_xml,
    expected_contracts,
    expected_linkage,
    generate,
    geography,
    population,
    pseudonym_pairs,
)
from tip_pipeline.sources.generator import identities as identities_module
from tip_pipeline.sources.generator.config import SCALE_SPECS, window
from tip_pipeline.sources.generator.postcodes import PER_LSOA, Postcodes
from tip_pipeline.sources.generator.randomness import stream
from tip_pipeline.validate.identifiers import Match, full_postcode
from tip_pipeline.warehouse.engine import make_engine
from tip_pipeline.warehouse.schema import intake_linkage

YEAR = "2024/25"
SEED = 5
CHILDREN_TABLES = (
    "cin_children",
    "cin_episodes",
    "cin_assessments",
    "cin_cp_plans",
    "cin_section47",
)
SSDA903_TABLES = (
    "ssda903_header",
    "ssda903_episodes",
    "ssda903_missing",
    "ssda903_reviews",
    "ssda903_oc2",
    "ssda903_oc3",
    "ssda903_uasc",
    "ssda903_ad1",
    "ssda903_placed_adoption",
    "ssda903_prev_perm",
    "ssda903_sw_episodes",
)
#: DfE's other tables, as the generator names their files (2024/25 has the SW episodes table)
OUTCOME_FILES = (
    "903_missing.csv",
    "903_reviews.csv",
    "903_oc2.csv",
    "903_oc3.csv",
    "903_uasc.csv",
    "903_ad1.csv",
    "903_placed_adoption.csv",
    "903_prev_perm.csv",
    "903_sw_episodes.csv",
)
YJ_TABLES = ("yjs_offences", "yjs_outcomes")
HCLIC_TABLES = ("hclic_main", "hclic_children", "hclic_support", "hclic_temp_accommodation")
#: columns of the contracts the raw returns do not carry: intake writes them empty (PL_LA is
#: not in DfE's table either, but intake derives it from PL_POST, equal to the generator's)
NOT_IN_RETURNS = {"cin_children": "HomeLSOA"}
BIRTH_COLUMNS = {
    "cin_children": "PersonBirthDate",
    "yjs_offences": "DOB",
    "hclic_children": "CHILD_DOB",
    **{table: "DOB" for table in SSDA903_TABLES if table != "ssda903_episodes"},
}
DAY_FIRST = re.compile(r"\d{2}/\d{2}/\d{4}")


# --- the parts (unit tier) ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_geo() -> geography.Geography:
    return geography.build(SCALE_SPECS["small"], stream(SEED, "geography"))


def test_postcodes_are_unique_postcodes_the_lookup_maps_to_their_lsoa(small_geo) -> None:
    postcodes = Postcodes.build(small_geo)
    lsoas = np.arange(small_geo.lsoa_code.size)
    every = postcodes.of(np.repeat(lsoas, PER_LSOA), np.tile(np.arange(PER_LSOA), lsoas.size))
    assert len(set(every)) == every.size  # across England's LSOAs
    some = np.concatenate([small_geo.populated, lsoas[::97]])
    lookup = postcodes.lookup(some)
    assert len(lookup) == np.unique(some).size * PER_LSOA
    assert {full_postcode(p) for p in lookup["PCDS"]} == {Match.CERTAIN}  # the guard's too
    assert (lookup["PCD7"].str.len() == 7).all() and (lookup["PCD8"].str.len() == 8).all()
    target = lookup[lookup["LADCD"] == small_geo.las.at[small_geo.target, "code"]]
    assert len(target) == small_geo.populated.size * PER_LSOA
    assert target["PCDS"].str.startswith("LS").all()
    read = PostcodeLookup.from_columns(lookup["PCDS"], lookup["LSOA21CD"])
    chosen = np.array([some[0], small_geo.populated[3], some[-1]])
    k = np.array([0, PER_LSOA - 1, 3])
    found = read.lsoa(pd.Series(postcodes.of(chosen, k))).tolist()
    assert found == small_geo.lsoa_code[chosen].tolist()


def test_the_lookup_is_in_a_layout_intake_reads(small_geo, tmp_path) -> None:
    lookup = Postcodes.build(small_geo).lookup(small_geo.populated)
    path = tmp_path / "lookup.csv"
    lookup.to_csv(path, index=False)
    read = PostcodeLookup.from_csv(path)
    assert len(read) == len(lookup)
    assert read.lsoa(lookup["PCD7"]).tolist() == lookup["LSOA21CD"].tolist()


def test_identities_are_one_per_child_and_birth_days_are_in_the_birth_month(small_geo) -> None:
    uni = population.build_universe(small_geo, window(YEAR, YEAR), stream(SEED, "universe"))
    born = (uni.dob_month.astype("int64").astype("datetime64[M]")).astype("datetime64[D]")
    born = born.astype("int64")
    events = np.arange(0, uni.n, 7)
    first = identities_module.first_events(uni.n, (events, born[events] + 1))
    ids = identities_module.build(uni, Postcodes.build(small_geo), first, SEED)
    assert len(set(ids.case_id)) == uni.n and all(re.fullmatch(r"\d{7}", c) for c in ids.case_id)
    assert len(set(ids.upn)) == uni.n and all(re.fullmatch(r"A\d{12}", u) for u in ids.upn)
    months = ids.birth_day.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    assert (months == uni.dob_month).all()
    assert (ids.birth_day[events] <= born[events] + 1).all()  # never after the first event
    assert (ids.child_of(ids.case_id[[5, 0, 9]]) == [5, 0, 9]).all()
    lookup = Postcodes.build(small_geo).lookup(small_geo.populated)
    home = PostcodeLookup.from_columns(lookup["PCDS"], lookup["LSOA21CD"])
    lsoas = home.lsoa(pd.Series(ids.home_postcode[:200])).tolist()
    assert lsoas == small_geo.lsoa_code[uni.lsoa[:200]].tolist()


def test_the_key_is_32_bytes_from_the_seed_and_only_its_owner_reads_the_file(tmp_path) -> None:
    keys = [dfe_module.key(seed) for seed in range(600)]
    assert all(len(k) == 32 and not k.endswith(b"\n") for k in keys)  # seed 542 drew one
    assert keys[1] == dfe_module.key(1) and len(set(keys)) == len(keys)
    path = tmp_path / "pseudonym.key"
    path.write_bytes(b"old")
    path.chmod(0o644)
    dfe_module.write_key(path, keys[0])
    assert path.read_bytes() == keys[0] and stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"format": "xml"}, "format must be one of"),
        ({"format": "dfe", "scale": "england"}, "single-LA scale"),
        ({"format": "dfe", "faults": 0.01}, "raw returns clean"),
        ({"format": "dfe", "plant_identifiers": True}, "raw returns clean"),
    ],
)
def test_dfe_refuses_what_it_cannot_write(tmp_path, arguments, said) -> None:
    with pytest.raises(ValueError, match=said):
        generate(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


def test_the_command_takes_the_format() -> None:
    parse = build_parser().parse_args
    assert parse(["generate", "--out", "x"]).format == "contract"
    assert parse(["generate", "--out", "x", "--format", "dfe"]).format == "dfe"
    with pytest.raises(SystemExit):
        parse(["generate", "--out", "x", "--format", "xml"])
    assert parse(["generate", "--out", "x"]).ssda903 == "mixed"
    assert parse(["generate", "--out", "x", "--ssda903", "xml"]).ssda903 == "xml"
    with pytest.raises(SystemExit):
        parse(["generate", "--out", "x", "--ssda903", "xlsx"])


def test_the_ssda903_return_is_written_as_xml_in_even_years_by_default(tmp_path) -> None:
    years = [FinancialYear(start) for start in range(2020, 2026)]
    assert [dfe_module.as_xml(fy, "mixed") for fy in years] == [False, True] * 3
    assert not any(dfe_module.as_xml(fy, "csv") for fy in years)
    assert all(dfe_module.as_xml(fy, "xml") for fy in years)
    with pytest.raises(ValueError, match="ssda903 must be one of"):
        generate(tmp_path / "out", format="dfe", ssda903="xlsx")


def _tables(header: pd.DataFrame, **outcomes: pd.DataFrame) -> dfe_ssda903.Tables:
    episodes = pd.DataFrame(columns=list(ssda903.EPISODES.dfe_columns))
    return dfe_ssda903.Tables(header, episodes, np.array([]), outcomes)


def test_the_xml_holds_only_what_its_nesting_can() -> None:
    header = pd.DataFrame(
        {"CHILD": ["1", "2"], "SEX": ["1", "2"], "DOB": ["01/01/2010", "02/02/2011"],
         "ETHNIC": ["WBRI", "WBRI"], "UPN": ["", ""], "MOTHER": ["", "0"], "MC_DOB": ["", ""]}
    )  # fmt: skip
    uasc = pd.DataFrame({"CHILD": ["2"], "SEX": ["2"], "DOB": ["02/02/2011"], "DUC": [""]})
    text = dfe_ssda903_xml.ssda903_xml(_tables(header, UASC=uasc))
    assert text.count("<CHILD>") == 2 and text.count("<UASC>1</UASC>") == 1
    assert "<DUC>" not in text and "<UPN>" not in text and "<MOTHER>0</MOTHER>" in text
    stray = uasc.assign(CHILD="3")
    with pytest.raises(ValueError, match="1 child"):
        dfe_ssda903_xml.ssda903_xml(_tables(header, UASC=stray))
    with pytest.raises(ValueError, match="gives a child twice"):
        dfe_ssda903_xml.ssda903_xml(_tables(header, UASC=pd.concat([uasc, uasc])))


# --- end to end (integration) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def dfe_delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("dfe_delivery")
    years = {"first_year": YEAR, "last_year": YEAR}
    return out, generate(out, scale="small", seed=SEED, format="dfe", ssda903="csv", **years)


def _table_of(name: str) -> str:
    """The extract of a contract file's name (``hclic_main_2024-25_Q1.csv``: hclic_main)."""
    return re.sub(r"_\d{4}-\d{2}(_Q\d)?\.csv$", "", name)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.integration
def test_raw_returns_and_support_are_where_intake_and_its_settings_look(
    dfe_delivery, tmp_path
) -> None:
    out, manifest = dfe_delivery
    tag = FinancialYear.parse(YEAR).tag
    raw = sorted(p.relative_to(out).as_posix() for p in (out / "raw").rglob("*") if p.is_file())
    youth_justice = [FinancialYear(2017 + k).tag for k in range(8)]  # seven history years
    assert raw == sorted(
        [
            f"raw/{tag}/903_episodes.csv",
            f"raw/{tag}/903_header.csv",
            *(f"raw/{tag}/{name}" for name in OUTCOME_FILES),
            f"raw/{tag}/cin_census_2025.xml",
            *(f"raw/{y}/{name}" for y in youth_justice for name in ("yj_offences.csv",
                                                                  "yj_outcomes.csv")),
            *(f"raw/{tag}/Q{q}/{name}" for q in range(1, 5)
              for name in dfe_services.HCLIC_FILES.values()),
            "raw/cross_reference.csv",
        ]
    )  # fmt: skip
    assert sorted(p.name for p in (out / "raw_support").iterdir()) == [
        "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv",
        "pseudonym.key",
    ]
    key = out / "raw_support" / "pseudonym.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    assert "Synthetic" in manifest["raw"]["readme"] and "not a secret" in manifest["raw"]["readme"]
    assert manifest["generator"]["format"] == "dfe"
    for entry in manifest["raw"]["files"]:
        assert entry["sha256"] == _sha(out / entry["path"])
    assert manifest["raw"]["match_rates"] == dict(dfe_services.MATCH_RATES)
    # the services' contract files are intake's to write; every other file is the default's,
    # byte for byte
    written = {p.name for p in out.glob("*.csv")}
    assert not any(name.startswith(("cin_", "ssda903_", "yjs_", "hclic_")) for name in written)
    default = tmp_path / "default"
    contract = generate(default, scale="small", seed=SEED, first_year=YEAR, last_year=YEAR)
    others = {f["path"] for f in contract["files"]} - {
        f["path"] for f in contract["files"] if f["source"] in ("cin", "ssda903", "yjs", "hclic")
    }
    assert written == others
    assert all(_sha(out / name) == _sha(default / name) for name in others)
    assert "format" not in contract["generator"] and "raw" not in contract


def _raw_values(out: Path) -> dict[str, set[str]]:
    """Every identifying value of the raw returns, by kind."""
    year = out / "raw" / FinancialYear.parse(YEAR).tag
    header = pd.read_csv(year / "903_header.csv", dtype=str, keep_default_na=False)
    episodes = pd.read_csv(year / "903_episodes.csv", dtype=str, keep_default_na=False)
    xml = next(year.glob("*.xml")).read_text()

    def elements(name: str) -> set[str]:
        return set(re.findall(rf"<{name}>([^<]*)</{name}>", xml))

    outcomes = [pd.read_csv(year / n, dtype=str, keep_default_na=False) for n in OUTCOME_FILES]
    services = _service_values(out)
    assert all(len(frame) for frame in outcomes), "every outcome table has rows"
    postcodes = (set(episodes["HOME_POST"]) | set(episodes["PL_POST"])) - {""}
    values = {
        "id": set(header["CHILD"])
        | set(episodes["CHILD"])
        | elements("LAchildID")
        | {c for frame in outcomes for c in frame["CHILD"]}
        | services["id"],
        "pnc": services["pnc"],
        "upn": set(header["UPN"]) | elements("UPN"),
        # social workers' ids (SW and six digits): staff pseudonyms only in the contract files
        "sw_id": set(outcomes[OUTCOME_FILES.index("903_sw_episodes.csv")]["SW_ID"]),
        "postcode": postcodes
        | services["postcode"]
        | {p.replace(" ", "") for p in postcodes | services["postcode"]},
        "urn": set(episodes["URN"]) - {"XXXXXXX"},
        "full_dob": {d for d in elements("PersonBirthDate") if not d.endswith("-01")}
        | {
            f"{d[6:]}-{d[3:5]}-{d[:2]}"
            for frame in (header, *outcomes, *services["frames"])
            for d in frame["DOB"]
            if not d.startswith("01/")
        },
    }
    assert all(values.values()), "every kind of raw value is in the returns"
    return values


def _service_values(out: Path) -> dict:
    """The youth justice tables' and H-CLIC sections' identifying values: people's and records'
    ids of every system (and the cross-reference's common ids), PNC ids, postcodes; their frames
    with a DOB column."""
    raw = out / "raw"

    def frames(name: str) -> list[pd.DataFrame]:
        return [pd.read_csv(p, dtype=str, keep_default_na=False) for p in raw.rglob(name)]

    offences, outcomes = frames("yj_offences.csv"), frames("yj_outcomes.csv")
    main, people = frames("hclic_main.csv"), frames("hclic_people.csv")
    links = pd.read_csv(raw / "cross_reference.csv", dtype=str, keep_default_na=False)
    ids = set(links["SOURCE_ID"]) | set(links["PERSON_ID"])
    for frame in offences + outcomes:
        ids |= set(frame["YJ_CHILD_ID"]) | set(frame["OFFENCE_REF"])
    for frame in main + people:
        ids |= set(frame["CASE_REF"])
    for frame in people:
        ids |= set(frame["PERSON_REF"])
    postcodes = {p for f in offences for p in f["HOME_POSTCODE"]}
    postcodes |= {p for f in main for c in ("SETTLED_HOME_POSTCODE", "CURRENT_POSTCODE")
                  for p in f[c]}  # fmt: skip
    return {
        "id": ids,
        "pnc": {p for f in offences for p in f["PNC_ID"]},
        "postcode": postcodes - {""},
        "frames": offences + people,
    }


@pytest.mark.integration
def test_intake_of_the_raw_returns_gives_the_generators_contract_files(
    dfe_delivery, tmp_path, migrated_sqlite_url
) -> None:
    out, _ = dfe_delivery
    key_file = out / "raw_support" / "pseudonym.key"
    lookup = out / "raw_support" / "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv"
    data = tmp_path / "data"
    engine = make_engine(migrated_sqlite_url)
    try:
        summary = take_in(out / "raw", data, engine, key_file=key_file, lookup_file=lookup)
    finally:
        engine.dispose()

    read, written, refused = summary.records
    results = [r for year in summary.years for r in year.results.values()]
    left_out = sum(r.left_out for r in results)
    assert read == written + refused + left_out and refused == 0 and read > 0
    assert summary.refused == () and all(not year.refused for year in summary.years)
    assert summary.cross_reference is not None and not summary.cross_reference.refused
    assert sorted({r.table for r in results}) == sorted(
        CHILDREN_TABLES + SSDA903_TABLES + YJ_TABLES + HCLIC_TABLES
    )
    assert len([r for r in results if r.table == "yjs_offences"]) == 8  # the history too
    assert len([r for r in results if r.table == "hclic_main"]) == 4  # one per quarter
    assert all(r.read == r.written + r.left_out and not r.refused for r in results)
    # the People sections' adults are left out by design; nothing else is
    assert all(r.left_out == 0 for r in results if r.table != "hclic_children")
    assert sum(r.left_out for r in results if r.table == "hclic_children") > 0

    written_by_file = {
        contract_file_name(r.table, year.period, r.quarter): r.written
        for year in summary.years
        for r in year.results.values()
    }
    expected = expected_contracts(
        key_file.read_bytes(), scale="small", seed=SEED, first_year=YEAR, last_year=YEAR
    )
    assert sorted(expected) == sorted(p.name for p in data.iterdir())
    for name, frame in expected.items():
        table = _table_of(name)
        got = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        want = frame.astype(str)
        assert list(got.columns) == list(want.columns), name
        if table in NOT_IN_RETURNS:
            column = NOT_IN_RETURNS[table]
            assert (got[column] == "").all() and (want[column] != "").any(), name
            got, want = got.drop(columns=column), want.drop(columns=column)
        order = list(want.columns)
        got = got.sort_values(order, ignore_index=True)
        want = want.sort_values(order, ignore_index=True)
        pd.testing.assert_frame_equal(got, want, obj=name)
        assert len(got) == written_by_file[name]

    # the pseudonyms link the returns: every looked-after child of the year is a child in need
    cin = set(pd.read_csv(data / "cin_children_2024-25.csv", dtype=str)["LAchildID"])
    header = set(pd.read_csv(data / "ssda903_header_2024-25.csv", dtype=str)["CHILD"])
    episodes = set(pd.read_csv(data / "ssda903_episodes_2024-25.csv", dtype=str)["CHILD"])
    leavers = set(pd.read_csv(data / "ssda903_oc3_2024-25.csv", dtype=str)["CHILD"])
    assert header == episodes | leavers and not episodes & leavers
    assert len(episodes & cin) > 0.8 * len(episodes)
    for table in SSDA903_TABLES[2:]:  # the outcome tables' children are in the header
        children = set(pd.read_csv(data / f"{table}_2024-25.csv", dtype=str)["CHILD"])
        assert children and children <= header, table

    # no raw value reaches the contract files
    raw = _raw_values(out)
    for path in sorted(data.iterdir()):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        cells = set(frame.to_numpy().ravel())
        text = path.read_text()
        for kind in ("id", "upn", "postcode", "urn", "pnc"):
            assert not cells & raw[kind], (path.name, kind)
        for value in raw["upn"] | raw["postcode"]:
            assert value not in text, (path.name, "substring")
        assert not any(DAY_FIRST.fullmatch(c) for c in cells), path.name
        birth = BIRTH_COLUMNS.get(_table_of(path.name))
        if birth:
            assert frame[birth].str.endswith("-01").all(), path.name
            assert not set(frame[birth]) & raw["full_dob"], path.name


@pytest.mark.integration
def test_the_xml_return_gives_the_rows_of_the_csv_tables_of_the_same_year(
    dfe_delivery, tmp_path
) -> None:
    """The same generated year written as DfE's XML instead of CSV tables: intake's contract
    rows are the same, row for row, and every record is written."""
    csv_out, _ = dfe_delivery
    xml_out = tmp_path / "xml"
    years = {"first_year": YEAR, "last_year": YEAR}
    manifest = generate(xml_out, scale="small", seed=SEED, format="dfe", ssda903="xml", **years)
    tag = FinancialYear.parse(YEAR).tag
    assert sorted(p.name for p in (xml_out / "raw" / tag).glob("*.xml")) == [
        "cin_census_2025.xml",
        dfe_module.SSDA903_XML_FILE,
    ]
    assert not list((xml_out / "raw" / tag).glob("903_*.csv"))
    (entry,) = [f for f in manifest["raw"]["files"] if f["return"] == "ssda903"]
    assert entry["table"] is None and entry["path"].endswith(dfe_module.SSDA903_XML_FILE)
    assert manifest["generator"]["ssda903"] == "xml"

    def converted(out: Path) -> dict[str, ssda903.IntakeResult]:
        support = out / "raw_support"
        pseudonymiser = Pseudonymiser((support / "pseudonym.key").read_bytes())
        lookup = PostcodeLookup.from_csv(support / "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv")
        files = take_cross_reference(scan_landing(out / "raw").files).others
        period = [FinancialYear.parse(YEAR)]
        (year,), undated = convert_landing(files, pseudonymiser, lookup, period)
        assert undated == [] and year.refused == []
        return {t: r for t, r in year.results.items() if t.startswith("ssda903_")}

    from_csv, from_xml = converted(csv_out), converted(xml_out)
    assert sorted(from_xml) == sorted(SSDA903_TABLES) == sorted(from_csv)
    for table, csv in from_csv.items():
        xml = from_xml[table]
        assert xml.read == xml.written == csv.written and not xml.refused, table
        order = list(csv.frame.columns)
        pd.testing.assert_frame_equal(
            xml.frame.sort_values(order, ignore_index=True),
            csv.frame.sort_values(order, ignore_index=True),
            obj=table,
        )


def _take_in(out: Path, data: Path, url: str) -> tuple:
    """Intake of a generated delivery's raw folder, and the ops.intake_linkage rows it wrote:
    {(period, service): (people, linked)}."""
    support = out / "raw_support"
    engine = make_engine(url)
    try:
        summary = take_in(
            out / "raw",
            data,
            engine,
            key_file=support / "pseudonym.key",
            lookup_file=support / "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv",
        )
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    intake_linkage.c.period,
                    intake_linkage.c.service,
                    intake_linkage.c.people,
                    intake_linkage.c.linked,
                ).where(intake_linkage.c.run_id == summary.run_id)
            ).all()
    finally:
        engine.dispose()
    return summary, {(r.period, r.service): (r.people, r.linked) for r in rows}


@pytest.mark.integration
def test_every_child_linked_gives_the_direct_contract_files_row_by_row(
    tmp_path, migrated_sqlite_url
) -> None:
    """With every child of every service in the cross-reference, intake's contract files are
    the ones ``generate`` writes directly, row by row, once each child's pseudonym and each
    record key is the one intake makes: one pseudonym per child in every service."""
    everyone = dict.fromkeys(dfe_services.SYSTEM_NAMES, 1.0)
    years = {"first_year": YEAR, "last_year": YEAR}
    out, direct, data = tmp_path / "dfe", tmp_path / "direct", tmp_path / "data"
    generate(out, scale="small", seed=SEED, format="dfe", match_rates=everyone, **years)
    generate(direct, scale="small", seed=SEED, **years)
    _, linkage = _take_in(out, data, migrated_sqlite_url)
    assert linkage and all(people == linked for people, linked in linkage.values())

    key = (out / "raw_support" / "pseudonym.key").read_bytes()
    pairs = pseudonym_pairs(key, scale="small", seed=SEED, match_rates=everyone, **years)
    staff = pairs.pop(dfe_module.STAFF)
    one = {}
    for system in pairs.values():
        for child, pseudonym in system.items():
            assert one.setdefault(child, pseudonym) == pseudonym  # the same in every service
    assert len(set(one.values())) == len(one)  # and no two children share one
    records = {
        "OFFENCE_ID": dfe_services.RECORD_NAMESPACES["youth_justice"],
        "CASE_ID": dfe_services.RECORD_NAMESPACES["housing"],
    }
    names = sorted(p.name for p in data.iterdir())
    assert names == sorted(
        p.name for p in direct.glob("*.csv") if p.name.startswith(("cin_", "ssda903_", "yjs_",
                                                                   "hclic_"))
    )  # fmt: skip
    for name in names:
        extract = contracts.EXTRACTS[_table_of(name)]
        got = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        want = pd.read_csv(direct / name, dtype=str, keep_default_na=False)
        for column in extract.columns:
            if column.kind is contracts.ColumnKind.PSEUDO_ID:
                want[column.name] = want[column.name].map(one)
            elif column.kind is contracts.ColumnKind.STAFF_PSEUDO_ID:
                want[column.name] = want[column.name].map(staff)
            elif column.name in records:
                ids = want[column.name].to_numpy()
                want[column.name] = dfe_services.keyed(key, records[column.name], ids)
        if _table_of(name) in NOT_IN_RETURNS:
            got = got.drop(columns=NOT_IN_RETURNS[_table_of(name)])
            want = want.drop(columns=NOT_IN_RETURNS[_table_of(name)])
        assert want.notna().all().all(), name  # every child of the file has its pair
        if want.empty:  # a quarter with no placement in temporary accommodation, at small scale
            assert got.empty and list(got.columns) == list(want.columns), name
            continue
        order = list(want.columns)
        pd.testing.assert_frame_equal(
            got.sort_values(order, ignore_index=True),
            want.sort_values(order, ignore_index=True),
            obj=name,
        )


@pytest.mark.integration
def test_lower_match_rates_give_the_generators_shares_in_intake_linkage(
    tmp_path, migrated_sqlite_url
) -> None:
    """Match rates below 1: ``ops.intake_linkage`` records, per year and service, the people
    and linked counts the generator's own account gives, and the shares are the rates asked
    for (within sampling error: each child is listed with the rate, independently)."""
    rates = {"social_care": 0.9, "youth_justice": 0.6, "housing": 0.5}
    years = {"first_year": YEAR, "last_year": YEAR}
    out = tmp_path / "dfe"
    manifest = generate(out, scale="small", seed=SEED, format="dfe", match_rates=rates, **years)
    assert manifest["generator"]["match_rates"] == rates
    _, linkage = _take_in(out, tmp_path / "data", migrated_sqlite_url)
    assert linkage == expected_linkage(scale="small", seed=SEED, match_rates=rates, **years)
    for service, rate in rates.items():
        people = sum(p for (_, s), (p, _) in linkage.items() if s == service)
        linked = sum(n for (_, s), (_, n) in linkage.items() if s == service)
        assert people >= 10, service
        # within four standard errors of the rate (a child listed with probability ``rate``)
        assert abs(linked / people - rate) < 4 * (rate * (1 - rate) / people) ** 0.5, service


@pytest.mark.integration
def test_no_cross_reference_when_every_rate_is_zero(tmp_path, migrated_sqlite_url) -> None:
    nobody = dict.fromkeys(dfe_services.SYSTEM_NAMES, 0.0)
    out = tmp_path / "dfe"
    generate(out, scale="small", seed=SEED, format="dfe", match_rates=nobody, first_year=YEAR,
             last_year=YEAR)  # fmt: skip
    assert not (out / "raw" / dfe_services.CROSS_REFERENCE_FILE).exists()
    summary, linkage = _take_in(out, tmp_path / "data", migrated_sqlite_url)
    assert summary.cross_reference is None
    assert linkage and all(linked == 0 for _, linked in linkage.values())
