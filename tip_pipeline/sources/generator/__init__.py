"""Synthetic data generator for tip_pipeline: every extract of every source, shaped like the
real returns (contracts.py), calibrated to the Leeds figures of the seed slide, reproducible
from its arguments alone.

Modules: config (scales, targets), geography (153 LAs, LSOAs, IMD), population (child universe,
population estimates, Census 2021 children by ethnic group), modelled (toxic-trio table),
hazards (shared risk), care (SSDA903), cin, factors, youth_justice, homelessness, deliveries
(year files as known at 31 March), reference, measures and benchmarks, pseudonyms, faults, plant
(identifiers), writer; for ``format="dfe"``, the raw returns instead of the children's-services
extracts: dfe (what is written where), identities (case ids, UPNs, full dates of birth,
postcodes), postcodes (and their ONS-layout lookup), dfe_ssda903 (the SSDA903 tables as CSV),
dfe_ssda903_xml (the same return as DfE's XML) and dfe_cin.

Scales: ``small`` is a synthetic "Small Town" (E08000999, a code no real LA has, in Yorkshire
and The Humber) with 40 LSOAs and about 9,000 children; ``leeds`` is Leeds (E08000035) with 488
LSOAs and about 169,600 children; ``england`` is all 153 upper-tier LAs (England's since April
2023, modelled in every year), 33,755 LSOAs and about 12 million children. At single-LA scales
the national model still exists, for ranks, deciles, statistical neighbours and benchmarks.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from tip_pipeline.errors import ValueFreeError
from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.generator import (
    benchmarks,
    care,
    cin,
    deliveries,
    dfe,
    dfe_services,
    faults,
    geography,
    homelessness,
    measures,
    modelled,
    plant,
    population,
    reference,
    writer,
    youth_justice,
)
from tip_pipeline.sources.generator.config import SCALE_SPECS, SCALES, VERSION, Window, window
from tip_pipeline.sources.generator.pseudonyms import Pseudonyms, StaffPseudonyms
from tip_pipeline.sources.generator.randomness import stream

__all__ = [
    "FORMATS",
    "SCALES",
    "expected_contracts",
    "expected_linkage",
    "generate",
    "pseudonym_pairs",
]

#: ``contract``: every extract as its contract file; ``dfe``: the services' extracts as the raw
#: returns they come from (``dfe``: DfE's SSDA903 and CIN census, the youth justice tables,
#: H-CLIC's sections, with the authority's cross-reference), the reference files as contract
#: files
FORMATS = ("contract", "dfe")


def generate(
    out: Path | str,
    scale: str = "small",
    seed: int = 0,
    faults: float = 0.0,
    plant_identifiers: bool = False,
    first_year: str = "2020/21",
    last_year: str = "2025/26",
    progress: bool = False,
    format: str = "contract",
    ssda903: str = "mixed",
    match_rates: Mapping[str, float] | None = None,
) -> dict:
    """Write every extract for ``first_year``..``last_year`` into ``out`` and return the manifest
    (also written to ``out/manifest.json``).

    ``format="dfe"`` writes the services' extracts (cin_*, ssda903_*, yjs_*, hclic_*) not as
    contract files but as the raw records intake converts into them, in ``out/raw/<YYYY-YY>/``:
    DfE's SSDA903 tables and CIN census XML, the youth justice system's offences and outcomes
    tables (every youth-justice year, the history too) and H-CLIC's Main, People, Support and
    Temporary accommodation sections in each quarter's folder (``Q1`` to ``Q4``), with the
    authority's cross-reference of people across the systems in ``out/raw/`` itself, listing
    each service's children with its ``match_rates`` (system to share;
    ``dfe_services.MATCH_RATES`` where not given; every rate 0: no cross-reference), and a
    synthetic pseudonym key and postcode lookup in ``out/raw_support/`` (modules ``dfe``,
    ``dfe_services``); the reference files are the same contract files as with the default
    ``format="contract"``, whose output is unchanged.
    Single-LA scales only, without faults or planted identifiers (they go into contract files;
    the raw returns are clean). ``ssda903``: with ``format="dfe"``, each year's SSDA903 return
    as CSV tables or as DfE's XML (``dfe.SSDA903_FORMATS``: by default a mix of the two by
    year)."""
    _check(scale, faults, plant_identifiers, format)
    rates = dfe_services.match_rates(match_rates)
    if ssda903 not in dfe.SSDA903_FORMATS:
        raise ArgumentError(f"ssda903 must be one of {dfe.SSDA903_FORMATS}, not {ssda903!r}")
    win = window(first_year, last_year)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    raw = format == "dfe"
    bar = tqdm(total=8 + raw, desc=f"generate {scale}", file=sys.stderr, disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    sim = _simulate(scale, win, seed, step)
    tables = _reference_tables(sim, seed)
    step("reference")
    ids = Pseudonyms(seed)
    ids.prepare(
        np.concatenate(
            [sim.care.episodes["child"], sim.cin.episodes["child"], sim.offences["child"],
             sim.hclic.children["child"]]
        )
    )  # fmt: skip
    people = deliveries.People(sim.uni, sim.geo, ids, StaffPseudonyms(seed))
    groups = [tables, *_service_groups(sim, people, services=not raw)]
    manifest = _write_all(
        out, groups, win, seed, faults, plant_identifiers, ids, progress, services=not raw
    )
    if raw:
        manifest["raw"] = dfe.write(out, sim, seed, ssda903, rates)
        step("raw returns")
    manifest["generator"] = {
        "scale": scale,
        "seed": seed,
        "faults": faults,
        "plant_identifiers": plant_identifiers,
        "first_year": win.first.label,
        "last_year": win.last.label,
        "version": VERSION,
    }
    if raw:  # the default's manifest stays as it was
        manifest["generator"]["format"] = format
        manifest["generator"]["ssda903"] = ssda903
        manifest["generator"]["match_rates"] = rates
    writer.write_manifest(out, manifest)
    step("written")
    bar.close()
    return manifest


def expected_contracts(
    key: bytes,
    scale: str = "small",
    seed: int = 0,
    first_year: str = "2020/21",
    last_year: str = "2025/26",
    match_rates: Mapping[str, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """The contract files of the services (file name to frame) that intake should write,
    with ``key``, from the raw returns ``generate(format="dfe")`` writes with the same
    arguments: computed by the generator alone (``dfe.expected_contracts``), never by intake."""
    _check(scale, 0.0, False, "dfe")
    sim = _simulate(scale, window(first_year, last_year), seed, lambda _name: None)
    return dfe.expected_contracts(sim, seed, key, match_rates)


def expected_linkage(
    scale: str = "small",
    seed: int = 0,
    first_year: str = "2020/21",
    last_year: str = "2025/26",
    match_rates: Mapping[str, float] | None = None,
) -> dict[tuple[str, str], tuple[int, int]]:
    """(year label, system) -> (people, linked) that ``ops.intake_linkage`` should record for
    the raw returns ``generate(format="dfe")`` writes with the same arguments
    (``dfe.expected_linkage``)."""
    _check(scale, 0.0, False, "dfe")
    sim = _simulate(scale, window(first_year, last_year), seed, lambda _name: None)
    return dfe.expected_linkage(sim, seed, match_rates)


def pseudonym_pairs(
    key: bytes,
    scale: str = "small",
    seed: int = 0,
    first_year: str = "2020/21",
    last_year: str = "2025/26",
    match_rates: Mapping[str, float] | None = None,
) -> dict[str, dict[str, str]]:
    """System -> {a child's pseudonym in the contract files ``generate`` writes directly: the
    pseudonym intake should give the child, with ``key``, from the raw records
    ``generate(format="dfe")`` writes with the same arguments} (``dfe.pseudonym_pairs``)."""
    _check(scale, 0.0, False, "dfe")
    sim = _simulate(scale, window(first_year, last_year), seed, lambda _name: None)
    return dfe.pseudonym_pairs(sim, seed, key, match_rates)


class ArgumentError(ValueFreeError, ValueError):
    """Arguments the generator cannot write a delivery for (the message names the arguments,
    never a value of a record: ``tip generate`` shows it)."""


def _check(scale: str, faults: float, plant_identifiers: bool, format: str) -> None:
    if scale not in SCALE_SPECS:
        raise ArgumentError(f"scale must be one of {SCALES}, not {scale!r}")
    if not 0 <= faults < 0.5:
        raise ArgumentError("faults is a rate between 0 and 0.5")
    if format not in FORMATS:
        raise ArgumentError(f"format must be one of {FORMATS}, not {format!r}")
    if format == "dfe" and SCALE_SPECS[scale].national:
        raise ArgumentError("format dfe writes one authority's returns: use a single-LA scale")
    if format == "dfe" and (faults or plant_identifiers):
        raise ArgumentError(
            "format dfe writes the raw returns clean: faults and planted identifiers are for "
            "contract files (format contract)"
        )


def _simulate(scale: str, win: Window, seed: int, step: Callable[[str], None]) -> Simulation:
    """Everything simulated for ``scale``, ``win`` and ``seed`` (each part from its own random
    streams, so the same arguments always give the same simulation)."""
    spec = SCALE_SPECS[scale]
    geo = geography.build(spec, stream(seed, "geography"))
    uni = population.build_universe(geo, win, stream(seed, "universe"))
    weights = population.band_quintile_counts(uni, geo, win.first_mid_year)
    shares = modelled.fit(weights)
    shares_range = modelled.fit_range(weights)
    population.assign_combos(uni, geo, win, shares, stream(seed, "combos"))
    step("population")
    periods = care.simulate_periods(uni, geo, win, seed)
    care_ = care.build(uni, geo, win, periods, seed)
    step("looked after")
    cin_ = cin.build(uni, geo, win, periods, seed)
    step("children in need")
    offences = youth_justice.build(uni, geo, win, periods, np.unique(cin_.episodes["child"]), seed)
    step("youth justice")
    hclic = homelessness.build(uni, geo, win, cin_, seed)
    step("homelessness")
    return Simulation(geo, uni, win, shares, shares_range, care_, cin_, offences, hclic)


@dataclass
class Simulation:
    """Everything simulated, before it is cut into files."""

    geo: geography.Geography
    uni: population.Universe
    win: Window
    shares: np.ndarray
    #: the lower and upper estimates' joint tables (the modelled range)
    shares_range: tuple[np.ndarray, np.ndarray]
    care: care.Care
    cin: cin.Cin
    offences: pd.DataFrame
    hclic: homelessness.Hclic


#: (file name, table, period or None, quarter or None, frame)
Table = tuple[str, str, FinancialYear | None, int | None, pd.DataFrame]


def _name(table: str, period: FinancialYear | None, quarter: int | None = None) -> str:
    names = contracts.EXTRACTS[table].file_names(period or FinancialYear(2000))
    return names[(quarter or 1) - 1]


def _reference_tables(sim: Simulation, seed: int) -> list[Table]:
    geo, uni, win = sim.geo, sim.uni, sim.win
    lsoas = geo.populated
    n_lsoa = geo.lsoa_code.size
    kids = [population.child_counts(uni, lsoas, fy.population_mid_year) for fy in win.years]
    adults = population.adult_counts(
        kids[0], geo.decile[lsoas], len(win.years), stream(seed, "adults")
    )
    out: list[Table] = []
    for fy, k, a in zip(win.years, kids, adults, strict=True):
        out.append(
            (
                _name("ref_population", fy),
                "ref_population",
                fy,
                None,
                reference.population(geo, k, a),
            )
        )
    census = population.census_counts(uni, geo, lsoas, stream(seed, "census"))
    nbrs = reference.neighbours(geo)
    out += [
        (
            _name("ref_census_ethnicity", None),
            "ref_census_ethnicity",
            None,
            None,
            reference.census_ethnicity(geo, census),
        ),
        (_name("ref_imd", None), "ref_imd", None, None, reference.imd(geo)),
        (_name("ref_lsoa_lookup", None), "ref_lsoa_lookup", None, None, reference.lsoa_lookup(geo)),
        (
            _name("ref_lad_region", None),
            "ref_lad_region",
            None,
            None,
            reference.lad_region(geo),
        ),
        (
            _name("ref_stat_neighbours", None),
            "ref_stat_neighbours",
            None,
            None,
            reference.stat_neighbours(geo, nbrs),
        ),
        (
            _name("ref_modelled_rates", None),
            "ref_modelled_rates",
            None,
            None,
            reference.modelled_rates(sim.shares, *sim.shares_range),
        ),
    ]
    shrink = np.array([1 - 0.003 * i for i in range(len(win.years))])
    children = np.outer(shrink, geo.child_mean)
    youths = children * 8 / 18
    for i, k in enumerate(kids):
        children[i, lsoas] = k.sum(axis=(1, 2))
        youths[i, lsoas] = k[:, :, 10:].sum(axis=(1, 2))
    nums = measures.counts(uni, win, sim.care, sim.cin, sim.offences, sim.hclic, n_lsoa)
    bench = benchmarks.build(geo, win, nums, children, youths, stream(seed, "benchmarks"), seed)
    for fy in win.years:
        out.append((_name("ref_benchmarks", fy), "ref_benchmarks", fy, None, bench[fy.label]))
    return out


def _service_groups(
    sim: Simulation, people: deliveries.People, services: bool = True
) -> Iterator[list[Table]]:
    """One delivery's tables at a time (built lazily: at england scale holding every file's
    frame at once would need several gigabytes). ``services``: with the services' extracts
    (CIN, SSDA903, youth justice, H-CLIC), which ``format="dfe"`` writes as raw returns
    instead."""
    if not services:
        return
    for fy in sim.win.years:
        group = deliveries.cin_tables(sim.cin, people, fy)
        yield [(_name(t, fy), t, fy, None, df) for t, df in group.items()]
        group = deliveries.ssda903_tables(sim.care, people, fy)
        yield [(_name(t, fy), t, fy, None, df) for t, df in group.items()]
    for fy in sim.win.yj_years:
        group = deliveries.yjs_tables(sim.offences, people, fy)
        yield [(_name(t, fy), t, fy, None, df) for t, df in group.items()]
    for fy, q, q0, q1 in homelessness.quarter_bounds(sim.win):
        group = deliveries.hclic_tables(sim.hclic, people, fy, q0, q1)
        yield [(_name(t, fy, q), t, fy, q, df) for t, df in group.items()]


def _with_first_events(
    groups: Iterable[list[Table]], needed: bool
) -> Iterator[tuple[Table, dict[str, pd.Series]]]:
    for group in groups:
        firsts = _first_events(group) if needed else {}
        for table in group:
            yield table, firsts


def _first_events(group: list[Table]) -> dict[str, pd.Series]:
    """For one delivery: the first event date of each child (or case) by the table whose date
    of birth must precede it (for dob_after_event faults)."""
    firsts: dict[str, pd.Series] = {}
    for _, table, _, _, df in group:
        if table == "cin_episodes":
            firsts["cin_children"] = df.groupby("LAchildID")["CINreferralDate"].min()
        elif table == "ssda903_episodes":
            firsts["ssda903_header"] = df.groupby("CHILD")["DECOM"].min()
        elif table == "hclic_main":
            firsts["hclic_children"] = df.set_index("CASE_ID")["APPLICATION_DATE"]
    return firsts


def _write_all(
    out: Path,
    groups: Iterable[list[Table]],
    win: Window,
    seed: int,
    rate: float,
    plant_ids: bool,
    ids: Pseudonyms,
    progress: bool,
    services: bool = True,
) -> dict:
    last_end = pd.Timestamp(win.last.end)
    counter = iter(range(1, 10**9))
    files, fault_list, identifiers = [], [], []

    def fresh_id(column: str) -> str:
        n = next(counter)
        if column == "OFFENCE_ID":
            return f"YO9{n:07d}"
        if column == "CASE_ID":
            return f"HC9{n:07d}"
        return ids.one(10**12 + n)

    unknown_rng = stream(seed, "faults", "lsoa")
    n_groups = 1 + (2 * len(win.years) + len(win.yj_years) + 4 * len(win.years)) * services
    bar = tqdm(groups, total=n_groups, desc="write", file=sys.stderr, disable=not progress)
    for (name, table, fy, q, df), firsts in _with_first_events(bar, rate > 0):
        extract = contracts.EXTRACTS[table]
        if plant_ids and fy == win.last:
            for spec in plant.PLANTS:
                if spec.table == table and spec.quarter in (None, q):
                    df = plant.plant(df, spec, stream(seed, "plant", name))
                    identifiers.append(
                        {
                            "file": name,
                            "column": spec.column,
                            "kind": spec.kind,
                            "refused_as": spec.refused_as,
                        }
                    )
        if rate > 0 and extract.source != "ref":
            ctx = faults.Context(
                last_end=last_end,
                first_event=firsts,
                fresh_id=fresh_id,
                unknown_lsoa=lambda: f"E0109{unknown_rng.integers(0, 10_000):04d}",
            )
            result = faults.inject(df, extract, fy, rate, ctx, stream(seed, "faults", name))
            writer.write_lines(out / name, list(df.columns), result.lines)
            for f in result.faults:
                fault_list.append({**f, "line": f["line"] + 1, "file": name, "table": table})
        else:
            writer.write_frame(out / name, df)
        period = fy.label if fy else None
        files.append(writer.file_entry(out, name, extract.source, table, period, q))
    files.sort(key=lambda f: f["path"])
    fault_list.sort(key=lambda f: (f["file"], f["line"]))
    identifiers.sort(key=lambda f: (f["file"], f["column"]))
    return {"files": files, "faults": fault_list, "identifiers": identifiers}
