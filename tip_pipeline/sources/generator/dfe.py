"""The raw returns of ``generate(format="dfe")``: for the same simulated children as the
contract files, what a local authority holds before intake, so that the demo and the tests can
run the whole path from raw returns (``tip run --raw``).

What is written, under the delivery folder ``out``:

- ``raw/<YYYY-YY>/`` per reporting year: the year's SSDA903 return, either every table of it
  as CSV (``dfe_ssda903``: :data:`HEADER_FILE`, :data:`EPISODES_FILE`, :data:`OUTCOME_FILES`;
  the SW episodes table from 2023/24, the first year DfE asks for it) or the same records as
  DfE's XML (``dfe_ssda903_xml``: :data:`SSDA903_XML_FILE`), as :data:`SSDA903_FORMATS` says,
  and the CIN census return as XML (``dfe_cin``: ``cin_census_<YYYY>.xml``, the year of its
  31 March), the folder intake's landing reads (``TIP_RAW_DIR``);
- ``raw/<YYYY-YY>/`` also holds the youth justice system's offences and outcomes tables of
  every youth-justice year (the history years before the first reporting year too), and
  ``raw/<YYYY-YY>/Q1/`` to ``Q4/`` H-CLIC's Main, People and Support sections of each quarter;
  ``raw/`` itself the authority's cross-reference of people across the systems, each service's
  children listed with its match rate (``dfe_services``);
- ``raw_support/``: the pseudonym key (:data:`KEY_FILE`, 32 bytes drawn from the seed, mode
  600) and the postcode lookup (:data:`LOOKUP_FILE`, every synthetic postcode of the
  authority's LSOAs and of the placements' LSOAs, in ONS's best-fit layout, ``postcodes``),
  which ``TIP_PSEUDONYM_KEY_FILE`` and ``TIP_POSTCODE_LOOKUP`` name. Both are synthetic, and
  the manifest says so (:data:`README`): the key is no secret (anyone with the seed can
  remake it) and must never pseudonymise real returns.

Nothing of the raw folder or of its support lies among the contract files: ingestion reads only
the CSV files directly in the delivery folder, by name.

:func:`expected_contracts` is the generator's own account of what intake should write from
these returns with this key: the contract frames of ``deliveries``, with each child's id the
HMAC of its common person id where the cross-reference lists it, else of the system's own id
(``dfe_services.LinkedKeyedIds``), each record key (offence, H-CLIC case) the HMAC of the
system's key, its own LSOA and birth month; :func:`expected_linkage` what ``ops.intake_linkage``
should record; :func:`pseudonym_pairs` the direct contract files' pseudonyms beside intake's. One
column is the generator's and not the returns': cin_children's HomeLSOA (the census carries
no address; intake writes it empty: an unknown home area). ssda903_episodes' PL_LA is not in
DfE's Episodes table either, but intake derives it from PL_POST as DfE does, through the
lookup's LADCD, and it equals the generator's.

One authority's returns: the single-LA scales only (``small``, ``leeds``).

What ``tip run --raw`` makes of them: intake takes every record in; every CIN child has an
empty HomeLSOA, an unknown home area (``tip_pipeline.home_area``), which validation accepts and
the indicators count in the delivering LA (the small and leeds lookups cover that one LA), in
the unknown ward and IMD category; the year runs to a published warehouse and report.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.generator import (
    deliveries,
    dfe_cin,
    dfe_services,
    dfe_ssda903,
    dfe_ssda903_xml,
    homelessness,
    identities,
    writer,
)
from tip_pipeline.sources.generator.identities import (
    CaseIds,
    Identities,
    KeyedStaffIds,
    RawPeople,
    StaffIds,
)
from tip_pipeline.sources.generator.postcodes import Postcodes
from tip_pipeline.sources.generator.pseudonyms import Pseudonyms, StaffPseudonyms
from tip_pipeline.sources.generator.randomness import stream

if TYPE_CHECKING:
    from tip_pipeline.sources.generator import Simulation

RAW = "raw"
SUPPORT = "raw_support"
HEADER_FILE = "903_header.csv"
EPISODES_FILE = "903_episodes.csv"
#: DfE's other tables (Missing, Reviews, OC2, OC3, UASC, AD1, PlacedAdoption, PrevPerm, SW
#: episodes), by DfE's name of the table
OUTCOME_FILES = {
    "Missing": "903_missing.csv",
    "Reviews": "903_reviews.csv",
    "OC2": "903_oc2.csv",
    "OC3": "903_oc3.csv",
    "UASC": "903_uasc.csv",
    "AD1": "903_ad1.csv",
    "PlacedAdoption": "903_placed_adoption.csv",
    "PrevPerm": "903_prev_perm.csv",
    "SWEpisodes": "903_sw_episodes.csv",
}
SSDA903_XML_FILE = "ssda903_return.xml"
#: how a year's SSDA903 return is written: ``mixed`` (the default), the XML for the years
#: ending in an even calendar year (2021/22, 2023/24, 2025/26) and the CSV tables for the
#: others, so that a generated delivery of several years holds both forms an authority may
#: keep and ``tip run --raw`` takes both in; ``csv`` or ``xml`` writes every year so (the
#: same year in both forms is what proves the two readings equal)
SSDA903_FORMATS = ("mixed", "csv", "xml")
KEY_FILE = "pseudonym.key"
LOOKUP_FILE = "pcd_oa21_lsoa21_msoa21_lad_synthetic.csv"
KEY_BYTES = 32
#: DfE's three-digit number of the authority (the CIN census header's LEA): Leeds is 383; the
#: small scale's "Small Town" has none, and 999 is no authority's
LEA = {"E08000035": "383"}
OTHER_LEA = "999"
README = (
    "Synthetic, made up by tip generate --format dfe: raw/ holds raw DfE returns (every SSDA903 "
    "table of each year's return, CIN census XML) of invented children, with invented case "
    "ids, social worker ids, UPN-like values, dates of birth and postcodes; "
    "raw_support/ holds a pseudonym key drawn from the seed (not a secret: anyone with the "
    "seed can remake it; never use it for real returns) and a lookup of the invented "
    "postcodes to the model's LSOAs in the layout of ONS's postcode lookup (not ONS's data)."
)
#: the columns of the contracts that intake writes empty from these returns
NOT_IN_RETURNS = {"cin_children": ("HomeLSOA",)}


def key(seed: int) -> bytes:
    """The synthetic pseudonym key of ``seed``: 32 bytes from its own random stream, drawn
    again while the last is a newline (intake strips one, as an editor's, from a key file)."""
    rng = stream(seed, "dfe", "key")
    drawn = rng.bytes(KEY_BYTES)
    while drawn.endswith(b"\n"):
        drawn = rng.bytes(KEY_BYTES)
    return drawn


@dataclass(frozen=True)
class Raw:
    """The children as the authority holds them, and their postcodes."""

    identities: Identities
    postcodes: Postcodes
    people: RawPeople
    staff: StaffIds


def prepare(sim: Simulation, seed: int) -> Raw:
    postcodes = Postcodes.build(sim.geo)
    households = sim.hclic.children.merge(sim.hclic.cases[["case_id", "app"]], on="case_id")
    first = identities.first_events(
        sim.uni.n,
        (sim.care.episodes["child"].to_numpy(), sim.care.episodes["decom"].to_numpy()),
        (sim.cin.episodes["child"].to_numpy(), sim.cin.episodes["ref"].to_numpy()),
        (sim.offences["child"].to_numpy(), sim.offences["offence_day"].to_numpy()),
        (households["child"].to_numpy(), households["app"].to_numpy()),
    )
    ids = identities.build(sim.uni, postcodes, first, seed)
    staff = StaffIds(sim.care.records.workers, seed)
    people = RawPeople(sim.uni, sim.geo, CaseIds(ids), staff, ids)
    return Raw(ids, postcodes, people, staff)


def _entry(out: Path, path: Path, kind: str, table: str | None, fy: FinancialYear | None) -> dict:
    data = path.read_bytes()
    return {
        "path": path.relative_to(out).as_posix(),
        "return": kind,
        "table": table,
        "period": fy.label if fy else None,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def write_key(path: Path, content: bytes) -> None:
    """The key file, readable and writable by its owner only (intake refuses any other)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, content)
    finally:
        os.close(descriptor)


def as_xml(fy: FinancialYear, ssda903: str) -> bool:
    """Whether ``fy``'s SSDA903 return is written as XML (:data:`SSDA903_FORMATS`)."""
    if ssda903 == "mixed":
        return fy.end_year % 2 == 0
    return ssda903 == "xml"


def _ssda903_files(
    folder: Path, tables: dfe_ssda903.Tables, xml: bool
) -> list[tuple[Path, str | None]]:
    """The year's SSDA903 return written, as XML or as CSV tables: each file and its table
    (None for the XML, which holds them all)."""
    if xml:
        path = folder / SSDA903_XML_FILE
        path.write_bytes(dfe_ssda903_xml.ssda903_xml(tables).encode("utf-8"))
        return [(path, None)]
    written = []
    for name, table, frame in (
        (HEADER_FILE, "Header", tables.header),
        (EPISODES_FILE, "Episodes", tables.episodes),
        *((OUTCOME_FILES[t], t, f) for t, f in tables.outcomes.items()),
    ):
        writer.write_frame(folder / name, frame)
        written.append((folder / name, table))
    return written


def service_children(sim: Simulation) -> dict[str, np.ndarray]:
    """Each system's children over the whole simulation (those the cross-reference may list)."""
    return {
        dfe_services.SOCIAL_CARE: np.union1d(
            sim.care.episodes["child"].to_numpy(), sim.cin.episodes["child"].to_numpy()
        ),
        dfe_services.YOUTH_JUSTICE: sim.offences["child"].to_numpy(),
        dfe_services.HOUSING: sim.hclic.children["child"].to_numpy(),
    }


def _system_people(sim: Simulation, raw: Raw, ids: np.ndarray) -> RawPeople:
    """The children as a service's system holds them: its own ids, full dates of birth and
    home postcodes."""
    return RawPeople(sim.uni, sim.geo, dfe_services.SystemIds(ids), raw.staff, raw.identities)


def _service_files(
    out: Path, sim: Simulation, raw: Raw, service: dfe_services.ServiceIds, seed: int
) -> list[dict]:
    """The youth justice tables of every youth-justice year (history too), H-CLIC's sections
    of every quarter, and the cross-reference; their part of the manifest."""
    files: list[dict] = []
    yj = _system_people(sim, raw, service.yj_id)
    for fy in sim.win.yj_years:
        tables = dfe_services.yj_tables(sim.offences, yj, fy, seed)
        for (name, frame), table in zip(tables.items(), ("Offences", "Outcomes"), strict=True):
            path = dfe_services.write_frame(out / RAW / fy.tag / name, frame)
            files.append(_entry(out, path, "youth_justice", table, fy))
    housing = _system_people(sim, raw, service.housing_id)
    for fy, q, q0, q1 in homelessness.quarter_bounds(sim.win):
        sections = dfe_services.hclic_sections(sim.hclic, housing, raw.postcodes, fy, q0, q1, seed)
        for (name, frame), table in zip(sections.items(), dfe_services.HCLIC_FILES, strict=True):
            path = dfe_services.write_frame(out / RAW / fy.tag / f"Q{q}" / name, frame)
            files.append(_entry(out, path, "hclic", table, fy))
    rows = dfe_services.cross_reference(service, raw.identities, service_children(sim))
    if rows is not None:
        path = dfe_services.write_frame(out / RAW / dfe_services.CROSS_REFERENCE_FILE, rows)
        files.append(_entry(out, path, "cross_reference", None, None))
    return files


def write(
    out: Path,
    sim: Simulation,
    seed: int,
    ssda903: str = "mixed",
    match_rates: Mapping[str, float] | None = None,
) -> dict:
    """Every year's raw returns, the other services' records, the cross-reference and the
    support files; their part of the manifest."""
    rates = dfe_services.match_rates(match_rates)
    raw = prepare(sim, seed)
    lea = LEA.get(sim.geo.las.at[sim.geo.target, "code"], OTHER_LEA)
    files: list[dict] = []
    placements: list[np.ndarray] = []
    for fy in sim.win.years:
        folder = out / RAW / fy.tag
        folder.mkdir(parents=True, exist_ok=True)
        tables = dfe_ssda903.tables(sim.care, raw.people, raw.postcodes, fy, seed)
        placements.append(tables.placement_lsoas)
        for path, table in _ssda903_files(folder, tables, as_xml(fy, ssda903)):
            files.append(_entry(out, path, "ssda903", table, fy))
        census = folder / f"cin_census_{fy.end_year}.xml"
        census.write_bytes(dfe_cin.census(sim.cin, raw.people, fy, lea).encode("utf-8"))
        files.append(_entry(out, census, "cin_census", None, fy))
    service = dfe_services.build_ids(sim.uni.n, seed, rates)
    files += _service_files(out, sim, raw, service, seed)
    support = out / SUPPORT
    support.mkdir(parents=True, exist_ok=True)
    lsoas = np.concatenate([sim.geo.populated, *placements])
    writer.write_frame(support / LOOKUP_FILE, raw.postcodes.lookup(lsoas))
    write_key(support / KEY_FILE, key(seed))
    return {
        "readme": README,
        "files": files,
        "postcode_lookup": _entry(out, support / LOOKUP_FILE, "ons_postcode_lookup", None, None),
        "key_file": f"{SUPPORT}/{KEY_FILE}",
        "match_rates": rates,
    }


def expected_contracts(
    sim: Simulation,
    seed: int,
    key_bytes: bytes,
    match_rates: Mapping[str, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """The contract files intake should write from the raw returns of ``sim`` (file name to
    frame, every value text, an empty string where the file has none), pseudonymised with
    ``key_bytes`` through the cross-reference of ``match_rates`` (``dfe_services``): see the
    module for the column intake writes empty. With every child listed (every rate 1), each
    child has one pseudonym in every service, as in the contract files ``generate`` writes
    directly."""
    rates = dfe_services.match_rates(match_rates)
    raw = prepare(sim, seed)
    service = dfe_services.build_ids(sim.uni.n, seed, rates)

    def people(system: str) -> deliveries.People:
        ids = dfe_services.LinkedKeyedIds(key_bytes, system, service, raw.identities)
        return deliveries.People(sim.uni, sim.geo, ids, KeyedStaffIds(key_bytes, raw.staff))

    social_care = people(dfe_services.SOCIAL_CARE)
    out: dict[str, pd.DataFrame] = {}
    for fy in sim.win.years:
        tables = {
            **deliveries.cin_tables(sim.cin, social_care, fy),
            **deliveries.ssda903_tables(sim.care, social_care, fy),
        }
        for table, frame in tables.items():
            (name,) = contracts.EXTRACTS[table].file_names(fy)
            out[name] = frame
    yj = people(dfe_services.YOUTH_JUSTICE)
    records = dfe_services.RECORD_NAMESPACES
    for fy in sim.win.yj_years:
        for table, frame in deliveries.yjs_tables(sim.offences, yj, fy).items():
            ids = frame["OFFENCE_ID"].to_numpy()
            frame["OFFENCE_ID"] = dfe_services.keyed(key_bytes, records["youth_justice"], ids)
            (name,) = contracts.EXTRACTS[table].file_names(fy)
            out[name] = frame
    housing = people(dfe_services.HOUSING)
    for fy, q, q0, q1 in homelessness.quarter_bounds(sim.win):
        for table, frame in deliveries.hclic_tables(sim.hclic, housing, fy, q0, q1).items():
            frame["CASE_ID"] = dfe_services.keyed(
                key_bytes, records["housing"], frame["CASE_ID"].to_numpy()
            )
            out[contracts.EXTRACTS[table].file_names(fy)[q - 1]] = frame
    return out


def expected_linkage(
    sim: Simulation, seed: int, match_rates: Mapping[str, float] | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(year label, system) -> (people, linked): each service's distinct children in the
    year's files and how many of them the cross-reference lists, as ``ops.intake_linkage``
    should record them (the generator's own account, from the children, not from intake)."""
    rates = dfe_services.match_rates(match_rates)
    listed = dfe_services.build_ids(sim.uni.n, seed, rates).listed
    index = dfe_services.ChildIndex()
    people = deliveries.People(sim.uni, sim.geo, index, index)
    found: dict[tuple[str, str], set[int]] = {}

    def add(fy: FinancialYear, system: str, frames: dict[str, pd.DataFrame]) -> None:
        children = found.setdefault((fy.label, system), set())
        for table, frame in frames.items():
            for column in contracts.EXTRACTS[table].columns:
                if column.kind is contracts.ColumnKind.PSEUDO_ID:
                    children.update(int(c) for c in frame[column.name])

    for fy in sim.win.years:
        add(fy, dfe_services.SOCIAL_CARE, deliveries.cin_tables(sim.cin, people, fy))
        add(fy, dfe_services.SOCIAL_CARE, deliveries.ssda903_tables(sim.care, people, fy))
    for fy in sim.win.yj_years:
        add(fy, dfe_services.YOUTH_JUSTICE, deliveries.yjs_tables(sim.offences, people, fy))
    for fy, _, q0, q1 in homelessness.quarter_bounds(sim.win):
        add(fy, dfe_services.HOUSING, deliveries.hclic_tables(sim.hclic, people, fy, q0, q1))
    return {
        key: (len(children), int(listed[key[1]][sorted(children)].sum()))
        for key, children in found.items()
        if children
    }


def pseudonym_pairs(
    sim: Simulation, seed: int, key_bytes: bytes, match_rates: Mapping[str, float] | None = None
) -> dict[str, dict[str, str]]:
    """System -> {the pseudonym of a child of the system in the contract files ``generate``
    writes directly: the pseudonym intake should give the child from the system's raw
    records}: with every child listed, one pseudonym per child in every system, as in the
    direct contract files; and :data:`STAFF`, the social workers' pseudonyms likewise."""
    rates = dfe_services.match_rates(match_rates)
    raw = prepare(sim, seed)
    service = dfe_services.build_ids(sim.uni.n, seed, rates)
    direct = Pseudonyms(seed)
    pairs = {}
    for system, children in service_children(sim).items():
        kids = np.unique(children)
        keyed = dfe_services.LinkedKeyedIds(key_bytes, system, service, raw.identities)
        pairs[system] = dict(zip(direct.of(kids), keyed.of(kids), strict=True))
    workers = np.arange(sim.care.records.workers)
    pairs[STAFF] = dict(
        zip(
            StaffPseudonyms(seed).of(workers),
            KeyedStaffIds(key_bytes, raw.staff).of(workers),
            strict=True,
        )
    )
    return pairs


#: the social workers' pseudonyms in :func:`pseudonym_pairs`
STAFF = "staff"
