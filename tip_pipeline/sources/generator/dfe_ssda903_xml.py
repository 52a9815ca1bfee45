"""A year's SSDA903 return as DfE's XML, for ``generate(format="dfe")``: the same records as the
year's CSV tables (``dfe_ssda903.tables``), nested by child, in the layout intake reads
(``intake/ssda903_xml_layout.py``, which cites DfE's technical specification and the sector's
validator)::

    EXPSSDA903
      CHILD (one per row of the Header table)
        HEADER: CHILDID, UPN, SEX, DOB, ETHNIC, UASC (1) and DUC (a child of the UASC table),
          DATE_INT ... LS_ADOPTR (a child of the AD1 table), AD_PLACED (each: DATE_PLACED,
          DATE_PLACED_CEASED, REASON_PLACED_CEASED), MOTHER, MC_DOB, PERMANENCE (PREV_PERM,
          LA_PERM, DATE_PERM), AMISSING (MISSING, MIS_START, MIS_END), IN_TOUCH, ACTIV, ACCOM
          (a care leaver of the OC3 table), OC2 (its items), AREVIEW (REVIEW, REVIEW_CODE),
          SW_EPISODE (SW_ID, SW_DECOM, SW_DEC, SW_REASON: from 2023/24)
        EPISODE (each: DECOM, RNE, LS, CIN, PL, PL_POST, HOME_POST, URN, PLACE_PROVIDER, DEC,
          REC, REASON_PLACE_CHANGE)

Values are the CSV's, dates ``dd/mm/yyyy`` as the validator's sample return writes them; an
empty value is an element left out (the specification's "blank tags"). The child's CHILD, DOB
and SEX are the HEADER's, which the CSV tables repeat on every row: a row of another table
whose child has no Header row, or a child given twice in a table the HEADER holds once (UASC,
AD1, OC3), cannot be written in this layout and stops the generator.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

import pandas as pd

from tip_pipeline.intake.ssda903_xml_layout import GROUPS, HEADER_PATH
from tip_pipeline.sources.generator.dfe_ssda903 import Tables

INDENT = "  "
#: the HEADER's elements in the order written, each with the CSV table and column it is from
#: (None: the Header table; CHILDID is the CSV's CHILD)
_HEADER_ITEMS = (
    ("CHILDID", None, "CHILD"),
    ("UPN", None, "UPN"),
    ("SEX", None, "SEX"),
    ("DOB", None, "DOB"),
    ("ETHNIC", None, "ETHNIC"),
)
_UASC = (("DUC", "UASC", "DUC"),)
_AD1 = tuple(
    (c, "AD1", c)
    for c in ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
)
_MOTHER = (("MOTHER", None, "MOTHER"), ("MC_DOB", None, "MC_DOB"))
_OC3 = tuple((c, "OC3", c) for c in ("IN_TOUCH", "ACTIV", "ACCOM"))
#: the repeated elements of the HEADER, in the order written: element, CSV table, columns
_GROUPS_BEFORE_MOTHER = (
    ("AD_PLACED", "PlacedAdoption", ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED")),
)
_GROUPS_AFTER_MOTHER = (
    ("PERMANENCE", "PrevPerm", ("PREV_PERM", "LA_PERM", "DATE_PERM")),
    ("AMISSING", "Missing", ("MISSING", "MIS_START", "MIS_END")),
)
#: OC2's items: the columns intake reads from each OC2 element (its layout is the one list)
_OC2 = tuple(GROUPS[f"{HEADER_PATH}/OC2"].fields)
_GROUPS_LAST = (
    ("OC2", "OC2", _OC2),
    ("AREVIEW", "Reviews", ("REVIEW", "REVIEW_CODE")),
    ("SW_EPISODE", "SWEpisodes", ("SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON")),
)
#: an episode's elements: element name and CSV column (PL is the CSV's PLACE)
_EPISODE = (
    ("DECOM", "DECOM"),
    ("RNE", "RNE"),
    ("LS", "LS"),
    ("CIN", "CIN"),
    ("PL", "PLACE"),
    ("PL_POST", "PL_POST"),
    ("HOME_POST", "HOME_POST"),
    ("URN", "URN"),
    ("PLACE_PROVIDER", "PLACE_PROVIDER"),
    ("DEC", "DEC"),
    ("REC", "REC"),
    ("REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE"),
)
#: the tables the HEADER holds once per child
_ONCE = ("UASC", "AD1", "OC3")


def _element(depth: int, name: str, value: object) -> str:
    """One element with its text, or nothing for an empty value."""
    text = "" if value is None or pd.isna(value) else str(value)
    if not text:
        return ""
    return f"{INDENT * depth}<{name}>{escape(text)}</{name}>\n"


def _group(depth: int, name: str, row: dict, columns: tuple[str, ...]) -> str:
    inner = "".join(_element(depth + 1, c, row[c]) for c in columns)
    return f"{INDENT * depth}<{name}>\n{inner}{INDENT * depth}</{name}>\n"


def _by_child(frames: dict[str, pd.DataFrame], children: set[str]) -> dict[str, dict]:
    """Each table's rows (as dicts) by child, checked against what the layout can hold."""
    out: dict[str, dict] = {}
    for name, frame in frames.items():
        strays = set(frame["CHILD"]) - children
        if strays:
            raise ValueError(f"{len(strays)} child(ren) of the {name} table have no Header row")
        if name in _ONCE and frame["CHILD"].duplicated().any():
            raise ValueError(f"the {name} table gives a child twice: the HEADER holds it once")
        rows: dict[str, list[dict]] = {}
        for row in frame.to_dict("records"):
            rows.setdefault(row["CHILD"], []).append(row)
        out[name] = rows
    return out


def _header(depth: int, own: dict, child: dict) -> str:
    """The HEADER of a child: its Header row ``own`` and its rows of the other tables."""
    text = [f"{INDENT * depth}<HEADER>\n"]
    text += [_element(depth + 1, e, own[c]) for e, _, c in _HEADER_ITEMS]
    uasc = child.get("UASC")
    if uasc:
        text.append(_element(depth + 1, "UASC", "1"))
        text += [_element(depth + 1, e, uasc[0][c]) for e, _, c in _UASC]
    if child.get("AD1"):
        text += [_element(depth + 1, e, child["AD1"][0][c]) for e, _, c in _AD1]
    for name, table, columns in _GROUPS_BEFORE_MOTHER:
        text += [_group(depth + 1, name, row, columns) for row in child.get(table, ())]
    text += [_element(depth + 1, e, own[c]) for e, _, c in _MOTHER]
    for name, table, columns in _GROUPS_AFTER_MOTHER:
        text += [_group(depth + 1, name, row, columns) for row in child.get(table, ())]
    if child.get("OC3"):
        text += [_element(depth + 1, e, child["OC3"][0][c]) for e, _, c in _OC3]
    for name, table, columns in _GROUPS_LAST:
        text += [_group(depth + 1, name, row, columns) for row in child.get(table, ())]
    text.append(f"{INDENT * depth}</HEADER>\n")
    return "".join(text)


def _episode(depth: int, row: dict) -> str:
    inner = "".join(_element(depth + 1, e, row[c]) for e, c in _EPISODE)
    return f"{INDENT * depth}<EPISODE>\n{inner}{INDENT * depth}</EPISODE>\n"


def _children(tables: Tables) -> Iterator[str]:
    header = tables.header.to_dict("records")
    frames = {"Episodes": tables.episodes, **tables.outcomes}
    rows = _by_child(frames, {row["CHILD"] for row in header})
    for own in header:
        child = {name: by_child.get(own["CHILD"], []) for name, by_child in rows.items()}
        yield (
            f"{INDENT}<CHILD>\n"
            + _header(2, own, child)
            + "".join(_episode(2, row) for row in child["Episodes"])
            + f"{INDENT}</CHILD>\n"
        )


def ssda903_xml(tables: Tables) -> str:
    """The year's return, as the text of its XML file."""
    body = "".join(_children(tables))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<EXPSSDA903>\n{body}</EXPSSDA903>\n'
