"""An intake run end to end on a hand-made raw folder: contract files written that ingestion
finds, every raw file and refused record accounted for in ops (never a value), one key for the
whole history (a changed key refused before anything is written, unless --rekey), and the
``tip intake`` command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tip_pipeline.cli import main
from tip_pipeline.ingest.discovery import scan
from tip_pipeline.intake.pseudonyms import fingerprint
from tip_pipeline.intake.run import take_in
from tip_pipeline.intake.store import KeyChangedError, check_key
from tip_pipeline.warehouse.engine import make_engine

KEY, OTHER_KEY = b"k" * 32, b"o" * 32
LOOKUP_CSV = (
    "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,MSOA21CD,LADCD\n"
    "LS9 8AB,LS9  8AB,LS9 8AB,198001,,0,E00057001,E01011295,E02002330,E08000035\n"
)
#: line 3's date of birth cannot be read: refused
HEADER_CSV = (
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
    "00123,2,17/09/2014,WBRI,A123456789012,,\n"
    "C77,1,31/31/2015,WBRI,,,\n"
)
EPISODES_CSV = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n00123,01/05/2023,S,C2,N1,U1,PR1,,,,ls98ab,BD1 1AA,SC484848\n"
)
RAW_VALUES = ("00123", "C77", "A123456789012", "17/09/2014", "31/31/2015", "BD1 1AA", "SC484848")


def _key(folder: Path, key: bytes, name: str = "key") -> Path:
    path = folder / name
    path.write_bytes(key)
    path.chmod(0o600)
    return path


@pytest.fixture
def scene(tmp_path, migrated_sqlite_url):
    """A raw folder of one year (two tables and a loose file), a key file, a lookup."""
    raw = tmp_path / "raw"
    (raw / "2023-24").mkdir(parents=True)
    (raw / "2023-24" / "903 header.csv").write_text(HEADER_CSV)
    (raw / "2023-24" / "903 episodes.csv").write_text(EPISODES_CSV)
    (raw / "loose.csv").write_text(HEADER_CSV)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP_CSV)
    engine = make_engine(migrated_sqlite_url)
    yield raw, tmp_path / "data", engine, _key(tmp_path, KEY), lookup
    engine.dispose()


def _ops(engine: sa.Engine, table: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(f"SELECT * FROM ops.{table}", conn)


def test_a_run_writes_contract_files_and_accounts_for_every_file_and_record(scene):
    raw, data, engine, key, lookup = scene
    summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    assert summary.records == (3, 2, 1)
    delivered, unknown = scan(data)
    assert unknown == []
    assert sorted(f.path.name for f in delivered) == [
        "ssda903_episodes_2023-24.csv",
        "ssda903_header_2023-24.csv",
    ]
    log = _ops(engine, "intake_log").set_index("raw_file")
    assert set(log.index) == {"2023-24/903 header.csv", "2023-24/903 episodes.csv", "loose.csv"}
    assert log.loc["loose.csv", ["period", "status"]].tolist() == ["unknown", "refused"]
    assert "folder of its reporting year" in log.loc["loose.csv", "refused_reason"]
    assert log.loc["2023-24/903 header.csv", "status"] == "converted"
    assert set(log["key_fingerprint"]) == {fingerprint(KEY)}
    tables = _ops(engine, "intake_tables").set_index("raw_file")
    header = tables.loc["2023-24/903 header.csv"]
    assert header.table_name == "ssda903_header"
    assert (header.records_read, header.records_written, header.records_refused) == (2, 1, 1)
    assert (tables.records_read == tables.records_written + tables.records_refused).all()
    refusals = _ops(engine, "intake_refusals")
    assert refusals[
        ["raw_file", "table_name", "refusal", "position", "unit", "raw_column"]
    ].to_dict("records") == [
        {
            "raw_file": "2023-24/903 header.csv",
            "table_name": "ssda903_header",
            "refusal": 1,
            "position": 3,
            "unit": "line",
            "raw_column": "DOB",
        }
    ]
    runs = _ops(engine, "runs")
    assert runs["run_id"].tolist() == [summary.run_id] and runs["job"].item() == "tip intake"


def test_no_raw_value_is_written_to_the_contract_files_the_warehouse_or_the_report(scene):
    raw, data, engine, key, lookup = scene
    summary = take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    said = "\n".join(summary.report())
    written = "".join(p.read_text() for p in data.iterdir())
    stored = "".join(
        _ops(engine, t).to_csv()
        for t in ("intake_log", "intake_tables", "intake_refusals", "pseudonym_keys")
    )
    for value in RAW_VALUES:
        assert value not in said and value not in written and value not in stored, value


def test_the_history_keeps_one_key(scene, tmp_path):
    raw, data, engine, key, lookup = scene
    take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    other = _key(tmp_path, OTHER_KEY, "other")
    with pytest.raises(KeyChangedError) as refused:
        take_in(raw, data, engine, key_file=other, lookup_file=lookup)
    message = str(refused.value)
    assert fingerprint(KEY) in message and fingerprint(OTHER_KEY) in message
    assert "--rekey" in message
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before  # nothing rewritten
    take_in(raw, data, engine, key_file=other, lookup_file=lookup, rekey=True)
    keys = _ops(engine, "pseudonym_keys").set_index("fingerprint")
    assert keys.loc[fingerprint(OTHER_KEY), ["current", "rekeyed"]].tolist() == [True, True]
    assert keys.loc[fingerprint(KEY), ["current", "rekeyed"]].tolist() == [False, False]
    assert {p.name: p.read_bytes() for p in data.iterdir()} != before  # new pseudonyms
    take_in(raw, data, engine, key_file=other, lookup_file=lookup)  # the new key is the key now


def test_the_key_check_itself():
    check_key(None, "a", rekey=False)  # the first intake takes any key
    check_key("a", "a", rekey=False)
    check_key("a", "b", rekey=True)
    with pytest.raises(KeyChangedError):
        check_key("a", "b", rekey=False)


def test_tip_intake_command(scene, capsys, monkeypatch):
    raw, data, engine, key, lookup = scene
    monkeypatch.setenv("TIP_PSEUDONYM_KEY_FILE", str(key))
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(lookup))
    url = engine.url.render_as_string(hide_password=False)
    assert main(["intake", "--raw", str(raw), "--out", str(data), "--warehouse", url]) == 0
    out = capsys.readouterr().out
    assert "3 record(s) read, 2 written to 2 contract file(s), 1 refused" in out
    assert "loose.csv: refused" in out
    for value in RAW_VALUES:
        assert value not in out


def test_tip_intake_without_a_key_says_so_in_one_line(scene, capsys, monkeypatch):
    raw, data, engine, _, lookup = scene
    monkeypatch.delenv("TIP_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("TIP_POSTCODE_LOOKUP", str(lookup))
    url = engine.url.render_as_string(hide_password=False)
    assert main(["intake", "--raw", str(raw), "--out", str(data), "--warehouse", url]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tip intake: ") and "TIP_PSEUDONYM_KEY_FILE" in err
    assert "\n" not in err and not data.exists()


def _children(data: Path) -> dict[str, set[str]]:
    """The pseudonyms of each year's SSDA903 header file."""
    return {
        path.stem.rsplit("_", 1)[1]: set(pd.read_csv(path, dtype=str)["CHILD"].dropna())
        for path in data.glob("ssda903_header_*.csv")
    }


def test_rotating_the_key_rebuilds_every_year_with_the_new_key(scene, tmp_path):
    """The documented rotation (docs/INFORMATION_GOVERNANCE.md, "Rotating the key"): every
    year taken in again with --rekey. No pseudonym of the old key is left in any contract file,
    and a child still has one pseudonym across the years, under the new key."""
    raw, data, engine, key, lookup = scene
    (raw / "loose.csv").unlink()
    (raw / "2024-25").mkdir()
    (raw / "2024-25" / "header.csv").write_text(HEADER_CSV.replace("C77,1,31/31/2015", "C78,1,"))
    take_in(raw, data, engine, key_file=key, lookup_file=lookup)
    old = _children(data)
    assert set(old) == {"2023-24", "2024-25"} and old["2023-24"] & old["2024-25"]
    before = {p.name: p.read_text() for p in data.glob("*.csv")}

    take_in(
        raw, data, engine, key_file=_key(tmp_path, OTHER_KEY, "new"), lookup_file=lookup, rekey=True
    )
    new = _children(data)
    assert len(new["2023-24"] & new["2024-25"]) == len(old["2023-24"] & old["2024-25"]) == 1
    written = "\n".join(p.read_text() for p in data.glob("*.csv"))
    assert not any(p in written for year in old.values() for p in year)
    assert {p.name for p in data.glob("*.csv")} == set(before)
