"""The children as the local authority's own systems hold them, for the raw returns
(``generate(format="dfe")``): what the contracts never carry, synthesised once per child of
the universe so that a child is the same in every return and every year.

- **The case-system id** (SSDA903's CHILD, the CIN census's LAchildID): seven digits, unique,
  drawn at random (not the generator's internal numbering), as a case-management system
  numbers its children. The same id in both returns and every year, which is what makes the
  keyed pseudonyms link after intake.
- **The UPN**: ``A`` and twelve digits (DfE's Unique Pupil Number is a check letter and twelve
  digits: authority, establishment, year and serial), unique, and not checked: a UPN-like
  value, which intake drops.
- **The full date of birth**: a day within the birth month the contracts keep, uniform, but
  never after the child's first referral or period of care (the generator's events may fall
  in the birth month, on its second day at the earliest).
- **The home postcode**: one of the postcodes of the child's home LSOA (``postcodes``): the
  generator's children never move, so every return and year gives the same.
- **Motherhood** (SSDA903's MOTHER and MC_DOB): about :data:`MOTHER_SHARE` of girls become
  mothers, on a day between their 15th and 18th birthdays.

- **The social workers' ids** (SSDA903's SW_ID): ``SW`` and six digits (DfE rule SW02STG1:
  an id begins SW, or XX where none is known), unique, one per worker of the pool
  (:class:`StaffIds`).

Episode-level values (the placement's postcode and provider) are drawn by :func:`mix`, a hash
of the episode's child and start day, so an episode open across 31 March is written the same
in both years.

:class:`KeyedIds` is the generator's own account of what intake should write for an id: the
lower-case hex HMAC-SHA256 of the case-system id with the generated key, computed here with
``hmac`` and ``hashlib`` (never through intake's code), for the expected contract files;
:class:`KeyedStaffIds` the same for a social worker's id, in intake's staff namespace
(:data:`STAFF_NAMESPACE`, written out here again: the intake test checks the two agree by
comparing the contract files).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tip_pipeline.sources.generator import timeline
from tip_pipeline.sources.generator.deliveries import People
from tip_pipeline.sources.generator.population import Universe
from tip_pipeline.sources.generator.postcodes import PER_LSOA, Postcodes
from tip_pipeline.sources.generator.randomness import stream

#: the namespace of staff pseudonyms, as intake's pseudonyms module declares it (bytes before
#: the case-folded id in the HMAC's message)
STAFF_NAMESPACE = b"\xfftip_pipeline staff id\x00"
#: social workers' ids are SW and this many digits
SW_ID_DIGITS = 6

#: case-system ids are the seven-digit numbers from this one up
FIRST_CASE_ID = 1_000_000
CASE_IDS = 9_000_000
MOTHER_SHARE = 0.04


def mix(*keys: np.ndarray, salt: int) -> np.ndarray:
    """A 64-bit hash of each row of ``keys`` (non-negative integers), SplitMix64's finaliser
    over their combination: the same keys and salt give the same number on any machine."""
    z = np.full(np.shape(keys[0]), np.uint64(salt & 0xFFFFFFFFFFFFFFFF), dtype=np.uint64)
    for key in keys:
        z = (z ^ np.asarray(key).astype(np.uint64)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z


def salt(seed: int, name: str) -> int:
    """A 64-bit salt for :func:`mix`, from the seed and a name (as ``randomness.stream``)."""
    digest = hashlib.sha256(f"{seed}|dfe|{name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


@dataclass(frozen=True)
class Identities:
    """Per child of the universe: case-system id, UPN, full date of birth (a day number), home
    postcode and the day she became a mother (``timeline.OPEN``: never)."""

    case_id: np.ndarray
    upn: np.ndarray
    birth_day: np.ndarray
    home_postcode: np.ndarray
    mother_from: np.ndarray
    _index: pd.Index = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", pd.Index(self.case_id))

    def child_of(self, case_ids: pd.Series | np.ndarray) -> np.ndarray:
        """The universe index of each case-system id."""
        children = self._index.get_indexer(np.asarray(case_ids, dtype=object))
        if (children < 0).any():
            raise KeyError("not a case-system id of this universe")
        return children


def first_events(n: int, *events: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The first day of any of ``events`` ((children, days) pairs) per child; ``OPEN`` for a
    child with none."""
    first = np.full(n, timeline.OPEN, dtype=np.int64)
    for children, days in events:
        np.minimum.at(first, np.asarray(children, dtype=np.int64), np.asarray(days, np.int64))
    return first


def build(uni: Universe, postcodes: Postcodes, first_event: np.ndarray, seed: int) -> Identities:
    n = uni.n
    case = stream(seed, "dfe", "case_id").choice(CASE_IDS, size=n, replace=False)
    upn = stream(seed, "dfe", "upn").choice(10**12, size=n, replace=False)
    born = timeline.month_start_day(uni.dob_month)
    days = timeline.month_start_day(uni.dob_month.astype(np.int64) + 1) - born
    day = born + (stream(seed, "dfe", "birth_day").random(n) * days).astype(np.int64)
    in_month = first_event < born + days
    day = np.where(in_month, np.minimum(day, first_event), day)
    k = stream(seed, "dfe", "home_postcode").integers(0, PER_LSOA, n)
    rng = stream(seed, "dfe", "mother")
    girl = ~uni.male & ~uni.sex_unknown
    mother = girl & (rng.random(n) < MOTHER_SHARE)
    at_15 = timeline.birthday_day(uni.dob_month, 15)
    span = timeline.birthday_day(uni.dob_month, 18) - at_15
    mother_from = np.where(mother, at_15 + (rng.random(n) * span).astype(np.int64), timeline.OPEN)
    return Identities(
        case_id=(case + FIRST_CASE_ID).astype(str).astype(object),
        upn=np.char.add("A", np.char.zfill(upn.astype(str), 12)).astype(object),
        birth_day=day,
        home_postcode=postcodes.of(uni.lsoa, k),
        mother_from=mother_from,
    )


class CaseIds:
    """The case-system ids of :class:`Identities`, as ``deliveries`` asks for ids."""

    def __init__(self, identities: Identities) -> None:
        self._identities = identities

    def of(self, children: np.ndarray) -> np.ndarray:
        return self._identities.case_id[np.asarray(children, dtype=np.int64)]


class KeyedIds:
    """What intake should make of each child's case-system id: the lower-case hex of
    HMAC-SHA256(key, id as UTF-8) (RFC 2104). The id needs no normalisation: digits only."""

    def __init__(self, key: bytes, identities: Identities) -> None:
        self._key = bytes(key)
        self._identities = identities
        self._known: dict[int, str] = {}

    def one(self, child: int) -> str:
        if child not in self._known:
            raw = self._identities.case_id[child].encode("utf-8")
            self._known[child] = hmac.new(self._key, raw, hashlib.sha256).hexdigest()
        return self._known[child]

    def of(self, children: np.ndarray) -> np.ndarray:
        return np.array([self.one(int(c)) for c in children], dtype=object)


@dataclass
class RawPeople(People):
    """The children as the returns write them: the case-system id, the full date of birth
    (ISO here; each return writes it in its own form) and, where the contracts have the home
    LSOA, the home postcode."""

    identities: Identities

    def dob(self, child: np.ndarray) -> np.ndarray:
        return timeline.iso(self.identities.birth_day[child])

    def lsoa(self, child: np.ndarray) -> np.ndarray:
        return self.identities.home_postcode[child]


class StaffIds:
    """The social workers' ids as the authority's system holds them: ``SW`` and six digits,
    drawn at random, unique, one per worker of the pool (numbered from 0)."""

    def __init__(self, workers: int, seed: int) -> None:
        drawn = stream(seed, "dfe", "sw_id").choice(10**SW_ID_DIGITS, size=workers, replace=False)
        self.raw = np.char.add("SW", np.char.zfill(drawn.astype(str), SW_ID_DIGITS)).astype(object)

    def of(self, workers: np.ndarray) -> np.ndarray:
        return self.raw[np.asarray(workers, dtype=np.int64)]


class KeyedStaffIds:
    """What intake should make of each social worker's id: the lower-case hex of
    HMAC-SHA256(key, staff namespace + the id case-folded, as UTF-8)."""

    def __init__(self, key: bytes, staff: StaffIds) -> None:
        self._key = bytes(key)
        self._staff = staff

    def of(self, workers: np.ndarray) -> np.ndarray:
        ids = self._staff.of(workers)
        return np.array(
            [
                hmac.new(
                    self._key, STAFF_NAMESPACE + str(i).casefold().encode("utf-8"), hashlib.sha256
                ).hexdigest()
                for i in ids
            ],
            dtype=object,
        )
