"""Raw tables: CSV in UTF-8 with or without a BOM (anything else refused by line), XLSX's first
sheet with its cells' own types; header names stripped and upper-cased; values kept as text
(CSV) or as cells (XLSX), stripped, empty ones missing; every record numbered by its physical
line or row; blank rows counted; records that do not fit the header set aside as malformed;
no message repeats a value."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.tables import (
    LINE,
    ROW,
    Malformed,
    TableFileError,
    column_key,
    column_label,
    read_table,
)

NAME, POSTCODE = "Freya Walker", "LS6 2QT"


def _csv(folder: Path, text: str, name: str = "t.csv", bom: bool = False) -> Path:
    path = folder / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _xlsx(folder: Path, rows: list[list[object]], name: str = "t.xlsx", **kw) -> Path:
    book = openpyxl.Workbook()
    if kw.get("epoch_1904"):
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for title in kw.get("other_sheets", ()):
        book.create_sheet(title)
    path = folder / name
    book.save(path)
    return path


def test_column_key_and_label():
    assert column_key(" child ", 1) == "CHILD"
    assert column_key("", 3) == "#3"
    assert column_key(None, 4) == "#4"
    assert column_key(12.5, 5) == "#5"
    assert column_label("CHILD") == "CHILD"
    assert column_label("#3") == "the unnamed column at position 3"
    assert POSTCODE not in column_label(POSTCODE.upper())


def test_csv_with_bom_lower_case_header_and_text_values(tmp_path):
    text = (
        " child , Dob ,SEX\r\n"
        "00123, 01/02/2015 ,1\r\n"
        "\r\n"
        ",,\r\n"
        '"A 9","2016-03-04",\r\n'
        '"two\nlines",3,2\r\n'
        "B1,4,2\r\n"
    )
    table = read_table(_csv(tmp_path, text, bom=True))
    assert table.unit == LINE
    assert table.header == ("CHILD", "DOB", "SEX")
    assert table.frame.to_dict("list") == {
        "CHILD": ["00123", "A 9", "two\nlines", "B1"],
        "DOB": ["01/02/2015", "2016-03-04", "3", "4"],
        "SEX": ["1", None, "2", "2"],
    }
    assert table.positions == (2, 5, 6, 8)  # the quoted value spans lines 6 and 7
    assert table.blank_rows == 2
    assert table.records == 4 and table.malformed == ()


def test_csv_without_bom_reads_the_same(tmp_path):
    with_bom = read_table(_csv(tmp_path, "CHILD,SEX\n1,2\n", "a.csv", bom=True))
    without = read_table(_csv(tmp_path, "CHILD,SEX\n1,2\n", "b.csv"))
    assert with_bom.header == without.header
    assert with_bom.frame.equals(without.frame)


def test_csv_record_with_wrong_field_count_or_broken_quoting_is_malformed(tmp_path):
    text = f'CHILD,SEX\nA1,1\n{NAME},{POSTCODE},1\nA2\n"A3,1\n'
    table = read_table(_csv(tmp_path, text))
    assert table.frame["CHILD"].tolist() == ["A1"]
    assert table.malformed[:2] == (
        Malformed(3, "3 fields where the header has 2"),
        Malformed(4, "1 fields where the header has 2"),
    )
    assert table.malformed[2].position == 5
    assert table.records == 4
    for _, problem in table.malformed:
        assert NAME not in problem and POSTCODE not in problem


def test_csv_not_utf8_is_refused_by_line(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes(f"CHILD,SEX\nA1,1\n{NAME}\xe9,1\n".encode("cp1252"))
    with pytest.raises(TableFileError, match=r"cp1252\.csv: line 3 is not UTF-8") as caught:
        read_table(path)
    assert isinstance(caught.value, ValueFreeError)
    assert NAME not in str(caught.value)


@pytest.mark.parametrize("text", ["", "\nCHILD,SEX\n"])
def test_csv_without_header_on_line_1_is_refused(tmp_path, text):
    with pytest.raises(TableFileError, match="line 1 holds no header"):
        read_table(_csv(tmp_path, text))


def test_header_naming_a_column_twice_is_refused_without_its_value(tmp_path):
    with pytest.raises(TableFileError, match="names a column twice: CHILD"):
        read_table(_csv(tmp_path, "child,CHILD \n1,2\n"))
    with pytest.raises(TableFileError, match="not shaped like a column name") as caught:
        read_table(_csv(tmp_path, f"{POSTCODE},{POSTCODE.lower()}\n1,2\n"))
    assert POSTCODE.upper() not in str(caught.value).upper()


def test_xlsx_first_sheet_cells_keep_their_types(tmp_path):
    rows = [
        [" Child", "dob", "SEX", None],
        [123, dt.datetime(2015, 2, 1), 1],
        ["A1 ", 42036, "  "],
        [],
        ["A2", "01/02/2015", None, None],
    ]
    path = _xlsx(tmp_path, rows, other_sheets=("notes",))
    table = read_table(path)
    assert table.unit == ROW
    assert table.header == ("CHILD", "DOB", "SEX")
    assert table.frame.to_dict("list") == {
        "CHILD": [123, "A1", "A2"],
        "DOB": [dt.datetime(2015, 2, 1), 42036, "01/02/2015"],
        "SEX": [1, None, None],
    }
    assert table.positions == (2, 3, 5)
    assert table.blank_rows == 1
    assert table.other_sheets == 1
    assert table.excel_1904 is False


def test_xlsx_value_right_of_the_header_is_malformed(tmp_path):
    table = read_table(_xlsx(tmp_path, [["CHILD", "SEX"], ["A1", 1, None], ["A2", 1, NAME]]))
    assert table.frame["CHILD"].tolist() == ["A1"]
    assert table.malformed == (Malformed(3, "a value right of the header's last column"),)


def test_xlsx_1904_date_system_is_flagged(tmp_path):
    assert read_table(_xlsx(tmp_path, [["CHILD"], ["A1"]], epoch_1904=True)).excel_1904


def test_xlsx_with_an_empty_header_row_is_refused(tmp_path):
    with pytest.raises(TableFileError, match="row 1 holds no header"):
        read_table(_xlsx(tmp_path, [[None, None], ["A1", 1]]))


def test_a_file_that_is_not_a_workbook_is_refused_by_the_error_class(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text(f"{NAME},{POSTCODE}\n")
    with pytest.raises(TableFileError, match=r"fake\.xlsx: cannot be read as an XLSX") as caught:
        read_table(path)
    assert NAME not in str(caught.value)


def test_missing_file_and_other_suffixes_are_refused(tmp_path):
    with pytest.raises(TableFileError, match="no such file"):
        read_table(tmp_path / "absent.csv")
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableFileError, match="neither a CSV nor an XLSX"):
        read_table(path)


def test_xlsx_boolean_cells_are_the_text_excel_shows(tmp_path):
    """Python's True equals 1: kept as a bool, it could be taken for the code 1."""
    table = read_table(_xlsx(tmp_path, [["CHILD", "SEX"], ["A1", 1], ["A2", True], ["A3", False]]))
    assert table.frame["SEX"].tolist() == [1, "TRUE", "FALSE"]


def test_a_workbook_with_a_damaged_sheet_is_refused_by_the_error_class(tmp_path):
    good = _xlsx(tmp_path, [["CHILD"], ["A1"]], name="good.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", f"<row r='2'>{NAME}".encode())
            target.writestr(item, data)
    with pytest.raises(TableFileError, match=r"damaged\.xlsx: cannot be read as an XLSX") as caught:
        read_table(damaged)
    assert NAME not in str(caught.value)
