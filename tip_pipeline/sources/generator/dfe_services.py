"""The other services' raw records and the authority's cross-reference, for
``generate(format="dfe")``: the youth justice system's offences and outcomes tables (every year
of the youth-justice history too), H-CLIC's Main, People, Support and Temporary accommodation
sections per quarter, and the cross-reference of people across the systems (``intake.services``,
``intake.cross_reference``; docs/DOMAIN.md, "Youth justice", "Homelessness (H-CLIC)" and
"Linking people across services").

The rows are the contract files' rows (``deliveries.yjs_tables``, ``deliveries.hclic_tables``)
for the same children; what differs is what the contracts never carry:

- **each system numbers people its own way**: a child has a case-system id in children's social
  care (``identities``), a youth justice id (``YJ`` and seven digits) and a housing person
  reference (``HP`` and eight digits), each drawn at random per child and the same in every
  year and quarter; the offence reference and the H-CLIC case reference are the systems' own
  record keys;
- **full dates of birth** (``dd/mm/yyyy``) and **postcodes**: the child's home postcode at the
  offence; the last settled home's postcode of an H-CLIC case (a postcode of the case's LSOA,
  in the synthetic ONS lookup the generator writes) and the household's current postcode,
  which intake drops;
- **H-CLIC's People section lists the whole household**: the main applicant, a partner for a
  couple, another adult for the other household types, and the dependent children
  (``DEPENDENT_CHILD`` Y), the adults with a person reference, date of birth and sex of their
  own (``DEPENDENT_CHILD`` N), which intake leaves out and counts;
- the columns intake drops (the PNC id, the offence's description, the court, the members'
  relationship, ethnicity and nationality, the authority of a temporary accommodation) are
  filled, so that dropping them is exercised.

**The cross-reference** (:data:`CROSS_REFERENCE_FILE`, in the raw folder itself) is the
authority's master person index as a table: each system's id of a person it lists and the
common person id (``MPI`` and nine digits). A child of a service is listed with the service's
**match rate** (:data:`MATCH_RATES`, ``tip generate --match-rate``), drawn once per child and
service, so a share of each service's children is found in the index and the rest keep their
system's own pseudonyms. The defaults are the synthetic data's assumptions, not measured rates:
every social-care child is listed (the index is built from children's social care's own
case-management system), most youth-justice children (:data:`MATCH_RATES`: the youth justice
system records the child's name, date of birth and usually the NHS number), fewer housing
children (H-CLIC's People section records a dependent child's name, date of birth and sex, with
no identifier shared with social care). A youth-justice or housing child is linked to social
care only when both are listed. With every rate 0 no cross-reference is written: each service
keeps pseudonyms of its own.

:class:`LinkedKeyedIds` is the generator's own account of what intake makes of a person id: the
HMAC of the common person id in intake's person namespace where the cross-reference lists the
id, else of the system's id in the system's namespace (namespaces written out here again, as
``identities.STAFF_NAMESPACE`` is: the intake test compares the contract files).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.intake.services import (
    HCLIC_MAIN_SECTION,
    HCLIC_PEOPLE_SECTION,
    HCLIC_SUPPORT_SECTION,
    HCLIC_TA_SECTION,
    YJ_OFFENCES,
    YJ_OUTCOMES,
)
from tip_pipeline.intake.ssda903 import Conversion, RawLayout
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import codes
from tip_pipeline.sources.generator import deliveries, timeline, writer
from tip_pipeline.sources.generator.dfe_ssda903 import day_first
from tip_pipeline.sources.generator.homelessness import Hclic
from tip_pipeline.sources.generator.identities import Identities, RawPeople, mix, salt
from tip_pipeline.sources.generator.postcodes import PER_LSOA, Postcodes
from tip_pipeline.sources.generator.randomness import stream

#: the systems of the cross-reference, by intake's names (``intake.pseudonyms.SYSTEMS``)
SOCIAL_CARE, YOUTH_JUSTICE, HOUSING = "social_care", "youth_justice", "housing"
SYSTEM_NAMES = (SOCIAL_CARE, YOUTH_JUSTICE, HOUSING)
#: the share of each service's children the cross-reference lists, by default (see the module)
MATCH_RATES: Mapping[str, float] = {SOCIAL_CARE: 1.0, YOUTH_JUSTICE: 0.85, HOUSING: 0.7}

CROSS_REFERENCE_FILE = "cross_reference.csv"
YJ_OFFENCES_FILE = "yj_offences.csv"
YJ_OUTCOMES_FILE = "yj_outcomes.csv"
#: H-CLIC's sections, by their name, in each quarter's folder (``2023-24/Q1/``): the project's
#: own file names (H-CLIC's specification is not openly published; ``intake.services``), which
#: intake does not rely on (it tells a section by its header)
HCLIC_FILES = {
    "Main": "hclic_main.csv",
    "People": "hclic_people.csv",
    "Support": "hclic_support.csv",
    "Temporary accommodation": "hclic_temp_accommodation.csv",
}

#: intake's namespaces (``intake.pseudonyms``): the common person id's, and each system's people
#: and records namespaces (bytes before the case-folded id in the HMAC's message)
PERSON_NAMESPACE = b"\xfftip_pipeline common person id\x00"
PEOPLE_NAMESPACES = {
    SOCIAL_CARE: b"",
    YOUTH_JUSTICE: b"\xfftip_pipeline youth justice person\x00",
    HOUSING: b"\xfftip_pipeline housing person\x00",
}
RECORD_NAMESPACES = {
    YOUTH_JUSTICE: b"\xfftip_pipeline youth justice record\x00",
    HOUSING: b"\xfftip_pipeline housing record\x00",
}

#: youth justice ids are YJ and seven digits; housing person references HP and eight digits
#: (children from the first half of the numbers, adults of the household from the second);
#: common person ids MPI and nine digits
YJ_DIGITS, HOUSING_DIGITS, PERSON_DIGITS = 7, 8, 9
ADULT_REFS_FROM = 5 * 10 ** (HOUSING_DIGITS - 1)

#: the offence's description the case-management system keeps (intake drops it), by category
DESCRIPTIONS = {
    "VAP": "Assault",
    "THEFT": "Theft from a shop",
    "CRIMDAM": "Criminal damage",
    "DRUGS": "Possession of a controlled drug",
    "ROBB": "Robbery",
    "BURG": "Burglary",
    "PUBORD": "Public order offence",
    "MOTOR": "Driving without insurance",
    "SEXUAL": "Sexual offence",
    "WEAPON": "Possession of a bladed article",
    "BREACH": "Breach of an order",
    "OTHER": "Other offence",
}
#: who gave each outcome (intake drops it): out-of-court outcomes the police or the youth
#: justice service's panel, the others a court
PANEL_OUTCOMES = ("CR", "YC", "YCC")
#: the adults of a household by its type, after the main applicant: a partner for a couple,
#: another adult for the other households
SECOND_ADULT = {"CPLCH": "PARTNER", "CPLNOCH": "PARTNER", "OTHCH": "OTHER", "OTHNOCH": "OTHER"}
#: the main applicant's sex by household type where the type says it
APPLICANT_SEX = {"SPF": "F", "SINGF": "F", "SPM": "M", "SINGM": "M"}


class MatchRateError(ValueFreeError, ValueError):
    """Match rates the generator cannot apply (names the service, never a record)."""


def match_rates(given: Mapping[str, float] | None) -> dict[str, float]:
    """The defaults (:data:`MATCH_RATES`) with ``given`` applied; each a share in [0, 1] of a
    system the cross-reference knows."""
    rates = dict(MATCH_RATES)
    for system, rate in (given or {}).items():
        if system not in SYSTEM_NAMES:
            raise MatchRateError(
                f"match rate of {system!r}: not one of the systems ({', '.join(SYSTEM_NAMES)})"
            )
        if not 0.0 <= float(rate) <= 1.0:
            raise MatchRateError(f"match rate of {system}: a share between 0 and 1")
        rates[system] = float(rate)
    return rates


def parse_match_rate(text: str) -> tuple[str, float]:
    """``youth_justice=0.8`` as the command line gives it."""
    system, sep, rate = text.partition("=")
    if not sep:
        raise MatchRateError("a match rate is written SYSTEM=SHARE, e.g. youth_justice=0.8")
    try:
        return system.strip(), float(rate)
    except ValueError:
        raise MatchRateError(f"match rate of {system.strip()}: not a number") from None


@dataclass(frozen=True)
class ServiceIds:
    """Per child of the universe: the youth justice id, the housing person reference, the
    common person id, and whether the cross-reference lists the child's id of each system."""

    yj_id: np.ndarray
    housing_id: np.ndarray
    person_id: np.ndarray
    listed: dict[str, np.ndarray]

    def raw(self, system: str, identities: Identities) -> np.ndarray:
        """Each child's id in ``system``."""
        return {
            SOCIAL_CARE: identities.case_id,
            YOUTH_JUSTICE: self.yj_id,
            HOUSING: self.housing_id,
        }[system]


def _ids(prefix: str, digits: int, n: int, draw: np.ndarray) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(draw[:n].astype(str), digits)).astype(object)


def build_ids(n: int, seed: int, rates: Mapping[str, float]) -> ServiceIds:
    """Every child's ids, each from its own random stream; listed per system with its rate."""
    yj = stream(seed, "dfe", "yj_id").choice(10**YJ_DIGITS, size=n, replace=False)
    housing = stream(seed, "dfe", "housing_id").choice(ADULT_REFS_FROM, size=n, replace=False)
    person = stream(seed, "dfe", "person_id").choice(10**PERSON_DIGITS, size=n, replace=False)
    listed = {
        system: stream(seed, "dfe", "listed", system).random(n) < rates[system]
        for system in SYSTEM_NAMES
    }
    return ServiceIds(
        yj_id=_ids("YJ", YJ_DIGITS, n, yj),
        housing_id=_ids("HP", HOUSING_DIGITS, n, housing),
        person_id=_ids("MPI", PERSON_DIGITS, n, person),
        listed=listed,
    )


class SystemIds:
    """A system's own ids of children, as ``deliveries`` asks for ids."""

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = ids

    def of(self, children: np.ndarray) -> np.ndarray:
        return self._ids[np.asarray(children, dtype=np.int64)]


def keyed(key: bytes, namespace: bytes, ids: np.ndarray) -> np.ndarray:
    """What intake makes of each id: the lower-case hex of HMAC-SHA256(key, namespace + the id
    case-folded, as UTF-8) (RFC 2104)."""
    return np.array(
        [
            hmac.new(key, namespace + str(i).casefold().encode("utf-8"), hashlib.sha256).hexdigest()
            for i in ids
        ],
        dtype=object,
    )


class LinkedKeyedIds:
    """What intake should make of each child's id of ``system``: through the cross-reference
    (the common person id, in the person namespace) where it lists the child, else the
    system's own id in the system's namespace."""

    def __init__(
        self, key: bytes, system: str, service: ServiceIds, identities: Identities
    ) -> None:
        self._key = bytes(key)
        self._raw = service.raw(system, identities)
        self._namespace = PEOPLE_NAMESPACES[system]
        self._listed = service.listed[system]
        self._person = service.person_id
        self._known: dict[int, str] = {}

    def one(self, child: int) -> str:
        if child not in self._known:
            if self._listed[child]:
                ids, namespace = self._person, PERSON_NAMESPACE
            else:
                ids, namespace = self._raw, self._namespace
            (self._known[child],) = keyed(self._key, namespace, ids[child : child + 1])
        return self._known[child]

    def of(self, children: np.ndarray) -> np.ndarray:
        return np.array([self.one(int(c)) for c in children], dtype=object)


class ChildIndex:
    """Each child as its index in the universe: who a year's files hold, for the linkage."""

    def of(self, children: np.ndarray) -> np.ndarray:
        return np.asarray(children, dtype=np.int64)


# --- the raw tables ---------------------------------------------------------------------------


def _raw_frame(frame: pd.DataFrame, layout: RawLayout) -> pd.DataFrame:
    """The contract frame under the layout's raw names, dates written ``dd/mm/yyyy`` (a date
    of birth already full: ``RawPeople``); the dropped columns are the caller's."""
    out = pd.DataFrame(index=frame.index)
    for column in layout.kept:
        values = frame[column.contract]
        if column.conversion in (Conversion.DATE, Conversion.BIRTH_MONTH):
            out[column.raw] = day_first(values)
        else:
            out[column.raw] = values.to_numpy()
    return out


def yj_tables(
    offences: pd.DataFrame, people: RawPeople, fy: FinancialYear, seed: int
) -> dict[str, pd.DataFrame]:
    """The year's offences and outcomes tables (the contract files' rows and order)."""
    frames = deliveries.yjs_tables(offences, people, fy)
    off = frames["yjs_offences"]
    raw_off = _raw_frame(off, YJ_OFFENCES)
    number = off["OFFENCE_ID"].str[2:].astype(np.int64).to_numpy()
    draw = mix(number, salt=salt(seed, "pnc"))
    year = (pd.Series(day_first(off["OFFENCE_DATE"])).str[-2:]).to_numpy(dtype=object)
    serial = (draw % np.uint64(10**7)).astype(np.int64).astype(str)
    letters = np.asarray(list("ABCDEFGHJKLMNPQRTUVWXYZ"), dtype=object)
    check = letters[(draw >> np.uint64(40)) % np.uint64(letters.size)]
    raw_off["PNC_ID"] = year + "/" + np.char.zfill(serial, 7).astype(object) + check
    raw_off["OFFENCE_DESCRIPTION"] = off["OFFENCE_TYPE"].map(DESCRIPTIONS).to_numpy()
    out = frames["yjs_outcomes"]
    raw_out = _raw_frame(out, YJ_OUTCOMES)
    panel = out["OUTCOME_TYPE"].isin(PANEL_OUTCOMES).to_numpy()
    raw_out["COURT"] = np.where(panel, "Out-of-court panel", "Youth court").astype(object)
    return {
        YJ_OFFENCES_FILE: raw_off[list(YJ_OFFENCES.dfe_columns)],
        YJ_OUTCOMES_FILE: raw_out[list(YJ_OUTCOMES.dfe_columns)],
    }


def _case_numbers(case_ids: pd.Series) -> np.ndarray:
    """The number of each generated case reference (``HC`` and eight digits)."""
    return case_ids.str[2:].astype(np.int64).to_numpy()


def _settled_postcodes(
    main: pd.DataFrame, h: Hclic, postcodes: Postcodes, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each case's last settled home as a postcode of its LSOA, and the household's current
    postcode (another of the LSOA's; intake drops it), the same in every quarter."""
    lsoa = h.cases.set_index("case_id")["lsoa"].reindex(main["CASE_ID"]).to_numpy(np.int64)
    draw = mix(_case_numbers(main["CASE_ID"]), salt=salt(seed, "settled_home"))
    k = (draw % np.uint64(PER_LSOA)).astype(np.int64)
    return postcodes.of(lsoa, k), postcodes.of(lsoa, (k + 1) % PER_LSOA)


def _sex(female: np.ndarray, fy: FinancialYear) -> np.ndarray:
    letters = fy >= codes.SEX_LETTER_FROM
    return np.where(female, "F" if letters else "2", "M" if letters else "1").astype(object)


def _adults(main: pd.DataFrame, fy: FinancialYear, seed: int) -> pd.DataFrame:
    """The adults of each case's household in H-CLIC's People layout: the main applicant, and a
    partner or another adult where the household type has one; person references, dates of
    birth (aged 18 to 59 at the application) and sexes drawn from the case's number, so the
    same in every quarter."""
    number = _case_numbers(main["CASE_ID"])
    htype = main["HOUSEHOLD_TYPE"].to_numpy()
    second = pd.Series(htype).map(SECOND_ADULT).to_numpy()
    slot = np.r_[np.zeros(len(main), np.int64), np.ones(len(main), np.int64)]
    rows = np.r_[np.arange(len(main)), np.arange(len(main))]
    keep = np.r_[np.ones(len(main), bool), pd.notna(second)]
    slot, rows = slot[keep], rows[keep]
    draw = mix(number[rows], slot, salt=salt(seed, "household_adult"))
    applied = pd.to_datetime(main["APPLICATION_DATE"]).to_numpy().astype("datetime64[D]")
    age_days = 18 * 366 + (draw % np.uint64(41 * 365)).astype(np.int64)
    born = applied.astype(np.int64)[rows] - age_days
    given = pd.Series(htype[rows]).map(APPLICANT_SEX)
    # the applicant's sex from the applicant's own draw, so a partner's is the other
    applicant = mix(number[rows], np.zeros(rows.size, np.int64), salt=salt(seed, "household_adult"))
    drawn_female = ((applicant >> np.uint64(33)) & np.uint64(1)).astype(bool)
    applicant_female = np.where(given.notna(), given == "F", drawn_female)
    partner = (slot == 1) & (second[rows] == "PARTNER")
    female = np.where(partner, ~applicant_female, applicant_female)
    return pd.DataFrame(
        {
            "CASE_REF": main["CASE_ID"].to_numpy()[rows],
            "PERSON_REF": np.char.add(
                "HP",
                np.char.zfill((ADULT_REFS_FROM + number[rows] * 2 + slot).astype(str), 8),
            ).astype(object),
            "DOB": day_first(timeline.iso(born)),
            "SEX": _sex(female, fy),
            "DEPENDENT_CHILD": "N",
            "RELATIONSHIP": np.where(slot == 0, "APPLICANT", second[rows]).astype(object),
            "ETHNICITY": "NOBT",
            "NATIONALITY": "UK",
        }
    )


def hclic_sections(
    h: Hclic,
    people: RawPeople,
    postcodes: Postcodes,
    fy: FinancialYear,
    q0: int,
    q1: int,
    seed: int,
) -> dict[str, pd.DataFrame]:
    """A quarter's Main, People, Support and Temporary accommodation sections (the contract
    files' cases)."""
    frames = deliveries.hclic_tables(h, people, fy, q0, q1)
    main = frames["hclic_main"]
    raw_main = _raw_frame(main, HCLIC_MAIN_SECTION)
    settled, current = _settled_postcodes(main, h, postcodes, seed)
    raw_main["SETTLED_HOME_POSTCODE"] = settled
    raw_main["CURRENT_POSTCODE"] = current
    kids = frames["hclic_children"]
    raw_kids = _raw_frame(kids, HCLIC_PEOPLE_SECTION)
    child = pd.Index(people.ids.of(np.arange(people.uni.n))).get_indexer(kids["CHILD_ID"])
    raw_kids = raw_kids.assign(
        DEPENDENT_CHILD="Y",
        RELATIONSHIP="CHILD",
        ETHNICITY=people.ethnicity(child),
        NATIONALITY="UK",
    )
    members = pd.concat([_adults(main, fy, seed), raw_kids], ignore_index=True)
    members = members.sort_values(["CASE_REF", "DEPENDENT_CHILD"], kind="stable")
    return {
        HCLIC_FILES["Main"]: raw_main[list(HCLIC_MAIN_SECTION.dfe_columns)],
        HCLIC_FILES["People"]: members[list(HCLIC_PEOPLE_SECTION.dfe_columns)],
        HCLIC_FILES["Support"]: _raw_frame(frames["hclic_support"], HCLIC_SUPPORT_SECTION),
        HCLIC_FILES["Temporary accommodation"]: _ta_section(frames["hclic_temp_accommodation"]),
    }


def _ta_section(placements: pd.DataFrame) -> pd.DataFrame:
    """The quarter's Temporary accommodation section: the contract rows, with the columns
    intake drops filled (the accommodation's postcode left blank, as a system may hold none;
    the authority of the accommodation: ``OWN``), so that dropping them is exercised."""
    raw = _raw_frame(placements, HCLIC_TA_SECTION)
    raw = raw.assign(TA_POSTCODE="", TA_LA="OWN")
    return raw[list(HCLIC_TA_SECTION.dfe_columns)]


def cross_reference(
    service: ServiceIds,
    identities: Identities,
    children: Mapping[str, np.ndarray],
) -> pd.DataFrame | None:
    """The cross-reference's rows: each listed child of each service (``children``: the
    service's children over the whole window) with the common person id; None when it would
    list nobody (every match rate 0)."""
    parts = []
    for system in SYSTEM_NAMES:
        kids = np.unique(np.asarray(children[system], dtype=np.int64))
        kids = kids[service.listed[system][kids]]
        parts.append(
            pd.DataFrame(
                {
                    "SOURCE_SYSTEM": system,
                    "SOURCE_ID": service.raw(system, identities)[kids],
                    "PERSON_ID": service.person_id[kids],
                }
            )
        )
    rows = pd.concat(parts, ignore_index=True)
    if rows.empty:
        return None
    return rows.sort_values(["SOURCE_SYSTEM", "SOURCE_ID"], ignore_index=True)


def write_frame(path: Path, frame: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.write_frame(path, frame)
    return path
