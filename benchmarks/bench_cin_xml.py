"""Children per second and peak memory of the CIN census XML reader (``intake.cin_xml``).

    python benchmarks/bench_cin_xml.py                     # 400,000 children (England-sized)
    python benchmarks/bench_cin_xml.py --children 100000

A synthetic return is written on the fly to a temporary file: every child with its identifiers
(a UPN among them, dropped), characteristics and disabilities, one to three CINdetails, each
with one or two assessments of a few factors, a CIN plan, a section 47 enquiry and, for one
episode in five, a child protection plan with reviews. England's CIN census counts about
400,000 children in need at 31 March and some 650,000 episodes in the year.

Not a test: prints figures for the record. Peak memory is the process's maximum resident set
size (getrusage), which includes the interpreter and libraries; it is printed before the
parse too, so that what the parse adds can be told. The reader's CPU time (user and system) is
printed beside its wall time: on a loaded machine it varies less than the wall time does.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import TextIO

from tip_pipeline.intake.cin_xml import read_cin_xml
from tip_pipeline.intake.pseudonyms import Pseudonymiser

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2024</Year>
      <ReferenceDate>2024-03-31</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>999</LEA><SoftwareCode>bench</SoftwareCode>
      <Release>1</Release><SerialNo>1</SerialNo><DateTime>2024-05-01T09:00:00</DateTime></Source>
  </Header>
  <Children>
"""
FOOTER = "  </Children>\n</Message>\n"
FACTORS = ("1B", "2B", "3A", "3B", "4B", "6B", "8F", "21")


def _day(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _assessment(rng: random.Random) -> str:
    factors = "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in rng.sample(FACTORS, 3))
    return (
        "<Assessments>"
        f"<AssessmentActualStartDate>{_day(rng, 2023)}</AssessmentActualStartDate>"
        f"<AssessmentAuthorisationDate>{_day(rng, 2023)}</AssessmentAuthorisationDate>"
        f"<FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment>"
        "</Assessments>\n"
    )


def _plan(rng: random.Random) -> str:
    return (
        "<ChildProtectionPlans>"
        f"<CPPstartDate>{_day(rng, 2023)}</CPPstartDate><CPPendDate>{_day(rng, 2024)}</CPPendDate>"
        "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
        "<LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>"
        f"<NumberOfPreviousCPP>{rng.randint(0, 2)}</NumberOfPreviousCPP>"
        f"<Reviews><CPPreviewDate>{_day(rng, 2023)}</CPPreviewDate></Reviews>"
        "</ChildProtectionPlans>\n"
    )


def _episode(rng: random.Random) -> str:
    assessments = "".join(_assessment(rng) for _ in range(rng.randint(1, 2)))
    plan = _plan(rng) if rng.random() < 0.2 else ""
    return (
        "<CINdetails>\n"
        f"<CINreferralDate>{_day(rng, 2023)}</CINreferralDate><ReferralSource>1A</ReferralSource>"
        "<PrimaryNeedCode>N1</PrimaryNeedCode><ReferralNFA>false</ReferralNFA>"
        f"<CINclosureDate>{_day(rng, 2024)}</CINclosureDate>"
        "<ReasonForClosure>RC1</ReasonForClosure>\n"
        f"{assessments}"
        f"<CINPlanDates><CINPlanStartDate>{_day(rng, 2023)}</CINPlanStartDate></CINPlanDates>"
        f"<Section47><S47ActualStartDate>{_day(rng, 2023)}</S47ActualStartDate></Section47>\n"
        f"{plan}</CINdetails>\n"
    )


def _child(rng: random.Random, number: int) -> str:
    episodes = "".join(_episode(rng) for _ in range(rng.choice((1, 1, 2, 3))))
    return (
        "<Child>\n<ChildIdentifiers>"
        f"<LAchildID>C{number:07d}</LAchildID><UPN>A{number:012d}</UPN>"
        f"<PersonBirthDate>{_day(rng, rng.randint(2006, 2023))}</PersonBirthDate>"
        f"<Sex>{rng.choice('MF')}</Sex></ChildIdentifiers>\n"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "<Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>\n"
        f"{episodes}</Child>\n"
    )


def write_return(stream: TextIO, children: int, seed: int = 0) -> None:
    """A synthetic CIN census return of ``children`` children."""
    rng = random.Random(seed)
    stream.write(HEADER)
    for number in range(children):
        stream.write(_child(rng, number))
    stream.write(FOOTER)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(children: int, seed: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tip-bench-cin-") as tmp:
        path = Path(tmp) / "cin_census.xml"
        with path.open("w", encoding="utf-8") as stream:
            write_return(stream, children, seed)
        size_mb = path.stat().st_size / 1024 / 1024
        before = _peak_mb()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = read_cin_xml(path, Pseudonymiser(b"b" * 32))
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    rows = {r.table: r.written for r in result.results}
    print(
        f"children={children:,} file={size_mb:,.0f} MB rows={rows} wall={wall:.1f}s "
        f"cpu={cpu:.1f}s children/s={children / wall:,.0f} peak_rss_before={before:,.0f} MB "
        f"peak_rss={_peak_mb():,.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=400_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    run(args.children, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
