"""Keyed pseudonyms: the key file is refused unless set, present, private and long enough, and
never quoted; one child written three ways gets one pseudonym, of the declared form."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.pseudonyms import (
    CHILD_NAMESPACE,
    STAFF_NAMESPACE,
    KeyFileError,
    Pseudonymiser,
    fingerprint,
    load_key,
    normalise_id,
)
from tip_pipeline.sources.contracts import PSEUDONYM_FORMAT

KEY = b"k3y-of-the-test-" * 2 + b"!"  # 33 bytes, a marker no message may repeat
OTHER_KEY = bytes(range(32))


def _key_file(folder: Path, content: bytes, mode: int = 0o600) -> Path:
    path = folder / "pseudonym.key"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def _refusal(path: Path | str | None) -> str:
    with pytest.raises(KeyFileError) as refused:
        load_key(path)
    message = str(refused.value)
    assert KEY.decode() not in message and KEY[:16].decode() not in message
    return message


def test_key_file_error_is_value_free():
    assert issubclass(KeyFileError, ValueFreeError)


def test_no_setting_and_no_path_is_refused(monkeypatch):
    monkeypatch.delenv("TIP_PSEUDONYM_KEY_FILE", raising=False)
    message = _refusal(None)
    assert "TIP_PSEUDONYM_KEY_FILE is not set" in message
    assert "no default key" in message


def test_an_empty_path_is_refused_as_no_setting():
    assert "is not set" in _refusal("")


def test_the_setting_names_the_file(monkeypatch, tmp_path):
    path = _key_file(tmp_path, KEY + b"\n")
    monkeypatch.setenv("TIP_PSEUDONYM_KEY_FILE", str(path))
    assert load_key() == KEY


def test_a_missing_file_is_refused_naming_setting_and_path(tmp_path):
    missing = tmp_path / "nowhere.key"
    message = _refusal(missing)
    assert "TIP_PSEUDONYM_KEY_FILE" in message
    assert str(missing) in message
    assert "no such file" in message


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    assert "not a regular file" in _refusal(folder)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o660], ids=oct)
def test_a_key_file_others_may_read_or_write_is_refused(tmp_path, mode):
    path = _key_file(tmp_path, KEY, mode)
    message = _refusal(path)
    assert f"chmod 600 {path}" in message
    assert f"mode {mode:04o}" in message
    assert "TIP_PSEUDONYM_KEY_FILE" in message


@pytest.mark.parametrize("mode", [0o600, 0o400], ids=oct)
def test_a_private_key_file_is_read_as_raw_bytes(tmp_path, mode):
    raw = bytes(range(256))[:40]  # not text: used as it is, never decoded
    assert load_key(_key_file(tmp_path, raw, mode)) == raw


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (KEY + b"\n", KEY),
        (KEY + b"\r\n", KEY),
        (KEY + b"\n\n", KEY + b"\n"),  # one newline only
        (KEY, KEY),
        (b" " + KEY + b" ", b" " + KEY + b" "),  # spaces are key bytes
    ],
)
def test_one_trailing_newline_is_stripped(tmp_path, content, key):
    assert load_key(_key_file(tmp_path, content)) == key


@pytest.mark.parametrize("content", [b"", b"\n", KEY[:31], KEY[:31] + b"\n"])
def test_a_key_shorter_than_32_bytes_is_refused(tmp_path, content):
    path = _key_file(tmp_path, content)
    message = _refusal(path)
    assert "shorter than 32 bytes" in message
    assert str(path) in message
    if content.strip():
        assert content.strip().decode() not in message


def test_exactly_32_bytes_is_accepted(tmp_path):
    assert load_key(_key_file(tmp_path, KEY[:32] + b"\n")) == KEY[:32]


def test_a_short_key_is_refused_by_the_pseudonymiser_too():
    with pytest.raises(KeyFileError, match="shorter than 32 bytes"):
        Pseudonymiser(KEY[:16])


def test_fingerprint_is_stable_short_and_not_the_key():
    first = fingerprint(KEY)
    assert first == fingerprint(KEY)
    expected = hmac.new(KEY, b"tip_pipeline key fingerprint", hashlib.sha256).hexdigest()
    assert first == expected[:16]
    assert len(first) == 16 and int(first, 16) >= 0
    assert first not in KEY.hex() and KEY.hex()[:16] != first
    assert fingerprint(OTHER_KEY) != first
    assert Pseudonymiser(KEY).fingerprint == first


def test_the_pseudonymiser_never_shows_its_key():
    shown = repr(Pseudonymiser(KEY))
    assert KEY.decode() not in shown and KEY.hex() not in shown
    assert fingerprint(KEY) in shown


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        ("00123", 5, "00123"),
        ("123", 5, "00123"),
        (" 00123 ", 5, "00123"),
        ("123", None, "123"),
        ("123456", 5, "123456"),  # longer than the width: as it is
        ("AB123", 7, "ab123"),  # not all digits: no zeros added
        (" Ab12C\t", None, "ab12c"),
        ("STRASSE", None, "strasse"),
        ("Straße", None, "strasse"),  # case-folded, not just lower-cased
        ("", 5, None),
        ("   ", None, None),
        ("١٢٣", 5, "١٢٣"),  # Arabic-Indic digits are not the ASCII digits Excel drops
    ],
)
def test_normalise_id(value, width, expected):
    assert normalise_id(value, width) == expected


def test_one_child_written_three_ways_gets_one_pseudonym():
    pseudonymiser = Pseudonymiser(KEY)
    written = {pseudonymiser.pseudonym(v, width=5) for v in ("00123", "123", " 00123 ")}
    assert len(written) == 1
    (one,) = written
    expected = hmac.new(KEY, b"00123", hashlib.sha256).hexdigest()
    assert one == expected


def test_a_pseudonym_has_the_declared_form():
    pseudonym = Pseudonymiser(KEY).pseudonym("LA-000042")
    assert pseudonym is not None
    assert PSEUDONYM_FORMAT.fullmatch(pseudonym)
    assert len(pseudonym) == 64 and pseudonym == pseudonym.lower()


def test_an_empty_id_has_no_pseudonym():
    assert Pseudonymiser(KEY).pseudonym("  ") is None


def test_different_keys_give_different_pseudonyms():
    assert Pseudonymiser(KEY).pseudonym("00123") != Pseudonymiser(OTHER_KEY).pseudonym("00123")


def test_different_ids_give_different_pseudonyms():
    pseudonymiser = Pseudonymiser(KEY)
    assert pseudonymiser.pseudonym("00123") != pseudonymiser.pseudonym("00124")


def test_series_matches_one_by_one_and_keeps_missing_missing():
    pseudonymiser = Pseudonymiser(KEY)
    values = pd.Series(
        ["00123", None, "123", " 00123 ", "", np.nan, "A7", "a7 "],
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )
    result = pseudonymiser.series(values, width=5)
    assert result.dtype == "string"
    assert list(result.index) == [10, 11, 12, 13, 14, 15, 16, 17]
    same = pseudonymiser.pseudonym("00123")
    assert list(result.loc[[10, 12, 13]]) == [same] * 3
    assert result.loc[[11, 14, 15]].isna().all()
    assert result.loc[16] == result.loc[17] == pseudonymiser.pseudonym("a7")
    assert result.dropna().str.fullmatch(PSEUDONYM_FORMAT.pattern).all()


def test_series_reads_numbers_as_excel_gives_them():
    pseudonymiser = Pseudonymiser(KEY)
    values = pd.Series([123, 123.0, np.int64(123), "00123", float("nan")], dtype=object)
    result = pseudonymiser.series(values, width=5)
    assert result.iloc[:4].nunique() == 1
    assert result.iloc[0] == pseudonymiser.pseudonym("00123")
    assert pd.isna(result.iloc[4])


def test_series_of_a_float_column_with_gaps():
    result = Pseudonymiser(KEY).series(pd.Series([123.0, np.nan, 45.0]), width=5)
    assert result.iloc[0] == Pseudonymiser(KEY).pseudonym("00123")
    assert pd.isna(result.iloc[1])


@pytest.mark.parametrize("value", [1.5, True, b"00123"])
def test_series_refuses_other_types_naming_the_type_only(value):
    with pytest.raises(TypeError) as refused:
        Pseudonymiser(KEY).series(pd.Series([value], dtype=object))
    assert str(value) not in str(refused.value)
    assert type(value).__name__ in str(refused.value)


def test_series_of_nothing():
    result = Pseudonymiser(KEY).series(pd.Series([], dtype="string"))
    assert result.empty and result.dtype == "string"


def test_series_hashes_each_distinct_id_once(monkeypatch):
    pseudonymiser = Pseudonymiser(KEY)
    calls: list[str] = []
    digest = pseudonymiser._digest

    def counted(normalised: str, namespace: bytes = CHILD_NAMESPACE) -> str:
        calls.append(normalised)
        return digest(normalised, namespace)

    monkeypatch.setattr(pseudonymiser, "_digest", counted)
    values = pd.Series(["00123", "123", "9"] * 10_000, dtype="string")
    result = pseudonymiser.series(values, width=5)
    assert sorted(calls) == ["00009", "00123"]
    assert result.nunique() == 2 and len(result) == 30_000


def test_a_staff_id_never_gets_a_child_s_pseudonym():
    """The staff namespace begins with 0xFF, never a byte of UTF-8 text: no child id's HMAC
    message equals a staff id's, so the same text gives two pseudonyms, each stable."""
    pseudonymiser = Pseudonymiser(KEY)
    ids = pd.Series(["SW123456", "XX000001", "00123"], dtype="string")
    children = pseudonymiser.series(ids)
    staff = pseudonymiser.series(ids, namespace=STAFF_NAMESPACE)
    assert set(children).isdisjoint(staff)
    assert staff.tolist() == pseudonymiser.series(ids, namespace=STAFF_NAMESPACE).tolist()
    assert staff[0] == pseudonymiser.pseudonym(" sw123456 ", namespace=STAFF_NAMESPACE)
    assert STAFF_NAMESPACE[:1] == b"\xff" and CHILD_NAMESPACE == b""
    with pytest.raises(UnicodeDecodeError):
        STAFF_NAMESPACE.decode("utf-8")
    # the children's pseudonyms are those of every year before: HMAC of the id alone
    expected = hmac.new(KEY, b"00123", hashlib.sha256).hexdigest()
    assert children[2] == expected
