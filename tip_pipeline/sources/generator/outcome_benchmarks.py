"""The outcome measures of the benchmark file (``codes.OUTCOME_BENCHMARK_MEASURES``): every
local authority's figure modelled around DfE's published England figure.

The generator does not count these measures from its simulated children (as it counts the rates
per child population, ``measures``), so every authority's figure is drawn, populated ones
included: the pipeline computes a populated authority's own value from its delivery, and its
comparisons take that value before the file's (``indicators/comparisons.comparator_lookup``);
the file stands for the other authorities, its regions and England.

The model, per measure: each authority's share is DfE's England share moved on the logit scale
by a normal draw (sd ``SHARE_SD``), fixed across years; each year its denominator is a Poisson
draw of its children aged 0-17 times England's units per child, and its numerator a binomial
draw of the denominator at its share. A rate per 10,000 (section 47 enquiries, conferences) is
England's rate times a log-normal factor (sd ``RATE_SD``), its numerator a Poisson draw over the
authority's children. The spreads are this project's choice, wide enough that authorities
differ as DfE's local authority tables show they do, not fitted to them.

Each measure draws from its own random stream (``randomness.stream(seed, "benchmarks",
measure)``), never from the stream of the rates per child population: adding, removing or
reordering an outcome measure leaves every other figure of the file as it was, bit for bit.

England's figures (DfE, on explore-education-statistics.service.gov.uk; the units per child
are England's count of the denominator divided by its children aged 0-17, ``ENGLAND_CHILDREN``):

- re-referrals within 12 months: 22.4%, 139,080 of 621,880 referrals in 2023/24 (*Children in
  need: a focus on re-referrals*, reporting year 2024);
- assessments within 45 working days: 85.7%, 555,820 of 648,830 assessments completed in
  2024/25 (*Children in need*, data set "C2 Completed assessments by duration of assessment",
  2025: same day to 41-45 days);
- plans ended that lasted 2 years or more: 4.4%, 2,710 of 62,300 plans ended in 2024/25
  (*Children in need*, "D7 Child protection plans ending during the year by duration", 2025);
- second or subsequent plans: 16.6% of the 62,200 children starting a plan in 2014/15, DfE's
  figure as reported at the time (DfE's own table D3 was not read through this project's
  searches; the share has varied since, and the spread covers it);
- 3 or more placements in the year: 10%, about 1 in 10 children looked after (NICE, looked-after
  children quality statement 3, citing DfE's 11%; Children's Commissioner, Stability Index
  2019: around 1 in 10 with 2 or more placement moves in 12 months); denominator 83,630
  children looked after at 31 March 2024 (*Children looked after in England including
  adoptions*, 2024);
- long-term placement stability: 68%, 19,750 of 29,000 children under 16 looked after
  continuously for 2.5 years, 31 March 2024 (*Stability measures for children looked after in
  England*, data set "Placement stability by local authority", 2024);
- missing: 11%, 12,150 children looked after in 2021/22 who had a missing incident (DfE,
  answer to a parliamentary question citing *Children looked after in England*, 2022); the
  denominator, children looked after in the year, is that count over that share;
- care leavers aged 19-21 in education, employment or training: about half in 2020/21 (DfE's
  figures, as reported by Children and Young People Now, "Leaving care special report"; 40%
  were not in education, employment or training in 2017 and the rest not known): 50%;
- care leavers aged 19-21 in suitable accommodation: 85%, 25,030 of 29,470 in 2018/19 (*Children
  looked after in England*, "Care leavers by whether their accommodation is suitable");
- section 47 enquiries: 167.2 per 10,000, 201,000 in 2019/20; initial child protection
  conferences: 64.4 per 10,000, 77,470 (*Children in need*, "A2 Section 47s, initial child
  protection conferences and child protection plans", 2020).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from tip_pipeline.sources import codes
from tip_pipeline.sources.generator.config import Window
from tip_pipeline.sources.generator.geography import Geography
from tip_pipeline.sources.generator.randomness import stream

#: England's children aged 0-17 behind DfE's rates: 201,000 section 47 enquiries at 167.2 per
#: 10,000 in 2019/20 (about 12.0 million)
ENGLAND_CHILDREN = 12_000_000
#: spread of authorities' shares on the logit scale, and of their rates on the log scale
SHARE_SD, RATE_SD = 0.3, 0.25


@dataclass(frozen=True)
class Model:
    """DfE's England figure of a measure: ``value`` on the measure's scale (a percentage, or a
    rate per the multiplier), and for a share, England's count of the units it is a share of
    (``units``); a rate's denominator is the children aged 0-17."""

    value: float
    units: int | None = None


#: measure -> England's published figure (the module's docstring gives each source)
MODELS: Mapping[str, Model] = {
    "cin_re_referrals_12m": Model(22.4, 621_880),
    "assessments_within_45_days": Model(85.7, 648_830),
    "cpp_ended_two_years_or_more": Model(4.4, 62_300),
    "cpp_second_or_subsequent": Model(16.6, 62_200),
    "cla_three_or_more_placements": Model(10.0, 83_630),
    "cla_long_term_stability": Model(68.0, 29_000),
    "cla_missing": Model(11.0, round(12_150 / 0.11)),
    "care_leavers_eet": Model(50.0, 29_470),
    "care_leavers_suitable_accommodation": Model(85.0, 29_470),
    "s47_enquiries": Model(167.2),
    "icpcs_after_s47": Model(64.4),
}
if set(MODELS) != set(codes.OUTCOME_BENCHMARK_MEASURES):
    raise ValueError("every outcome benchmark measure has its England model, and only those")


def la_counts(
    model: Model,
    multiplier: int,
    la_children: np.ndarray,  # (years, n_las) children aged 0-17
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(numerators, denominators), each (years, n_las), of one measure."""
    n_years, n_las = la_children.shape
    if model.units is None:  # a rate per child population
        rate = model.value / multiplier * np.exp(rng.normal(0.0, RATE_SD, n_las))
        den = la_children.astype(np.int64)  # as the population rates truncate it
        return rng.poisson(den * rate).astype(np.int64), den
    share = expit(logit(model.value / multiplier) + rng.normal(0.0, SHARE_SD, n_las))
    per_child = model.units / ENGLAND_CHILDREN
    den = rng.poisson(la_children * per_child).astype(np.int64)
    return rng.binomial(den, np.broadcast_to(share, (n_years, n_las))).astype(np.int64), den


def build(
    geo: Geography,
    win: Window,
    children: np.ndarray,  # (years, n_lsoa) children 0-17, actual where populated
    seed: int,
    measures: Mapping[str, Model] = MODELS,
) -> dict[str, tuple[int, np.ndarray, np.ndarray]]:
    """measure -> (multiplier, numerators, denominators), the counts (years, n_las) of every
    local authority, each measure from its own stream."""
    n_las = len(geo.las)
    la_children = np.stack(
        [
            np.bincount(geo.lsoa_la, weights=children[i], minlength=n_las)
            for i in range(len(win.years))
        ]
    )
    out = {}
    for measure, model in measures.items():
        multiplier = codes.OUTCOME_BENCHMARK_MEASURES[measure][1]
        rng = stream(seed, "benchmarks", measure)
        out[measure] = (multiplier, *la_counts(model, multiplier, la_children, rng))
    return out
