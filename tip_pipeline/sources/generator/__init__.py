"""Synthetic data generator for tip_pipeline: every extract of every source, shaped like the
real returns (contracts.py), calibrated to the Leeds figures of the seed slide, reproducible
from its arguments alone.

Modules: config (scales, targets), geography (152 LAs, LSOAs, IMD), population (child universe,
population estimates, Census 2021 children by ethnic group), modelled (toxic-trio table),
hazards (shared risk), care (SSDA903), cin, factors, youth_justice, homelessness, deliveries
(year files as known at 31 March), reference, measures and benchmarks, pseudonyms, faults, plant
(identifiers), writer.

Scales: ``small`` is a synthetic "Small Town" (E08000999, a code no real LA has, in Yorkshire
and The Humber) with 40 LSOAs and about 9,000 children; ``leeds`` is Leeds (E08000035) with 488
LSOAs and about 169,600 children; ``england`` is all 152 upper-tier LAs, 33,755 LSOAs and about
12 million children. At single-LA scales the national model still exists, for ranks, deciles,
statistical neighbours and benchmarks.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from tip_pipeline.periods import FinancialYear
from tip_pipeline.sources import contracts
from tip_pipeline.sources.generator import (
    benchmarks,
    care,
    cin,
    deliveries,
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
from tip_pipeline.sources.generator.pseudonyms import Pseudonyms
from tip_pipeline.sources.generator.randomness import stream

__all__ = ["SCALES", "generate"]


def generate(
    out: Path | str,
    scale: str = "small",
    seed: int = 0,
    faults: float = 0.0,
    plant_identifiers: bool = False,
    first_year: str = "2020/21",
    last_year: str = "2025/26",
    progress: bool = False,
) -> dict:
    """Write every extract for ``first_year``..``last_year`` into ``out`` and return the manifest
    (also written to ``out/manifest.json``)."""
    if scale not in SCALE_SPECS:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    if not 0 <= faults < 0.5:
        raise ValueError("faults is a rate between 0 and 0.5")
    spec, win = SCALE_SPECS[scale], window(first_year, last_year)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=8, desc=f"generate {scale}", file=sys.stderr, disable=not progress)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

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

    sim = Simulation(geo, uni, win, shares, shares_range, care_, cin_, offences, hclic)
    tables = _reference_tables(sim, seed)
    step("reference")
    people = deliveries.People(uni, geo, Pseudonyms(seed))
    people.ids.prepare(
        np.concatenate(
            [care_.episodes["child"], cin_.episodes["child"], offences["child"],
             hclic.children["child"]]
        )
    )  # fmt: skip
    groups = [tables, *_service_groups(sim, people)]
    manifest = _write_all(out, groups, win, seed, faults, plant_identifiers, people, progress)
    manifest["generator"] = {
        "scale": scale,
        "seed": seed,
        "faults": faults,
        "plant_identifiers": plant_identifiers,
        "first_year": win.first.label,
        "last_year": win.last.label,
        "version": VERSION,
    }
    writer.write_manifest(out, manifest)
    step("written")
    bar.close()
    return manifest


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
            reference.lad_region(geo, reference.covered_las(geo, nbrs)),
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
    bench = benchmarks.build(geo, win, nums, children, youths, nbrs, stream(seed, "benchmarks"))
    for fy in win.years:
        out.append((_name("ref_benchmarks", fy), "ref_benchmarks", fy, None, bench[fy.label]))
    return out


def _service_groups(sim: Simulation, people: deliveries.People) -> Iterator[list[Table]]:
    """One delivery's tables at a time (built lazily: at england scale holding every file's
    frame at once would need several gigabytes)."""
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
    people: deliveries.People,
    progress: bool,
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
        return people.ids.one(10**12 + n)

    unknown_rng = stream(seed, "faults", "lsoa")
    n_groups = 1 + 2 * len(win.years) + len(win.yj_years) + 4 * len(win.years)
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
