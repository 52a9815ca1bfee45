"""Faults (faults=0.05) and planted identifiers at small scale: every listed fault is really on
its line, every kind appears, the rate is roughly honoured, and planted identifiers are there
(and absent without the flag).

The tests over a generated delivery (the session's small deliveries, every file scanned) are
``integration``; ``test_injected_faults_on_a_hand_made_extract_are_on_their_lines`` checks the
injection itself on a hand-made extract, in the unit tier."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.contracts import ColumnKind
from tip_pipeline.sources.generator import fault_kinds, faults, writer
from tip_pipeline.validate.rules import RULES, Delivery, Rule
from tip_pipeline_tests.sources.generator.measures import read

ALL_KINDS = {k for kinds in fault_kinds.KINDS.values() for k in kinds}
#: fault kinds a validation rule declares with itself -> that rule
DECLARED = {rule.fault.kind: rule for rule in RULES if rule.fault}


def _lines(out: Path, name: str) -> list[str]:
    return (out / name).read_text(encoding="utf-8").split("\n")[:-1]


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]))


def _well_formed(out: Path, name: str) -> pd.DataFrame:
    """The file's rows, skipping malformed lines (a stray quote would derail read_csv)."""
    lines = _lines(out, name)
    header = lines[0].split(",")
    rows = [_fields(line) for line in lines[1:] if line.count('"') % 2 == 0]
    return pd.DataFrame([r for r in rows if len(r) == len(header)], columns=header)


def _is_iso(text: str) -> bool:
    try:
        pd.to_datetime(text, format="%Y-%m-%d")
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _age(dob: str, day: str) -> int:
    b, d = pd.Timestamp(dob), pd.Timestamp(day)
    return d.year - b.year - (d.month < b.month)


def _caught_by(rule: Rule, row: dict[str, str], period: FinancialYear | None) -> bool:
    """The rule's own check on the one line, as staged (an empty field is missing)."""
    frame = pd.DataFrame([{k: v or None for k, v in row.items()}], dtype="string")
    delivery = Delivery(period=period, raw={rule.table: frame})
    return bool(rule.breaks(delivery, delivery.typed(rule.table)).iloc[0])


def _check(out: Path, fault: dict, lines: list[str]) -> bool:
    extract = contracts.EXTRACTS[fault["table"]]
    header = lines[0].split(",")
    line = lines[fault["line"] - 1]
    kind, column = fault["kind"], fault["column"]
    if kind == "malformed_line":
        return line.count('"') % 2 == 1 or len(_fields(line)) != len(header)
    row = dict(zip(header, _fields(line), strict=True))
    prev = dict(zip(header, _fields(lines[fault["line"] - 2]), strict=False))
    value = row.get(column, "")
    period = contracts.parse_file_name(fault["file"]).period
    if kind == "invalid_code":
        allowed = set(extract.column(column).allowed(period))
        return any(v not in allowed for v in value.split(","))
    if kind == "malformed_date":
        return not _is_iso(value)
    if kind == "future_date":
        return _is_iso(value) and value > "2026-03-31"
    if kind == "end_before_start":
        return value < row[fault_kinds.START_OF[column]]
    if kind == "missing_required":
        return value == "" and extract.column(column).required
    if kind == "unknown_lsoa":
        lookup = set(read(out, "ref_lsoa_lookup_2024.csv")["LSOA21CD"])
        return re.fullmatch(r"E01\d{6}", value) is not None and value not in lookup
    if kind == "duplicate_row":
        return line == lines[fault["line"] - 2]
    if kind == "duplicate_key":
        same_key = all(row[k] == prev[k] for k in extract.key)
        return same_key and line != lines[fault["line"] - 2]
    if kind in DECLARED:
        return _caught_by(DECLARED[kind], row, period)
    if kind == "overlapping_episode":
        return prev["CHILD"] == row["CHILD"] and row["DECOM"] < prev["DEC"]
    if kind == "rec_without_dec":
        return row["REC"] != "" and row["DEC"] == ""
    if kind == "age_out_of_range":
        return value.endswith("-01") and not 10 <= _age(value, row["OFFENCE_DATE"]) <= 17
    if kind == "dob_after_event":
        if not value.endswith("-01"):
            return False
        if fault["table"] == "hclic_children":
            main = _well_formed(out, fault["file"].replace("hclic_children", "hclic_main"))
            return value > main.set_index("CASE_ID").at[row["CASE_ID"], "APPLICATION_DATE"]
        episodes, id_col, start = {
            "cin_children": ("cin_episodes", "LAchildID", "CINreferralDate"),
            "ssda903_header": ("ssda903_episodes", "CHILD", "DECOM"),
        }[fault["table"]]
        eps = _well_formed(out, fault["file"].replace(fault["table"], episodes))
        return value > eps.loc[eps[id_col] == row[id_col], start].min()
    if kind == "orphan_row":
        parent_table, cols = extract.parent
        parent = _well_formed(out, fault["file"].replace(fault["table"], parent_table))
        return not ((parent[list(cols)] == [row[c] for c in cols]).all(axis=1)).any()
    raise AssertionError(f"unknown kind {kind}")


@pytest.mark.integration
def test_listed_faults_are_on_their_lines(small_faulty) -> None:
    out, manifest = small_faulty
    assert manifest["faults"]
    cache: dict[str, list[str]] = {}
    wrong = []
    for fault in manifest["faults"]:
        lines = cache.setdefault(fault["file"], _lines(out, fault["file"]))
        if not _check(out, fault, lines):
            wrong.append(fault)
    assert not wrong, wrong[:5]


@pytest.mark.integration
def test_every_kind_appears_and_rate_is_roughly_honoured(small_faulty) -> None:
    _out, manifest = small_faulty
    kinds = Counter(f["kind"] for f in manifest["faults"])
    assert set(kinds) == ALL_KINDS
    service_rows = sum(f["rows"] for f in manifest["files"] if f["source"] != "ref")
    assert 0.035 < len(manifest["faults"]) / service_rows < 0.065
    assert all(
        f["table"] == contracts.parse_file_name(f["file"]).extract.table for f in manifest["faults"]
    )
    assert not any(f["file"].startswith("ref_") for f in manifest["faults"])
    assert len({(f["file"], f["line"]) for f in manifest["faults"]}) == len(manifest["faults"])


@pytest.mark.integration
def test_unlisted_lines_are_well_formed(small_faulty) -> None:
    out, manifest = small_faulty
    listed = {(f["file"], f["line"]) for f in manifest["faults"]}
    for f in manifest["files"]:
        lines = _lines(out, f["path"])
        width = len(lines[0].split(","))
        for n, line in enumerate(lines[1:], start=2):
            if (f["path"], n) in listed:
                continue
            assert line.count('"') % 2 == 0 and len(_fields(line)) == width, (f["path"], n)


#: a hand-made youth-justice year: every fault kind of its extract needs only its own file
#: and the LSOA lookup (no parent file, no first events)
HAND_MADE_PERIOD = FinancialYear(2023)
HAND_MADE_LSOAS = ("E01011264", "E01011265")
#: kinds that add a line (a copy, or a broken line at the end) rather than edit a row
INSERTED_KINDS = {"duplicate_row", "duplicate_key", "malformed_line", "orphan_row"}


def _hand_made_offences(n: int) -> pd.DataFrame:
    """``n`` valid yjs_offences rows, codes cycling through each column's code list."""
    extract = contracts.EXTRACTS["yjs_offences"]

    def codes(column: str) -> list[str]:
        allowed = extract.column(column).allowed(HAND_MADE_PERIOD)
        return [allowed[i % len(allowed)] for i in range(n)]

    return pd.DataFrame(
        {
            "YJ_ID": [f"yj{i:03d}" for i in range(n)],
            "OFFENCE_ID": [f"off{i:03d}" for i in range(n)],
            "OFFENCE_DATE": [f"2023-{4 + i % 9:02d}-{1 + i % 28:02d}" for i in range(n)],
            "OFFENCE_TYPE": codes("OFFENCE_TYPE"),
            "GRAVITY": codes("GRAVITY"),
            "DOB": [f"{2006 + i % 4}-{1 + i % 12:02d}-01" for i in range(n)],
            "SEX": codes("SEX"),
            "ETHNICITY": codes("ETHNICITY"),
            "HOME_LSOA": [HAND_MADE_LSOAS[i % 2] for i in range(n)],
        },
        columns=list(extract.column_names),
    )


def test_injected_faults_on_a_hand_made_extract_are_on_their_lines(tmp_path: Path) -> None:
    """faults.inject on 40 hand-made rows at a 30% rate: every kind of the extract is injected
    on each of its columns, each listed fault is really on its line (the same ``_check`` as the
    integration test over a generated delivery), and every unlisted line is the hand-made row
    unchanged."""
    extract = contracts.EXTRACTS["yjs_offences"]
    df = _hand_made_offences(40)
    ctx = faults.Context(
        last_end=pd.Timestamp("2024-03-31"),
        first_event={},
        fresh_id=lambda column: f"absent_{column}",
        unknown_lsoa=lambda: "E01099999",
    )
    result = faults.inject(df, extract, HAND_MADE_PERIOD, 0.3, ctx, np.random.default_rng(5))
    pd.DataFrame({"LSOA21CD": HAND_MADE_LSOAS}).to_csv(
        tmp_path / "ref_lsoa_lookup_2024.csv", index=False
    )
    name = extract.file_names(HAND_MADE_PERIOD)[0]
    writer.write_lines(tmp_path / name, list(df.columns), result.lines)

    listed = [
        {**f, "line": f["line"] + 1, "file": name, "table": extract.table} for f in result.faults
    ]
    kinds = fault_kinds.KINDS[extract.table]
    plan = {(kind, column) for kind, columns in kinds.items() for column in columns or (None,)}
    assert {(f["kind"], f["column"]) for f in listed} == plan  # every kind on every column
    lines = _lines(tmp_path, name)
    assert [f for f in listed if not _check(tmp_path, f, lines)] == []
    faulty = {f["line"] for f in listed}
    unlisted = [line for n, line in enumerate(lines[1:], start=2) if n not in faulty]
    clean = df.to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    edited = sum(f["kind"] not in INSERTED_KINDS for f in listed)
    assert len(unlisted) == len(df) - edited
    assert unlisted == [row for row in clean if row in set(unlisted)]  # unchanged, in order


@pytest.mark.integration
def test_reference_files_identical_with_and_without_faults(small, small_faulty) -> None:
    clean = {f["path"]: f["sha256"] for f in small[1]["files"] if f["source"] == "ref"}
    faulty = {f["path"]: f["sha256"] for f in small_faulty[1]["files"] if f["source"] == "ref"}
    assert clean == faulty


def _nhs_valid(text: str) -> bool:
    if not re.fullmatch(r"\d{10}", text):
        return False
    total = sum(int(d) * w for d, w in zip(text[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return (0 if check == 11 else check) == int(text[9]) and check != 10


def _spaced_nhs(text: str) -> bool:
    return re.fullmatch(r"\d{3} \d{3} \d{4}", text) is not None and _nhs_valid(
        text.replace(" ", "")
    )


#: independent detectors of each planted kind, as the share of a column's values they match
DETECTORS = {
    "postcode": lambda s: s.str.fullmatch(r"[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}").mean(),
    "postcode_compact": lambda s: s.str.fullmatch(r"[a-z]{1,2}\d{1,2}[a-z]?\d[a-z]{2}").mean(),
    "nhs_number": lambda s: s.map(_nhs_valid).mean(),
    "nhs_number_spaced": lambda s: s.map(_spaced_nhs).mean(),
    "phone_number": lambda s: s.str.fullmatch(r"0113 496 0\d{3}|07700 900\d{3}").mean(),
    "email": lambda s: s.str.fullmatch(r"[a-z.]+\d+@example\.org").mean(),
    "full_dob": lambda s: (s.str.match(r"^\d{4}-\d{2}-\d{2}$") & ~s.str.endswith("-01")).mean(),
    "full_dob_day_first": lambda s: (
        s.str.fullmatch(r"\d{2}/\d{2}/\d{4}") & ~s.str.startswith("01/")
    ).mean(),
    "name": lambda s: s.str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").mean(),
    "name_in_codes": lambda s: s.str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").mean(),
    "free_text": lambda s: (s.str.count(" ") >= 4).mean(),
}
#: kinds the guard refuses from one value: planted in a single row
SINGLE = {"postcode_compact", "nhs_number_spaced"}


@pytest.mark.integration
def test_planted_identifiers_present_and_listed(small_planted) -> None:
    out, manifest = small_planted
    listed = {i["kind"]: i for i in manifest["identifiers"]}
    assert set(listed) == {*DETECTORS, "unexpected_column"}
    assert len({i["file"] for i in manifest["identifiers"]}) == len(listed)
    for kind, item in listed.items():
        df = read(out, item["file"])
        extract = contracts.parse_file_name(item["file"]).extract
        if kind == "unexpected_column":
            assert item["column"] in df.columns and item["column"] not in extract.column_names
            continue
        if kind in SINGLE:
            assert DETECTORS[kind](df[item["column"]]) * len(df) == 1, kind
            continue
        assert DETECTORS[kind](df[item["column"]]) > 0.5, kind


@pytest.mark.integration
def test_no_identifiers_without_the_flag(small) -> None:
    out, manifest = small
    assert manifest["identifiers"] == []
    for f in manifest["files"]:
        if f["source"] == "ref":
            continue
        df = read(out, f["path"])
        if df.empty:  # a table a year's return predates (SW episodes before 2023/24)
            continue
        extract = contracts.EXTRACTS[f["table"]]
        for column in df.columns:
            for kind, detect in DETECTORS.items():
                if kind == "nhs_number":
                    continue  # hex pseudonyms may pass a check digit by chance
                if kind == "full_dob" and extract.column(column).kind is not ColumnKind.BIRTH_MONTH:
                    continue
                share = detect(df[column].astype(str))
                assert share == 0 if kind in SINGLE else share < 0.05, (f["path"], column, kind)
