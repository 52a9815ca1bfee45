"""Keyed pseudonyms: a child's id in the raw returns becomes HMAC-SHA256(key, normalised id).

Why a keyed hash (HMAC, RFC 2104, with SHA-256) and not a plain hash: the ids of the returns
(CHILD, LAchildID, UPN) are short and guessable, so anyone could hash every candidate and
reverse a plain SHA-256. Without the key that is not possible; with it, the same child gets
the same pseudonym in every return and every year, which is what links the records.

Staff ids (SSDA903's SW_ID, a social worker's id) are pseudonymised with the same key in a
namespace of their own (:data:`STAFF_NAMESPACE`): the HMAC's message is the namespace's bytes and
then the normalised id, and the namespace begins with the byte 0xFF, which no UTF-8 text holds,
so no staff id's message can equal any child id's, and a staff pseudonym never equals a child's
(unless HMAC-SHA256 collides). Children's ids have the empty namespace: their pseudonyms are
those of every year before.

**Each service's ids in a namespace of its own.** Children's social care (the CIN census and
SSDA903, numbered by one case-management system), youth justice and housing number people and
records independently, so the same number in two systems is no evidence of the same person:
each system's person ids are hashed in its own namespace (:class:`System`; social care keeps the
empty one) and its record keys (case ids, offence ids) in another. Only the authority's
cross-reference links them (docs/DOMAIN.md, "Linking people across services"): an id it lists
is replaced by its common person id before hashing, in :data:`PERSON_NAMESPACE`, so the same
person gets one pseudonym in every service that lists them.

This is pseudonymisation, not anonymisation: whoever holds the key can re-identify, so the
key is a secret of the pipeline's account and the restricted layer stays personal data
(docs/CONVENTIONS.md, "Raw returns (intake)"). There is no default key: a default would be a
published key, and pseudonyms made with it would be reversible by anyone.

No message of this module carries a raw id or a byte of the key.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import numbers
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tip_pipeline import config
from tip_pipeline.errors import ValueFreeError

#: The shortest key accepted: 32 bytes, the output size of SHA-256. RFC 2104 (section 3)
#: advises against keys shorter than the hash's output, which would weaken the MAC.
MIN_KEY_BYTES = 32

#: What the fingerprint is the MAC of: a fixed label, so the fingerprint says which key made a
#: year's pseudonyms without being the pseudonym of any id.
FINGERPRINT_LABEL = b"tip_pipeline key fingerprint"

#: the namespace of children's ids: nothing before the id (the pseudonyms of every year so far)
CHILD_NAMESPACE = b""
#: the namespace of staff ids (social workers): 0xFF is never a byte of UTF-8 text, so these
#: messages never equal a child's
STAFF_NAMESPACE = b"\xfftip_pipeline staff id\x00"

#: the namespace of a common person id of the authority's cross-reference (a master person
#: index): the pseudonym of a person listed there, whichever service's record it is in
PERSON_NAMESPACE = b"\xfftip_pipeline common person id\x00"

_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class System:
    """A source system of the authority whose ids intake hashes: its name in the
    cross-reference's source-system column, the namespace of its people's ids (those the
    cross-reference does not list) and the namespace of its record keys."""

    name: str
    people: bytes
    records: bytes
    title: str


SOCIAL_CARE = System(
    "social_care",
    CHILD_NAMESPACE,
    b"\xfftip_pipeline social care record\x00",
    "children's social care (CIN census, SSDA903)",
)
YOUTH_JUSTICE = System(
    "youth_justice",
    b"\xfftip_pipeline youth justice person\x00",
    b"\xfftip_pipeline youth justice record\x00",
    "youth justice",
)
HOUSING = System(
    "housing",
    b"\xfftip_pipeline housing person\x00",
    b"\xfftip_pipeline housing record\x00",
    "housing (H-CLIC)",
)
SYSTEMS: dict[str, System] = {s.name: s for s in (SOCIAL_CARE, YOUTH_JUSTICE, HOUSING)}
#: the system of each contract source (``Extract.source``) with person ids
SYSTEM_OF_SOURCE: dict[str, System] = {
    "cin": SOCIAL_CARE,
    "ssda903": SOCIAL_CARE,
    "yjs": YOUTH_JUSTICE,
    "hclic": HOUSING,
}


class KeyFileError(ValueFreeError):
    """The pseudonym key file is not set, missing, readable by others or too short. The message
    names the setting and the path, never the key."""


def _setting_name() -> str:
    return config.PSEUDONYM_KEY_FILE.name


def _key_path(path: Path | str | None) -> Path:
    """``path``, or the file named by the setting when ``path`` is None; neither may be empty."""
    return config.PSEUDONYM_KEY_FILE.path(
        path,
        lambda unset: KeyFileError(
            f"{unset}: intake needs the path of a secret key file (there is no default key)"
        ),
    )


def _check_mode(path: Path, mode: int) -> None:
    """Refuse a file that its group or others may read or write: the key is what keeps the
    pseudonyms from being reversed, so only the pipeline's account may read it."""
    if not stat.S_ISREG(mode):
        raise KeyFileError(f"{_setting_name()}: {path} is not a regular file")
    if mode & 0o077:
        raise KeyFileError(
            f"{_setting_name()}: {path} may be read or written by its group or others "
            f"(mode {stat.S_IMODE(mode):04o}); restrict it to its owner with `chmod 600 {path}`"
        )


def _strip_newline(content: bytes) -> bytes:
    """The content without one trailing newline (``\\n`` or ``\\r\\n``), which an editor or
    ``echo`` adds to a file written by hand."""
    if content.endswith(b"\r\n"):
        return content[:-2]
    if content.endswith(b"\n"):
        return content[:-1]
    return content


def check_key(key: bytes, where: str) -> bytes:
    """``key`` if it is long enough (:data:`MIN_KEY_BYTES`), else a :class:`KeyFileError` that
    names ``where`` the key came from (never the key, nor its length)."""
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(f"{where}: the key is shorter than {MIN_KEY_BYTES} bytes")
    return key


def load_key(path: Path | str | None = None) -> bytes:
    """The pseudonym key: the raw bytes of the file at ``path`` (by default the file named by
    ``TIP_PSEUDONYM_KEY_FILE``), without one trailing newline.

    Refused with a :class:`KeyFileError` when the setting is empty, the file is missing or not
    a regular file, its group or others may read or write it (``mode & 0o077``), or the key is
    shorter than :data:`MIN_KEY_BYTES`. The bytes are used as they are (not decoded), so a key
    made with ``head -c 32 /dev/urandom`` works as well as a text one.
    """
    key_path = _key_path(path)
    where = f"{_setting_name()} ({key_path})"
    try:
        mode = key_path.stat().st_mode
    except FileNotFoundError:
        raise KeyFileError(f"{where}: no such file (there is no default key)") from None
    except OSError as error:
        raise KeyFileError(f"{where}: cannot be read ({type(error).__name__})") from None
    _check_mode(key_path, mode)
    try:
        content = key_path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"{where}: cannot be read ({type(error).__name__})") from None
    return check_key(_strip_newline(content), where)


def fingerprint(key: bytes) -> str:
    """A fingerprint of ``key`` that may be stored (in ``ops``) and shown: the first 16 hex
    digits of HMAC-SHA256(key, :data:`FINGERPRINT_LABEL`). It tells whether two years were
    pseudonymised with the same key (if not, their pseudonyms do not link) without revealing
    the key: HMAC is not reversible (RFC 2104)."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def normalise_id(value: str, width: int | None = None) -> str | None:
    """The id as it is hashed: trimmed, case-folded, None when empty; when ``width`` is given,
    an all-digit id shorter than it gets its leading zeros back (``str.zfill``).

    Why: the same child must get the same pseudonym whichever way a year was delivered. Excel
    reads a numeric-looking id such as ``00123`` as the number 123 and drops its leading zeros,
    so a year saved as XLSX (or as CSV from Excel) writes ``123`` where a CSV export of the
    case-management system writes ``00123``; ids typed by hand differ in case and in spaces
    around them. ``width`` is the id's declared width in the return's specification.
    """
    text = value.strip().casefold()
    if not text:
        return None
    if width is not None and len(text) < width and _DIGITS.fullmatch(text):
        return text.zfill(width)
    return text


def _id_text(value: object) -> str:
    """An id cell as text. openpyxl gives a numeric-looking XLSX cell as an int, and pandas a
    column of them with a gap as floats (123.0); both are the digits of the integer."""
    if isinstance(value, str):
        return value
    whole = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool | np.bool_)
        and math.isfinite(value)
        and float(value).is_integer()
    )
    if whole:
        return str(int(value))
    raise TypeError(f"an id must be text or a whole number, not {type(value).__name__}")


class Pseudonymiser:
    """Pseudonyms made with one key: lower-case hex of HMAC-SHA256(key, namespace + normalised
    id as UTF-8), 64 digits, the full-digest form of ``contracts.PSEUDONYM_FORMAT``.

    ``links``: the authority's cross-reference, {(system name, normalised source id):
    normalised common person id} (``intake.cross_reference``). A person id of a system's
    people namespace that it lists is hashed as its common id in :data:`PERSON_NAMESPACE`;
    any other in its system's namespace. Held in memory only, never written."""

    def __init__(self, key: bytes, links: Mapping[tuple[str, str], str] | None = None) -> None:
        self._key = check_key(bytes(key), "Pseudonymiser")
        self._links = dict(links or {})
        self._linked: frozenset[str] | None = None

    def __repr__(self) -> str:  # never the key, nor an id
        return f"Pseudonymiser(key fingerprint {self.fingerprint}, {len(self._links)} link(s))"

    @property
    def fingerprint(self) -> str:
        """The key's :func:`fingerprint`."""
        return fingerprint(self._key)

    @property
    def linking(self) -> bool:
        """Whether a cross-reference is applied."""
        return bool(self._links)

    def with_links(self, links: Mapping[tuple[str, str], str]) -> Pseudonymiser:
        """The same key with the cross-reference ``links`` applied."""
        return Pseudonymiser(self._key, links)

    def linked_pseudonyms(self) -> frozenset[str]:
        """The pseudonym of every common person id of the cross-reference: a pseudonym in this
        set came through a link (no other id is hashed in :data:`PERSON_NAMESPACE`)."""
        if self._linked is None:
            common = set(self._links.values())
            self._linked = frozenset(self._digest(c, PERSON_NAMESPACE) for c in common)
        return self._linked

    def _digest(self, normalised: str, namespace: bytes = CHILD_NAMESPACE) -> str:
        message = namespace + normalised.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def _linked_digest(self, normalised: str, namespace: bytes) -> str:
        """The pseudonym of a normalised id: through the cross-reference where it lists the id
        of the system whose people ``namespace`` is, else in ``namespace``."""
        system = _SYSTEM_OF_NAMESPACE.get(namespace)
        common = self._links.get((system, normalised)) if system is not None else None
        if common is not None:
            return self._digest(common, PERSON_NAMESPACE)
        return self._digest(normalised, namespace)

    def pseudonym(
        self, value: str, width: int | None = None, namespace: bytes = CHILD_NAMESPACE
    ) -> str | None:
        """The pseudonym of one id (None for an empty one); see :func:`normalise_id`.
        ``namespace``: a system's people or records namespace, or :data:`STAFF_NAMESPACE`."""
        normalised = normalise_id(value, width)
        return None if normalised is None else self._linked_digest(normalised, namespace)

    def series(
        self, values: pd.Series, width: int | None = None, namespace: bytes = CHILD_NAMESPACE
    ) -> pd.Series:
        """The pseudonym of every id, as a ``string`` Series on the same index; missing and
        empty ids stay missing (``pd.NA``).

        Each distinct value is hashed once (``pd.factorize``): a return repeats a child's id on
        every episode, so a million rows hold far fewer ids, and a HMAC is a Python call.
        Values are text or whole numbers (an XLSX cell read as a number, see
        :func:`normalise_id`); anything else is a ``TypeError`` naming the type only.
        ``namespace``: whose ids these are (a system's people or records, staff); a system's
        people ids the cross-reference lists are hashed as their common person id.
        """
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        by_id: dict[str | None, str | None] = {}
        hashed: list[str | None] = []
        for value in list(uniques):
            normalised = normalise_id(_id_text(value), width)
            if normalised not in by_id:
                by_id[normalised] = (
                    None if normalised is None else self._linked_digest(normalised, namespace)
                )
            hashed.append(by_id[normalised])
        table = pd.array(hashed, dtype="string").take(codes, allow_fill=True)  # -1: missing
        return pd.Series(table, index=values.index, dtype="string")


#: which system's people each people namespace holds (a records or staff namespace is none)
_SYSTEM_OF_NAMESPACE: dict[bytes, str] = {s.people: s.name for s in SYSTEMS.values()}
