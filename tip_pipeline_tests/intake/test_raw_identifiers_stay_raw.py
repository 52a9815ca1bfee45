"""A generated year of raw returns (``tip generate --format dfe``: SSDA903 tables and a CIN
census XML with case-system ids, social workers' ids, UPNs, full dates of birth (in every
SSDA903 table that repeats DOB) and postcodes; the youth justice system's offences and
outcomes tables, its history years too, with its children's ids, offence references, Police
National Computer ids, home postcodes and full dates of birth; H-CLIC's Main, People and
Support sections per quarter with case references, every household member's person reference
and full date of birth, and the last settled home's and current postcodes; the cross-reference
of people with each system's ids and the common person ids) run through ``tip run --raw``:
none of those values is found in the log output, the Dagster instance's folder, the
warehouse's files, the contract files intake wrote, or the temporary folder. The raw folder is
the only place they exist (the issue's "pseudonymisation at the edge")."""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from tip_pipeline.cli import main
from tip_pipeline.sources.generator.dfe_services import (
    CROSS_REFERENCE_FILE,
    HCLIC_FILES,
    YJ_OFFENCES_FILE,
    YJ_OUTCOMES_FILE,
)

pytestmark = pytest.mark.integration

YEAR = "2024/25"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _xml_texts(path: Path, tags: set[str]) -> set[str]:
    """The text of every element named in ``tags`` (a trusted, generated file)."""
    return {
        element.text.strip()
        for element in ET.parse(path).iter()
        if element.tag in tags and element.text and element.text.strip()
    }


def _day_month_year(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _columns(tables: list[pd.DataFrame], names: tuple[str, ...]) -> set[str]:
    return {v for t in tables for n in names if n in t for v in t[n] if v}


def _year_month_day(day_first: str) -> str:
    day, month, year = day_first.split("/")
    return f"{year}-{month}-{day}"


def _tables(raw: Path, *names: str) -> list[pd.DataFrame]:
    """Every raw table of those file names, in any year or quarter folder."""
    return [_csv(p) for name in names for p in raw.rglob(name)]


def raw_values(raw: Path) -> dict[str, set[str]]:
    """Every identifying value of the raw returns, by kind: every SSDA903 table's ids (the
    children's and the social workers'), UPNs, postcodes and dates of birth, and the CIN
    census's; the youth justice tables' and H-CLIC sections' person ids, record keys (offence
    and case references), PNC ids, postcodes and dates of birth; the cross-reference's ids."""
    ssda903 = [_csv(p) for p in raw.rglob("903_*.csv")]
    census = list(raw.rglob("cin_census_*.xml"))
    youth_justice = _tables(raw, YJ_OFFENCES_FILE, YJ_OUTCOMES_FILE)
    hclic = _tables(raw, *HCLIC_FILES.values())
    cross_reference = _tables(raw, CROSS_REFERENCE_FILE)
    ids = _columns(ssda903, ("CHILD",)) | {t for p in census for t in _xml_texts(p, {"LAchildID"})}
    ids |= _columns(youth_justice, ("YJ_CHILD_ID",)) | _columns(hclic, ("PERSON_REF",))
    ids |= _columns(cross_reference, ("SOURCE_ID", "PERSON_ID"))
    upns = _columns(ssda903, ("UPN",))
    upns |= {t for p in census for t in _xml_texts(p, {"UPN", "FormerUPN"})}
    postcodes = _columns(ssda903, ("HOME_POST", "PL_POST"))
    postcodes |= _columns(youth_justice, ("HOME_POSTCODE",))
    postcodes |= _columns(hclic, ("SETTLED_HOME_POSTCODE", "CURRENT_POSTCODE"))
    service_births = _columns([*youth_justice, *hclic], ("DOB",))
    iso_births = {t for p in census for t in _xml_texts(p, {"PersonBirthDate"})}
    iso_births |= {_year_month_day(d) for d in service_births}
    births = _columns(ssda903, ("DOB", "MC_DOB")) | {_day_month_year(d) for d in iso_births}
    return {
        "id": ids,
        "record_key": _columns([*youth_justice, *hclic], ("OFFENCE_REF", "CASE_REF")),
        "pnc_id": _columns(youth_justice, ("PNC_ID",)),
        "upn": upns,
        "staff_id": _columns(ssda903, ("SW_ID",)),
        "postcode": postcodes | {v.replace(" ", "") for v in postcodes},
        "birth": births,
        # an ISO date of birth stored would be a full date; the first of a month is the birth
        # month the contract keeps, and a date that is also an event of the returns proves nothing
        "iso_birth": {d for d in iso_births if not d.endswith("-01")},
    }


def _event_dates(data: Path) -> set[str]:
    return {m for p in data.glob("*.csv") for m in ISO_DATE.findall(p.read_text())}


def _files(folder: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


#: a run of letters and digits, a decimal fraction joined to its number (a timestamp
#: ``1796234060.4518764`` in the event log is one number, not an id after a dot)
TOKEN = re.compile(rb"[0-9A-Za-z]+(?:\.[0-9]+)?")


def _found(values: set[str], haystacks: dict[str, bytes], whole_token: bool) -> dict[str, list]:
    """Where each value occurs: anywhere (``whole_token`` False), or as a whole token, not
    inside a longer run of letters and digits (a seven-digit id inside a hexadecimal hash or
    a run id, or in a timestamp's fraction, is a coincidence, not a leak). One pass over each
    haystack."""
    needles = {value.encode() for value in values}
    any_of = re.compile(b"|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    where: dict[str, list] = {}
    for name, text in haystacks.items():
        found = TOKEN.findall(text) if whole_token else any_of.findall(text)
        hits = needles & set(found)
        for hit in hits:
            where.setdefault(hit.decode(), []).append(name)
    return where


def test_raw_identifiers_are_found_nowhere_but_the_raw_folder(tmp_path, capfd, monkeypatch):
    out, home, temporary = (tmp_path / n for n in ("out", "home", "tmp"))
    for folder in (home, temporary):
        folder.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("TIP_FIRST_YEAR", YEAR)
    monkeypatch.setenv("TIP_REPORT_DIR", str(tmp_path / "reports"))
    monkeypatch.delenv("TIP_HOME_LA", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    year = ["--first-year", YEAR, "--last-year", YEAR]
    generate = ["generate", "--out", str(out), "--scale", "small", "--seed", "11", "--quiet"]
    assert main([*generate, *year, "--format", "dfe", "--ssda903", "csv"]) == 0
    support = out / "raw_support"
    monkeypatch.setenv("TIP_PSEUDONYM_KEY_FILE", str(support / "pseudonym.key"))
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(next(support.glob("pcd_*.csv"))))
    url = f"sqlite:///{tmp_path}/warehouse/tip.db"
    # the data folder holds the generated reference files; intake adds the year's contract files
    assert main(["run", "--raw", str(out / "raw"), "--data", str(out), "--warehouse", url]) == 0

    values = raw_values(out / "raw")
    counts = {k: len(v) for k, v in values.items()}
    assert all(n > 20 for k, n in counts.items() if k != "staff_id"), counts
    assert counts["staff_id"] > 5, counts  # a pool of social workers, not one per child
    places = {
        "log output": "".join(capfd.readouterr()).encode(),
        "Dagster instance": _files(home),
        "warehouse": _files(tmp_path / "warehouse"),
        "contract files": b"\n".join(p.read_bytes() for p in out.glob("*.csv")),
        "temporary folder": _files(temporary),
    }
    assert places["warehouse"] and places["contract files"] and places["Dagster instance"]
    leaks = _found(values["id"] | values["record_key"], places, whole_token=True)
    for kind in ("upn", "staff_id", "pnc_id", "postcode", "birth"):
        leaks |= _found(values[kind], places, whole_token=False)
    iso = values["iso_birth"] - _event_dates(out)
    leaks |= _found(iso, places, whole_token=True)
    assert not leaks, f"{len(leaks)} raw values found: {sorted(set(map(str, leaks.values())))}"


def test_the_scan_finds_what_it_looks_for():
    """The scan itself: a value anywhere, an id as a whole token only."""
    haystacks = {"log": b"child 1010754 refused; hash ab1010754cd", "db": b"\x00LS1 0AU\x01"}
    assert _found({"1010754", "1999999"}, haystacks, whole_token=True) == {"1010754": ["log"]}
    assert _found({"LS1 0AU"}, haystacks, whole_token=False) == {"LS1 0AU": ["db"]}
    assert _found({"1010754"}, {"hash": b"ab1010754cd"}, whole_token=True) == {}
    assert _found({"4518764"}, {"events": b'"timestamp": 1796234060.4518764,'}, True) == {}
    assert _found({"4518764"}, {"log": b"child 4518764. refused"}, True) == {"4518764": ["log"]}
