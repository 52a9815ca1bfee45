"""Synthetic postcodes for the raw returns (``generate(format="dfe")``), and the ONS postcode
lookup that maps each of them to its LSOA 2021.

Every LSOA of the national model has :data:`PER_LSOA` postcodes of Royal Mail's form (outward
code: area letters and district number; inward code: sector digit and two unit letters, never
C, I, K, M, O or V), in the postcode area of its local authority: the target authority's are
in ``LS`` (the Yorkshire and The Humber slot of the model), every other authority's in one of
the other English areas, a block of ten districts each. The areas are real, so that a
postcode looks like one to the identifier guard (``validate/identifiers.py``, which checks the
area); the districts, sectors and units are numbered by the generator and may or may not
exist. Nothing maps a real postcode to a real LSOA: the LSOA codes are the model's.

The lookup is written in the layout of ONS's *Postcode to OA (2021) to LSOA to MSOA to LAD
(best fit) lookup* (PCD7, PCD8, PCDS, DOINTR, DOTERM, USERTYPE, OA21CD, LSOA21CD, MSOA21CD,
LADCD), which intake's ``PostcodeLookup`` reads. Output areas and MSOAs do not exist in the
model: OA21CD numbers :data:`OAS_PER_LSOA` output areas per LSOA, and MSOA21CD stands one MSOA
per ward (E02 and the ward's number); intake reads neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tip_pipeline.sources.generator.geography import Geography

PER_LSOA = 12
OAS_PER_LSOA = 5
#: the target authority's postcode area
TARGET_AREA = "LS"
#: Royal Mail's postcode areas in England, but the target's (Scotland, Wales, Northern Ireland
#: and the Crown dependencies are left out: the model's authorities are English)
_OTHER_AREA_LIST = (
    "AL B BA BB BD BH BL BN BR BS CA CB CH CM CO CR CT CV CW DA DE DH DL DN DT DY E EC EN EX FY "
    "GL GU HA HD HG HP HR HU HX IG IP L LA LE LN LU M ME MK N NE NG NN NR NW OL OX PE PL PO PR "
    "RG RH RM S SE SG SK SL SM SN SO SP SR SS ST SW TA TF TN TQ TR TS TW UB W WA WC WD WF WN WR "
    "WS WV YO"
)
OTHER_AREAS = tuple(_OTHER_AREA_LIST.split())
#: the letters of an inward code's unit (Royal Mail never uses C, I, K, M, O or V there)
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
#: districts numbered per authority, and postcodes per district (10 sectors x 400 units)
DISTRICTS_PER_LA = 10
PER_DISTRICT = 10 * len(UNIT_LETTERS) ** 2
#: ONS's DOINTR (year and month the postcode was introduced) of every synthetic postcode
INTRODUCED = "198001"

LOOKUP_COLUMNS = (
    "PCD7",
    "PCD8",
    "PCDS",
    "DOINTR",
    "DOTERM",
    "USERTYPE",
    "OA21CD",
    "LSOA21CD",
    "MSOA21CD",
    "LADCD",
)


@dataclass(frozen=True)
class Postcodes:
    """The postcodes of every LSOA: postcode ``k`` (0 to :data:`PER_LSOA` - 1) of an LSOA is
    its authority's ``PER_LSOA * (LSOA's rank in the authority) + k``-th postcode."""

    geo: Geography
    #: per authority: its postcode area, the first district it numbers, its first LSOA
    area: np.ndarray
    first_district: np.ndarray
    first_lsoa: np.ndarray

    @classmethod
    def build(cls, geo: Geography) -> Postcodes:
        n_las = len(geo.las)
        sizes = geo.las["n_lsoas"].to_numpy()
        needed = -(-sizes * PER_LSOA // PER_DISTRICT)
        if needed.max() > DISTRICTS_PER_LA:
            raise ValueError("an authority has more LSOAs than its block of districts can number")
        others = np.array([la for la in range(n_las) if la != geo.target])
        area = np.full(n_las, TARGET_AREA, dtype=object)
        block = np.zeros(n_las, dtype=np.int64)
        rank = np.arange(others.size)
        area[others] = np.asarray(OTHER_AREAS, dtype=object)[rank % len(OTHER_AREAS)]
        block[others] = rank // len(OTHER_AREAS)
        if (block * DISTRICTS_PER_LA + DISTRICTS_PER_LA).max() > 99:
            raise ValueError("too many authorities for the postcode areas")
        first_lsoa = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        return cls(geo, area, 1 + block * DISTRICTS_PER_LA, first_lsoa)

    def of(self, lsoa: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Postcode ``k`` of each LSOA, as ONS's PCDS writes it (``LS3 1AB``)."""
        lsoa = np.asarray(lsoa, dtype=np.int64)
        la = self.geo.lsoa_la[lsoa]
        j = (lsoa - self.first_lsoa[la]) * PER_LSOA + np.asarray(k, dtype=np.int64)
        district = self.first_district[la] + j // PER_DISTRICT
        sector = (j // len(UNIT_LETTERS) ** 2) % 10
        unit = j % len(UNIT_LETTERS) ** 2
        letters = np.asarray(list(UNIT_LETTERS), dtype=object)
        first, second = letters[unit // len(UNIT_LETTERS)], letters[unit % len(UNIT_LETTERS)]
        outward = self.area[la] + district.astype(str).astype(object)
        return outward + " " + sector.astype(str).astype(object) + first + second

    def in_la(self, la: np.ndarray, draw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A postcode of each authority ``la`` (index into ``geo.las``), chosen by ``draw``
        (64-bit hashes): an LSOA of the authority and which of its postcodes (for :meth:`of`)."""
        la = np.asarray(la, dtype=np.int64)
        draw = np.asarray(draw, dtype=np.uint64)
        sizes = self.geo.las["n_lsoas"].to_numpy()[la].astype(np.uint64)
        lsoa = self.first_lsoa[la] + (draw % sizes).astype(np.int64)
        k = ((draw // sizes) % np.uint64(PER_LSOA)).astype(np.int64)
        return lsoa, k

    def lookup(self, lsoas: np.ndarray) -> pd.DataFrame:
        """Every postcode of ``lsoas`` in the ONS best-fit lookup's layout, one row each, in the
        order of the LSOAs given."""
        lsoas = np.unique(np.asarray(lsoas, dtype=np.int64))
        lsoa = np.repeat(lsoas, PER_LSOA)
        k = np.tile(np.arange(PER_LSOA), lsoas.size)
        pcds = pd.Series(self.of(lsoa, k), dtype=object)
        parts = pcds.str.split(" ", n=1, expand=True)
        # ONS's fixed-width forms: the outward code padded to four characters, then the
        # inward code (PCD7, ``LS3 1AB``, ``S1  1AA``) or a space and the inward code (PCD8)
        outward, inward = parts[0].str.ljust(4), parts[1]
        oa = lsoa * OAS_PER_LSOA + k % OAS_PER_LSOA + 1
        return pd.DataFrame(
            {
                "PCD7": outward + inward,
                "PCD8": outward + " " + inward,
                "PCDS": pcds,
                "DOINTR": INTRODUCED,
                "DOTERM": "",
                "USERTYPE": "0",
                "OA21CD": _codes("E00", oa),
                "LSOA21CD": self.geo.lsoa_code[lsoa],
                "MSOA21CD": _codes("E02", self.geo.lsoa_ward[lsoa] + 1),
                "LADCD": self.geo.las["code"].to_numpy()[self.geo.lsoa_la[lsoa]],
            },
            columns=list(LOOKUP_COLUMNS),
        )


def _codes(prefix: str, numbers: np.ndarray) -> np.ndarray:
    """GSS-shaped codes: the prefix and the number in six digits."""
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), 6)).astype(object)
