"""The SSDA903 reader: every table of DfE's return (Header, Episodes, Missing, Reviews, OC2,
OC3, UASC, AD1, PlacedAdoption, PrevPerm, SW episodes) recognised by its header (any order,
case and spacing), as CSV (with a BOM) and as XLSX (date cells, serials, ids Excel made
numbers); converted to the contract extracts (pseudonyms, birth month, ISO dates, home LSOA,
codes trimmed); every record accounted for (read == written + refused) and refused by file,
line, column and reason; the columns the contract does not keep (UPN, MOTHER, MC_DOB, PL_POST,
URN) never in the output nor in a message; social workers' ids pseudonymised apart from
children's; DATE_PERM kept to the precision DfE's ZZ leaves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.postcodes import PostcodeLookup
from tip_pipeline.intake.pseudonyms import STAFF_NAMESPACE, Pseudonymiser
from tip_pipeline.intake.ssda903 import (
    AD1,
    DATE_REFUSED,
    EPISODES,
    HEADER,
    LAYOUTS,
    MISSING,
    OC2,
    OC3,
    PARTIAL_DATE_REFUSED,
    PLACED_ADOPTION,
    PREV_PERM,
    REVIEWS,
    STAFF_ID_REFUSED,
    SW_EPISODES,
    UASC,
    IntakeError,
    IntakeResult,
    Refusal,
    read_ssda903,
)
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources.contracts import (
    SSDA903_AD1,
    SSDA903_EPISODES,
    SSDA903_HEADER,
    SSDA903_MISSING,
    SSDA903_OC2,
    SSDA903_OC3,
    SSDA903_PLACED_ADOPTION,
    SSDA903_PREV_PERM,
    SSDA903_REVIEWS,
    SSDA903_SW_EPISODES,
    SSDA903_UASC,
)

#: DfE's CSV tables of the return, as the sector's validator names them
#: (data-to-insight/csc-validator-be-903, validator903/config.py, column_names)
DFE_HEADER = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
DFE_EPISODES = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
#: the outcome tables, as the validator names them (the same config.py)
DFE_OUTCOMES = {
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "OC2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "OC3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    # the rest of the return (lac_validator/config.py, column_names)
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "AD1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "PlacedAdoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "PrevPerm": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
}
OUTCOMES = (MISSING, REVIEWS, OC2, OC3, UASC, AD1, PLACED_ADOPTION, PREV_PERM, SW_EPISODES)

LOOKUP_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035\n"
    "LS6 2QT,LS6  2QT,LS6 2QT,198001,,0,E00056500,E01011400,E02002340,E08000035\n"
)

#: values of the dropped columns, which must appear nowhere in the output
UPN, MC_DOB, PL_POST, URN = "A123456789012", "23/11/2019", "BD1 1AA", "SC484848"
#: values that must never be repeated by a message
SECRET_DOB, SECRET_ID = "31/31/2014", "ZX99"

PSEUDONYMISER = Pseudonymiser(b"k" * 32)


@pytest.fixture
def lookup(tmp_path) -> PostcodeLookup:
    path = tmp_path / "lookup.csv"
    path.write_text(LOOKUP_CSV)
    return PostcodeLookup.from_csv(path)


def _csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def _xlsx(folder: Path, name: str, rows: list[list[object]], epoch_1904: bool = False) -> Path:
    book = openpyxl.Workbook()
    if epoch_1904:
        book.epoch = CALENDAR_MAC_1904
    for row in rows:
        book.active.append(row)
    path = folder / name
    book.save(path)
    return path


#: the Header table as CSV: columns shuffled, names in lower case with spaces, dd/mm/yyyy and
#: ISO dates, an id with leading zeros, an unparseable date of birth (line 5), no CHILD (line 6)
HEADER_CSV = (
    " dob , upn ,sex, child ,mc_dob, Ethnic ,mother\r\n"
    f"17/09/2014,{UPN},2,00123,{MC_DOB},WBRI,1\r\n"
    "2015-06-30,,1,12345,,ABAN,\r\n"
    "03/03/2016,,1, C77 ,,MOTH,\r\n"
    f"{SECRET_DOB},,1,{SECRET_ID},,WBRI,\r\n"
    "04/04/2013,,2,,,WBRI,\r\n"
)


def _header_xlsx(folder: Path) -> Path:
    """The Header table as XLSX: a DOB as a date cell, a DOB as a serial number, an id Excel
    turned into a number (12345, and 123 that was 00123 in the CSV), a code as a number."""
    return _xlsx(
        folder,
        "header.xlsx",
        [
            ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
            [12345, 1, dt.datetime(2015, 6, 30), "ABAN", UPN, None, None],
            ["C77", "1", 42432, "MOTH", None, None, None],  # 42432: 2016-03-03
            [123, 2, "17/09/2014", "WBRI", None, 1, dt.datetime(2019, 11, 23)],
        ],
    )


#: the Episodes table as CSV, columns in another order; an unknown postcode on line 3, an
#: unparseable DEC on line 4, a line with a field too many on line 5
EPISODES_CSV = (
    "CHILD,DECOM,DEC,RNE,LS,CIN,PLACE,PLACE_PROVIDER,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
    f"00123,01/05/2023,,S,C2,N1,U1,PR1,,,ls9 8ab,{PL_POST},{URN}\n"
    f"12345,2023-06-02,30/06/2023,L,C2,N2,U3,PR2,E11,CARPL,ZZ9 9ZZ,{PL_POST},{URN}\n"
    f"C77,01/07/2023,{SECRET_DOB},P,J2,N4,K2,PR0,X1,,LS6 2QT,,\n"
    f"C78,01/07/2023,,P,J2,N4,K2,PR0,,,LS6 2QT,{PL_POST},{URN},{SECRET_ID}\n"
)


def _everything_said(result: IntakeResult) -> str:
    return "\n".join(result.report())


def _assert_accounted(result: IntakeResult) -> None:
    assert result.read == result.written + len(result.refused)
    assert len(result.frame) == result.written


# --- the layouts, as data -------------------------------------------------------------------


def test_layouts_are_dfe_tables_and_cover_the_contracts():
    assert [layout.extract for layout in LAYOUTS] == [
        SSDA903_HEADER,
        SSDA903_EPISODES,
        SSDA903_MISSING,
        SSDA903_REVIEWS,
        SSDA903_OC2,
        SSDA903_OC3,
        SSDA903_UASC,
        SSDA903_AD1,
        SSDA903_PLACED_ADOPTION,
        SSDA903_PREV_PERM,
        SSDA903_SW_EPISODES,
    ]
    pairs = (
        (HEADER, DFE_HEADER),
        (EPISODES, DFE_EPISODES),
        *zip(OUTCOMES, DFE_OUTCOMES.values(), strict=True),
    )
    for layout, dfe in pairs:
        assert sorted(c.contract for c in layout.kept) == sorted(layout.extract.column_names)
        assert set(layout.required) <= set(dfe)
        assert set(layout.required) | set(layout.dropped) == set(dfe)
        assert layout.dfe_columns == dfe  # the guide's order, as the generator writes it
    assert EPISODES.optional == ("PL_LA", "PL_POST", "URN")
    assert set(HEADER.dropped) == {"UPN", "MOTHER", "MC_DOB"}
    assert [layout.name for layout in OUTCOMES] == list(DFE_OUTCOMES)
    assert all(not layout.dropped and not layout.optional for layout in OUTCOMES)
    # no table's columns are all in another's: each header recognises one table
    for layout in LAYOUTS:
        others = [o for o in LAYOUTS if o is not layout]
        assert all(o.lacks(set(layout.dfe_columns)) for o in others), layout.name


# --- the Header table ------------------------------------------------------------------------


def test_header_csv_converted_to_the_contract(tmp_path, lookup):
    result = read_ssda903(_csv(tmp_path, "looked_after.csv", HEADER_CSV), PSEUDONYMISER, lookup)
    assert result.table == "ssda903_header"
    assert tuple(result.frame.columns) == SSDA903_HEADER.column_names
    assert all(str(dtype) == "string" for dtype in result.frame.dtypes)
    frame = result.frame
    assert frame["CHILD"].tolist() == [
        PSEUDONYMISER.pseudonym(child) for child in ("00123", "12345", "C77")
    ]
    assert frame["DOB"].tolist() == ["2014-09-01", "2015-06-01", "2016-03-01"]
    assert frame["DOB"].str.endswith("-01").all()
    assert frame["SEX"].tolist() == ["2", "1", "1"]
    assert frame["ETHNIC"].tolist() == ["WBRI", "ABAN", "MOTH"]
    _assert_accounted(result)
    assert (result.read, result.written) == (5, 3)


def test_header_records_that_cannot_be_converted_are_refused_with_where_and_why(tmp_path, lookup):
    result = read_ssda903(_csv(tmp_path, "looked_after.csv", HEADER_CSV), PSEUDONYMISER, lookup)
    assert result.refused == (
        Refusal("looked_after.csv", 5, "DOB", DATE_REFUSED),
        Refusal(
            "looked_after.csv",
            6,
            "CHILD",
            "empty: a record without the child's id can be neither pseudonymised nor linked",
        ),
    )
    said = _everything_said(result)
    assert "looked_after.csv: line 5, DOB: not a date" in said
    assert PSEUDONYMISER.pseudonym(SECRET_ID) not in set(result.frame["CHILD"])
    assert SECRET_DOB not in said and SECRET_ID not in said


def test_header_dropped_columns_are_named_and_never_written(tmp_path, lookup):
    result = read_ssda903(_csv(tmp_path, "looked_after.csv", HEADER_CSV), PSEUDONYMISER, lookup)
    assert [d.column for d in result.dropped] == ["UPN", "MC_DOB", "MOTHER"]
    assert "second person's date of birth" in dict(result.dropped)["MC_DOB"]
    written = set(result.frame.to_numpy().ravel())
    said = _everything_said(result)
    for value in (UPN, MC_DOB, "2019-11-23", "2019-11-01"):
        assert value not in written and value not in said


def test_header_xlsx_date_cells_serials_and_numeric_ids(tmp_path, lookup):
    result = read_ssda903(_header_xlsx(tmp_path), PSEUDONYMISER, lookup)
    assert result.table == "ssda903_header"
    assert result.unit == "row"
    assert tuple(result.frame.columns) == SSDA903_HEADER.column_names
    assert result.frame["DOB"].tolist() == ["2015-06-01", "2016-03-01", "2014-09-01"]
    assert result.frame["SEX"].tolist() == ["1", "1", "2"]
    assert result.numeric_ids == 2
    assert "2 CHILD id(s) stored by Excel as numbers" in _everything_said(result)
    _assert_accounted(result)


def test_the_same_child_in_a_csv_year_and_an_xlsx_year_has_one_pseudonym(tmp_path, lookup):
    """An id that survives Excel links; one whose zeros Excel dropped does not (CHILD has no
    declared width to restore them to), which the XLSX year's report says."""
    csv_year = read_ssda903(_csv(tmp_path, "a.csv", HEADER_CSV), PSEUDONYMISER, lookup)
    xlsx_year = read_ssda903(_header_xlsx(tmp_path), PSEUDONYMISER, lookup)
    csv_ids = dict(zip(["00123", "12345", "C77"], csv_year.frame["CHILD"], strict=True))
    xlsx_ids = dict(zip([12345, "C77", 123], xlsx_year.frame["CHILD"], strict=True))
    assert csv_ids["12345"] == xlsx_ids[12345]
    assert csv_ids["C77"] == xlsx_ids["C77"]  # " C77 " trimmed in the CSV
    assert csv_ids["00123"] != xlsx_ids[123]


# --- the Episodes table ----------------------------------------------------------------------


def test_episodes_csv_converted_to_the_contract(tmp_path, lookup):
    result = read_ssda903(_csv(tmp_path, "episodes.csv", EPISODES_CSV), PSEUDONYMISER, lookup)
    assert result.table == "ssda903_episodes"
    assert tuple(result.frame.columns) == SSDA903_EPISODES.column_names
    frame = result.frame
    assert frame["DECOM"].tolist() == ["2023-05-01", "2023-06-02"]
    assert frame["DEC"].tolist() == [pd.NA, "2023-06-30"]
    assert frame["HOME_POST"].tolist() == ["E01011295", pd.NA]  # ZZ9 9ZZ: not in the lookup
    assert result.home_lsoa_unknown == 1
    # BD1 1AA is not in the lookup: no placing authority, counted
    assert frame["PL_LA"].isna().all() and result.absent == ()
    assert result.placement_la_unknown == 2
    assert frame["REC"].tolist() == [pd.NA, "E11"]
    assert frame["REASON_PLACE_CHANGE"].tolist() == [pd.NA, "CARPL"]
    assert [d.column for d in result.dropped] == ["PL_POST", "URN"]
    said = _everything_said(result)
    assert "2 placement postcode(s) the postcode lookup cannot place" in said
    assert "1 home postcode(s) not in the postcode lookup" in said
    for value in (PL_POST, URN, "ZZ9 9ZZ", "LS6 2QT", SECRET_DOB, SECRET_ID):
        assert value not in said
        assert value not in set(frame.to_numpy().ravel())
    _assert_accounted(result)


def test_the_placing_authority_is_the_placement_postcodes_and_the_postcode_goes(tmp_path, lookup):
    """PL_LA as DfE derives it: the LA of PL_POST through the lookup's LADCD; a PL_LA an export
    carries is kept; without an LA column in the lookup PL_LA stays empty."""
    placed = EPISODES_CSV.replace(PL_POST, "LS6 2QT")
    result = read_ssda903(_csv(tmp_path, "placed.csv", placed), PSEUDONYMISER, lookup)
    assert result.frame["PL_LA"].tolist() == ["E08000035", "E08000035"]
    assert result.placement_la_unknown == 0 and "LS6 2QT" not in _everything_said(result)
    carried = (
        "CHILD,DECOM,DEC,RNE,LS,CIN,PLACE,PLACE_PROVIDER,REC,REASON_PLACE_CHANGE,"
        "HOME_POST,PL_POST,URN,PL_LA\n"
        f"00123,01/05/2023,,S,C2,N1,U1,PR1,,,ls9 8ab,LS6 2QT,{URN},E08000016\n"
        f"00124,01/05/2023,,S,C2,N1,U1,PR1,,,ls9 8ab,LS6 2QT,{URN},\n"
    )
    result = read_ssda903(_csv(tmp_path, "carried.csv", carried), PSEUDONYMISER, lookup)
    assert result.frame["PL_LA"].tolist() == ["E08000016", "E08000035"]
    no_la = tmp_path / "no_la.csv"
    no_la.write_text("\n".join(line.rsplit(",", 1)[0] for line in LOOKUP_CSV.splitlines()))
    without = PostcodeLookup.from_csv(no_la)
    assert not without.has_la and lookup.has_la
    result = read_ssda903(_csv(tmp_path, "placed2.csv", placed), PSEUDONYMISER, without)
    assert result.frame["PL_LA"].isna().all() and result.placement_la_unknown == 2


def test_episodes_refusals_an_unreadable_dec_and_a_malformed_line(tmp_path, lookup):
    result = read_ssda903(_csv(tmp_path, "episodes.csv", EPISODES_CSV), PSEUDONYMISER, lookup)
    assert result.refused == (
        Refusal("episodes.csv", 4, "DEC", DATE_REFUSED),
        Refusal("episodes.csv", 5, None, "14 fields where the header has 13"),
    )
    assert (result.read, result.written) == (4, 2)


def test_episodes_xlsx_with_pl_la_and_an_unknown_column(tmp_path, lookup):
    path = _xlsx(
        tmp_path,
        "episodes.xlsx",
        [
            [*DFE_EPISODES, "PL_LA", "Worker", "LS6 2QT"],
            [
                *("A1", dt.datetime(2023, 5, 1), "S", "C2", "N1", "U1", "PR1", 45107),
                *("E11", None, "LS6 2QT", PL_POST, URN, " E08000035 ", "x", "y"),
            ],
        ],
    )
    result = read_ssda903(path, PSEUDONYMISER, lookup)
    assert result.frame.loc[0, "DECOM"] == "2023-05-01"
    assert result.frame.loc[0, "DEC"] == "2023-06-30"  # serial 45107
    assert result.frame.loc[0, "HOME_POST"] == "E01011400"
    assert result.frame.loc[0, "PL_LA"] == "E08000035"
    assert result.absent == ()
    assert [d.column for d in result.dropped] == [
        "PL_POST",
        "URN",
        "WORKER",
        "a column whose name is not shaped like a column name",
    ]
    assert "LS6 2QT" not in _everything_said(result)


def test_a_1904_workbook_s_serials_are_shifted_to_the_1900_system(tmp_path, lookup):
    row = ["A1", 43645, "S", "C2", "N1", "U1", "PR1", None, None, None, "LS6 2QT", None, None]
    path = _xlsx(tmp_path, "mac.xlsx", [list(DFE_EPISODES), row], epoch_1904=True)
    result = read_ssda903(path, PSEUDONYMISER, lookup)
    # the 1904 system counts days from 1904-01-01
    assert result.frame.loc[0, "DECOM"] == str(dt.date(1904, 1, 1) + dt.timedelta(days=43645))


# --- the Missing, Reviews, OC2 and OC3 tables ------------------------------------------------

#: the Missing table as CSV, columns shuffled and in lower case: a child still missing (no
#: MIS_END, line 3), an unreadable MIS_END (line 4), an unknown column (Worker)
MISSING_CSV = (
    "mis_start,CHILD,Worker,dob,MISSING,MIS_END\n"
    "03/05/2023,00123,Freya Walker,17/09/2014,M,04/05/2023\n"
    "2023-06-01, C77 ,,03/03/2016,A,\n"
    f"10/07/2023,12345,,30/06/2015,M,{SECRET_DOB}\n"
)


def test_missing_csv_converted_with_a_bad_date_refused_and_an_unknown_column_dropped(
    tmp_path, lookup
):
    result = read_ssda903(_csv(tmp_path, "away.csv", MISSING_CSV), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_missing"
    assert tuple(result.frame.columns) == SSDA903_MISSING.column_names
    frame = result.frame
    assert frame["CHILD"].tolist() == PSEUDONYMISER.series(pd.Series(["00123", "C77"])).tolist()
    assert frame["DOB"].tolist() == ["2014-09-01", "2016-03-01"]
    assert frame["MIS_START"].tolist() == ["2023-05-03", "2023-06-01"]
    assert frame["MIS_END"].tolist() == ["2023-05-04", pd.NA]
    assert frame["MISSING"].tolist() == ["M", "A"]
    assert result.refused == (Refusal("away.csv", 4, "MIS_END", DATE_REFUSED),)
    assert [d.column for d in result.dropped] == ["WORKER"]
    assert "not a column of DfE's SSDA903 Missing table" in result.dropped[0].why
    said = _everything_said(result)
    for value in (SECRET_DOB, "Freya", "Walker", "00123", "12345", "17/09/2014"):
        assert value not in said


def test_reviews_xlsx_date_cells_serials_and_a_bad_date(tmp_path, lookup):
    path = _xlsx(
        tmp_path,
        "reviews.xlsx",
        [
            ["REVIEW_CODE", "CHILD", "DOB", "REVIEW", "Notes"],
            ["PN1", 12345, dt.datetime(2015, 6, 30), dt.datetime(2023, 9, 12), "x"],
            ["PN0 ", "C77", 42432, 45200, None],  # 45200: 2023-10-01
            ["PN4", "C78", "03/03/2016", SECRET_DOB, None],
        ],
    )
    result = read_ssda903(path, PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_reviews" and result.unit == "row"
    assert result.frame["REVIEW"].tolist() == ["2023-09-12", "2023-10-01"]
    assert result.frame["DOB"].tolist() == ["2015-06-01", "2016-03-01"]
    assert result.frame["REVIEW_CODE"].tolist() == ["PN1", "PN0"]
    assert result.numeric_ids == 1
    assert result.refused == (Refusal("reviews.xlsx", 4, "REVIEW", DATE_REFUSED),)
    assert [d.column for d in result.dropped] == ["NOTES"]
    assert SECRET_DOB not in _everything_said(result)


def test_oc2_csv_and_xlsx_give_the_same_rows(tmp_path, lookup):
    columns = DFE_OUTCOMES["OC2"]
    rows = [
        ["A1", "01/02/2012", "17", "", "0", "1", "1", "0", "", "1", "1", "0"],
        ["A2", "01/02/2020", "", "SDQ1", "0", "1", "0", "1", "1", "0", "", ""],
    ]
    text = ",".join(columns) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    from_csv = read_ssda903(_csv(tmp_path, "oc2.csv", text), PSEUDONYMISER, lookup)
    as_cells = [[17 if v == "17" else (int(v) if v in ("0", "1") else v or None) for v in r]
                for r in rows]  # fmt: skip
    from_xlsx = read_ssda903(
        _xlsx(tmp_path, "oc2.xlsx", [list(columns), *as_cells]), PSEUDONYMISER, lookup
    )
    for result in (from_csv, from_xlsx):
        _assert_accounted(result)
        assert result.table == "ssda903_oc2" and result.refused == ()
        assert tuple(result.frame.columns) == SSDA903_OC2.column_names
        assert result.frame["SDQ_SCORE"].tolist() == ["17", pd.NA]
        assert result.frame["SDQ_REASON"].tolist() == [pd.NA, "SDQ1"]
        assert result.frame["DOB"].tolist() == ["2012-02-01", "2020-02-01"]
    pd.testing.assert_frame_equal(from_csv.frame, from_xlsx.frame)


def test_oc3_csv_converted_and_a_bad_birth_date_refused(tmp_path, lookup):
    text = (
        "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,Postcode\n"
        "A1,14/08/2004,YES,F2,U1,LS6 2QT\n"
        f"A2,{SECRET_DOB},NO,0,0,LS9 8AB\n"
    )
    result = read_ssda903(_csv(tmp_path, "leavers.csv", text), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_oc3"
    assert result.frame.iloc[0][["DOB", "IN_TOUCH", "ACTIV", "ACCOM"]].tolist() == [
        "2004-08-01",
        "YES",
        "F2",
        "U1",
    ]
    assert result.refused == (Refusal("leavers.csv", 3, "DOB", DATE_REFUSED),)
    assert [d.column for d in result.dropped] == ["POSTCODE"]
    said = _everything_said(result)
    assert "LS6" not in said and "LS9" not in said and SECRET_DOB not in said


# --- the UASC, AD1, PlacedAdoption, PrevPerm and SW episodes tables ------------------------


def test_only_the_sw_episodes_table_came_later():
    assert SW_EPISODES.since == FinancialYear(2023)
    assert not SW_EPISODES.in_return(FinancialYear(2022))
    assert SW_EPISODES.in_return(FinancialYear(2023)) and SW_EPISODES.in_return(FinancialYear(2025))
    assert all(layout.since is None for layout in LAYOUTS if layout is not SW_EPISODES)


def test_uasc_csv_converted_a_bad_duc_refused(tmp_path, lookup):
    text = (
        "CHILD,SEX,DOB,DUC\n"
        "U1,1,17/09/2006,17/09/2024\n"
        "U2,2,03/03/2008,\n"
        f"U3,1,03/03/2007,{SECRET_DOB}\n"
    )
    result = read_ssda903(_csv(tmp_path, "uasc.csv", text), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_uasc"
    assert tuple(result.frame.columns) == SSDA903_UASC.column_names
    assert result.frame["DOB"].tolist() == ["2006-09-01", "2008-03-01"]
    # DUC on the 18th birthday would give back the day of birth: cut to its month
    assert result.frame["DUC"].tolist() == ["2024-09-01", pd.NA]
    assert result.frame["SEX"].tolist() == ["1", "2"]
    assert result.refused == (Refusal("uasc.csv", 4, "DUC", DATE_REFUSED),)
    assert SECRET_DOB not in _everything_said(result)


def test_ad1_and_placed_adoption_xlsx(tmp_path, lookup):
    ad1 = _xlsx(
        tmp_path,
        "adopted.xlsx",
        [
            list(DFE_OUTCOMES["AD1"]),
            ["A1", dt.datetime(2020, 2, 14), "02/03/2023", 45000, 1, 2, "MF", "L11"],
        ],
    )
    result = read_ssda903(ad1, PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_ad1" and result.refused == ()
    row = result.frame.iloc[0]
    assert row[["DOB", "DATE_INT", "DATE_MATCH"]].tolist() == [
        "2020-02-01",
        "2023-03-02",
        "2023-03-15",  # serial 45000
    ]
    assert row[["FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]].tolist() == [
        "1",
        "2",
        "MF",
        "L11",
    ]
    text = (
        "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED\n"
        "A1,14/02/2020,01/06/2022,03/01/2023,RD2\n"
        "A1,14/02/2020,10/02/2023,,\n"
    )
    result = read_ssda903(_csv(tmp_path, "placed.csv", text), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_placed_adoption"
    assert tuple(result.frame.columns) == SSDA903_PLACED_ADOPTION.column_names
    assert result.frame["DATE_PLACED_CEASED"].tolist() == ["2023-01-03", pd.NA]
    assert result.frame["REASON_PLACED_CEASED"].tolist() == ["RD2", pd.NA]


#: PrevPerm with DfE's partly unknown dates: the day unknown (line 3), day and month (4, lower
#: case), all of it (5), the day known but not the month (6), a month of no calendar (7) and
#: no order (8)
PREV_PERM_CSV = (
    "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM\n"
    "P1,01/01/2012,P2,383,14/05/2019\n"
    "P2,01/01/2012,P1,,ZZ/05/2019\n"
    "P3,01/01/2012,P4,SCO,zz/zz/2019\n"
    "P4,01/01/2012,P1,,ZZ/ZZ/ZZZZ\n"
    "P5,01/01/2012,P2,,14/ZZ/2019\n"
    "P6,01/01/2012,P2,,ZZ/13/2019\n"
    "P7,01/01/2012,Z1,,\n"
)


def test_prev_perm_keeps_the_date_as_precisely_as_dfe_gives_it(tmp_path, lookup):
    result = read_ssda903(_csv(tmp_path, "prev.csv", PREV_PERM_CSV), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_prev_perm"
    assert tuple(result.frame.columns) == SSDA903_PREV_PERM.column_names
    # never a day made up: the month, the year, or nothing
    assert result.frame["DATE_PERM"].tolist() == [
        "2019-05-14",
        "2019-05",
        "2019",
        pd.NA,
        "2019",
        pd.NA,
    ]
    assert result.frame["LA_PERM"].tolist() == ["383", pd.NA, "SCO", pd.NA, pd.NA, pd.NA]
    assert result.refused == (Refusal("prev.csv", 7, "DATE_PERM", PARTIAL_DATE_REFUSED),)
    assert result.partial_dates == 4
    said = _everything_said(result)
    assert "4 date(s) partly unknown" in said and "ZZ/13/2019" not in said


def test_prev_perm_date_cells_and_dfe_text_in_one_workbook(tmp_path, lookup):
    path = _xlsx(
        tmp_path,
        "prev.xlsx",
        [
            list(DFE_OUTCOMES["PrevPerm"]),
            ["P1", dt.datetime(2012, 1, 1), "P2", 383, dt.datetime(2019, 5, 14)],
            ["P2", dt.datetime(2012, 1, 1), "P1", None, "ZZ/05/2019"],
        ],
    )
    result = read_ssda903(path, PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.frame["DATE_PERM"].tolist() == ["2019-05-14", "2019-05"]
    assert result.frame["LA_PERM"].tolist() == ["383", pd.NA]


def test_sw_episodes_pseudonymise_the_worker_apart_from_children(tmp_path, lookup):
    text = (
        "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
        "C1,01/01/2012,SW123456,01/04/2023,20/09/2023,\n"
        "C1,01/01/2012, sw654321 ,20/09/2023,,LEFTRL\n"
        "C2,01/01/2015,SW123456,02/05/2023,,MANAGE\n"
        "C3,01/01/2015,,02/05/2023,,MANAGE\n"
    )
    result = read_ssda903(_csv(tmp_path, "sw.csv", text), PSEUDONYMISER, lookup)
    _assert_accounted(result)
    assert result.table == "ssda903_sw_episodes"
    assert tuple(result.frame.columns) == SSDA903_SW_EPISODES.column_names
    workers = result.frame["SW_ID"].tolist()
    staff = PSEUDONYMISER.series(
        pd.Series(["SW123456", "sw654321", "SW123456"]), namespace=STAFF_NAMESPACE
    )
    assert workers == staff.tolist() and workers[0] == workers[2] != workers[1]
    # the same id as a child's and as a worker's gives two different pseudonyms
    assert PSEUDONYMISER.pseudonym("SW123456") not in workers
    assert result.frame["SW_DEC"].tolist() == ["2023-09-20", pd.NA, pd.NA]
    assert result.frame["SW_REASON"].tolist() == [pd.NA, "LEFTRL", "MANAGE"]
    assert result.refused == (Refusal("sw.csv", 5, "SW_ID", STAFF_ID_REFUSED["missing"]),)
    said = _everything_said(result)
    assert "SW123456" not in said and "sw654321" not in said


# --- tables not recognised -------------------------------------------------------------------


def test_a_header_of_no_known_table_is_refused_without_repeating_it(tmp_path, lookup):
    path = _csv(tmp_path, "mystery.csv", f"Freya Walker,LS6 2QT,{SECRET_DOB}\n1,2,3\n")
    with pytest.raises(IntakeError) as caught:
        read_ssda903(path, PSEUDONYMISER, lookup)
    message = str(caught.value)
    assert isinstance(caught.value, ValueFreeError)
    assert message.startswith("mystery.csv: line 1 is not the header of a known SSDA903 table")
    assert "DfE's Header table (ssda903_header" in message
    assert "DfE's Episodes table (ssda903_episodes" in message
    assert "DfE's Missing table (ssda903_missing" in message
    assert "DfE's OC3 table (ssda903_oc3" in message
    for value in ("Freya", "Walker", "LS6", "2QT", SECRET_DOB):
        assert value.casefold() not in message.casefold()


def test_a_table_recognised_by_its_header_not_by_its_name(tmp_path, lookup):
    """A table of CHILD, SEX, DOB and a column of no DfE table lacks the Header's ETHNIC (and
    the UASC table's DUC): refused, though named as a header."""
    text = "CHILD,SEX,DOB,LEGAL\nA1,1,01/01/2010,\n"
    path = _csv(tmp_path, "ssda903_header_2023-24.csv", text)
    with pytest.raises(IntakeError, match="lacking ETHNIC;"):
        read_ssda903(path, PSEUDONYMISER, lookup)


def test_a_file_with_both_tables_columns_is_refused(tmp_path, lookup):
    columns = sorted(set(DFE_HEADER) | set(DFE_EPISODES))
    path = _csv(tmp_path, "both.csv", ",".join(columns) + "\n")
    with pytest.raises(IntakeError, match="more than one SSDA903 table"):
        read_ssda903(path, PSEUDONYMISER, lookup)


def test_an_empty_table_is_read_as_none_written(tmp_path, lookup):
    result = read_ssda903(
        _csv(tmp_path, "h.csv", ",".join(DFE_HEADER) + "\n"), PSEUDONYMISER, lookup
    )
    assert (result.read, result.written, result.refused) == (0, 0, ())
    assert tuple(result.frame.columns) == SSDA903_HEADER.column_names


def test_the_account_must_add_up():
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in SSDA903_HEADER.column_names})
    with pytest.raises(AssertionError, match="do not add up"):
        IntakeResult("h.csv", "ssda903_header", "line", frame, read=1, written=0, refused=())
